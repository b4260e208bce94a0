/**
 * The activation key pair on the SDK's native elliptic-curve arithmetic (modules/crypt/arith
 * `ec`, the same one signature/ecdsa.ts verifies with): Q = d·G for the public key, and the
 * ECDH shared secret Z = x(d·E) with the host's ephemeral point E (SEC 1 §3.3.1).
 *
 * Limits of the SDK, accepted for one activation: `ec.mul` is double-and-add (its time depends
 * on d's bits), and d is an XS BigInt, which cannot be wiped, only dropped for the collector.
 * A pair serves one activation (the adapter replaces it on the next createDeviceKey), so d meets
 * two multiplications in its life.
 */
import EC from 'ec';
import ECPoint from 'ecp';
import { PortError } from '../../core/ports';
import { CURVES } from '../signature/curves';
import { bigIntBytes, drawP256Scalar, P256_BYTES, p256Spki, readP256Point } from './p256Key';

const P256 = CURVES.p256;

export class DeviceKeyPair {
  readonly #d: bigint;
  /** The public key as SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;

  /** @param randomBytes the hardware RNG (entropy.ts) */
  constructor(randomBytes: (length: number) => Uint8Array) {
    this.#d = drawP256Scalar(randomBytes);
    const q = curve().mul(new ECPoint(P256.gx, P256.gy), this.#d);
    if (q.isZero()) throw new PortError('crypto', 'device key: d·G is the point at infinity');
    this.spki = p256Spki(q.X, q.Y);
  }

  /**
   * Z = x(d·E), 32 bytes, for the KDF; the caller wipes it.
   * @throws PortError 'crypto' when E is not a P-256 point (checked before d touches it)
   */
  sharedSecret(ephemeralPoint: Uint8Array): Uint8Array {
    const { x, y } = readP256Point(ephemeralPoint);
    const shared = curve().mul(new ECPoint(x, y), this.#d);
    // Cofactor 1 and d in [1, n-1]: only a point outside the group could give infinity.
    if (shared.isZero()) throw new PortError('crypto', 'envelope: ECDH gave the point at infinity');
    return bigIntBytes(shared.X, P256_BYTES);
  }
}

function curve(): EC {
  return new EC(P256.a, P256.b, P256.p);
}
