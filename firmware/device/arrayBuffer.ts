/**
 * crypt's typings take an ArrayBuffer (the native side reads any buffer view): hand over the
 * view's own buffer when the view covers all of it, else a copy of the view's bytes.
 */
export function asArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return buffer;
  return bytes.slice().buffer;
}
