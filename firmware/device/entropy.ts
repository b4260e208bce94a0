/** Random bytes from the platform's entropy source (entropy.c: ESP32 hardware RNG, Linux getrandom). */

/** Fills `bytes` in place. Body and parameters match xsc's pattern, so the call compiles to the host function itself. */
function fill(this: unknown, bytes: Uint8Array): void {
  return native('xs_xspos_entropy_fill').call(this, bytes);
}

export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  if (length > 0) fill(bytes);
  return bytes;
}
