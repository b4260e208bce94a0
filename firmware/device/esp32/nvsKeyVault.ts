/**
 * The ESP32 key vault: records in their own NVS partition (keyVault.c), opened only as the
 * policy allows (keyVault.ts `vaultPolicy`): encrypted when flash encryption and NVS encryption
 * are on, in the clear only on a devKeys=1 build, not at all otherwise.
 */
import { errorText } from '../../core/errorText';
import { asArrayBuffer } from '../arrayBuffer';
import { decodeVaultRecord, encodeVaultRecord, refusal, vaultPolicy, type KeyProtection, type KeyVault, type ProvisionedKey } from '../keyVault';

/** Matches partitions.csv. */
export const KEY_PARTITION = 'xsposkeys';

// Bodies and parameters match xsc's pattern, so each call compiles to the host function itself.
function security(this: unknown): number {
  return native('xs_xspos_vault_security').call(this);
}
function openPartition(this: unknown, label: string, secure: boolean): void {
  return native('xs_xspos_vault_open').call(this, label, secure);
}
function readRecord(this: unknown, label: string, slot: string): ArrayBuffer | undefined {
  return native('xs_xspos_vault_read').call(this, label, slot);
}
function writeRecord(this: unknown, label: string, slot: string, record: ArrayBuffer): void {
  return native('xs_xspos_vault_write').call(this, label, slot, record);
}
function eraseRecord(this: unknown, label: string, slot: string): void {
  return native('xs_xspos_vault_erase').call(this, label, slot);
}

export class NvsKeyVault implements KeyVault {
  readonly protection: KeyProtection;
  readonly note: string;
  /** Why the vault stores nothing, when it does not. */
  readonly #refused: string | undefined;

  constructor(devKeys: boolean) {
    const label = KEY_PARTITION;
    const bits = security();
    const decision = vaultPolicy({ flashEncrypted: (bits & 1) !== 0, nvsEncrypted: (bits & 2) !== 0 }, devKeys);
    let refused = decision.open ? undefined : decision.why;
    if (decision.open) {
      try {
        openPartition(label, decision.open === 'secure');
      } catch (error) {
        refused = `partition "${label}" does not open (${errorText(error)}; is partitions.csv flashed?)`;
      }
    }
    this.#refused = refused;
    this.protection = refused ? 'volatile' : decision.protection;
    this.note = `key vault: NVS partition "${label}", ${this.protection}: ${refused ?? decision.why}`;
  }

  load(slot: string): ProvisionedKey | undefined {
    if (this.#refused) return undefined;
    const bytes = readRecord(KEY_PARTITION, slot);
    if (!bytes) return undefined;
    const record = new Uint8Array(bytes);
    try {
      return decodeVaultRecord(record);
    } finally {
      record.fill(0);
    }
  }

  store(slot: string, key: ProvisionedKey): void {
    if (this.#refused) throw refusal(slot, this.#refused);
    const record = encodeVaultRecord(key);
    try {
      writeRecord(KEY_PARTITION, slot, asArrayBuffer(record));
    } catch (error) {
      throw refusal(slot, `NVS write failed (${errorText(error)})`);
    } finally {
      record.fill(0);
    }
  }

  erase(slot: string): void {
    if (!this.#refused) eraseRecord(KEY_PARTITION, slot);
  }
}
