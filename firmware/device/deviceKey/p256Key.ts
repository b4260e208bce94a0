/**
 * The byte and BigInt side of the activation key pair (issue 8 contract §6), apart from the
 * SDK's EC arithmetic (deviceKeyPair.ts) so that Node tests can check it against node:crypto:
 * drawing the private scalar, reading the host's ephemeral point, and writing the public key
 * as SubjectPublicKeyInfo DER.
 */
import { PortError } from '../../core/ports';
import { CURVES, isOnCurve } from '../signature/curves';
import { toBigInt } from '../signature/spki';

const P256 = CURVES.p256;
/** A P-256 coordinate or scalar: 32 bytes, big-endian. */
export const P256_BYTES = 32;

/**
 * SubjectPublicKeyInfo for an uncompressed P-256 point (RFC 5480 §2: id-ecPublicKey 1.2.840.10045.2.1
 * with the namedCurve prime256v1 1.2.840.10045.3.1.7; SEC 1 §2.3.3 point 04 ‖ X ‖ Y). The shape is
 * fixed, so it is this prefix and the 65 bytes of the point:
 * 30 59 SEQUENCE { 30 13 SEQUENCE { 06 07 <id-ecPublicKey>, 06 08 <prime256v1> }, 03 42 00 BIT STRING }.
 */
const SPKI_PREFIX = Object.freeze([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
]);

/**
 * A private key d in [1, n-1] by rejection (FIPS 186-5 §A.2.2, "rejection sampling"): 32 random
 * bytes as an integer, drawn again while outside the range, so d is uniform with no modular bias.
 * n is just under 2²⁵⁶, so a draw is refused about once in 2³² tries. Each refused draw is wiped.
 */
export function drawP256Scalar(randomBytes: (length: number) => Uint8Array): bigint {
  for (;;) {
    const bytes = randomBytes(P256_BYTES);
    if (bytes.length !== P256_BYTES) throw new PortError('crypto', `device key: the RNG gave ${bytes.length} bytes, not ${P256_BYTES}`);
    const d = toBigInt(bytes);
    bytes.fill(0);
    if (d >= 1n && d < P256.n) return d;
  }
}

/** `value` as `length` big-endian bytes. @throws PortError 'crypto' when it does not fit */
export function bigIntBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n || value >> BigInt(8 * length) !== 0n) throw new PortError('crypto', `a number does not fit in ${length} bytes`);
  const bytes = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

/** The public key (x, y) as SubjectPublicKeyInfo DER, 91 bytes. */
export function p256Spki(x: bigint, y: bigint): Uint8Array {
  const spki = new Uint8Array(SPKI_PREFIX.length + 1 + 2 * P256_BYTES);
  spki.set(SPKI_PREFIX);
  spki[SPKI_PREFIX.length] = 0x04;
  spki.set(bigIntBytes(x, P256_BYTES), SPKI_PREFIX.length + 1);
  spki.set(bigIntBytes(y, P256_BYTES), SPKI_PREFIX.length + 1 + P256_BYTES);
  return spki;
}

/**
 * The host's ephemeral public key from its uncompressed encoding, validated before any
 * multiplication by the private key (SEC 1 §3.2.2.1; an invalid-curve point would leak bits
 * of d through Z). The point at infinity has no 65-byte form, so it never gets here.
 * @throws PortError 'crypto' for another encoding or a point not on P-256
 */
export function readP256Point(encoded: Uint8Array): { x: bigint; y: bigint } {
  if (encoded.length !== 1 + 2 * P256_BYTES || encoded[0] !== 0x04) throw new PortError('crypto', 'envelope: the ephemeral key is not an uncompressed P-256 point');
  const x = toBigInt(encoded.subarray(1, 1 + P256_BYTES));
  const y = toBigInt(encoded.subarray(1 + P256_BYTES));
  if (!isOnCurve(P256, x, y)) throw new PortError('crypto', 'envelope: the ephemeral key is not a point on P-256');
  return { x, y };
}
