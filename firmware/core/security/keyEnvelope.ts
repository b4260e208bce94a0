/**
 * The activation envelope's rules. `envelopeSharedInfo` is the core's (and the host's) input;
 * the rest is adapter side (like checkValueBlock): every crypto adapter opens the envelope the
 * same way, each with its own ECDH, SHA-256 and AES, so the KEK and the key exist only inside one.
 *
 * Issue 8 contract §6: Z = x-coordinate of ECDH(device private key, host's ephemeral point);
 * KEK = SHA-256(Z ‖ 00000001 ‖ SharedInfo)[0..16] (ANSI X9.63-2011 §5.6.3 KDF: one counter
 * block, since 16 bytes ≤ one SHA-256 output); SharedInfo = "xspos-activation" ‖ serial ASCII;
 * wrapped = AES-128-CBC(KEK, IV 0¹⁶, key zero-padded to whole 16-byte blocks).
 */
import { PortError, type KeyAlgorithm } from '../ports';
import { ascii } from '../bytes';
import { KEY_LENGTH } from './blocks';

/** The KDF's label: SharedInfo = label ‖ the terminal's serial number, so a KEK is bound to one board. */
export const ENVELOPE_LABEL = 'xspos-activation';

/** SharedInfo of the X9.63 KDF for the board with serial number `serial` (ASCII). */
export function envelopeSharedInfo(serial: string): Uint8Array {
  return ascii(ENVELOPE_LABEL + serial);
}

/** An uncompressed P-256 point: 04 ‖ X (32) ‖ Y (32) (SEC 1 §2.3.3). */
export const ENVELOPE_POINT_BYTES = 65;
/** AES-128: the KEK's length and the wrap's block. */
export const ENVELOPE_KEK_BYTES = 16;

/** Bytes of `algorithm`'s key wrapped: its length rounded up to whole AES blocks. */
export function envelopeLength(algorithm: KeyAlgorithm): number {
  return Math.ceil(KEY_LENGTH[algorithm] / ENVELOPE_KEK_BYTES) * ENVELOPE_KEK_BYTES;
}

/** @throws PortError 'crypto' for an algorithm, point or wrapped key of the wrong shape */
export function assertEnvelope(ephemeralPoint: Uint8Array, wrapped: Uint8Array, algorithm: KeyAlgorithm): void {
  if (!Object.prototype.hasOwnProperty.call(KEY_LENGTH, algorithm) || algorithm === 'des') throw new PortError('crypto', `envelope: no master key algorithm ${String(algorithm)}`);
  if (ephemeralPoint.length !== ENVELOPE_POINT_BYTES || ephemeralPoint[0] !== 0x04)
    throw new PortError('crypto', `envelope: the ephemeral key must be an uncompressed P-256 point (${ENVELOPE_POINT_BYTES} bytes, 04 first)`);
  if (wrapped.length !== envelopeLength(algorithm)) throw new PortError('crypto', `envelope: a wrapped ${algorithm} key is ${envelopeLength(algorithm)} bytes, not ${wrapped.length}`);
}

/**
 * KEK = SHA-256(Z ‖ 00000001 ‖ sharedInfo)[0..16]. `sha256` hashes its parts in order. The
 * caller wipes Z and the KEK after use.
 */
export function envelopeKek(z: Uint8Array, sharedInfo: Uint8Array, sha256: (parts: readonly Uint8Array[]) => Uint8Array): Uint8Array {
  const digest = sha256([z, Uint8Array.of(0, 0, 0, 1), sharedInfo]);
  const kek = digest.slice(0, ENVELOPE_KEK_BYTES);
  digest.fill(0);
  return kek;
}
