/**
 * One update check (update/updateFlow.ts UpdateCheck) against servers the simulator's does not
 * play: node:http on loopback that ignores Range (200 with the whole image to a ranged GET), and
 * one whose 206 answers a range of another size. The slot is an in-memory NOR slot (erase to
 * 0xFF, writes only clear bits); the image is checked with node:crypto, the seal with the core's
 * verifier under the demo vendor key (tests/update/updateFlow checks it with openssl).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pemToDer } from '../../firmware/core/security/x509';
import type { AddressInfo } from 'node:net';
import { UpdateCheck } from '../../firmware/core/update/updateFlow';
import { IDLE_UPDATE_STATE } from '../../firmware/core/update/updateState';
import { PortError, type Ports, type UpdatePort } from '../../firmware/core/ports';
import { makeImage } from '../../host-sim/update/makeImage';
import type { UpdateOutcome } from '../../firmware/core/update/types';
import { CheckHost, TlsNetwork } from './updateTestKit';

const SLOT = 256 * 1024;

class MemorySlot implements UpdatePort {
  readonly board = 'xspos-sim';
  readonly slotBytes = SLOT;
  readonly sectorSize = 4096;
  readonly bytes = new Uint8Array(SLOT).fill(0xff);
  activated = 0;
  running() {
    return { slot: 0, state: 'valid' as const };
  }
  eraseSector(i: number) {
    this.bytes.fill(0xff, i * 4096, (i + 1) * 4096);
  }
  write(offset: number, data: Uint8Array) {
    for (let i = 0; i < data.length; i++) {
      if ((this.bytes[offset + i] & data[i]) !== data[i]) throw new PortError('flash-program', `bit set at ${offset + i}`);
      this.bytes[offset + i] &= data[i];
    }
  }
  read(offset: number, length: number) {
    return this.bytes.slice(offset, offset + length);
  }
  activate() {
    this.activated++;
  }
  markValid() {}
  rollback() {}
}

type Host = CheckHost<MemorySlot>;

const made = makeImage({ version: '1.1.0', buildTime: Date.UTC(2026, 10, 21), bytes: 150 * 1024, seed: 5 });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function serve(image: (range: string | undefined, res: import('node:http').ServerResponse) => void) {
  const ranges: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === '/fw/xspos-sim/latest.seal') return res.writeHead(200, { 'Content-Length': made.seal!.length }).end(Buffer.from(made.seal!));
    ranges.push(req.headers.range);
    image(req.headers.range, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fw/`, ranges, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function check(host: Host, url: string): Promise<UpdateOutcome> {
  return new UpdateCheck(host, host.slot, { url, ca: undefined }).run();
}

describe('one check against servers of other kinds', () => {
  it('a server that ignores Range: the 200 starts the image over from byte 0, and it installs', async () => {
    const server = await serve((_range, res) => res.writeHead(200, { 'Content-Length': made.image.length }).end(Buffer.from(made.image)));
    const host = new CheckHost(new MemorySlot());
    // Half written before (the durable mark at 64 KB), with bytes that are not the image's.
    host.slot.bytes.fill(0x00, 0, 65536);
    const target = { version: '1.1.0', security: 0, size: made.image.length, sha256: new Uint8Array(createHash('sha256').update(made.image).digest()), buildTime: Date.UTC(2026, 10, 21) };
    host.state = { ...IDLE_UPDATE_STATE, phase: 'downloading', target, written: 65536 };
    expect(await check(host, server.url)).toEqual({ kind: 'installed', version: '1.1.0' });
    expect(server.ranges).toEqual(['bytes=65536-']);
    expect(sha(host.slot.bytes.subarray(0, made.image.length))).toBe(sha(made.image));
    expect(Buffer.from(host.slot.bytes.subarray(SLOT - 4096, SLOT - 4096 + made.seal!.length)).equals(Buffer.from(made.seal!))).toBe(true);
    expect(host.slot.activated).toBe(1);
    expect(host.state.phase).toBe('switched');
    // The record was put at each 64 KB and at the end.
    expect(host.puts.filter((w) => w > 0)).toEqual([65536, 131072, made.image.length, made.image.length, made.image.length]);
    await server.close();
  });

  it('a 206 for a range that does not end at the image size: refused update-size, nothing switched', async () => {
    const server = await serve((_range, res) => res.writeHead(206, { 'Content-Length': 10, 'Content-Range': `bytes 65536-65545/${made.image.length + 10}` }).end(Buffer.alloc(10)));
    const host = new CheckHost(new MemorySlot());
    const target = { version: '1.1.0', security: 0, size: made.image.length, sha256: new Uint8Array(createHash('sha256').update(made.image).digest()), buildTime: Date.UTC(2026, 10, 21) };
    host.slot.bytes.set(made.image.subarray(0, 65536), 0);
    host.state = { ...IDLE_UPDATE_STATE, phase: 'downloading', target, written: 65536 };
    const outcome = await check(host, server.url);
    expect(outcome).toMatchObject({ kind: 'refused', code: 'update-size' });
    expect(host.facts).toEqual(['update.refused warn']);
    expect(host.slot.activated).toBe(0);
    await server.close();
  });

  it('a malformed URL setting: failed update-url, nothing asked of the network', async () => {
    const host = new CheckHost(new MemorySlot());
    expect(await check(host, 'ftp://updates/')).toMatchObject({ kind: 'failed', code: 'update-url' });
    expect(host.facts).toEqual(['update.download-failed info']);
  });
});

describe('over https (openssl-made certificates)', () => {
  it('checks, downloads and installs from an https server that chains to the anchor given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xspos-upd-https-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=update-ca');
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'host.key', '-out', 'host.csr', '-subj', '/CN=updates.test');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:updates.test\n');
    openssl('x509', '-req', '-in', 'host.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'host.pem', '-days', '30', '-extfile', 'san.ext');
    const server = createHttpsServer({ cert: readFileSync(join(dir, 'host.pem')), key: readFileSync(join(dir, 'host.key')) }, (req, res) => {
      const body = req.url === '/fw/xspos-sim/latest.seal' ? made.seal! : made.image;
      res.writeHead(200, { 'Content-Length': body.length }).end(Buffer.from(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const host = new CheckHost(new MemorySlot());
    (host.ports as { network: Ports['network'] }).network = new TlsNetwork();
    const ca = pemToDer(readFileSync(join(dir, 'ca.pem'), 'latin1'))[0];
    const outcome = await new UpdateCheck(host, host.slot, { url: `https://updates.test:${port}/fw/`, ca }).run();
    expect(outcome).toEqual({ kind: 'installed', version: '1.1.0' });
    expect(sha(host.slot.bytes.subarray(0, made.image.length))).toBe(sha(made.image));
    await new Promise<void>((r) => server.close(() => r()));
  });
});
