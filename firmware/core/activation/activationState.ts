/**
 * Whether this terminal was activated: the master key in its slot and the activation record in
 * settings (domain "activation"). A terminal that has neither, and never signed on, is in its
 * factory state (the master-key probe fails `keys.not-activated`, and the terminal offers
 * activation); a key injected at the factory without a record is a provisioned terminal.
 *
 * An activation is stored in steps a reboot may cut between (settings and the key vault are
 * separate writes): (1) a pending record (ACTIVATION_PENDING_KEY: the serial, the host's answer
 * time, the IDs bound), (2) TID and MID, (3) the master key, (4) the record, (5) the pending
 * record deleted. At boot `completeActivation` reads what a cut left:
 * - pending, no master key (cut at 1–3): the key never arrived; the pending record is dropped
 *   and the terminal is in its factory state again (no record, no key): it offers activation.
 *   The host bound this board's serial, so the same code activates it again.
 * - pending and a master key (cut at 4–5): the key's check value matched before it was stored,
 *   so the activation is complete: the record is written from the pending one.
 * A re-activation cut at 1–3 keeps the key and record it had (the host may have moved on: the
 * sign-on's check values then say so, auth.kcv-mismatch).
 */
import type { Ports, SettingsPort } from '../ports';
import type { CborCodec } from '../store/cbor';
import { MASTER_KEY_SLOT, type KeyStore } from '../security/keyStore';

export const ACTIVATION_DOMAIN = 'activation';
/** Settings key of the record (one CBOR map, so it is written in one piece). */
export const ACTIVATION_RECORD_KEY = 'record';
/** Settings key of the record of an activation being stored (the same map), until the key is. */
export const ACTIVATION_PENDING_KEY = 'pending';

/** What a successful activation left: when, which board, through which host, the IDs bound. */
export interface ActivationRecord {
  /** Wall time of the host's answer, ms since 1970 (the RTC's reading, trusted or not). */
  activatedAt: number;
  serial: string;
  /** Host index of the profile that answered (0 primary, 1 backup). */
  host: number;
  tid: string;
  mid: string;
}

export interface ActivationState {
  /** A master key is in its slot. */
  masterKey: boolean;
  /** The record, if one is stored and readable. */
  record?: ActivationRecord;
  /** See isFactoryState: the terminal offers activation, the master-key probe fails keys.not-activated. */
  factory: boolean;
  /** Both a master key and a record. */
  activated: boolean;
}

/**
 * The factory state: no master key, no activation record stored (readable or not), and no
 * sign-on ever (a key set installed means a master key was there: one that is gone now was
 * wiped or lost, not never given).
 */
export function isFactoryState(settings: SettingsPort, masterKey: boolean, signedOnBefore: boolean): boolean {
  return !masterKey && !signedOnBefore && settings.get(ACTIVATION_DOMAIN, ACTIVATION_RECORD_KEY) === undefined;
}

export function writeActivationRecord(settings: SettingsPort, cbor: CborCodec, record: ActivationRecord, key: string = ACTIVATION_RECORD_KEY): void {
  settings.set(ACTIVATION_DOMAIN, key, cbor.encode({ ...record }));
}

/** The stored record (or the pending one), or undefined when there is none or it does not read as one. */
export function readActivationRecord(settings: SettingsPort, cbor: CborCodec, key: string = ACTIVATION_RECORD_KEY): ActivationRecord | undefined {
  const stored = settings.get(ACTIVATION_DOMAIN, key);
  if (!(stored instanceof Uint8Array)) return undefined;
  let r: Partial<ActivationRecord> | null;
  try {
    r = cbor.decode(stored) as Partial<ActivationRecord> | null;
  } catch {
    return undefined;
  }
  if (r === null || typeof r !== 'object') return undefined;
  const { activatedAt, serial, host, tid, mid } = r;
  if (typeof activatedAt !== 'number' || typeof serial !== 'string' || typeof host !== 'number' || typeof tid !== 'string' || typeof mid !== 'string') return undefined;
  return { activatedAt, serial, host, tid, mid };
}

/** What completeActivation found: nothing pending, an activation completed, or one dropped (factory state again). */
export type ActivationRecovery = 'none' | 'completed' | 'dropped';

/**
 * Settles an activation a reboot cut (see above); run at boot before the self-test.
 * @throws PortError 'settings' when the settings refuse the write (the next boot tries again)
 */
export function completeActivation(ports: Pick<Ports, 'crypto' | 'settings'>, cbor: CborCodec): ActivationRecovery {
  const { settings } = ports;
  if (settings.get(ACTIVATION_DOMAIN, ACTIVATION_PENDING_KEY) === undefined) return 'none';
  const pending = readActivationRecord(settings, cbor, ACTIVATION_PENDING_KEY);
  const masterKey = ports.crypto.provisionedKey(MASTER_KEY_SLOT) !== undefined;
  // A pending record that does not read is dropped as one whose key never came.
  if (!masterKey || !pending) {
    settings.delete(ACTIVATION_DOMAIN, ACTIVATION_PENDING_KEY);
    return 'dropped';
  }
  writeActivationRecord(settings, cbor, pending);
  settings.delete(ACTIVATION_DOMAIN, ACTIVATION_PENDING_KEY);
  return 'completed';
}

/** @param keys the key store, for whether the terminal ever signed on */
export function activationState(ports: Pick<Ports, 'crypto' | 'settings'>, cbor: CborCodec, keys: Pick<KeyStore, 'status'>): ActivationState {
  const masterKey = ports.crypto.provisionedKey(MASTER_KEY_SLOT) !== undefined;
  // A pending record with its key stored is an activation completeActivation finishes at the next boot.
  const record = readActivationRecord(ports.settings, cbor) ?? (masterKey ? readActivationRecord(ports.settings, cbor, ACTIVATION_PENDING_KEY) : undefined);
  return {
    masterKey,
    ...(record ? { record } : {}),
    factory: isFactoryState(ports.settings, masterKey, keys.status().signedOnBefore),
    activated: masterKey && record !== undefined,
  };
}
