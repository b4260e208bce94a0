/**
 * ECDSA signature verification (SEC 1 §4.1.4, FIPS 186-4 §6.4.2) on P-256 and P-384, with
 * the SDK's native elliptic-curve arithmetic (modules/crypt/arith `ec`: u1·G + u2·Q in one
 * call) and BigInt for the scalar work modulo the group order.
 */
import EC from 'ec';
import ECPoint from 'ecp';
import { childrenOf, content, expectNode, Tag } from '../../core/security/der';
import { modPow } from '../../core/security/rsaPublic';
import { CURVES, isOnCurve } from './curves';
import { type NamedCurve, SpkiError, toBigInt } from './spki';

/**
 * A DER INTEGER that must be positive and minimally encoded (X.690 §8.3.2): not empty, no sign
 * bit set (that would be a negative number), no leading 00 unless the next byte needs it.
 * OpenSSL refuses those forms in ECDSA-Sig-Value, so the device refuses them too (a signature
 * is one exact byte string, not any of its malleated forms).
 */
function positiveInteger(bytes: Uint8Array): bigint | undefined {
  if (bytes.length === 0 || bytes[0] >= 0x80) return undefined;
  if (bytes[0] === 0 && (bytes.length === 1 || bytes[1] < 0x80)) return bytes.length === 1 ? 0n : undefined;
  return toBigInt(bytes);
}

/** The signature's (r, s) from its DER SEQUENCE, or undefined when it does not parse. */
function readSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  try {
    const sequence = expectNode(der, 0, Tag.sequence);
    if (sequence.end !== der.length) return undefined;
    const [r, s] = childrenOf(der, sequence, 2);
    if (!r || !s || r.tag !== Tag.integer || s.tag !== Tag.integer) return undefined;
    const rValue = positiveInteger(content(der, r));
    const sValue = positiveInteger(content(der, s));
    return rValue === undefined || sValue === undefined ? undefined : { r: rValue, s: sValue };
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
  if (!isOnCurve(curve, key.x, key.y)) throw new SpkiError('EC public point is not on its curve');
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
