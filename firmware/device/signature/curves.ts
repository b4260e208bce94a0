/**
 * The prime curves the device adapter computes on: y² = x³ + a·x + b over GF(p), base point
 * G = (gx, gy) of prime order n (SEC 2 §2.4.2 secp256r1 = P-256, §2.5.1 secp384r1 = P-384).
 * Plain BigInt data, no SDK module, so the checks built on it run on Node too.
 */
import type { NamedCurve } from './spki';

export interface CurveParameters {
  p: bigint;
  a: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
  n: bigint;
  bits: number;
}

export const CURVES: Readonly<Record<NamedCurve, CurveParameters>> = Object.freeze({
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

/**
 * SEC 1 §3.2.2.1 partial public-key validation: both coordinates are field elements and the
 * point satisfies the curve equation (the point at infinity has no affine form, so it fails).
 * On these curves (cofactor 1) that makes it a point of order n.
 */
export function isOnCurve(curve: CurveParameters, x: bigint, y: bigint): boolean {
  const { p, a, b } = curve;
  if (x < 0n || y < 0n || x >= p || y >= p) return false;
  return (y * y - (x * x * x + a * x + b)) % p === 0n;
}
