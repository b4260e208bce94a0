/**
 * The firmware image port on ESP32: the app partition the bootloader started ("running" =
 * esp_ota_get_running_partition(), so factory and OTA layouts both work), read through the
 * `flash` module. Its length and the SHA-256 the build appended come from the image headers
 * (appImage.ts). XS byte code and resources are linked into this image, so the digest covers
 * the JavaScript too. With flash encryption on, esp_partition_read returns plaintext, which is
 * what the digest was computed over.
 *
 * `byteLength` is the image file's length, the .bin the build wrote and the vendor signs (a
 * signed manifest's `size`): the span the appended SHA-256 covers plus those 32 bytes when the
 * build appended one. The appended digest covers the first byteLength − 32 bytes.
 * `seal()` reads the partition's last sector (sealSector.ts): the image's signed manifest.
 */
import Flash from 'flash';
import { PortError, type FirmwareImagePort } from '../../core/ports';
import { errorText } from '../../core/errorText';
import { APPENDED_SHA256_BYTES, locateAppImage } from './appImage';
import { readSealSector } from './sealSector';

export interface RunningImage {
  image: FirmwareImagePort;
  /** Why no digest is on offer, when none is; the boot trace prints it. */
  problem?: string;
}

export function openRunningImage(): RunningImage {
  let flash: Flash;
  try {
    flash = new Flash('running');
  } catch (error) {
    return unreadable(`running partition: ${errorText(error)}`);
  }
  const partitionBytes = flash.byteLength;
  const read = (offset: number, length: number): Uint8Array => {
    try {
      return new Uint8Array(flash.read(offset, length) as ArrayBuffer);
    } catch (error) {
      throw new PortError('flash-io', `running partition: read ${offset}+${length}: ${errorText(error)}`);
    }
  };
  let layout: ReturnType<typeof locateAppImage>;
  try {
    layout = locateAppImage(read, partitionBytes);
  } catch (error) {
    return unreadable(`image header: ${errorText(error)}`);
  }
  if (!layout.ok) return unreadable(`image header malformed: ${layout.reason}`);
  const { expectedSha256 } = layout.value;
  const byteLength = layout.value.byteLength + (expectedSha256 ? APPENDED_SHA256_BYTES : 0);
  return {
    image: {
      byteLength,
      expectedSha256,
      read(offset, length) {
        if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > byteLength)
          throw new PortError('flash-bounds', `image read ${offset}+${length} outside 0..${byteLength}`);
        return length === 0 ? new Uint8Array(0) : read(offset, length);
      },
      seal: () => readSealSector(read, partitionBytes, byteLength),
    },
    problem: expectedSha256 ? undefined : 'the build appended no SHA-256 (hash_appended = 0)',
  };
}

/** No readable image: zero bytes and no digest, so the image probe warns instead of hashing garbage. */
function unreadable(problem: string): RunningImage {
  return {
    image: {
      byteLength: 0,
      expectedSha256: undefined,
      read(offset, length) {
        throw new PortError('flash-io', `image read ${offset}+${length}: ${problem}`);
      },
      seal: () => undefined,
    },
    problem,
  };
}
