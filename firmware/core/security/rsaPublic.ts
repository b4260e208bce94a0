/**
 * RSA public-key operations on public data only: the raw recovery x^e mod n that EMV offline
 * data authentication uses (EMV Book 2, 5.1: the "recovery function" of ISO/IEC 9796-2 without
 * the padding scheme's checks, which the caller makes on the recovered bytes), and the modular
 * exponentiation under it. Plain BigInt: XS has it, and no secret goes near it.
 */
import { toHex } from '../bytes';

/** The largest modulus EMV allows (Book 2, Annex A2: 1984 bits), with room for 2048-bit keys. */
export const RSA_MAX_MODULUS_BYTES = 256;

export class RsaError extends Error {
  override readonly name = 'RsaError';
  readonly code = 'rsa-input';
  constructor(message: string) {
    super(message);
  }
}

/** base^exponent mod modulus by square-and-multiply; `exponent` ≥ 0, `modulus` > 0. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length ? BigInt(`0x${toHex(bytes)}`) : 0n;
}

/**
 * x^e mod n as big-endian bytes of the modulus's length.
 * @throws RsaError when the modulus is empty, longer than RSA_MAX_MODULUS_BYTES or starts with a
 * zero byte, the exponent is empty below 3, the input's length differs from the modulus's,
 * or the input is not below the modulus
 */
export function rsaRecover(modulus: Uint8Array, exponent: Uint8Array, input: Uint8Array): Uint8Array {
  if (modulus.length < 1 || modulus.length > RSA_MAX_MODULUS_BYTES || modulus[0] === 0)
    throw new RsaError(`modulus must be 1–${RSA_MAX_MODULUS_BYTES} bytes without a leading zero (got ${modulus.length})`);
  if (exponent.length < 1 || exponent.length > 8) throw new RsaError(`exponent must be 1–8 bytes (got ${exponent.length})`);
  if (input.length !== modulus.length) throw new RsaError(`input is ${input.length} bytes; the modulus is ${modulus.length}`);
  const n = toBigInt(modulus);
  const e = toBigInt(exponent);
  if (e < 3n) throw new RsaError('exponent below 3');
  const x = toBigInt(input);
  if (x >= n) throw new RsaError('input is not below the modulus');
  const digits = modPow(x, e, n).toString(16).padStart(2 * modulus.length, '0');
  const out = new Uint8Array(modulus.length);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}
