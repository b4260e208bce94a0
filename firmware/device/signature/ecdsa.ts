/**
 * ECDSA signature verification (SEC 1 §4.1.4, FIPS 186-4 §6.4.2) on P-256 and P-384, with
 * the SDK's native elliptic-curve arithmetic (modules/crypt/arith `ec`: u1·G + u2·Q in one
 * call) and BigInt for the scalar work modulo the group order.
 */
import EC from 'ec';
import ECPoint from 'ecp';
import { childrenOf, content, expectNode, Tag } from '../../core/security/der';
import { modPow } from './rsaPkcs1';
import { type NamedCurve, SpkiError, toBigInt } from './spki';

interface CurveParameters {
  p: bigint;
  a: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
  n: bigint;
  bits: number;
}

/** SEC 2 §2.4.2 (secp256r1) and §2.5.1 (secp384r1). */
const CURVES: Readonly<Record<NamedCurve, CurveParameters>> = Object.freeze({
  p256: Object.freeze({
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    bits: 256,
  }),
  p384: Object.freeze({
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    bits: 384,
  }),
});

/** The signature's (r, s) from its DER SEQUENCE, or undefined when it does not parse. */
function readSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  try {
    const sequence = expectNode(der, 0, Tag.sequence);
    if (sequence.end !== der.length) return undefined;
    const [r, s] = childrenOf(der, sequence, 2);
    if (!r || !s || r.tag !== Tag.integer || s.tag !== Tag.integer) return undefined;
    return { r: toBigInt(content(der, r)), s: toBigInt(content(der, s)) };
  } catch {
    return undefined;
  }
}

/**
 * @param digest the hash of the signed data (its leftmost `bits` bits are used)
 * @throws SpkiError when the public point is not on the curve (the key is unusable)
 */
export function verifyEcdsa(key: { curve: NamedCurve; x: bigint; y: bigint }, digest: Uint8Array, signature: Uint8Array): boolean {
  const curve = CURVES[key.curve];
  const { p, a, b, n } = curve;
  if (key.x >= p || key.y >= p || (key.y * key.y - (key.x * key.x * key.x + a * key.x + b)) % p !== 0n) throw new SpkiError('EC public point is not on its curve');
  const parsed = readSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  let e = toBigInt(digest);
  const excess = digest.length * 8 - curve.bits;
  if (excess > 0) e >>= BigInt(excess);
  const w = modPow(s, n - 2n, n); // n is prime: s^(n-2) = s^-1
  const point = new EC(a, b, p).mul2(new ECPoint(curve.gx, curve.gy), (e * w) % n, new ECPoint(key.x, key.y), (r * w) % n);
  return !point.isZero() && point.X % n === r;
}
