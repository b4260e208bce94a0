/**
 * SIMULATOR ONLY: a master key injected by hand, so a sale can be run and measured in mcsim
 * before any activation (docs/memory.md). It is one file, /tmp/xspos-nvs/master-key.bin (8, 16
 * or 24 raw bytes: single DES, double- or triple-length 3DES), at the root of the simulator's
 * settings folder where no settings domain reaches it (sim/fileValueStore.ts keeps every value
 * in a domain's folder). The simulator's key vault (sim/simKeyVault.ts) reads it when it holds
 * no master key of its own; the crypto adapter copies it into a cipher and wipes the bytes.
 *
 * This is no way to keep a key of value: the file is plain bytes on the host's disk. The
 * manifest lists `device/sim/` in the simulator build only, so the ESP32 firmware contains no
 * such path; there the master key lives in the encrypted NVS vault (esp32/nvsKeyVault.ts).
 */
import { File } from 'file';
import type { KeyAlgorithm } from '../../core/ports';
import type { ProvisionedKey } from '../keyVault';

/** Key algorithm by the file's length. */
const BY_LENGTH: Readonly<Record<number, KeyAlgorithm>> = Object.freeze({ 8: 'des', 16: 'tdes2', 24: 'tdes3' });

/** The key in `path`, or undefined when there is no file or it is not 8, 16 or 24 bytes. */
export function readSimMasterKey(path: string): ProvisionedKey | undefined {
  if (!File.exists(path)) return undefined;
  const file = new File(path);
  let key: Uint8Array;
  try {
    key = file.length ? new Uint8Array(file.read(ArrayBuffer)) : new Uint8Array(0);
  } finally {
    file.close();
  }
  const algorithm = BY_LENGTH[key.length];
  if (algorithm) return { algorithm, key };
  key.fill(0);
  return undefined;
}

export function eraseSimMasterKey(path: string): void {
  if (File.exists(path)) File.delete(path);
}
