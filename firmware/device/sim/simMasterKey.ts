/**
 * SIMULATOR ONLY: the terminal master key of a simulated terminal, so a sale can be run and
 * measured in mcsim. It is read from one file, /tmp/xspos-nvs/master-key.bin (8, 16 or 24 raw
 * bytes: single DES, double- or triple-length 3DES), at the root of the simulator's settings
 * folder where no settings domain reaches it (sim/fileValueStore.ts keeps every value in a
 * domain's folder), and handed to the crypto adapter, which copies it into a cipher; the bytes
 * read are wiped there.
 *
 * This is no way to keep a key of value: the file is plain bytes on the host's disk. The
 * manifest lists `device/sim/` in the simulator build only, so the ESP32 firmware contains no
 * such path. On the board the master key belongs in a secure element or in NVS encryption
 * (flash encryption on, nvs_keys partition), loaded at key injection; that store is not built
 * yet, so the ESP32 board hands the crypto adapter no master key (cryptCrypto.ts).
 */
import { File } from 'file';
import type { KeyAlgorithm } from '../../core/ports';
import { MASTER_KEY_SLOT } from '../../core/security/keyStore';
import type { ProvisionedKey } from '../cryptCrypto';

/** Key algorithm by the file's length. */
const BY_LENGTH: Readonly<Record<number, KeyAlgorithm>> = Object.freeze({ 8: 'des', 16: 'tdes2', 24: 'tdes3' });

/**
 * The simulator's master key, when its file holds one; why not otherwise (for the boot trace).
 * @param path the key file (SIM_MASTER_KEY_FILE on the simulator board)
 */
export function readSimMasterKey(path: string): { keys: Record<string, ProvisionedKey>; note: string } {
  if (!File.exists(path)) return { keys: {}, note: `master key: none (${path} absent)` };
  const file = new File(path);
  let key: Uint8Array;
  try {
    key = file.length ? new Uint8Array(file.read(ArrayBuffer)) : new Uint8Array(0);
  } finally {
    file.close();
  }
  const algorithm = BY_LENGTH[key.length];
  if (!algorithm) {
    key.fill(0);
    return { keys: {}, note: `master key: ${path} holds ${key.length} bytes, not 8, 16 or 24; none loaded` };
  }
  return { keys: { [MASTER_KEY_SLOT]: { algorithm, key } }, note: `master key: ${algorithm} from ${path} (simulator only)` };
}
