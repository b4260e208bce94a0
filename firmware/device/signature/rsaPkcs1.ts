/**
 * RSASSA-PKCS1-v1_5 signature verification (RFC 8017 §8.2.2): s^e mod n must be exactly
 * 0x00 0x01 FF…FF 0x00 ‖ DigestInfo(hash) ‖ H, with at least 8 bytes of FF. Public data
 * only, so plain BigInt arithmetic in XS does; no secret goes near it.
 */
import { fromHex, toHex } from '../../core/bytes';
import { toBigInt } from './spki';
import { modPow } from '../../core/security/rsaPublic';

export type RsaHash = 'SHA1' | 'SHA256' | 'SHA384';

/** DER DigestInfo prefixes, RFC 8017 §9.2 note 1. */
const DIGEST_INFO: Readonly<Record<RsaHash, string>> = Object.freeze({
  SHA1: '3021300906052b0e03021a05000414',
  SHA256: '3031300d060960864801650304020105000420',
  SHA384: '3041300d060960864801650304020205000430',
});

/** @param digest H, the hash of the signed data under `hash` */
export function verifyRsaPkcs1(key: { n: bigint; e: bigint; bytes: number }, hash: RsaHash, digest: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== key.bytes) return false;
  const s = toBigInt(signature);
  if (s >= key.n) return false;
  const encoded = toHex(fromHex(modPow(s, key.e, key.n).toString(16).padStart(2 * key.bytes, '0')));
  const tail = DIGEST_INFO[hash] + toHex(digest);
  const padding = key.bytes - 3 - tail.length / 2;
  if (padding < 8) return false;
  return encoded === `0001${'ff'.repeat(padding)}00${tail}`;
}
