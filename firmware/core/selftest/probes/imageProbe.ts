/**
 * The running image's integrity: its SHA-256 against the digest the build recorded (and, from
 * issue 10, the signed manifest stored with it: update/seal.ts).
 */
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { fail, pass, warn } from './outcome';
import { toHex } from '../../bytes';
import { deepFreeze } from '../../freeze';
import { errorText } from '../../errorText';

/** Bytes hashed per read: one flash sector, so a read never spans more than the driver likes. */
const IMAGE_CHUNK = 4096;

/** SHA-256 of the running image against the digest the build recorded. */
export const IMAGE_PROBE: Probe = deepFreeze({ id: 'system.image', family: 'system', timeoutMs: 20_000, run: runImage });
export const imageProbe = (): Probe => IMAGE_PROBE;

async function runImage({ ports }: ProbeContext): Promise<ProbeOutcome> {
  const { image } = ports.system;
  if (!image.expectedSha256) return warn('image.no-digest', `${image.byteLength} bytes, build recorded no SHA-256`);
  const digest = ports.crypto.digest('SHA-256');
  try {
    for (let offset = 0; offset < image.byteLength; offset += IMAGE_CHUNK)
      digest.update(image.read(offset, Math.min(IMAGE_CHUNK, image.byteLength - offset)));
  } catch (error) {
    return fail('image.read-error', `read failed: ${errorText(error)}`);
  }
  const actual = digest.close();
  const expected = image.expectedSha256;
  const same = actual.length === expected.length && actual.every((b, i) => b === expected[i]);
  const facts = `sha256 ${toHex(actual.subarray(0, 8))}…, expected ${toHex(expected.subarray(0, 8))}…, ${image.byteLength} bytes`;
  return same ? pass('image.ok', facts) : fail('image.digest-mismatch', facts);
}
