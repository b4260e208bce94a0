/**
 * RSA public-key operations on public data only: the raw recovery x^e mod n that EMV offline
 * data authentication uses (EMV Book 2, 5.1: the "recovery function" of ISO/IEC 9796-2 without
 * the padding scheme's checks, which the caller makes on the recovered bytes), and the modular
 * exponentiation under it. Plain BigInt: XS has it, and no secret goes near it.
 */

/** The largest modulus EMV allows (Book 2, Annex A2: 1984 bits), with room for 2048-bit keys. */
export const RSA_MAX_MODULUS_BYTES = 256;

export class RsaError extends Error {
  override readonly name = 'RsaError';
  readonly code = 'rsa-input';
  constructor(message: string) {
    super(message);
  }
}

/**
 * Barrett reduction (HAC 14.42, base 2) modulo `n` of bit length `k`, with `mu` = ⌊4^k / n⌋: one
 * division per modulus, then each reduction of an x below n² is two multiplications, shifts and
 * at most two subtractions. On XS a BigInt division is metered like a multiplication's worth of
 * work per quotient word, a multiplication far less, so RSA with e = 3 pays one division, not four.
 */
class Barrett {
  readonly #n: bigint;
  readonly #mu: bigint;
  readonly #low: bigint;
  readonly #high: bigint;
  constructor(n: bigint, k: number) {
    this.#n = n;
    this.#mu = (1n << BigInt(2 * k)) / n;
    this.#low = BigInt(k - 1);
    this.#high = BigInt(k + 1);
  }
  /** x mod n for 0 ≤ x < n² (< 4^k). */
  reduce(x: bigint): bigint {
    const n = this.#n;
    let r = x - (((x >> this.#low) * this.#mu) >> this.#high) * n;
    while (r >= n) r -= n; // at most twice (HAC 14.44)
    return r;
  }
}

/** The bit length of a positive `n`. */
function bitLength(n: bigint): number {
  let bits = 0;
  for (let top = n; top > 0xffffffffn; top >>= 32n) bits += 32;
  let word = Number(n >> BigInt(bits));
  while (word > 0) {
    bits++;
    word = Math.floor(word / 2);
  }
  return bits;
}

/** base^exponent mod modulus, left to right, with 0 ≤ base < modulus and exponent ≥ 1. */
function modPowReduced(base: bigint, exponent: bigint, modulus: bigint, bits: number): bigint {
  const barrett = new Barrett(modulus, bits);
  const digits = exponent.toString(2);
  let result = base;
  for (let i = 1; i < digits.length; i++) {
    result = barrett.reduce(result * result);
    if (digits.charCodeAt(i) === 49) result = barrett.reduce(result * base);
  }
  return result;
}

/** base^exponent mod modulus by square-and-multiply; `exponent` ≥ 0, `modulus` > 0. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (exponent <= 0n) return 1n;
  if (base < 0n || base >= modulus) base %= modulus;
  if (base < 0n) base += modulus;
  return modPowReduced(base, exponent, modulus, bitLength(modulus));
}

/** Big-endian bytes as a BigInt, eight at a time. */
function toBigInt(bytes: Uint8Array): bigint {
  const length = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const lead = length & 7;
  let value = 0n;
  let i = 0;
  for (; i < lead; i++) value = (value << 8n) | BigInt(bytes[i]);
  for (; i < length; i += 8) value = (value << 64n) | view.getBigUint64(i);
  return value;
}

const LOW64 = 0xffffffffffffffffn;

/** `value` (0 ≤ value < 256^length) as `length` big-endian bytes, eight at a time. */
function toBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let i = length - 8;
  for (; i >= 0; i -= 8) {
    view.setBigUint64(i, value & LOW64);
    value >>= 64n;
  }
  for (i += 7; i >= 0; i--) {
    out[i] = Number(value & 255n);
    value >>= 8n;
  }
  return out;
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
  let top = 0;
  for (let b = modulus[0]; b > 0; b >>= 1) top++;
  return toBytes(modPowReduced(x, e, n, 8 * (modulus.length - 1) + top), modulus.length);
}
