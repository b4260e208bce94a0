/**
 * host-sim's OTA slots and bootloader (ESP-IDF semantics with app rollback): which slot boots,
 * the otadata states it writes, NOR rules on the inactive slot, and power cuts. Independent
 * references: node:crypto's SHA-256 for the appended hash, zlib's CRC-32 for the otadata crc.
 */
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { PortError } from '../../firmware/core/ports';
import { OTA_SECTOR, OtaSlots, SEAL_BYTES, otadataCrc } from '../../host-sim/update/otaSlots';
import { buildSimImage, parseSimImage } from '../../host-sim/update/simImage';
import { buildSync } from 'esbuild';
import { join } from 'node:path';

const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const SLOT = 32 * 1024;
const image = (version: string, extra: Partial<Parameters<typeof buildSimImage>[0]> = {}) =>
  buildSimImage({ version, buildTime: Date.UTC(2026, 10, 20), size: 12 * 1024, fillerSeed: version.length + 7, ...extra }, sha256);

function fresh(options: Partial<ConstructorParameters<typeof OtaSlots>[0]> = {}) {
  const slots = new OtaSlots({ slotBytes: SLOT, sha256, ...options });
  slots.install(0, image('1.0.0'), new Uint8Array([0x58, 0x50, 0x53, 0x53, 1]));
  return slots;
}

/** Writes `bytes` into the inactive slot through the UpdatePort, sector by sector, as an updater would. */
function download(slots: OtaSlots, bytes: Uint8Array) {
  const port = slots.port();
  for (let at = 0; at < bytes.length; at += OTA_SECTOR) {
    port.eraseSector(at / OTA_SECTOR);
    port.write(at, bytes.subarray(at, Math.min(bytes.length, at + OTA_SECTOR)));
  }
}

describe('sim image', () => {
  it('appends the SHA-256 of everything before it (node:crypto) and reads its header back', () => {
    const bytes = image('1.2.3', { behaviour: 'crash-at-boot' });
    expect(Buffer.from(bytes.subarray(0, 8)).toString('ascii')).toBe('XSPOSIMG');
    expect(bytes.subarray(-32)).toEqual(sha256(bytes.subarray(0, bytes.length - 32)));
    expect(parseSimImage(bytes)).toEqual({ version: '1.2.3', buildTime: Date.UTC(2026, 10, 20), board: 'xspos-sim', behaviour: 'crash-at-boot', size: 12 * 1024, hash: true });
    const header = JSON.parse(Buffer.from(bytes.subarray(10, 10 + ((bytes[8] << 8) | bytes[9]))).toString('ascii'));
    expect(header.version).toBe('1.2.3');
  });

  it('reads nothing from erased flash or a broken header, without throwing', () => {
    expect(parseSimImage(new Uint8Array(4096).fill(0xff))).toBeUndefined();
    const bytes = image('1.0.0');
    bytes[12] = 0x01;
    expect(parseSimImage(bytes)).toBeUndefined();
  });
});

describe('OTA slots and the bootloader', () => {
  it('a factory flash (blank otadata) boots slot 0 with no rollback state; its image port is the whole file, the appended digest over all but its last 32 bytes', () => {
    const slots = fresh();
    const booted = slots.bootloader()!;
    expect(booted.slot).toBe(0);
    expect(slots.runningState()).toBe('undefined');
    const running = slots.runningImage();
    const bytes = image('1.0.0');
    expect(running.byteLength).toBe(bytes.length);
    expect(running.read(0, running.byteLength)).toEqual(bytes);
    expect(() => running.read(0, running.byteLength + 1)).toThrow(expect.objectContaining({ code: 'flash-bounds' }));
    expect(running.expectedSha256).toEqual(bytes.subarray(-32));
    expect(running.expectedSha256).toEqual(sha256(bytes.subarray(0, bytes.length - 32)));
    expect(running.seal()!.subarray(0, 5)).toEqual(new Uint8Array([0x58, 0x50, 0x53, 0x53, 1]));
    expect(running.seal()!.length).toBe(SEAL_BYTES);
  });

  it('an image built without an appended digest: the port is the whole file and offers no digest', () => {
    const slots = new OtaSlots({ slotBytes: SLOT, sha256 });
    const bytes = image('1.0.0', { hash: false });
    slots.install(0, bytes, new Uint8Array([0x58, 0x50, 0x53, 0x53, 1]));
    slots.bootloader();
    const running = slots.runningImage();
    expect(running.byteLength).toBe(bytes.length);
    expect(running.expectedSha256).toBeUndefined();
    expect(running.read(0, running.byteLength)).toEqual(bytes);
  });

  it("new → pending-verify on the first boot; markValid keeps it; otadata crc is ESP-IDF's (esp_rom_crc32_le(UINT32_MAX, seq): zlib's CRC-32 from 0xFFFFFFFF)", () => {
    const slots = fresh();
    slots.bootloader();
    download(slots, image('1.1.0'));
    slots.port().activate();
    const [e0] = slots.entries();
    expect(e0).toEqual({ seq: 2, state: 'new', valid: true });
    const raw = slots.flash.bytes.subarray(0, 32);
    expect(Buffer.from(raw.subarray(28, 32)).readUInt32LE()).toBe(zlibCrc32(Buffer.from(raw.subarray(0, 4)), 0xffffffff));
    // seq 1: 0x4743989A (Python: zlib.crc32(bytes([1, 0, 0, 0]), 0xFFFFFFFF)), not zlib's plain 0x99F8B879.
    expect(otadataCrc(Uint8Array.of(1, 0, 0, 0))).toBe(0x4743989a);
    expect(slots.bootloader()!.slot).toBe(1);
    expect(slots.port().running()).toEqual({ slot: 1, state: 'pending-verify' });
    slots.port().markValid();
    expect(slots.runningState()).toBe('valid');
    expect(slots.bootloader()!.header.version).toBe('1.1.0');
    expect(slots.runningState()).toBe('valid');
    // The next update goes back to slot 0 with the next seq, in the other entry.
    download(slots, image('1.2.0'));
    slots.port().activate();
    expect(slots.entries()[1]).toEqual({ seq: 3, state: 'new', valid: true });
    expect(slots.bootloader()!.slot).toBe(0);
  });

  it('a reset while pending-verify aborts the image and boots the other slot', () => {
    const slots = fresh();
    slots.bootloader();
    download(slots, image('1.1.0'));
    slots.port().activate();
    expect(slots.bootloader()!.slot).toBe(1);
    const booted = slots.bootloader()!;
    expect([booted.slot, booted.header.version]).toEqual([0, '1.0.0']);
    expect(slots.entries()[0].state).toBe('aborted');
    expect(slots.bootloader()!.slot).toBe(0);
  });

  it('rollback marks the running image invalid, asks for a restart, and the old slot boots', () => {
    let restarts = 0;
    const slots = fresh({ onRestart: () => restarts++ });
    slots.bootloader();
    download(slots, image('1.1.0'));
    slots.port().activate();
    slots.bootloader();
    slots.port().rollback();
    expect(restarts).toBe(1);
    expect(slots.entries()[0].state).toBe('invalid');
    expect(slots.bootloader()!.header.version).toBe('1.0.0');
    // Nothing to roll back to from the old image now: refused, nothing changed.
    expect(() => slots.port().rollback()).toThrow(expect.objectContaining({ code: 'update' }));
  });

  it('never boots an image whose appended SHA-256 fails, and refuses to activate one', () => {
    const slots = fresh();
    slots.bootloader();
    const bad = image('1.1.0');
    bad[5000] ^= 0x04;
    download(slots, bad);
    expect(() => slots.port().activate()).toThrow(expect.objectContaining({ name: 'PortError', code: 'update' }));
    expect(slots.entries().every((e) => !e.valid)).toBe(true);
    // Activated while good, then a bit decays: the bootloader falls back to the good slot.
    slots.install(1, image('1.1.0'));
    slots.port().activate();
    slots.corrupt(1, 100, 0x10);
    expect(slots.bootloader()!.slot).toBe(0);
  });

  it('keeps NOR rules on the inactive slot and never touches the running one', () => {
    const slots = fresh();
    slots.bootloader();
    const port = slots.port();
    port.eraseSector(0);
    port.write(0, Uint8Array.of(0x0f));
    expect(() => port.write(0, Uint8Array.of(0xf0))).toThrow(expect.objectContaining({ code: 'flash-program' }));
    expect(() => port.write(SLOT - 1, Uint8Array.of(1, 2))).toThrow(expect.objectContaining({ code: 'flash-bounds' }));
    expect(() => port.eraseSector(SLOT / OTA_SECTOR)).toThrow(expect.objectContaining({ code: 'flash-bounds' }));
    expect(slots.slotImage(0).subarray(0, 8)).toEqual(image('1.0.0').subarray(0, 8));
  });

  it('a cut write leaves its first half, powers off, counts ops, and everything fails until power-on', () => {
    let cuts = 0;
    const slots = fresh({ onPowerCut: () => cuts++ });
    slots.bootloader();
    const port = slots.port();
    port.eraseSector(0);
    expect(slots.opCount).toBe(1);
    slots.armCut(1);
    port.write(0, new Uint8Array(16).fill(0x11));
    const error = (() => {
      try {
        port.write(16, new Uint8Array(16).fill(0x22));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PortError);
    expect((error as PortError).code).toBe('flash-power');
    expect(cuts).toBe(1);
    const got = port.read.bind(port);
    expect(() => got(0, 4)).toThrow(expect.objectContaining({ code: 'flash-power' }));
    slots.powerOn();
    const after = port.read(16, 16);
    expect(after.subarray(0, 8)).toEqual(new Uint8Array(8).fill(0x22));
    expect(after[8] & 0x22).toBe(0x22);
    expect(after.subarray(9)).toEqual(new Uint8Array(7).fill(0xff));
    expect(slots.opCount).toBe(3);
  });

  it('a cut otadata write (the switch) leaves that entry invalid: the old image boots', () => {
    const slots = fresh();
    slots.bootloader();
    download(slots, image('1.1.0'));
    slots.armCut(0);
    expect(() => slots.port().activate()).toThrow(expect.objectContaining({ code: 'flash-power' }));
    slots.powerOn();
    expect(slots.entries()[0].valid).toBe(false);
    expect(slots.bootloader()!.header.version).toBe('1.0.0');
  });

  it('a cut while the bootloader writes pending-verify: the next power-on boots the new image once', () => {
    const slots = fresh();
    slots.bootloader();
    download(slots, image('1.1.0'));
    slots.port().activate();
    slots.armCut(0);
    expect(() => slots.bootloader()).toThrow(expect.objectContaining({ code: 'flash-power' }));
    slots.powerOn();
    // Entry 0 was erased and half-written: invalid, so the factory slot boots.
    expect(slots.bootloader()!.slot).toBe(0);
  });
});

describe('engine-neutral', () => {
  it('OtaSlots and the sim image bundle for XS without a Node built-in', () => {
    const { outputFiles } = buildSync({ entryPoints: [join(__dirname, '../../host-sim/update/otaSlots.ts')], bundle: true, write: false, format: 'iife', platform: 'neutral', target: 'es2022', logLevel: 'silent' });
    const code = outputFiles[0].text;
    expect(code).toContain('XSPOSIMG');
    expect(code).not.toMatch(/require\(["']|from ["']node:|TextEncoder|Buffer\./);
  });
});
