/**
 * Where the board keeps the terminal master key for good, and the rule for when it may.
 *
 * A vault holds each key as one record (slot → algorithm and key bytes) off the XS heap: on the
 * ESP32 in its own NVS partition (esp32/nvsKeyVault.ts), on the simulator in a file
 * (sim/simKeyVault.ts). Only the crypto adapter (cryptCrypto.ts) reads it, at boot, into a
 * cipher, and writes it when activation stores a key; no port hands the bytes out.
 *
 * The rule (issue 8, deliver 7): a key is stored only where flash encryption and NVS encryption
 * both protect it ('encrypted'), or on a build that says it is for a dev board (manifest config
 * `devKeys=1`: 'unprotected', and the master-key probe warns). Anywhere else the vault refuses
 * to store and loads nothing ('volatile': nothing the terminal is given survives power off).
 */
import { PortError, type CryptoPort, type KeyAlgorithm } from '../core/ports';
import { KEY_LENGTH } from '../core/security/blocks';

export type KeyProtection = ReturnType<CryptoPort['keyProtection']>;

/** A key by algorithm and bytes, as a vault reads it; whoever takes it wipes `key`. */
export interface ProvisionedKey {
  algorithm: KeyAlgorithm;
  key: Uint8Array;
}

export interface KeyVault {
  readonly protection: KeyProtection;
  /** For the boot trace: where keys are kept and why they are (not) protected. Never key bytes. */
  readonly note: string;
  /** The key in `slot`, or undefined (none, unreadable, or the vault refuses to open). */
  load(slot: string): ProvisionedKey | undefined;
  /** Replaces the key in `slot`. @throws PortError 'crypto' when the rule above refuses, or the store fails */
  store(slot: string, key: ProvisionedKey): void;
  /** Erases the slot's key (nothing when there is none). */
  erase(slot: string): void;
}

/** What the board reports about its flash (esp32/keyVault.c). */
export interface VaultSecurity {
  /** The flash encryption eFuses are burnt (esp_flash_encryption_enabled). */
  flashEncrypted: boolean;
  /** This build has NVS encryption (CONFIG_NVS_ENCRYPTION), keys from the nvs_keys partition. */
  nvsEncrypted: boolean;
}

/** The policy's answer: how the vault opens its partition, and what it reports. */
export interface VaultDecision {
  protection: KeyProtection;
  /** 'secure': nvs_flash_secure_init_partition; 'plain': nvs_flash_init_partition; undefined: do not open. */
  open: 'secure' | 'plain' | undefined;
  why: string;
}

/** The manifest config's `devKeys` (1 in the manifest, "1" from an mcconfig `devKeys=1` argument). */
export function devKeysAllowed(value: unknown): boolean {
  return value === 1 || value === true || value === '1' || value === 'true';
}

export function vaultPolicy(security: VaultSecurity, devKeys: boolean): VaultDecision {
  const open = security.nvsEncrypted ? 'secure' : 'plain';
  if (security.flashEncrypted && security.nvsEncrypted) return { protection: 'encrypted', open, why: 'flash encryption and NVS encryption on' };
  const off = [security.flashEncrypted ? '' : 'flash encryption', security.nvsEncrypted ? '' : 'NVS encryption'].filter(Boolean).join(' and ');
  if (devKeys) return { protection: 'unprotected', open, why: `${off} off; devKeys=1 (a dev board): keys stored unprotected` };
  return { protection: 'volatile', open: undefined, why: `${off} off: this build stores no keys (devKeys=1 is for dev boards only)` };
}

/** The refusal storeMasterKey reports on a vault that may not store. */
export function refusal(slot: string, why: string): PortError {
  return new PortError('crypto', `cannot store the key in slot "${slot}": ${why}`);
}

/**
 * A vault record: format 1, the algorithm's code, the key. Codes are stored values: append only.
 */
const RECORD_FORMAT = 1;
const ALGORITHM_CODES: readonly KeyAlgorithm[] = Object.freeze(['des', 'tdes2', 'tdes3', 'aes128', 'aes192', 'aes256'] as KeyAlgorithm[]);

export function encodeVaultRecord(key: ProvisionedKey): Uint8Array {
  const code = ALGORITHM_CODES.indexOf(key.algorithm);
  if (code < 0 || key.key.length !== KEY_LENGTH[key.algorithm]) throw new PortError('crypto', `no vault record for a ${String(key.algorithm)} key of ${key.key.length} bytes`);
  const record = new Uint8Array(2 + key.key.length);
  record[0] = RECORD_FORMAT;
  record[1] = code;
  record.set(key.key, 2);
  return record;
}

/** The key in a record, or undefined for bytes that are not one (the caller wipes `record`). */
export function decodeVaultRecord(record: Uint8Array): ProvisionedKey | undefined {
  if (record.length < 2 || record[0] !== RECORD_FORMAT) return undefined;
  const algorithm = ALGORITHM_CODES[record[1]];
  if (!algorithm || record.length !== 2 + KEY_LENGTH[algorithm]) return undefined;
  return { algorithm, key: record.slice(2) };
}
