/**
 * Checking a signed image (issue 10, item 1): the seal's signature under a trusted vendor key
 * (update/vendorKeys.ts), then the image's size and SHA-256 against the manifest's. The update
 * flow checks an offered seal before downloading and the image after; the image probe checks
 * the running image the same way (selftest/probes/imageProbe.ts); the toolbox's `image verify`
 * too.
 */
import type { CryptoPort } from '../ports';
import { fromHex, toHex } from '../bytes';
import { UpdateError } from './errors';
import { decodeManifest, type Manifest } from './manifest';
import { parseSeal } from './seal';
import { VENDOR_KEYS, type VendorKey } from './vendorKeys';

export { compareVersions, parseVersion } from './version';

/** What the checks need of the crypto port. */
export type SignatureVerifier = Pick<CryptoPort, 'verifySignature'>;

/** Bytes hashed per read: one flash sector. */
export const HASH_CHUNK_BYTES = 4096;

/**
 * Checks `signature` (DER) over `manifest` under the trusted key the manifest names; the
 * manifest's fields.
 * @throws UpdateError 'update-manifest' | 'update-key' (no trusted key of that id, or the key unusable) | 'update-signature'
 */
export function verifyManifest(crypto: SignatureVerifier, manifest: Uint8Array, signature: Uint8Array, keys: readonly VendorKey[] = VENDOR_KEYS): Manifest {
  const fields = decodeManifest(manifest);
  return verifyFields(crypto, fields, manifest, signature, keys);
}

/**
 * Parses a seal and checks its signature (verifyManifest); the manifest's fields.
 * @throws UpdateError 'update-seal' | 'update-manifest' | 'update-key' | 'update-signature'
 */
export function verifySeal(crypto: SignatureVerifier, seal: Uint8Array, keys: readonly VendorKey[] = VENDOR_KEYS): Manifest {
  const parsed = parseSeal(seal);
  return verifyFields(crypto, parsed.fields, parsed.manifest, parsed.signature, keys);
}

function verifyFields(crypto: SignatureVerifier, fields: Manifest, manifest: Uint8Array, signature: Uint8Array, keys: readonly VendorKey[]): Manifest {
  let key: VendorKey | undefined;
  for (let i = 0; i < keys.length && i < 8; i++) if (keys[i].keyId === fields.keyId) key = keys[i];
  if (!key) throw new UpdateError('update-key', `key "${fields.keyId}" is not trusted by this firmware`);
  let good: boolean;
  try {
    good = crypto.verifySignature('ecdsa-sha256', fromHex(key.spki), manifest, signature);
  } catch (error) {
    throw new UpdateError('update-key', `key "${fields.keyId}" is unusable: ${error instanceof Error ? error.message : 'error'}`);
  }
  if (!good) throw new UpdateError('update-signature', `the signature does not verify under key "${fields.keyId}"`);
  return fields;
}

/**
 * Checks an image's size and SHA-256 against its manifest.
 * @throws UpdateError 'update-size' | 'update-hash'
 */
export function checkImageAgainst(manifest: Manifest, image: { size: number; sha256: Uint8Array }): void {
  if (image.size !== manifest.size) throw new UpdateError('update-size', `image of ${image.size} bytes, the manifest says ${manifest.size}`);
  const a = image.sha256;
  const b = manifest.sha256;
  let same = a.length === b.length;
  for (let i = 0; same && i < a.length; i++) same = a[i] === b[i];
  if (!same) throw new UpdateError('update-hash', `image SHA-256 ${toHex(a.subarray(0, 8))}…, the manifest says ${toHex(b.subarray(0, 8))}…`);
}

/** checkImageAgainst with the size and digest apart. @throws UpdateError 'update-size' | 'update-hash' */
export function checkImage(manifest: Manifest, size: number, sha256: Uint8Array): void {
  checkImageAgainst(manifest, { size, sha256 });
}

/**
 * SHA-256 of `size` bytes read through `read` (a slot, the running image), a sector at a time.
 * @throws whatever `read` throws (PortError 'flash-io' | 'flash-bounds')
 */
export function sha256Of(crypto: Pick<CryptoPort, 'digest'>, read: (offset: number, length: number) => Uint8Array, size: number): Uint8Array {
  const digest = crypto.digest('SHA-256');
  for (let offset = 0; offset < size; offset += HASH_CHUNK_BYTES) digest.update(read(offset, Math.min(HASH_CHUNK_BYTES, size - offset)));
  return digest.close();
}
