/**
 * The working keys: PIN, MAC and data keys, delivered at sign-on wrapped under the terminal
 * master key (TMK), each followed by its check value (CUP field 62: key ‖ check value, for the
 * PIN key, then the MAC key, then optionally the data key). A key is accepted only if the
 * check value of the unwrapped key matches; one mismatch rejects the whole set, the previous
 * set stays in use, and the log records why. Keys persist only as the host sent them
 * (wrapped), as one durable record of the record log (never aged out by rotation), with a
 * generation counter; the core holds handles.
 */
import type { CryptoPort, KeyAlgorithm, KeyHandle, SettingsPort } from '../ports';
import type { CborCodec } from '../store/cbor';
import { DurableKey, RecordType, type RecordLog } from '../store/recordLog';
import { singleDesRefusal } from './keyUsage';
import { validateKeySetRecord, type KeySetRecord, type StoredKey, type WorkingKeyName } from './keySetRecord';
import { ascii, toHex } from '../bytes';
import { constantTimeEqual, isDesFamily, KEY_LENGTH } from './blocks';
import { checkValue } from './checkValue';
import { computeMac, type MacScheme } from './mac';
import { deepFreeze } from '../freeze';
import { errorText } from '../errorText';

/** Message MACed at install and again by the MAC self-check: same key, same MAC. */
const MAC_CHECK_MESSAGE = ascii('xspos MAC check');

export type { WorkingKeyName, StoredKey } from './keySetRecord';
const ORDER: readonly WorkingKeyName[] = deepFreeze(['pin', 'mac', 'data']);

/** Where the key-set generation is mirrored outside the record log. */
const GENERATION_SETTING = deepFreeze({ domain: 'keys', key: 'generation' });

/** Slot of the terminal master key in the crypto port's provisioned keys. */
export const MASTER_KEY_SLOT = 'tmk';

export interface KeyBlockFormat {
  algorithm: KeyAlgorithm;
  /** Check value bytes after each key (3 or 4 for 3DES; the CUP layout carries 4). */
  kcvLength: number;
  /** How this acquirer MACs messages (for the MAC self-check recorded at install). */
  mac: MacScheme;
  /** The acquirer profile allows single-length DES keys. */
  legacySingleDes?: boolean;
}

export type KeyProblemCode = 'keys.stale' | 'keys.no-master-key' | 'keys.block-length' | 'keys.kcv-mismatch' | 'keys.unwrap-failed' | 'keys.unreadable' | 'keys.unsupported' | 'keys.store-failed';

export type KeyInstallResult = { ok: true; generation: number } | { ok: false; code: KeyProblemCode; detail: string };

export interface KeyStoreStatus {
  generation: number;
  masterKey: boolean;
  /** A key set was ever installed (a sign-on happened): with no keys now, they were lost or wiped. */
  signedOnBefore: boolean;
  /** The newest stored set is a wipe. */
  wiped: boolean;
  /** Check values of the keys in use, hex: safe to show and log. */
  keys: { name: WorkingKeyName; algorithm: KeyAlgorithm; kcv: string }[];
  /** Why the stored set could not be restored at boot, if it could not. */
  restoreProblem: { code: KeyProblemCode; detail: string } | undefined;
  /** The newest key block refused since the set in use was installed, if any. */
  lastRejection: { code: KeyProblemCode; detail: string } | undefined;
}

export class KeyStore {
  readonly #crypto: CryptoPort;
  readonly #log: RecordLog | undefined;
  readonly #cbor: CborCodec;
  readonly #settings: SettingsPort | undefined;
  #generation = 0;
  #algorithm: KeyAlgorithm = 'tdes2';
  #keys = new Map<WorkingKeyName, { handle: KeyHandle; kcv: Uint8Array }>();
  #restoreProblem: KeyStoreStatus['restoreProblem'];
  #lastRejection: KeyStoreStatus['lastRejection'];
  #mac: MacScheme | undefined;
  #macCheck: Uint8Array | undefined;
  #wiped = false;

  /**
   * @param settings where the generation is mirrored (NVS on the device), so that a terminal
   *   whose stored set was lost still knows it had signed on
   */
  constructor(crypto: CryptoPort, log: RecordLog | undefined, cbor: CborCodec, settings?: SettingsPort) {
    this.#crypto = crypto;
    this.#log = log;
    this.#cbor = cbor;
    this.#settings = settings;
    const mirrored = settings?.get(GENERATION_SETTING.domain, GENERATION_SETTING.key);
    if (typeof mirrored === 'number' && Number.isSafeInteger(mirrored) && mirrored > 0) this.#generation = mirrored;
  }

  /** Mirrors the generation in settings; a settings failure does not undo the set already stored. */
  #mirrorGeneration() {
    try {
      this.#settings?.set(GENERATION_SETTING.domain, GENERATION_SETTING.key, this.#generation);
    } catch {
      // The log holds the set; the mirror only tells a lost set from a terminal that never signed on.
    }
  }

  /** The key in use for `name`, if any. */
  key(name: WorkingKeyName): KeyHandle | undefined {
    return this.#keys.get(name)?.handle;
  }

  status(): KeyStoreStatus {
    return {
      generation: this.#generation,
      signedOnBefore: this.#generation > 0,
      wiped: this.#wiped,
      masterKey: this.#crypto.provisionedKey(MASTER_KEY_SLOT) !== undefined,
      keys: ORDER.flatMap((name) => {
        const k = this.#keys.get(name);
        return k ? [{ name, algorithm: this.#algorithm, kcv: toHex(k.kcv).toUpperCase() }] : [];
      }),
      restoreProblem: this.#restoreProblem,
      lastRejection: this.#lastRejection,
    };
  }

  /** Each held key's check value, computed again now, against the one it was accepted with. */
  recheck(): { name: WorkingKeyName; ok: boolean }[] {
    return ORDER.flatMap((name) => {
      const k = this.#keys.get(name);
      if (!k) return [];
      let ok = false;
      try {
        ok = constantTimeEqual(checkValue(this.#crypto, k.handle, k.kcv.length), k.kcv);
      } catch {
        ok = false;
      }
      return [{ name, ok }];
    });
  }

  /** The MAC key's MAC of a fixed message, against the one recorded at install. */
  macSelfCheck(): 'ok' | 'mismatch' | 'no-key' {
    const mak = this.#keys.get('mac');
    if (!mak || !this.#mac || !this.#macCheck) return 'no-key';
    try {
      return constantTimeEqual(computeMac(this.#crypto, mak.handle, this.#mac, MAC_CHECK_MESSAGE), this.#macCheck) ? 'ok' : 'mismatch';
    } catch {
      return 'mismatch';
    }
  }

  /**
   * Reloads the key set from the log (at boot), re-checking every check value. A stored set this
   * firmware cannot use is a restore problem (keys.unreadable), never a crash.
   * @throws StoreError when flash cannot be read
   */
  restore(): void {
    if (!this.#log) return;
    const record = this.#log.get(DurableKey.keySet);
    let rejection: { seq: number; payload: Uint8Array } | undefined;
    for (const r of this.#log.records()) if (r.type === RecordType.event && this.#isRejection(r.payload)) rejection = r;
    if (rejection && (!record || rejection.seq > record.seq)) {
      const event = this.#cbor.decode(rejection.payload) as { code?: unknown; detail?: unknown };
      this.#lastRejection = { code: typeof event.code === 'string' ? (event.code as KeyProblemCode) : 'keys.unreadable', detail: String(event.detail) };
    }
    if (!record) return;
    let stored: KeySetRecord;
    try {
      stored = validateKeySetRecord(this.#cbor.decode(record.payload));
    } catch (error) {
      this.#generation = Math.max(this.#generation, 1); // a set was stored, so the terminal had signed on
      this.#restoreProblem = { code: 'keys.unreadable', detail: `key set record ${record.seq}: ${errorText(error)}` };
      return;
    }
    const mirrored = this.#generation;
    this.#generation = Math.max(mirrored, stored.generation);
    this.#wiped = stored.keys.length === 0;
    if (mirrored > stored.generation && !this.#wiped) {
      // A later install or wipe was counted but its record never reached the log: these keys are stale.
      this.#restoreProblem = { code: 'keys.stale', detail: `stored set is generation ${stored.generation}; generation ${mirrored} was installed or wiped since` };
      return;
    }
    if (this.#wiped) return;
    const loaded = this.#unwrapAll(stored.algorithm, stored.keys);
    if (!loaded.ok) {
      this.#restoreProblem = { code: loaded.code, detail: loaded.detail };
      return;
    }
    this.#use(stored.algorithm, loaded.keys);
    this.#mac = stored.mac;
    this.#macCheck = stored.macCheck;
  }

  #isRejection(payload: Uint8Array): boolean {
    try {
      return (this.#cbor.decode(payload) as { kind?: unknown }).kind === 'keys-rejected';
    } catch {
      return false;
    }
  }

  /**
   * Installs the working keys from a sign-on key block: PIN key, MAC key and optionally the
   * data key, each `key ‖ check value` under `format`. All or nothing.
   */
  install(block: Uint8Array, format: KeyBlockFormat): KeyInstallResult {
    // The MAC scheme must work with these keys: X9.19 splits a double-length 3DES key, the CUP MAC is DES-family.
    if ((format.mac.algorithm === 'x9.19' && format.algorithm !== 'tdes2') || (format.mac.algorithm === 'cup-ecb' && !isDesFamily(format.algorithm)))
      return this.#reject({ ok: false, code: 'keys.unsupported', detail: `${format.mac.algorithm} MAC cannot use ${format.algorithm} keys` });
    const singleDes = singleDesRefusal(format.algorithm, { legacySingleDes: format.legacySingleDes === true });
    if (singleDes) return this.#reject({ ok: false, code: 'keys.unsupported', detail: singleDes });
    const keyBytes = KEY_LENGTH[format.algorithm];
    const entry = keyBytes + format.kcvLength;
    if (block.length !== 2 * entry && block.length !== 3 * entry)
      return this.#reject({ ok: false, code: 'keys.block-length', detail: `key block of ${block.length} bytes; expected ${2 * entry} or ${3 * entry}` });
    const keys: StoredKey[] = [];
    for (let i = 0; i * entry < block.length; i++)
      keys.push({ name: ORDER[i], wrapped: block.slice(i * entry, i * entry + keyBytes), kcv: block.slice(i * entry + keyBytes, (i + 1) * entry) });
    const loaded = this.#unwrapAll(format.algorithm, keys);
    if (!loaded.ok) return this.#reject(loaded);
    const generation = this.#generation + 1;
    const mak = loaded.keys.get('mac');
    let macCheck: Uint8Array | undefined;
    try {
      macCheck = mak ? computeMac(this.#crypto, mak.handle, format.mac, MAC_CHECK_MESSAGE) : undefined;
      const record: KeySetRecord = { generation, algorithm: format.algorithm, keys, mac: format.mac, macCheck };
      this.#log?.put(DurableKey.keySet, RecordType.keySet, this.#cbor.encode(record));
    } catch (error) {
      // Not stored, not used: the previous set stays.
      loaded.keys.forEach((k) => this.#crypto.forgetKey(k.handle));
      return this.#reject({ ok: false, code: 'keys.store-failed', detail: errorText(error) });
    }
    this.forgetAll();
    this.#generation = generation;
    this.#use(format.algorithm, loaded.keys);
    this.#mac = format.mac;
    this.#macCheck = macCheck;
    this.#restoreProblem = undefined;
    this.#lastRejection = undefined;
    this.#wiped = false;
    this.#mirrorGeneration();
    return { ok: true, generation };
  }

  /**
   * Erases the master key and drops every working key, then records an empty set. The erase
   * comes first: a log that cannot be written must not leave the key behind.
   * @throws StoreError when the empty set could not be recorded (the keys are gone all the same)
   */
  wipe(): void {
    this.#crypto.eraseProvisionedKey(MASTER_KEY_SLOT);
    this.forgetAll();
    this.#generation++;
    this.#wiped = true;
    this.#restoreProblem = undefined;
    this.#mirrorGeneration();
    this.#log?.put(DurableKey.keySet, RecordType.keySet, this.#cbor.encode({ generation: this.#generation, algorithm: this.#algorithm, keys: [] } satisfies KeySetRecord));
  }

  #unwrapAll(
    algorithm: KeyAlgorithm,
    keys: StoredKey[],
  ): { ok: true; keys: Map<WorkingKeyName, { handle: KeyHandle; kcv: Uint8Array }> } | Extract<KeyInstallResult, { ok: false }> {
    const tmk = this.#crypto.provisionedKey(MASTER_KEY_SLOT);
    if (!tmk) return { ok: false, code: 'keys.no-master-key', detail: 'no terminal master key is provisioned' };
    const out = new Map<WorkingKeyName, { handle: KeyHandle; kcv: Uint8Array }>();
    const dropAll = () => out.forEach((k) => this.#crypto.forgetKey(k.handle));
    for (const k of keys) {
      let handle: KeyHandle;
      try {
        handle = this.#crypto.unwrapKey(tmk, algorithm, k.wrapped, k.name);
      } catch (error) {
        dropAll();
        return { ok: false, code: 'keys.unwrap-failed', detail: `${k.name} key: ${errorText(error)}` };
      }
      const actual = checkValue(this.#crypto, handle, k.kcv.length);
      if (!constantTimeEqual(actual, k.kcv)) {
        this.#crypto.forgetKey(handle);
        dropAll();
        return { ok: false, code: 'keys.kcv-mismatch', detail: `${k.name} key: check value ${toHex(actual).toUpperCase()}, host sent ${toHex(k.kcv).toUpperCase()}` };
      }
      out.set(k.name, { handle, kcv: k.kcv });
    }
    return { ok: true, keys: out };
  }

  #reject(result: Extract<KeyInstallResult, { ok: false }>): KeyInstallResult {
    this.#lastRejection = { code: result.code, detail: result.detail };
    try {
      this.#log?.append(RecordType.event, this.#cbor.encode({ kind: 'keys-rejected', code: result.code, detail: result.detail, generation: this.#generation }));
    } catch {
      // The refusal stands whether or not the log took it; the flash probe reports the log.
    }
    return result;
  }

  #use(algorithm: KeyAlgorithm, keys: Map<WorkingKeyName, { handle: KeyHandle; kcv: Uint8Array }>) {
    this.#algorithm = algorithm;
    this.#keys = keys;
  }

  /** Drops the handles (the set stays in the log): when a store is done with, or before a reboot. */
  forgetAll(): void {
    this.#keys.forEach((k) => this.#crypto.forgetKey(k.handle));
    this.#keys = new Map();
  }
}
