/// <reference path="../../node_modules/@moddable/typings/flash.d.ts" />
/**
 * The ESP32 running image (firmware/device/esp32/runningImage.ts) over a fake `flash` module: an
 * app partition holding an image laid out as esptool's elf2image writes it (ESP32FirmwareImage:
 * a 24-byte header with hash_appended at byte 23, segments of load address + length + data, zero
 * padding and a checksum byte ending on a 16-byte boundary, then the SHA-256 of all that) and,
 * in the partition's last 4096-byte sector, the seal that `npm run tool -- image sign` makes and
 * esptool would write there. Checked against node:crypto: the port's byteLength is the .bin
 * file's length (what the vendor's manifest signs), its digest the appended one, its seal the
 * sector as flashed, whose manifest covers exactly the .bin file.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signImage } from '../../host-sim/toolbox/image';
import { parseSeal, sealSector } from '../../firmware/core/update/seal';
import { openRunningImage } from '../../firmware/device/esp32/runningImage';
import { readSealSector, sealOffset } from '../../firmware/device/esp32/sealSector';

// The SDK's `flash` (modules/files/flash): a partition by name, its byteLength, read → ArrayBuffer.

const mockFlash: { partition: Uint8Array } = { partition: new Uint8Array(0) };
jest.mock(
  'flash',
  () => ({
    __esModule: true,
    default: class {
      readonly byteLength = mockFlash.partition.length;
      constructor(readonly name: string) {
        if (name !== 'running') throw new Error('can\'t find partition');
      }
      read(offset: number, length: number): ArrayBuffer {
        if (offset < 0 || offset + length > mockFlash.partition.length) throw new Error('read failed');
        return mockFlash.partition.slice(offset, offset + length).buffer;
      }
    },
  }),
  { virtual: true },
);

const DEMO_KEY = readFileSync(join(__dirname, '../../host-sim/update/demo-vendor-key.pem'), 'utf8');
const PARTITION_BYTES = 64 * 1024;
const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

/** An ESP32 app image as esptool's elf2image lays it out (esptool bin_image.py, ESP32FirmwareImage.save). */
function esp32Image(segmentLengths: number[], hashAppended: boolean): Uint8Array {
  const parts: number[] = [0xe9, segmentLengths.length, 0x02, 0x20, 0x18, 0x04, 0x08, 0x40];
  parts.push(0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, hashAppended ? 1 : 0); // extended header, hash_appended last
  let checksum = 0xef;
  segmentLengths.forEach((length, s) => {
    const address = 0x3f400020 + s * 0x10000;
    parts.push(address & 0xff, (address >>> 8) & 0xff, (address >>> 16) & 0xff, address >>> 24);
    parts.push(length & 0xff, (length >>> 8) & 0xff, (length >>> 16) & 0xff, length >>> 24);
    for (let i = 0; i < length; i++) {
      const byte = (i * 31 + s * 7 + 1) & 0xff;
      parts.push(byte);
      checksum ^= byte;
    }
  });
  while (parts.length % 16 !== 15) parts.push(0);
  parts.push(checksum);
  const body = Uint8Array.from(parts);
  if (!hashAppended) return body;
  const bin = new Uint8Array(body.length + 32);
  bin.set(body);
  bin.set(sha256(body), body.length);
  return bin;
}

function flashPartition(bin: Uint8Array, lastSector?: Uint8Array): void {
  mockFlash.partition = new Uint8Array(PARTITION_BYTES).fill(0xff);
  mockFlash.partition.set(bin, 0);
  if (lastSector) mockFlash.partition.set(lastSector, PARTITION_BYTES - 4096);
}

describe('ESP32 running image', () => {
  const bin = esp32Image([1000, 2044, 333 * 4], true);

  it('is as long as the .bin file, its digest the appended SHA-256 of all before it', () => {
    flashPartition(bin);
    const { image, problem } = openRunningImage();
    expect(problem).toBeUndefined();
    expect(bin.length % 16).toBe(0);
    expect(image.byteLength).toBe(bin.length);
    expect(image.expectedSha256).toEqual(sha256(bin.subarray(0, bin.length - 32)));
    expect(image.read(0, image.byteLength)).toEqual(bin);
    expect(() => image.read(0, image.byteLength + 1)).toThrow(expect.objectContaining({ code: 'flash-bounds' }));
  });

  it('without an appended hash is the image alone and has no digest', () => {
    const plain = esp32Image([512], false);
    flashPartition(plain);
    const { image, problem } = openRunningImage();
    expect(image.byteLength).toBe(plain.length);
    expect(image.expectedSha256).toBeUndefined();
    expect(problem).toBe('the build appended no SHA-256 (hash_appended = 0)');
  });

  it('has no seal when the last sector is erased or holds anything but "XSPS"', () => {
    flashPartition(bin);
    expect(openRunningImage().image.seal()).toBeUndefined();
    flashPartition(bin, Uint8Array.from({ length: 4096 }, (_, i) => (i * 37) & 0xff));
    expect(openRunningImage().image.seal()).toBeUndefined();
  });

  it('reads the seal the toolbox signed and esptool flashed, whose manifest covers exactly the .bin', () => {
    const signed = signImage({ image: bin, version: '1.2.0', security: 1, minVersion: '1.0.0', board: 'moddable_two', buildTime: Date.parse('2026-12-01T00:00:00Z'), privateKeyPem: DEMO_KEY });
    flashPartition(bin, sealSector(signed.seal));
    const { image } = openRunningImage();
    const sector = image.seal();
    expect(sector).toEqual(mockFlash.partition.subarray(PARTITION_BYTES - 4096));
    const parsed = parseSeal(sector!);
    expect(parsed.fields.size).toBe(image.byteLength);
    expect(parsed.fields.sha256).toEqual(sha256(bin));
    expect(verify('sha256', parsed.manifest, { key: createPublicKey(DEMO_KEY), dsaEncoding: 'der' }, parsed.signature)).toBe(true);
  });

  it('finds no seal where the image itself reaches into the last sector', () => {
    const big = new Uint8Array(PARTITION_BYTES).fill(0xff);
    big.set(Uint8Array.from([0x58, 0x53, 0x50, 0x53, 1]), PARTITION_BYTES - 4096);
    const read = (offset: number, length: number) => big.slice(offset, offset + length);
    expect(readSealSector(read, PARTITION_BYTES, PARTITION_BYTES - 4096)?.length).toBe(4096);
    expect(readSealSector(read, PARTITION_BYTES, PARTITION_BYTES - 4095)).toBeUndefined();
  });

  it.each([
    [0x1e0000, 0x1df000],
    [64 * 1024 + 100, 60 * 1024],
    [8192, 4096],
    [4096, -1],
  ])('puts the seal sector of a %d-byte partition at %d', (bytes, offset) => {
    expect(sealOffset(bytes)).toBe(offset);
  });
});
