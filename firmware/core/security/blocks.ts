/** Block sizes and the small byte operations the MACs share. */
import type { KeyAlgorithm } from '../ports';

export function blockSize(algorithm: KeyAlgorithm): 8 | 16 {
  return algorithm === 'tdes2' || algorithm === 'tdes3' ? 8 : 16;
}

export function xorInto(target: Uint8Array, source: Uint8Array, at = 0): void {
  for (let i = 0; i < source.length; i++) target[at + i] ^= source[i];
}

/** Compares in time that does not depend on where the first difference is. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
