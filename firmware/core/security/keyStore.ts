/**
 * The working keys: PIN, MAC and data keys, delivered at sign-on wrapped under the terminal
 * master key (TMK), each followed by its check value (CUP field 62: key ‖ check value, for the
 * PIN key, then the MAC key, then optionally the data key). A key is accepted only if the
 * check value of the unwrapped key matches; one mismatch rejects the whole set, the previous
 * set stays in use, and the log records why. Keys persist only as the host sent them
 * (wrapped), in the record log, with a generation counter; the core holds handles.
 */
import type { CryptoPort, KeyAlgorithm, KeyHandle } from '../ports';
import type { CborCodec } from '../store/cbor';
import { RecordType, type RecordLog } from '../store/recordLog';
import { toHex } from '../bytes';
import { constantTimeEqual } from './blocks';
import { checkValue } from './checkValue';

export type WorkingKeyName = 'pin' | 'mac' | 'data';
const ORDER: readonly WorkingKeyName[] = ['pin', 'mac', 'data'];
const KEY_BYTES: Record<KeyAlgorithm, number> = { tdes2: 16, tdes3: 24, aes128: 16, aes192: 24, aes256: 32 };

/** Slot of the terminal master key in the crypto port's provisioned keys. */
export const MASTER_KEY_SLOT = 'tmk';

export interface KeyBlockFormat {
  algorithm: KeyAlgorithm;
  /** Check value bytes after each key (3 or 4 for 3DES; the CUP layout carries 4). */
  kcvLength: number;
}

export interface StoredKey {
  name: WorkingKeyName;
  wrapped: Uint8Array;
  kcv: Uint8Array;
}

interface KeySetRecord {
  generation: number;
  algorithm: KeyAlgorithm;
  /** Empty after a wipe. */
  keys: StoredKey[];
}

export type KeyInstallResult =
  | { ok: true; generation: number }
  | { ok: false; code: 'keys.no-master-key' | 'keys.block-length' | 'keys.kcv-mismatch' | 'keys.unwrap-failed'; detail: string };

export interface KeyStoreStatus {
  generation: number;
  masterKey: boolean;
  /** Check values of the keys in use, hex: safe to show and log. */
  keys: { name: WorkingKeyName; algorithm: KeyAlgorithm; kcv: string }[];
  /** Why the stored set could not be restored at boot, if it could not. */
  restoreProblem: string | undefined;
}

export class KeyStore {
  readonly #crypto: CryptoPort;
  readonly #log: RecordLog | undefined;
  readonly #cbor: CborCodec;
  #generation = 0;
  #algorithm: KeyAlgorithm = 'tdes2';
  #keys = new Map<WorkingKeyName, { handle: KeyHandle; kcv: Uint8Array }>();
  #restoreProblem: string | undefined;

  constructor(crypto: CryptoPort, log: RecordLog | undefined, cbor: CborCodec) {
    this.#crypto = crypto;
    this.#log = log;
    this.#cbor = cbor;
  }

  /** The key in use for `name`, if any. */
  key(name: WorkingKeyName): KeyHandle | undefined {
    return this.#keys.get(name)?.handle;
  }

  status(): KeyStoreStatus {
    return {
      generation: this.#generation,
      masterKey: this.#crypto.provisionedKey(MASTER_KEY_SLOT) !== undefined,
      keys: ORDER.flatMap((name) => {
        const k = this.#keys.get(name);
        return k ? [{ name, algorithm: this.#algorithm, kcv: toHex(k.kcv).toUpperCase() }] : [];
      }),
      restoreProblem: this.#restoreProblem,
    };
  }

  /** Reloads the newest key set from the log (at boot), re-checking every check value. */
  restore(): void {
    const record = this.#log?.latest(RecordType.keySet);
    if (!record) return;
    let stored: KeySetRecord;
    try {
      stored = this.#cbor.decode(record.payload) as KeySetRecord;
      if (typeof stored.generation !== 'number' || !Array.isArray(stored.keys)) throw new Error('not a key set');
    } catch {
      this.#restoreProblem = `key set record ${record.seq} is unreadable`;
      return;
    }
    this.#generation = stored.generation;
    if (stored.keys.length === 0) return; // wiped
    const loaded = this.#unwrapAll(stored.algorithm, stored.keys.map((k) => ({ name: k.name, wrapped: new Uint8Array(k.wrapped), kcv: new Uint8Array(k.kcv) })));
    if (loaded.ok) this.#use(stored.algorithm, loaded.keys);
    else this.#restoreProblem = loaded.detail;
  }

  /**
   * Installs the working keys from a sign-on key block: PIN key, MAC key and optionally the
   * data key, each `key ‖ check value` under `format`. All or nothing.
   */
  install(block: Uint8Array, format: KeyBlockFormat): KeyInstallResult {
    const keyBytes = KEY_BYTES[format.algorithm];
    const entry = keyBytes + format.kcvLength;
    if (block.length !== 2 * entry && block.length !== 3 * entry)
      return this.#reject({ ok: false, code: 'keys.block-length', detail: `key block of ${block.length} bytes; expected ${2 * entry} or ${3 * entry}` });
    const keys: StoredKey[] = [];
    for (let i = 0; i * entry < block.length; i++)
      keys.push({ name: ORDER[i], wrapped: block.slice(i * entry, i * entry + keyBytes), kcv: block.slice(i * entry + keyBytes, (i + 1) * entry) });
    const loaded = this.#unwrapAll(format.algorithm, keys);
    if (!loaded.ok) return this.#reject(loaded);
    const generation = this.#generation + 1;
    const record: KeySetRecord = { generation, algorithm: format.algorithm, keys };
    this.#log?.append(RecordType.keySet, this.#cbor.encode(record));
    this.#forgetAll();
    this.#generation = generation;
    this.#use(format.algorithm, loaded.keys);
    this.#restoreProblem = undefined;
    return { ok: true, generation };
  }

  /** Drops every working key, records an empty set, and erases the master key. */
  wipe(): void {
    this.#forgetAll();
    this.#generation++;
    this.#log?.append(RecordType.keySet, this.#cbor.encode({ generation: this.#generation, algorithm: this.#algorithm, keys: [] } satisfies KeySetRecord));
    this.#crypto.eraseProvisionedKey(MASTER_KEY_SLOT);
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
        handle = this.#crypto.unwrapKey(tmk, algorithm, k.wrapped);
      } catch (error) {
        dropAll();
        return { ok: false, code: 'keys.unwrap-failed', detail: `${k.name} key: ${error instanceof Error ? error.message : 'error'}` };
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
    this.#log?.append(RecordType.event, this.#cbor.encode({ kind: 'keys-rejected', code: result.code, detail: result.detail, generation: this.#generation }));
    return result;
  }

  #use(algorithm: KeyAlgorithm, keys: Map<WorkingKeyName, { handle: KeyHandle; kcv: Uint8Array }>) {
    this.#algorithm = algorithm;
    this.#keys = keys;
  }

  #forgetAll() {
    this.#keys.forEach((k) => this.#crypto.forgetKey(k.handle));
    this.#keys = new Map();
  }
}
