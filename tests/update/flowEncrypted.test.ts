/**
 * An update into a slot under ESP32 flash encryption (update/updateFlow.ts against the rules
 * firmware/device/esp32/otaSlots.ts and ESP-IDF's encrypted write enforce): every write must be
 * 16-byte aligned in offset and length (esp_flash_write_encrypted refuses others), a 16-byte
 * block cannot be written twice between erases (its ciphertext would be ANDed into noise), and
 * erased bytes never written read back as noise, not 0xFF (reads decrypt). The slot's bytes
 * are checked independently: the image with node:crypto's SHA-256, the seal's signature with
 * node:crypto under the demo vendor key's public half (the PEM the toolbox signs with).
 */
import { createHash, createPrivateKey, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortError, type UpdatePort } from '../../firmware/core/ports';
import { parseSeal, SEAL_SECTOR_BYTES } from '../../firmware/core/update/seal';
import type { UpdateOutcome } from '../../firmware/core/update/types';
import { UpdateCheck, WRITE_ALIGN } from '../../firmware/core/update/updateFlow';
import { verifySeal } from '../../firmware/core/update/verify';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { DEMO_VENDOR_KEY_PATH, makeImage } from '../../host-sim/update/makeImage';
import { CheckHost } from './updateTestKit';

const SLOT = 256 * 1024;
const SECTOR = 4096;
const BLOCK = 16;

/** An encrypted OTA slot as the board's port and ESP-IDF present it (plaintext kept, noise for unwritten blocks). */
class EncryptedSlot implements UpdatePort {
  readonly board = 'xspos-sim';
  readonly slotBytes = SLOT;
  readonly sectorSize = SECTOR;
  readonly plain = new Uint8Array(SLOT);
  /** 1 for each 16-byte block written since its sector's erase. */
  readonly written = new Uint8Array(SLOT / BLOCK);
  readonly writes: string[] = [];
  activated = 0;
  running() {
    return { slot: 0, state: 'valid' as const };
  }
  eraseSector(i: number) {
    this.written.fill(0, (i * SECTOR) / BLOCK, ((i + 1) * SECTOR) / BLOCK);
  }
  write(offset: number, data: Uint8Array) {
    this.writes.push(`${offset}+${data.length}`);
    if (offset % BLOCK !== 0 || data.length % BLOCK !== 0) throw new PortError('flash-bounds', `encrypted write ${offset}+${data.length} not 16-aligned`);
    for (let b = offset / BLOCK; b < (offset + data.length) / BLOCK; b++)
      if (this.written[b]) throw new PortError('flash-program', `block at ${b * BLOCK} written twice since its erase`);
    this.plain.set(data, offset);
    this.written.fill(1, offset / BLOCK, (offset + data.length) / BLOCK);
  }
  read(offset: number, length: number) {
    const out = this.plain.slice(offset, offset + length);
    // Erased, never written: the decryption of 0xFF ciphertext, noise (never all 0xFF).
    for (let i = 0; i < length; i++) if (!this.written[Math.floor((offset + i) / BLOCK)]) out[i] = ((offset + i) * 151 + 7) & 0xff;
    return out;
  }
  activate() {
    this.activated++;
  }
  markValid() {}
  rollback() {}
}

type Host = CheckHost<EncryptedSlot>;

// An image whose size is not a multiple of 16 (nor of a sector): its last write needs the padding.
const made = makeImage({ version: '1.1.0', buildTime: Date.UTC(2026, 10, 21), bytes: 150 * 1024 + 7, seed: 11 });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const demoPublic = createPublicKey(createPrivateKey(readFileSync(DEMO_VENDOR_KEY_PATH, 'utf8')));

/** Serves the seal and the image with Range; `cutAt` closes the first image answer after that many bytes. */
async function serve(cutAt?: number) {
  const ranges: (string | undefined)[] = [];
  let cut = cutAt;
  const server: Server = createServer((req, res) => {
    if (req.url === '/fw/xspos-sim/latest.seal') return res.writeHead(200, { 'Content-Length': made.seal!.length }).end(Buffer.from(made.seal!));
    ranges.push(req.headers.range);
    const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const body = made.image.subarray(from);
    res.writeHead(from ? 206 : 200, { 'Content-Length': body.length, ...(from ? { 'Content-Range': `bytes ${from}-${made.image.length - 1}/${made.image.length}` } : {}) });
    if (cut === undefined) return res.end(Buffer.from(body));
    res.write(Buffer.from(body.subarray(0, cut)), () => res.destroy());
    cut = undefined;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fw/`, ranges, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function check(host: Host, url: string): Promise<UpdateOutcome> {
  return new UpdateCheck(host, host.slot, { url, ca: undefined }).run();
}

/** What the bootloader and the new image's probe will find: the image's hash, the seal parsed and its signature. */
function expectInstalled(slot: EncryptedSlot) {
  const image = slot.read(0, made.image.length);
  expect(sha(image)).toBe(sha(made.image));
  const sector = slot.read(SLOT - SEAL_SECTOR_BYTES, SEAL_SECTOR_BYTES);
  // The whole seal sector was written: the seal, then 0xFF (no noise for parseSeal to refuse).
  expect(Buffer.from(sector.subarray(0, made.seal!.length)).equals(Buffer.from(made.seal!))).toBe(true);
  expect(sector.subarray(made.seal!.length).every((b) => b === 0xff)).toBe(true);
  const parsed = parseSeal(sector);
  expect(nodeVerify('sha256', parsed.manifest, demoPublic, parsed.signature)).toBe(true);
  const manifest = verifySeal(NodeCrypto.secure(), sector);
  expect([manifest.version, manifest.size, Buffer.from(manifest.sha256).toString('hex')]).toEqual(['1.1.0', made.image.length, sha(made.image)]);
  // The image's last partial block was padded with 0xFF, not left as noise.
  const end = Math.ceil(made.image.length / BLOCK) * BLOCK;
  expect(slot.read(made.image.length, end - made.image.length).every((b) => b === 0xff)).toBe(true);
  // Every write 16-aligned in offset and length (the slot refused any other, so reaching here says it too).
  for (const w of slot.writes) {
    const [offset, length] = w.split('+').map(Number);
    expect([offset % WRITE_ALIGN, length % WRITE_ALIGN]).toEqual([0, 0]);
  }
}

describe('an update into an encrypted slot (16-byte writes, unwritten bytes read as noise)', () => {
  it('downloads, pads the last sector, writes the whole seal sector, and the seal parses and verifies', async () => {
    expect(made.image.length % BLOCK).not.toBe(0);
    const server = await serve();
    const host = new CheckHost(new EncryptedSlot());
    expect(await check(host, server.url)).toEqual({ kind: 'installed', version: '1.1.0' });
    expect(host.slot.activated).toBe(1);
    expectInstalled(host.slot);
    // The last image sector (partial) and the seal sector: both written as 16-byte multiples.
    const lastSector = Math.floor(made.image.length / SECTOR) * SECTOR;
    expect(host.slot.writes).toContain(`${lastSector}+${Math.ceil((made.image.length - lastSector) / BLOCK) * BLOCK}`);
    expect(host.slot.writes).toContain(`${SLOT - SEAL_SECTOR_BYTES}+${SEAL_SECTOR_BYTES}`);
    await server.close();
  });

  it('a download cut mid-sector resumes from the 64 KB record, re-hashing what it reads back, and installs', async () => {
    const server = await serve(100_000 + 5);
    const host = new CheckHost(new EncryptedSlot());
    expect(await check(host, server.url)).toMatchObject({ kind: 'failed' });
    expect(host.state).toMatchObject({ phase: 'downloading', written: 65536 });
    expect(await check(host, server.url)).toEqual({ kind: 'installed', version: '1.1.0' });
    expect(server.ranges).toEqual([undefined, 'bytes=65536-']);
    expectInstalled(host.slot);
    await server.close();
  });
});
