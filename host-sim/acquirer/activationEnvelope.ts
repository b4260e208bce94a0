/**
 * The host's half of the activation envelope (issue-8 contract §6), on node:crypto: a new
 * terminal master key, an ephemeral P-256 key pair, ECDH with the device's public key, the
 * ANSI X9.63 KDF (SHA-256, counter 00000001, shared info "xspos-activation" ‖ serial), and the
 * master key wrapped with AES-128-CBC (zero IV) under the first 16 bytes of the KDF output.
 * Written apart from firmware/core/activation, so a terminal and this host agreeing on the
 * envelope is evidence that both follow the contract.
 */
import { createECDH, createHash, createCipheriv, createPublicKey, randomBytes } from 'node:crypto';
import { MASTER_KEY_HEX, type MasterKeyAlgorithm } from './config';
import { freshKey } from './hostCrypto';

/** Tag D4: the algorithm's wire code. */
export const ALGORITHM_CODE: Readonly<Record<MasterKeyAlgorithm, number>> = { tdes2: 1, tdes3: 2, aes128: 3 };

const SHARED_INFO_LABEL = 'xspos-activation';
const KEK_BYTES = 16;
/** Order of the P-256 group (SEC 2 §2.4.2): a private scalar must be 1 … n−1. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** Where the envelope's randomness comes from: the acquirer's seed (repeatable scenarios) or node:crypto. */
export type RandomSource = (n: number) => Uint8Array;
export const systemRandom: RandomSource = (n) => new Uint8Array(randomBytes(n));

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  readonly code = 'activation-public-key';
}

/**
 * The device's public point (65 bytes, uncompressed) from its SPKI DER (tag C2).
 * @throws EnvelopeError for a key that is not EC P-256
 */
export function devicePoint(spki: Uint8Array): Uint8Array {
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new EnvelopeError(`public key is not SPKI DER: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new EnvelopeError(`public key is ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}, not EC P-256`);
  const jwk = key.export({ format: 'jwk' });
  return new Uint8Array(Buffer.concat([Buffer.of(4), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]));
}

/** A new master key: DES-family keys with odd parity, AES keys as drawn. */
export function newMasterKey(algorithm: MasterKeyAlgorithm, random: RandomSource): Uint8Array {
  const length = MASTER_KEY_HEX[algorithm] / 2;
  return algorithm === 'aes128' ? random(length).slice() : freshKey(length as 16 | 24, random);
}

/** KEK = SHA-256(Z ‖ 00000001 ‖ "xspos-activation" ‖ serial)[0..16] (ANSI X9.63, one round). */
export function activationKek(z: Uint8Array, serial: string): Uint8Array {
  const digest = createHash('sha256').update(z).update(Buffer.of(0, 0, 0, 1)).update(SHARED_INFO_LABEL, 'ascii').update(serial, 'ascii').digest();
  return new Uint8Array(digest.subarray(0, KEK_BYTES));
}

/**
 * Seals `masterKey` for the device: D1 (the ephemeral point) and D2 (the wrapped key).
 * @throws EnvelopeError when the device's point is not on the curve
 */
export function sealMasterKey(point: Uint8Array, serial: string, masterKey: Uint8Array, random: RandomSource): { ephemeralPoint: Uint8Array; wrapped: Uint8Array } {
  const ecdh = createECDH('prime256v1');
  for (;;) {
    const scalar = random(32);
    const d = BigInt(`0x${Buffer.from(scalar).toString('hex')}`);
    if (d === 0n || d >= P256_ORDER) continue;
    ecdh.setPrivateKey(Buffer.from(scalar));
    break;
  }
  let z: Buffer;
  try {
    z = ecdh.computeSecret(Buffer.from(point));
  } catch (error) {
    throw new EnvelopeError(`device point unusable: ${(error as Error).message}`);
  }
  const kek = activationKek(z, serial);
  const padded = Buffer.alloc(Math.ceil(masterKey.length / 16) * 16);
  padded.set(masterKey);
  const c = createCipheriv('aes-128-cbc', kek, Buffer.alloc(16)).setAutoPadding(false);
  const wrapped = Buffer.concat([c.update(padded), c.final()]);
  z.fill(0);
  kek.fill(0);
  padded.fill(0);
  return { ephemeralPoint: new Uint8Array(ecdh.getPublicKey()), wrapped: new Uint8Array(wrapped) };
}
