/** Block sizes and the small byte operations the MACs share. */
import { PortError, type KeyAlgorithm } from '../ports';
import { deepFreeze } from '../freeze';

/** Key bytes per algorithm (DES keys carry their parity bits). */
export const KEY_LENGTH: Readonly<Record<KeyAlgorithm, number>> = deepFreeze({ des: 8, tdes2: 16, tdes3: 24, aes128: 16, aes192: 24, aes256: 32 });

/** For the adapters: @throws PortError 'crypto' unless `algorithm` is a key algorithm and `length` its key length */
export function assertKeyLength(algorithm: KeyAlgorithm, length: number, what = 'key'): void {
  if (!Object.prototype.hasOwnProperty.call(KEY_LENGTH, algorithm)) throw new PortError('crypto', `no key algorithm ${String(algorithm)}`);
  if (length !== KEY_LENGTH[algorithm]) throw new PortError('crypto', `${algorithm} ${what} must be ${KEY_LENGTH[algorithm]} bytes`);
}

export function isDesFamily(algorithm: KeyAlgorithm): boolean {
  return algorithm === 'des' || algorithm === 'tdes2' || algorithm === 'tdes3';
}

export function blockSize(algorithm: KeyAlgorithm): 8 | 16 {
  return isDesFamily(algorithm) ? 8 : 16;
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
