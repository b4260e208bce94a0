/**
 * The seal sector of an app partition (core/update/seal.ts): its LAST 4096-byte sector, which
 * holds the signed manifest of the image in that slot. The update flow writes it after the
 * image checks; a wired flash writes it with esptool (firmware/device/README.md, "Updates").
 * Pure: reads go through `read`, so Node tests can feed it a fake partition.
 */
import { SEAL_SECTOR_BYTES } from '../../core/update/seal';

/** "XSPS", the seal's first bytes. */
const SEAL_MAGIC: readonly number[] = Object.freeze([0x58, 0x53, 0x50, 0x53]);

/** Where the seal sector starts in a partition of `partitionBytes` (its last whole sector), or -1 when it has none. */
export function sealOffset(partitionBytes: number): number {
  const whole = Math.floor(partitionBytes / SEAL_SECTOR_BYTES) * SEAL_SECTOR_BYTES;
  return whole >= 2 * SEAL_SECTOR_BYTES ? whole - SEAL_SECTOR_BYTES : -1;
}

/**
 * The whole seal sector, raw (parseSeal checks it), or undefined when there is none: erased
 * (0xFF: a slot flashed without its seal), anything not starting "XSPS" (with flash encryption
 * an erased sector reads as noise), or an image that runs into the sector itself.
 * @param read `length` bytes at `offset` of the partition (its errors pass through)
 * @param imageBytes the image's length from the partition start (the .bin file, appended SHA-256 included)
 */
export function readSealSector(read: (offset: number, length: number) => Uint8Array, partitionBytes: number, imageBytes: number): Uint8Array | undefined {
  const at = sealOffset(partitionBytes);
  if (at < 0 || imageBytes > at) return undefined;
  const head = read(at, SEAL_MAGIC.length);
  for (let i = 0; i < SEAL_MAGIC.length; i++) if (head[i] !== SEAL_MAGIC[i]) return undefined;
  return read(at, SEAL_SECTOR_BYTES);
}
