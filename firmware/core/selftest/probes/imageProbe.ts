/**
 * The running image's integrity (issue 10, item 1): the signed manifest stored with it (its
 * slot's seal, update/seal.ts) checked as an update is, under the firmware's trusted vendor keys,
 * then the image's size and SHA-256 against the manifest's. An image without a seal (a factory or
 * development flash) is only checked against the digest its build appended, and warned about.
 *
 * - sealed, signature good, image as signed → pass 'image.ok' (the manifest's version and board named)
 * - sealed, seal malformed, key not trusted or signature bad → fail 'image.signature-bad'
 * - sealed, size or SHA-256 differ from the manifest's → fail 'image.seal-mismatch'
 * - sealed and as signed, but the span's SHA-256 is not the port's expectedSha256 (the digest
 *   the bootloader checked is not this file's) → fail 'image.digest-mismatch'
 * - sealed, the manifest's version is not this firmware's (SystemPort.firmwareVersion), or its
 *   board not the update port's: a seal from another build beside this image → fail 'image.seal-mismatch'
 * - all as signed, but by the DEMO key (update/vendorKeys.ts: its private key is public) on a
 *   board other than the simulator's (UpdatePort.board 'xspos-sim') → warn 'image.demo-key':
 *   anyone can sign what this board trusts; a field build replaces vendorKeys.ts
 * - no seal → warn 'image.unsigned' (the detail says what the appended digest showed), unless
 *   the digest differs: fail 'image.digest-mismatch'; no seal and no digest either → warn
 *   'image.no-digest' (nothing could be checked)
 * - a read error → fail 'image.read-error'
 *
 * What the port's bytes are (ports.ts FirmwareImagePort): `byteLength` is the whole image file as
 * built and signed, the appended SHA-256 included (the manifest's size and sha256 cover all of
 * it); `expectedSha256`, when defined, is that appended digest, over the first byteLength − 32
 * bytes. A sealed image is checked both ways in one pass over the flash (two digests fed the same
 * reads): the whole file against the manifest, then the span against the appended digest
 * (a mismatch there alone: fail 'image.digest-mismatch').
 */
import type { FirmwareImagePort, Ports } from '../../ports';
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { fail, pass, warn } from './outcome';
import { toHex } from '../../bytes';
import { deepFreeze } from '../../freeze';
import { errorText } from '../../errorText';
import { UpdateError } from '../../update/errors';
import type { Manifest } from '../../update/manifest';
import { HASH_CHUNK_BYTES, verifySeal } from '../../update/verify';
import { DEMO_BOARD, DEMO_KEY_SPKI, VENDOR_KEYS } from '../../update/vendorKeys';

/** SHA-256 of the running image against its signed manifest, or the digest the build recorded. */
export const IMAGE_PROBE: Probe = deepFreeze({ id: 'system.image', family: 'system', timeoutMs: 20_000, run: runImage });
export const imageProbe = (): Probe => IMAGE_PROBE;

const APPENDED_BYTES = 32;

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const prefix = (bytes: Uint8Array) => `${toHex(bytes.subarray(0, 8))}…`;

/** SHA-256s of one pass over the image. */
interface Digests {
  /** Of the whole file, when asked for. */
  file: Uint8Array | undefined;
  /** Of the span the appended digest covers (the first byteLength − 32 bytes), when the port gives one. */
  span: Uint8Array | undefined;
}

/** The span `expectedSha256` covers: all but the file's last 32 bytes (0 for a port too short to hold them). */
const spanOf = (image: FirmwareImagePort) => Math.max(0, image.byteLength - APPENDED_BYTES);

/**
 * Reads the image once, feeding the whole file's digest (`file`) and the appended digest's span
 * (`span` bytes, when defined) with the same chunks. @throws the port's errors
 */
function hash(ports: Ports, image: FirmwareImagePort, file: boolean, span: number | undefined): Digests {
  const fileDigest = file ? ports.crypto.digest('SHA-256') : undefined;
  const spanDigest = span === undefined ? undefined : ports.crypto.digest('SHA-256');
  const end = file ? image.byteLength : (span ?? 0);
  for (let offset = 0; offset < end; offset += HASH_CHUNK_BYTES) {
    const chunk = image.read(offset, Math.min(HASH_CHUNK_BYTES, end - offset));
    if (fileDigest) fileDigest.update(chunk);
    if (spanDigest && span !== undefined && offset < span) spanDigest.update(offset + chunk.length <= span ? chunk : chunk.subarray(0, span - offset));
  }
  return { file: fileDigest?.close(), span: spanDigest?.close() };
}

/** The appended digest's verdict: fail 'image.digest-mismatch' naming both, or undefined when it matches. */
function digestMismatch(actual: Uint8Array, expected: Uint8Array, span: number): ProbeOutcome | undefined {
  return same(actual, expected) ? undefined : fail('image.digest-mismatch', `sha256 ${prefix(actual)}, expected ${prefix(expected)}, ${span} bytes`);
}

async function runImage({ ports }: ProbeContext): Promise<ProbeOutcome> {
  const { image } = ports.system;
  let seal: Uint8Array | undefined;
  try {
    seal = image.seal();
  } catch (error) {
    return fail('image.read-error', `read failed: seal: ${errorText(error)}`);
  }
  try {
    return seal ? sealed(ports, image, seal) : unsigned(ports, image);
  } catch (error) {
    return fail('image.read-error', `read failed: ${errorText(error)}`);
  }
}

/** @throws the port's read errors */
function sealed(ports: Ports, image: FirmwareImagePort, seal: Uint8Array): ProbeOutcome {
  let m: Manifest;
  try {
    m = verifySeal(ports.crypto, seal);
  } catch (error) {
    if (error instanceof UpdateError) return fail('image.signature-bad', `seal refused (${error.code}): ${error.message}`);
    throw error;
  }
  const expected = image.expectedSha256;
  const span = spanOf(image);
  const digests = hash(ports, image, true, expected ? span : undefined);
  const actual = digests.file as Uint8Array;
  const bytes = image.byteLength;
  if (bytes !== m.size || !same(actual, m.sha256)) return fail('image.seal-mismatch', `sha256 ${prefix(actual)}, manifest ${prefix(m.sha256)}, ${bytes} bytes, manifest ${m.size} bytes`);
  // The file is as signed; the digest the port says was appended (the bootloader's) must be its appended one.
  const appended = expected ? digestMismatch(digests.span as Uint8Array, expected, span) : undefined;
  if (appended) return appended;
  const running = ports.system.firmwareVersion;
  const board = ports.update?.board;
  if (m.version !== running) return fail('image.seal-mismatch', `manifest version ${m.version}, running ${running}`);
  if (board !== undefined && m.board !== board) return fail('image.seal-mismatch', `manifest board ${m.board}, this board ${board}`);
  const facts = `version ${m.version} for ${m.board} signed by ${m.keyId}, sha256 ${prefix(actual)}, ${bytes} bytes`;
  if (board !== DEMO_BOARD && signedByDemoKey(m.keyId)) return warn('image.demo-key', `demo key: ${facts}`);
  return pass('image.ok', facts);
}

/** True when `keyId` names the demo key among the trusted keys (the one verifySeal checked the seal with). */
function signedByDemoKey(keyId: string): boolean {
  for (let i = 0; i < VENDOR_KEYS.length; i++) if (VENDOR_KEYS[i].keyId === keyId && VENDOR_KEYS[i].spki === DEMO_KEY_SPKI) return true;
  return false;
}

/** @throws the port's read errors */
function unsigned(ports: Ports, image: FirmwareImagePort): ProbeOutcome {
  const expected = image.expectedSha256;
  if (!expected) return warn('image.no-digest', `${image.byteLength} bytes, build recorded no SHA-256`);
  const span = spanOf(image);
  const actual = hash(ports, image, false, span).span as Uint8Array;
  const mismatch = digestMismatch(actual, expected, span);
  if (mismatch) return mismatch;
  return warn('image.unsigned', `no seal; sha256 ${prefix(actual)} matches the build's digest; ${span} bytes`);
}
