/**
 * CRC-32 (ISO-HDLC: reflected, polynomial 0xEDB88320, init and xorout 0xFFFFFFFF), the CRC
 * of zlib, PNG and Ethernet, so records can be checked with any standard tool.
 */

/** Builds the 256-entry table; callers keep it (no module-level state in the core). */
export function crc32Table(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 of `bytes`, continuing from `previous` (pass the result of an earlier call to chain). */
export function crc32(table: Uint32Array, bytes: Uint8Array, previous = 0): number {
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
