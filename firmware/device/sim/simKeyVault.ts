/**
 * SIMULATOR ONLY: the key vault of a simulated board. mcsim has no ESP-IDF, no NVS and no flash
 * encryption, so keys are files, always 'unprotected', and kept only when the build says it is a
 * dev build (devKeys=1, which the manifest's lin platform sets); otherwise the vault refuses, as
 * a production ESP32 build without flash encryption does (keyVault.ts `vaultPolicy`).
 *
 * Each slot's record (keyVault.ts) is a file /tmp/xspos-nvs/vault/keys/<slot>.bin (a
 * FileValueStore rooted at vault/, domain "keys"): under the settings' folder, so one
 * `rm -rf /tmp/xspos-nvs` resets a simulated terminal, but two levels down, where no settings
 * domain name reaches it. A slot with no record falls back to the hand-injected master key of
 * sim/simMasterKey.ts.
 */
import { Directory } from 'file';
import { MASTER_KEY_SLOT } from '../../core/security/keyStore';
import { decodeVaultRecord, encodeVaultRecord, refusal, vaultPolicy, type KeyProtection, type KeyVault, type ProvisionedKey } from '../keyVault';
import { asArrayBuffer } from '../arrayBuffer';
import { FileValueStore } from './fileValueStore';
import { eraseSimMasterKey, readSimMasterKey } from './simMasterKey';

const DOMAIN = 'keys';
/** The vault's own folder under the simulator's settings folder. */
const VAULT_FOLDER = 'vault/';

export class SimKeyVault implements KeyVault {
  readonly protection: KeyProtection;
  readonly note: string;
  readonly #settingsFolder: string;
  readonly #store: FileValueStore;
  readonly #injected: string;
  readonly #refused: string | undefined;

  /**
   * @param settingsFolder the simulator's settings folder, ending in "/" (the vault is its vault/)
   * @param injectedKeyFile the hand-injected master key (sim/simMasterKey.ts)
   */
  constructor(settingsFolder: string, injectedKeyFile: string, devKeys: boolean) {
    const decision = vaultPolicy({ flashEncrypted: false, nvsEncrypted: false }, devKeys);
    const folder = `${settingsFolder}${VAULT_FOLDER}`;
    this.#settingsFolder = settingsFolder;
    this.#store = new FileValueStore(folder);
    this.#injected = injectedKeyFile;
    this.#refused = decision.open ? undefined : decision.why;
    this.protection = decision.protection;
    this.note = `key vault: files under ${folder} (simulator), ${decision.protection}: ${decision.why}`;
  }

  load(slot: string): ProvisionedKey | undefined {
    if (this.#refused) return undefined;
    const stored = this.#store.get(DOMAIN, slot);
    if (stored instanceof ArrayBuffer) {
      const record = new Uint8Array(stored);
      try {
        return decodeVaultRecord(record);
      } finally {
        record.fill(0);
      }
    }
    return slot === MASTER_KEY_SLOT ? readSimMasterKey(this.#injected) : undefined;
  }

  store(slot: string, key: ProvisionedKey): void {
    if (this.#refused) throw refusal(slot, this.#refused);
    const record = encodeVaultRecord(key);
    try {
      // FileValueStore makes its root and the domain's folder, not the root's parent.
      Directory.create(this.#settingsFolder);
      this.#store.set(DOMAIN, slot, asArrayBuffer(record));
    } finally {
      record.fill(0);
    }
  }

  /** A wipe is for good: the master slot's hand-injected file goes too, or it would come back at boot. */
  erase(slot: string): void {
    this.#store.delete(DOMAIN, slot);
    if (slot === MASTER_KEY_SLOT) eraseSimMasterKey(this.#injected);
  }
}
