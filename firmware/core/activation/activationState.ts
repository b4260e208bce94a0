/**
 * Whether this terminal was activated: the master key in its slot and the activation record in
 * settings (domain "activation"). A terminal that has neither, and never signed on, is in its
 * factory state (the master-key probe fails `keys.not-activated`, and the terminal offers
 * activation); a key injected at the factory without a record is a provisioned terminal.
 */
import type { Ports, SettingsPort } from '../ports';
import type { CborCodec } from '../store/cbor';
import { MASTER_KEY_SLOT, type KeyStore } from '../security/keyStore';

export const ACTIVATION_DOMAIN = 'activation';
/** Settings key of the record (one CBOR map, so it is written in one piece). */
export const ACTIVATION_RECORD_KEY = 'record';

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

export function writeActivationRecord(settings: SettingsPort, cbor: CborCodec, record: ActivationRecord): void {
  settings.set(ACTIVATION_DOMAIN, ACTIVATION_RECORD_KEY, cbor.encode({ ...record }));
}

/** The stored record, or undefined when there is none or it does not read as one. */
export function readActivationRecord(settings: SettingsPort, cbor: CborCodec): ActivationRecord | undefined {
  const stored = settings.get(ACTIVATION_DOMAIN, ACTIVATION_RECORD_KEY);
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

/** @param keys the key store, for whether the terminal ever signed on */
export function activationState(ports: Pick<Ports, 'crypto' | 'settings'>, cbor: CborCodec, keys: Pick<KeyStore, 'status'>): ActivationState {
  const masterKey = ports.crypto.provisionedKey(MASTER_KEY_SLOT) !== undefined;
  const record = readActivationRecord(ports.settings, cbor);
  return {
    masterKey,
    ...(record ? { record } : {}),
    factory: isFactoryState(ports.settings, masterKey, keys.status().signedOnBefore),
    activated: masterKey && record !== undefined,
  };
}
