/** Signature checks by node:crypto (independent of the crypto port) and openssl-made certificates as the parser reads them. */
import { createPublicKey, verify } from 'node:crypto';
import type { VerifySignature } from '../../firmware/core/security/certificatePath';
import { parseCertificate, type Certificate } from '../../firmware/core/security/x509';
import type { Issued } from '../../host-sim/tools/pki';

const HASH = { 'rsa-pkcs1-sha1': 'sha1', 'rsa-pkcs1-sha256': 'sha256', 'rsa-pkcs1-sha384': 'sha384', 'ecdsa-sha256': 'sha256', 'ecdsa-sha384': 'sha384' } as const;

export const nodeVerify: VerifySignature = (scheme, spki, data, signature) =>
  verify(HASH[scheme], data, createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }), signature);

/** nodeVerify, counting its calls and the distinct (key, signed data) pairs it was asked about. */
export function countingVerify(): { verify: VerifySignature; calls: () => number; pairs: () => number } {
  let calls = 0;
  const pairs = new Set<string>();
  return {
    verify: (scheme, spki, data, signature) => {
      calls++;
      pairs.add(`${Buffer.from(spki).toString('hex')}|${Buffer.from(data).toString('hex')}`);
      return nodeVerify(scheme, spki, data, signature);
    },
    calls: () => calls,
    pairs: () => pairs.size,
  };
}

export const parsed = (issued: Issued): Certificate => parseCertificate(new Uint8Array(issued.der));

export const NOW = Date.UTC(2026, 10, 26, 9);
export const FROM = '20250101000000Z';
export const TO = '20400101000000Z';
