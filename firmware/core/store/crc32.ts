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

/**
 * CRC-32 of `bytes`, continuing from `previous` (pass the result of an earlier call to chain).
 * Four bytes a loop turn with the one 256-entry table: on XS the loop's own bookkeeping costs
 * about as much as a byte's table step, and every record append runs this over the whole record.
 * The register is kept as a signed 32-bit value (XS keeps it an integer) and made unsigned at the end.
 */
export function crc32(table: Uint32Array, bytes: Uint8Array, previous = 0): number {
  let c = ~previous;
  const n = bytes.length;
  const whole = n - (n & 3);
  let i = 0;
  while (i < whole) {
    c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    c = table[(c ^ bytes[i + 1]) & 0xff] ^ (c >>> 8);
    c = table[(c ^ bytes[i + 2]) & 0xff] ^ (c >>> 8);
    c = table[(c ^ bytes[i + 3]) & 0xff] ^ (c >>> 8);
    i += 4;
  }
  while (i < n) c = table[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
