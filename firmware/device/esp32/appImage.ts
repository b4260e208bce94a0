/**
 * Where an ESP-IDF app image ends and which SHA-256 its build appended, read from the image's
 * own headers (esptool docs, "Firmware Image Format"; ESP-IDF esp_app_format.h):
 *
 *   0   u8   magic 0xE9
 *   1   u8   segment count (ESP_IMAGE_MAX_SEGMENTS = 16)
 *   2…7      SPI mode, speed/size, entry address
 *   8…22     extended header: WP pin, drive settings, chip ID, chip revisions, reserved
 *   23  u8   hash_appended: 1 = a SHA-256 of the image follows it
 *   24       segments: u32 load address, u32 data length (little-endian), then the data
 *   …        zero padding and a checksum byte, so the image is a whole number of 16 bytes
 *   …        if hash_appended: 32 bytes, SHA-256 over everything before them
 *
 * The hashed span is what the image probe re-hashes. Pure: reads go through `read`, so Node
 * tests can feed it a synthetic image.
 */

export const IMAGE_MAGIC = 0xe9;
export const IMAGE_HEADER_BYTES = 24;
export const SEGMENT_HEADER_BYTES = 8;
export const MAX_SEGMENTS = 16;
const HASH_APPENDED_AT = 23;
/** The SHA-256 a build appends after the image when hash_appended is 1. */
export const APPENDED_SHA256_BYTES = 32;

export interface AppImageLayout {
  /** Bytes from the image start through the checksum byte: the span the appended digest covers. */
  byteLength: number;
  /** The appended SHA-256, or undefined when the build appended none. */
  expectedSha256: Uint8Array | undefined;
}

export type AppImageResult = { ok: true; value: AppImageLayout } | { ok: false; reason: string };

/**
 * @param read returns `length` bytes at `offset` of the partition (may throw; the caller's error)
 * @param partitionBytes size of the partition holding the image: nothing may lie beyond it
 */
export function locateAppImage(read: (offset: number, length: number) => Uint8Array, partitionBytes: number): AppImageResult {
  if (partitionBytes < IMAGE_HEADER_BYTES) return { ok: false, reason: `partition of ${partitionBytes} bytes has no room for a header` };
  const header = read(0, IMAGE_HEADER_BYTES);
  if (header[0] !== IMAGE_MAGIC) return { ok: false, reason: `magic 0x${header[0].toString(16)}, expected 0xe9` };
  const segments = header[1];
  if (segments < 1 || segments > MAX_SEGMENTS) return { ok: false, reason: `${segments} segments (1–${MAX_SEGMENTS} allowed)` };
  const hashAppended = header[HASH_APPENDED_AT];
  if (hashAppended > 1) return { ok: false, reason: `hash_appended is ${hashAppended}` };

  let end = IMAGE_HEADER_BYTES;
  for (let i = 0; i < segments; i++) {
    if (end + SEGMENT_HEADER_BYTES > partitionBytes) return { ok: false, reason: `segment ${i} header at ${end} is past the partition end` };
    const segment = read(end, SEGMENT_HEADER_BYTES);
    const dataLength = (segment[4] | (segment[5] << 8) | (segment[6] << 16) | (segment[7] << 24)) >>> 0;
    end += SEGMENT_HEADER_BYTES + dataLength;
    if (end > partitionBytes) return { ok: false, reason: `segment ${i} (${dataLength} bytes) runs past the partition end` };
  }
  // Padding then the checksum byte, which ends the image on a 16-byte boundary.
  const byteLength = Math.ceil((end + 1) / 16) * 16;
  if (byteLength + (hashAppended ? APPENDED_SHA256_BYTES : 0) > partitionBytes) return { ok: false, reason: `image of ${byteLength} bytes does not fit its partition` };
  return { ok: true, value: { byteLength, expectedSha256: hashAppended ? read(byteLength, APPENDED_SHA256_BYTES) : undefined } };
}
