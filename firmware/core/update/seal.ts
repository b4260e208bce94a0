/**
 * The seal: the envelope of a signed manifest, stored in the LAST sector of an image's slot
 * (after the image) and served by the update server as `latest.seal`:
 *
 *   "XSPS" | u8 format (1) | u16be manifest length | manifest | u16be signature length | signature
 *
 * followed, in a slot sector, by erased flash (0xFF) to the sector's end. The manifest is
 * update/manifest.ts's CBOR; the signature ECDSA P-256 over SHA-256 of the manifest's bytes,
 * DER (what `openssl dgst -sha256 -sign` writes). Parsing checks the envelope and the
 * manifest's fields, not the signature (update/verify.ts does).
 */
import { UpdateError } from './errors';
import { decodeManifest, MANIFEST_MAX_BYTES, type Manifest } from './manifest';

/** The seal's sector: the last of a slot. */
export const SEAL_SECTOR_BYTES = 4096;
export const SEAL_FORMAT = 1;
/** "XSPS". */
const MAGIC = Object.freeze([0x58, 0x53, 0x50, 0x53]);
/** Magic, format, the two lengths. */
const OVERHEAD = 4 + 1 + 2 + 2;
/** Smallest and largest DER ECDSA signature taken (P-256: at most 72 bytes; 80 leaves room, not more). */
export const SIGNATURE_MIN_BYTES = 8;
export const SIGNATURE_MAX_BYTES = 80;

export interface ParsedSeal {
  /** The manifest's bytes, as signed. */
  readonly manifest: Uint8Array;
  /** The DER signature. */
  readonly signature: Uint8Array;
  /** The manifest's fields (checked: update/manifest.ts). */
  readonly fields: Manifest;
}

const bad = (message: string) => new UpdateError('update-seal', message);

/**
 * The seal's bytes (without the erased tail: a sector write leaves the rest 0xFF).
 * @throws UpdateError 'update-seal' when the manifest or the signature is out of bounds
 */
export function encodeSeal(manifest: Uint8Array, signature: Uint8Array): Uint8Array {
  if (manifest.length < 1 || manifest.length > MANIFEST_MAX_BYTES) throw bad(`manifest of ${manifest.length} bytes (1 to ${MANIFEST_MAX_BYTES})`);
  if (signature.length < SIGNATURE_MIN_BYTES || signature.length > SIGNATURE_MAX_BYTES) throw bad(`signature of ${signature.length} bytes (${SIGNATURE_MIN_BYTES} to ${SIGNATURE_MAX_BYTES})`);
  const out = new Uint8Array(OVERHEAD + manifest.length + signature.length);
  out.set(MAGIC, 0);
  out[4] = SEAL_FORMAT;
  out[5] = manifest.length >> 8;
  out[6] = manifest.length & 0xff;
  out.set(manifest, 7);
  let at = 7 + manifest.length;
  out[at++] = signature.length >> 8;
  out[at++] = signature.length & 0xff;
  out.set(signature, at);
  return out;
}

/** The seal padded with 0xFF to a whole sector, as it stands in a slot's last sector. */
export function sealSector(seal: Uint8Array): Uint8Array {
  if (seal.length > SEAL_SECTOR_BYTES) throw bad(`${seal.length} bytes, more than a sector`);
  const out = new Uint8Array(SEAL_SECTOR_BYTES).fill(0xff);
  out.set(seal, 0);
  return out;
}

/**
 * Reads a seal: exactly as served, or a whole sector whose bytes after it are 0xFF.
 * @throws UpdateError 'update-seal' (the envelope) | 'update-manifest' (the manifest's fields); never another error
 */
export function parseSeal(bytes: Uint8Array): ParsedSeal {
  if (!(bytes instanceof Uint8Array)) throw bad('a seal is bytes');
  if (bytes.length > SEAL_SECTOR_BYTES) throw bad(`${bytes.length} bytes, more than ${SEAL_SECTOR_BYTES}`);
  if (bytes.length < OVERHEAD) throw bad(`${bytes.length} bytes, too short for a seal`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) throw bad('no "XSPS" magic');
  if (bytes[4] !== SEAL_FORMAT) throw bad(`seal format ${bytes[4]} (this firmware reads ${SEAL_FORMAT})`);
  const manifestLength = (bytes[5] << 8) | bytes[6];
  if (manifestLength < 1 || manifestLength > MANIFEST_MAX_BYTES) throw bad(`manifest length ${manifestLength} (1 to ${MANIFEST_MAX_BYTES})`);
  let at = 7 + manifestLength;
  if (at + 2 > bytes.length) throw bad('ends inside the manifest');
  const signatureLength = (bytes[at] << 8) | bytes[at + 1];
  at += 2;
  if (signatureLength < SIGNATURE_MIN_BYTES || signatureLength > SIGNATURE_MAX_BYTES) throw bad(`signature length ${signatureLength} (${SIGNATURE_MIN_BYTES} to ${SIGNATURE_MAX_BYTES})`);
  if (at + signatureLength > bytes.length) throw bad('ends inside the signature');
  const end = at + signatureLength;
  for (let i = end; i < bytes.length; i++) if (bytes[i] !== 0xff) throw bad(`byte ${i} after the signature is not erased (0xFF)`);
  const manifest = bytes.slice(7, 7 + manifestLength);
  const signature = bytes.slice(at, end);
  return { manifest, signature, fields: decodeManifest(manifest) };
}
