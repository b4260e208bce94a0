/**
 * The RSA private operation (x^d mod n, with the Chinese remainder theorem when the test key
 * gives p, q, dp, dq and qinv) in BigInt, for the virtual DDA cards: they sign their dynamic
 * data (EMV Book 2 §6.5) inside XS too, where node:crypto is not there. Only test keys of
 * synthetic cards come here; checked against node:crypto in tests/host-sim/virtualCard.test.ts.
 */

/** A virtual card's ICC private key: a TEST key, written in the clear in the card file. */
export interface RsaPrivateTestKey {
  modulus: Uint8Array;
  publicExponent: Uint8Array;
  privateExponent: Uint8Array;
  /** CRT parts: all five or none. */
  crt?: { p: Uint8Array; q: Uint8Array; dp: Uint8Array; dq: Uint8Array; qinv: Uint8Array };
}

export class RsaInputError extends Error {
  override readonly name = 'RsaInputError';
  readonly code = 'rsa-input';
  constructor(message: string) {
    super(message);
  }
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let out = 0n;
  for (let i = 0; i < bytes.length; i++) out = (out << 8n) | BigInt(bytes[i]);
  return out;
}

/** `value` big-endian in exactly `length` bytes. @throws RsaInputError when it does not fit */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RsaInputError(`value does not fit in ${length} bytes`);
  return out;
}

/** base^exponent mod modulus, square and multiply from the top bit (bounded by the exponent's bits). */
export function modPowBig(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/**
 * input^d mod n, as many bytes as the modulus.
 * @throws RsaInputError when the input is not shorter than the modulus in value (or longer in bytes)
 */
export function rsaPrivate(key: RsaPrivateTestKey, input: Uint8Array): Uint8Array {
  const n = bytesToBigInt(key.modulus);
  const size = key.modulus.length;
  if (input.length > size) throw new RsaInputError(`input of ${input.length} bytes for a ${size}-byte modulus`);
  const x = bytesToBigInt(input);
  if (x >= n) throw new RsaInputError('input not below the modulus');
  if (!key.crt) return bigIntToBytes(modPowBig(x, bytesToBigInt(key.privateExponent), n), size);
  const p = bytesToBigInt(key.crt.p);
  const q = bytesToBigInt(key.crt.q);
  const m1 = modPowBig(x % p, bytesToBigInt(key.crt.dp), p);
  const m2 = modPowBig(x % q, bytesToBigInt(key.crt.dq), q);
  let h = ((m1 - m2) * bytesToBigInt(key.crt.qinv)) % p;
  if (h < 0n) h += p;
  return bigIntToBytes(m2 + h * q, size);
}
