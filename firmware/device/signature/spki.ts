/**
 * The public keys certificate signatures are checked with, read from SubjectPublicKeyInfo DER
 * (RFC 5280 §4.1.2.7): RSA (RFC 8017 RSAPublicKey) and EC on P-256 or P-384 with an
 * uncompressed point (SEC 1 §2.3.3), which is what certificates carry. Parsed with the core's
 * bounded DER reader.
 */
import { toHex } from '../../core/bytes';
import { childrenOf, content, DerError, expectNode, readBitStringBytes, readOid, Tag } from '../../core/security/der';

export type NamedCurve = 'p256' | 'p384';

export type PublicKey = { kind: 'rsa'; n: bigint; e: bigint; bytes: number } | { kind: 'ec'; curve: NamedCurve; x: bigint; y: bigint };

export class SpkiError extends Error {
  readonly code = 'spki-unusable';
  override readonly name = 'SpkiError';
}

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const CURVES: Readonly<Record<string, NamedCurve>> = Object.freeze({ '1.2.840.10045.3.1.7': 'p256', '1.3.132.0.34': 'p384' });
const COORDINATE_BYTES: Readonly<Record<NamedCurve, number>> = Object.freeze({ p256: 32, p384: 48 });

/** Big-endian unsigned bytes as a BigInt. */
export function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length ? BigInt(`0x${toHex(bytes)}`) : 0n;
}

/** @throws SpkiError for DER that is not a key of these kinds */
export function parseSpki(spki: Uint8Array): PublicKey {
  try {
    const outer = expectNode(spki, 0, Tag.sequence);
    if (outer.end !== spki.length) throw new SpkiError('bytes after the SubjectPublicKeyInfo');
    const [algorithm, key] = childrenOf(spki, outer, 2);
    if (!algorithm || !key) throw new SpkiError('SubjectPublicKeyInfo incomplete');
    const [oidNode, params] = childrenOf(spki, expectNode(spki, algorithm.start, Tag.sequence, algorithm.end), 2);
    if (!oidNode) throw new SpkiError('empty AlgorithmIdentifier');
    const oid = readOid(spki, oidNode);
    const keyBytes = readBitStringBytes(spki, key);
    if (oid === RSA_ENCRYPTION) return rsaKey(keyBytes);
    if (oid === EC_PUBLIC_KEY) {
      const curve = params && params.tag === Tag.oid ? CURVES[readOid(spki, params)] : undefined;
      if (!curve) throw new SpkiError('EC key on a curve other than P-256 or P-384');
      return ecKey(curve, keyBytes);
    }
    throw new SpkiError(`public key algorithm ${oid}`);
  } catch (error) {
    if (error instanceof DerError) throw new SpkiError(error.message);
    throw error;
  }
}

function rsaKey(der: Uint8Array): PublicKey {
  const [modulus, exponent] = childrenOf(der, expectNode(der, 0, Tag.sequence), 2);
  if (!modulus || !exponent || modulus.tag !== Tag.integer || exponent.tag !== Tag.integer) throw new SpkiError('RSAPublicKey is not two INTEGERs');
  const n = toBigInt(content(der, modulus));
  const e = toBigInt(content(der, exponent));
  if (n <= 0n || e <= 1n) throw new SpkiError('RSA modulus or exponent out of range');
  return { kind: 'rsa', n, e, bytes: Math.ceil(n.toString(16).length / 2) };
}

function ecKey(curve: NamedCurve, point: Uint8Array): PublicKey {
  const size = COORDINATE_BYTES[curve];
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) throw new SpkiError('EC point is not an uncompressed point of its curve');
  return { kind: 'ec', curve, x: toBigInt(point.subarray(1, 1 + size)), y: toBigInt(point.subarray(1 + size)) };
}
