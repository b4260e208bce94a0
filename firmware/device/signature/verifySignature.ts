/**
 * Certificate signature checks for the crypto port: which key kind and hash each scheme takes,
 * the hash by `crypt`, then RSASSA-PKCS1-v1_5 or ECDSA. As the port says: false for a signature
 * that does not verify or does not parse (a key of the wrong kind included, as node:crypto
 * answers in host-sim); PortError 'crypto' only for a key that cannot be used at all.
 */
import { Digest } from 'crypt';
import { PortError, type SignatureScheme } from '../../core/ports';
import { asArrayBuffer } from '../arrayBuffer';
import { verifyEcdsa } from './ecdsa';
import { type RsaHash, verifyRsaPkcs1 } from './rsaPkcs1';
import { parseSpki, SpkiError, type PublicKey } from './spki';

const SCHEMES: Readonly<Record<SignatureScheme, { kind: PublicKey['kind']; hash: RsaHash }>> = Object.freeze({
  'rsa-pkcs1-sha1': Object.freeze({ kind: 'rsa', hash: 'SHA1' }),
  'rsa-pkcs1-sha256': Object.freeze({ kind: 'rsa', hash: 'SHA256' }),
  'rsa-pkcs1-sha384': Object.freeze({ kind: 'rsa', hash: 'SHA384' }),
  'ecdsa-sha256': Object.freeze({ kind: 'ec', hash: 'SHA256' }),
  'ecdsa-sha384': Object.freeze({ kind: 'ec', hash: 'SHA384' }),
});

/** @throws PortError 'crypto' for an unknown scheme or an unusable public key */
export function verifySignature(scheme: SignatureScheme, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  const rule = SCHEMES[scheme];
  if (!rule) throw new PortError('crypto', `no signature scheme ${String(scheme)}`);
  try {
    const key = parseSpki(spki);
    if (key.kind !== rule.kind) return false;
    const hash = new Digest(rule.hash);
    hash.write(asArrayBuffer(data));
    const digest = new Uint8Array(hash.close());
    return key.kind === 'rsa' ? verifyRsaPkcs1(key, rule.hash, digest, signature) : verifyEcdsa(key, digest, signature);
  } catch (error) {
    if (error instanceof SpkiError) throw new PortError('crypto', `public key unusable: ${error.message}`);
    throw error;
  }
}
