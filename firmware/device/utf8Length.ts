/** Bytes a string takes in UTF-8, the encoding NVS and the Wi-Fi stack store it in. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const codePoint = ch.codePointAt(0) as number;
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return bytes;
}
