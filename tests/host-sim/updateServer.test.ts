/**
 * The simulated update server, checked with curl as an independent HTTP client (node's own
 * http client when curl is absent, counted as such): ranges, Content-Length, the faults.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { startUpdateServer, type UpdateServer } from '../../host-sim/update/updateServer';
import { HttpGet, parseHttpUrl } from '../../firmware/core/update/httpGet';
import { parseScenario } from '../../host-sim/scenario/schema';
import { drive } from '../../host-sim/scenario/hostSteps';
import { makeImage } from '../../host-sim/update/makeImage';
import { runInWorld, startWorld, UPDATE_URL } from '../../host-sim/world';
import { loadScenario, SCENARIO_DIR } from '../../host-sim/scenario/load';
import { join } from 'node:path';

const image = new Uint8Array(createHash('sha512').update('img').digest().toString('hex').repeat(40).split('').map((c) => c.charCodeAt(0)));
const seal = Uint8Array.from([0x58, 0x50, 0x53, 0x53, 1, 0, 3, 0xa1, 0x01, 0x02, 0, 4, 0x30, 0x02, 0x01, 0x00]);

/** curl when installed (an independent client); node:http otherwise, and the test titles say which. */
const curl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const CLIENT = curl ? 'curl' : 'node:http';

interface Got {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** curl's exit code (18: transfer closed with outstanding data; 7: could not connect). */
  exit: number;
}

/** GET `url` with optional headers through curl (or node:http), headers lower-cased. */
function get(url: string, headers: Record<string, string> = {}): Promise<Got> {
  if (curl)
    return new Promise((resolve) => {
      const args = ['-s', '-i', '--http1.1', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
      execFile('curl', args, { encoding: 'buffer', maxBuffer: 1 << 22 }, (error, stdout) => {
        const exit = error ? Number((error as { code?: number }).code ?? 1) : 0;
        const split = stdout.indexOf('\r\n\r\n');
        if (split < 0) return resolve({ status: 0, headers: {}, body: Buffer.alloc(0), exit });
        const lines = stdout.subarray(0, split).toString('latin1').split('\r\n');
        const status = Number(lines[0].split(' ')[1]);
        const h: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const i = line.indexOf(':');
          h[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
        }
        resolve({ status, headers: h, body: stdout.subarray(split + 4), exit });
      });
    });
  return new Promise((resolve) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks), exit: res.complete ? 0 : 18 }));
      res.on('aborted', () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks), exit: 18 }));
      res.on('error', () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks), exit: 18 }));
    });
    req.on('error', () => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), exit: 7 }));
    req.end();
  });
}

describe(`update server, read with ${CLIENT}`, () => {
  let server: UpdateServer;
  beforeEach(async () => {
    server = await startUpdateServer({ board: 'xspos-sim', offers: [{ version: '1.1.0', image, seal }] });
  });
  afterEach(() => server.close());

  it(`serves the seal and the whole image with Content-Length and Connection: close (${CLIENT})`, async () => {
    const s = await get(`${server.url}xspos-sim/latest.seal`);
    expect([s.status, s.headers['content-length'], s.headers.connection]).toEqual([200, String(seal.length), 'close']);
    expect(new Uint8Array(s.body)).toEqual(seal);
    const whole = await get(`${server.url}xspos-sim/1.1.0.bin`);
    expect(whole.status).toBe(200);
    expect(new Uint8Array(whole.body)).toEqual(image);
    expect(whole.headers['transfer-encoding']).toBeUndefined();
  });

  it('answers Range: bytes=N- with 206 and Content-Range, and 416 past the end', async () => {
    const part = await get(`${server.url}xspos-sim/1.1.0.bin`, { Range: 'bytes=1000-' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-${image.length - 1}/${image.length}`);
    expect(new Uint8Array(part.body)).toEqual(image.subarray(1000));
    const closed = await get(`${server.url}xspos-sim/1.1.0.bin`, { Range: 'bytes=10-19' });
    expect(new Uint8Array(closed.body)).toEqual(image.subarray(10, 20));
    const past = await get(`${server.url}xspos-sim/1.1.0.bin`, { Range: `bytes=${image.length}-` });
    expect([past.status, past.headers['content-range']]).toEqual([416, `bytes */${image.length}`]);
    expect((await get(`${server.url}other-board/latest.seal`)).status).toBe(404);
    expect((await get(`${server.url}xspos-sim/9.9.9.bin`)).status).toBe(404);
  });

  it('truncates once: fewer bytes than announced, then the resumed range completes', async () => {
    server.faults = [{ kind: 'truncate', afterBytes: 700 }];
    const cut = await get(`${server.url}xspos-sim/1.1.0.bin`);
    expect(cut.headers['content-length']).toBe(String(image.length));
    expect(cut.body.length).toBe(700);
    expect(cut.exit).toBe(18);
    const rest = await get(`${server.url}xspos-sim/1.1.0.bin`, { Range: 'bytes=700-' });
    expect(Buffer.concat([cut.body, rest.body]).equals(Buffer.from(image))).toBe(true);
  });

  it('flips an image byte (wrong-hash) or a signature byte (bad-signature)', async () => {
    server.faults = [{ kind: 'wrong-hash', offset: 5 }, { kind: 'bad-signature' }];
    const img = await get(`${server.url}xspos-sim/1.1.0.bin`);
    const diff = [...img.body].flatMap((b, i) => (b !== image[i] ? [i] : []));
    expect(diff).toEqual([5]);
    const s = await get(`${server.url}xspos-sim/latest.seal`);
    const sealDiff = [...s.body].flatMap((b, i) => (b !== seal[i] ? [i] : []));
    expect(sealDiff).toEqual([14]); // the signature's middle byte (it starts at 12, 4 bytes)
  });

  it('is down (refused) while the fault holds, and back on the same port after', async () => {
    server.faults = [{ kind: 'down' }];
    await new Promise((r) => setTimeout(r, 20));
    const down = await get(`${server.url}xspos-sim/latest.seal`);
    expect(down.status).toBe(0);
    expect(down.exit).not.toBe(0);
    server.faults = [];
    await new Promise((r) => setTimeout(r, 20));
    expect((await get(`${server.url}xspos-sim/latest.seal`)).status).toBe(200);
  });

  it('sends slow bodies in pieces, whole in the end', async () => {
    server.faults = [{ kind: 'slow', chunkBytes: 512 }];
    const img = await get(`${server.url}xspos-sim/1.1.0.bin`, { Range: 'bytes=100-' });
    expect(new Uint8Array(img.body)).toEqual(image.subarray(100));
  });
});

describe('update server inside a simulated world (the loopback ledger, the terminal\'s own HTTP client)', () => {
  const scenario = (faults: unknown[]) =>
    parseScenario({ name: 'x', acquirer: null, update: { server: { images: [{ version: '1.1.0', bytes: 20 * 1024 }], faults } }, steps: [{ do: 'boot' }] });

  async function get(faults: unknown[], from = 0) {
    const s = scenario(faults);
    const world = await startWorld(s);
    const chunks: Uint8Array[] = [];
    const sink = { head: () => undefined, body: (b: Uint8Array) => void chunks.push(b.slice()) };
    try {
      const url = parseHttpUrl(`${UPDATE_URL}xspos-sim/1.1.0.bin`);
      const request = new HttpGet({ network: world.ports.network, clock: world.clock, url, from, maxLength: 1 << 20, connectTimeoutMs: 10_000, idleTimeoutMs: 10_000 }, sink);
      let error: unknown;
      const head = await drive(world, request.run().catch((e: unknown) => void (error = e)));
      const expected = makeImage({ version: '1.1.0', buildTime: s.update!.server!.images[0].builtMs, bytes: 20 * 1024, behaviour: 'normal', security: 0, minVersion: '0.0.0', seed: s.seed, sealed: true, board: undefined }).image;
      return { head, error, body: Buffer.concat(chunks), expected, log: world.updateServer!.log };
    } finally {
      await world.close();
    }
  }

  it('serves the whole image, then a resumed range, to the core\'s HttpGet over the simulated network', async () => {
    const whole = await get([]);
    expect(whole.error).toBeUndefined();
    expect(whole.body.equals(Buffer.from(whole.expected))).toBe(true);
    expect(createHash('sha256').update(whole.body.subarray(0, -32)).digest().equals(whole.body.subarray(-32))).toBe(true);
    const cut = await get([{ kind: 'truncate', afterBytes: 5000 }]);
    expect(cut.error).toMatchObject({ name: 'UpdateError', code: 'update-truncated' });
    expect(cut.body.length).toBe(5000);
    const rest = await get([], 5000);
    expect(rest.log[0].range).toBe('bytes=5000-');
    expect(Buffer.concat([cut.body, rest.body]).equals(Buffer.from(whole.expected))).toBe(true);
    const down = await get([{ kind: 'down' }]);
    expect(down.error).toMatchObject({ name: 'UpdateError', code: 'update-server' });
  });
});

describe('the shipped update-truncated scenario', () => {
  it('resumes the download with a Range from the 64 KB the durable record kept, and the report says so', async () => {
    const { outcome } = await runInWorld(loadScenario(join(SCENARIO_DIR, 'update-truncated.json')));
    const bins = outcome.report.updateServer!.filter((r) => r.path.endsWith('.bin'));
    expect(bins.map((r) => [r.status, r.range, r.bytes, r.fault])).toEqual([
      [200, undefined, 70000, 'truncate'],
      [206, 'bytes=65536-', 131072 - 65536, undefined],
    ]);
  });
});
