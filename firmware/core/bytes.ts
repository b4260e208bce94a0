/** Byte helpers the core shares: hex in and out. */

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return out;
}

/** Concatenation of byte strings. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i].length;
  const out = new Uint8Array(n);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

/** Bytes of an ASCII string (protocol constants, test messages; not for user text). */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

export class HexError extends Error {
  override readonly name = 'HexError';
  readonly code = 'hex-malformed';
  constructor(message: string) {
    super(message);
  }
}

/** @throws HexError on odd length or a non-hex digit */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2) throw new HexError(`odd number of hex digits (${hex.length})`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = HEX.indexOf(hex[2 * i].toLowerCase());
    const lo = HEX.indexOf(hex[2 * i + 1].toLowerCase());
    if (hi < 0 || lo < 0) throw new HexError(`not a hex digit at ${hi < 0 ? 2 * i : 2 * i + 1}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}
