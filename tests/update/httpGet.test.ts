/**
 * The update's HTTP client (firmware/core/update/httpGet.ts) on real loopback sockets through
 * host-sim's network port (NodeNetwork), against node:http as the server and curl as an
 * independent client of the same server; raw node:net peers for answers node:http will not
 * write (no length, a broken range, a huge head, a close mid-body). Timeouts run on virtual time
 * (advanced by the test), never on the wall clock. https: node:tls with openssl-made certificates.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, Socket, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttpsServer } from 'node:https';
import { HttpGet, parseHttpUrl, HEADER_CAP, type HttpHead, type HttpSink } from '../../firmware/core/update/httpGet';
import { UpdateError } from '../../firmware/core/update/errors';
import { PortError, type NetworkPort } from '../../firmware/core/ports';
import { NodeNetwork } from '../../host-sim/ports/nodeNetwork';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { pemToDer } from '../../firmware/core/security/x509';
import { TlsNetwork } from './updateTestKit';

const IMAGE = new Uint8Array(randomBytes(200_000));

/** Collects what the client hands its sink. */
class Collector implements HttpSink {
  heads: HttpHead[] = [];
  chunks: Uint8Array[] = [];
  head(head: HttpHead) {
    this.heads.push(head);
  }
  body(bytes: Uint8Array) {
    this.chunks.push(bytes.slice());
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function listen<T extends Server | HttpServer>(server: T): Promise<{ server: T; port: number; close: () => Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, port, close: () => new Promise<void>((r) => { (server as HttpServer).closeAllConnections?.(); server.close(() => r()); }) };
}

/** node:http serving IMAGE at /b/1.bin with Range (as an update server does), 404 elsewhere; records request heads. */
function imageServer(seen: IncomingHttpHeaders[], handler?: RequestListener) {
  return createHttpServer(handler ?? ((req, res) => {
    seen.push(req.headers);
    if (req.url !== '/b/1.bin') return res.writeHead(404, { 'Content-Length': 0 }).end();
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = range ? Number(range[1]) : 0;
    if (range) res.writeHead(206, { 'Content-Length': IMAGE.length - from, 'Content-Range': `bytes ${from}-${IMAGE.length - 1}/${IMAGE.length}` });
    else res.writeHead(200, { 'Content-Length': IMAGE.length });
    res.end(Buffer.from(IMAGE.subarray(from)));
  }));
}

/** A raw peer: writes `answer` (then closes unless `hold`) to whoever connects, after reading the request head. */
function rawPeer(answer: Buffer, hold = false) {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => {
    sockets.push(socket);
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.write(answer);
      if (!hold) socket.end();
    });
    socket.on('error', () => undefined);
  });
  return { server, sockets };
}

const T0 = Date.UTC(2026, 0, 1);
function get(port: number, path: string, extra: { from?: number; maxLength?: number; network?: NetworkPort; host?: string; tls?: boolean; ca?: Uint8Array } = {}) {
  const clock = new VirtualClock(T0);
  const sink = new Collector();
  const url = parseHttpUrl(`${extra.tls ? 'https' : 'http'}://${extra.host ?? '127.0.0.1'}:${port}${path}`);
  const request = new HttpGet(
    { network: extra.network ?? new NodeNetwork(), clock, url, maxLength: extra.maxLength ?? 1 << 20, connectTimeoutMs: 5_000, idleTimeoutMs: 10_000, ...(extra.from !== undefined ? { from: extra.from } : {}), ...(extra.ca ? { ca: extra.ca } : {}) },
    sink,
  );
  return { clock, sink, request, result: request.run().then((head) => ({ head }), (error: unknown) => ({ error })) };
}

const failure = (error: unknown) => (error instanceof UpdateError ? `${error.code}` : `not an UpdateError: ${String(error)}`);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** curl as a child process, asynchronously: the server it asks lives in this process's event loop. */
const curl = (...args: string[]) =>
  new Promise<Buffer>((resolve, reject) =>
    execFile('curl', ['-s', '-S', '--http1.1', ...args], { encoding: 'buffer', maxBuffer: 4 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );

describe('GET against node:http (curl as a second client of the same server)', () => {
  it('streams a 200 body of Content-Length bytes; the request says Host and Connection: close, no Range', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const peer = await listen(imageServer(seen));
    const { sink, result } = get(peer.port, '/b/1.bin');
    const { head } = (await result) as { head: HttpHead };
    expect(head).toEqual({ status: 200, length: IMAGE.length, start: 0 });
    expect(sink.heads).toEqual([head]);
    expect(sha(sink.bytes)).toBe(sha(IMAGE));
    expect(sha(await curl(`http://127.0.0.1:${peer.port}/b/1.bin`))).toBe(sha(IMAGE));
    expect(seen[0]).toMatchObject({ host: `127.0.0.1:${peer.port}`, connection: 'close' });
    expect(seen[0].range).toBeUndefined();
    await peer.close();
  });

  it('asks Range: bytes=N- and takes the 206 whose Content-Range starts at N (curl -r gets the same bytes)', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const peer = await listen(imageServer(seen));
    const { sink, result } = get(peer.port, '/b/1.bin', { from: 65536 });
    const { head } = (await result) as { head: HttpHead };
    expect(head).toEqual({ status: 206, length: IMAGE.length - 65536, start: 65536, total: IMAGE.length });
    expect(seen[0].range).toBe('bytes=65536-');
    expect(sha(sink.bytes)).toBe(sha(IMAGE.subarray(65536)));
    expect(sha(await curl('-r', '65536-', `http://127.0.0.1:${peer.port}/b/1.bin`))).toBe(sha(sink.bytes));
    await peer.close();
  });

  it('ends at the head of a 404, with the status for the caller; no body reaches the sink', async () => {
    const peer = await listen(imageServer([]));
    const { sink, result } = get(peer.port, '/b/latest.seal');
    expect(await result).toEqual({ head: { status: 404, length: 0, start: 0 } });
    expect(sink.heads).toEqual([]);
    await peer.close();
  });

  it('refuses a chunked answer (node:http writes one when no length is set)', async () => {
    const peer = await listen(imageServer([], (_req, res) => {
      res.writeHead(200);
      res.write('abc');
      res.end('def');
    }));
    const { sink, result } = get(peer.port, '/x');
    const { error } = (await result) as { error: unknown };
    expect(failure(error)).toBe('update-http');
    expect((error as Error).message).toMatch(/Transfer-Encoding/);
    expect(sink.chunks).toEqual([]);
    await peer.close();
  });

  it('refuses a body longer than the caller takes, at the head', async () => {
    const peer = await listen(imageServer([]));
    const { sink, result } = get(peer.port, '/b/1.bin', { maxLength: 4096 });
    expect(failure(((await result) as { error: unknown }).error)).toBe('update-http');
    expect(sink.heads).toEqual([]);
    await peer.close();
  });
});

describe('answers node:http would not write (raw peers)', () => {
  const cases: { why: string; answer: string; code: string }[] = [
    { why: 'no Content-Length', answer: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc', code: 'update-http' },
    { why: 'a 206 from another byte than asked', answer: 'HTTP/1.1 206 Partial\r\nContent-Length: 3\r\nContent-Range: bytes 0-2/10\r\n\r\nabc', code: 'update-http' },
    { why: 'a 206 whose range does not match its length', answer: 'HTTP/1.1 206 Partial\r\nContent-Length: 4\r\nContent-Range: bytes 7-9/10\r\n\r\nabcd', code: 'update-http' },
    { why: 'a 206 without Content-Range', answer: 'HTTP/1.1 206 Partial\r\nContent-Length: 3\r\n\r\nabc', code: 'update-http' },
    { why: 'two different lengths', answer: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc', code: 'update-http' },
    { why: 'not HTTP', answer: 'SSH-2.0-OpenSSH_9.6\r\n\r\n', code: 'update-http' },
    { why: 'a folded header line', answer: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n  folded\r\n\r\nabc', code: 'update-http' },
    { why: 'a header block past the cap', answer: `HTTP/1.1 200 OK\r\nX-Pad: ${'a'.repeat(HEADER_CAP)}\r\nContent-Length: 3\r\n\r\nabc`, code: 'update-http' },
    { why: 'a close before the head ends', answer: 'HTTP/1.1 200 OK\r\nContent-Len', code: 'update-server' },
  ];
  it.each(cases)('$why: $code', async ({ answer, code }) => {
    const peer = await listen(rawPeer(Buffer.from(answer, 'latin1')).server);
    const { sink, result } = get(peer.port, '/b/1.bin', { from: 7 });
    expect(failure(((await result) as { error: unknown }).error)).toBe(code);
    expect(sink.chunks).toEqual([]);
    await peer.close();
  });

  it('takes a 206 that matches, head and body in one write; bytes past the length are not the body', async () => {
    const peer = await listen(rawPeer(Buffer.from('HTTP/1.0 206 Partial Content\r\ncontent-length: 3\r\ncontent-range: bytes 7-9/10\r\n\r\nabcXYZ', 'latin1')).server);
    const { sink, result } = get(peer.port, '/b/1.bin', { from: 7 });
    expect(await result).toEqual({ head: { status: 206, length: 3, start: 7, total: 10 } });
    expect(sink.bytes.toString()).toBe('abc');
    await peer.close();
  });

  it('a close mid-body is update-truncated, the bytes before it delivered', async () => {
    const peer = await listen(rawPeer(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'), Buffer.alloc(600, 7)])).server);
    const { sink, result } = get(peer.port, '/b/1.bin');
    const { error } = (await result) as { error: Error };
    expect(failure(error)).toBe('update-truncated');
    expect(error.message).toContain('after 600 of 1000 bytes');
    expect(sink.bytes.length).toBe(600);
    await peer.close();
  });

  it('a server that stalls mid-body: update-truncated once the idle limit passes on the clock, then nothing more', async () => {
    const raw = rawPeer(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'), Buffer.alloc(100, 1)]), true);
    const peer = await listen(raw.server);
    const { sink, result, clock } = get(peer.port, '/b/1.bin');
    await until(() => sink.chunks.length > 0);
    await clock.advance(9_999);
    let settled = false;
    void result.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await clock.advance(1);
    const { error } = (await result) as { error: Error };
    expect(failure(error)).toBe('update-truncated');
    // The peer's later bytes reach no one: the connection is closed and the sink is done.
    raw.sockets[0].write(Buffer.alloc(900, 2));
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.bytes.length).toBe(100);
    expect(clock.pendingTimers).toBe(0);
    await peer.close();
  });

  it('a sink that throws (a flash fault) settles the GET with its error and closes the connection', async () => {
    const peer = await listen(imageServer([]));
    const clock = new VirtualClock(T0);
    const fault = new PortError('flash-power', 'cut');
    let calls = 0;
    const request = new HttpGet(
      { network: new NodeNetwork(), clock, url: parseHttpUrl(`http://127.0.0.1:${peer.port}/b/1.bin`), maxLength: 1 << 20, connectTimeoutMs: 5000, idleTimeoutMs: 5000 },
      { head: () => undefined, body: () => { calls++; throw fault; } },
    );
    await expect(request.run()).rejects.toBe(fault);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    expect(clock.pendingTimers).toBe(0);
    await peer.close();
  });

  it('a closed port is update-server', async () => {
    const peer = await listen(rawPeer(Buffer.alloc(0)).server);
    const port = peer.port;
    await peer.close();
    const { result } = get(port, '/b/1.bin');
    expect(failure(((await result) as { error: unknown }).error)).toBe('update-server');
  });

  it('abort(): settles at once as update-server, and nothing reaches the sink afterwards', async () => {
    const peer = await listen(imageServer([]));
    const { sink, result, request } = get(peer.port, '/b/1.bin');
    request.abort();
    expect(failure(((await result) as { error: unknown }).error)).toBe('update-server');
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.heads).toEqual([]);
    await peer.close();
  });
});

async function until(done: () => boolean) {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!done()) throw new Error('timed out waiting');
}

describe('URLs (node:url WHATWG URL as the reference for those taken)', () => {
  it.each([
    'http://updates.example.com/xspos/',
    'https://UPDATES.example.com:8443/a/b/',
    'http://10.0.0.2:8080/fw/?k=v',
    'http://host',
  ])('%s', (text) => {
    const ours = parseHttpUrl(text);
    const ref = new URL(text);
    expect(ours).toEqual({ tls: ref.protocol === 'https:', host: ref.hostname, port: ref.port ? Number(ref.port) : ref.protocol === 'https:' ? 443 : 80, path: ref.pathname + ref.search });
  });
  it.each(['ftp://h/', 'http://', 'http://user@h/', 'http://[::1]/', 'http://h:0/', 'http://h:70000/', 'http://h/a b', 'http://h/#frag', 'http://-h/', `http://h/${'a'.repeat(200)}`, 'http://h/中'])('refuses %s', (text) => {
    expect(() => parseHttpUrl(text)).toThrow(expect.objectContaining({ code: 'update-url' }) as unknown as Error);
  });
  it('https needs a trust anchor', () => {
    expect(() => new HttpGet({ network: new NodeNetwork(), clock: new VirtualClock(T0), url: parseHttpUrl('https://h/'), maxLength: 1, connectTimeoutMs: 1, idleTimeoutMs: 1 }, new Collector())).toThrow(
      expect.objectContaining({ code: 'update-url' }) as unknown as Error,
    );
  });
});

describe('https (openssl-made certificates)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xspos-upd-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  beforeAll(() => {
    for (const name of ['ca', 'other-ca']) openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${name}`);
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'host.key', '-out', 'host.csr', '-subj', '/CN=updates.test');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:updates.test\n');
    openssl('x509', '-req', '-in', 'host.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'host.pem', '-days', '30', '-extfile', 'san.ext');
  });
  const der = (file: string) => pemToDer(readFileSync(join(dir, file), 'latin1'))[0];

  it.each([
    { anchor: 'ca.pem', outcome: 'ok' },
    { anchor: 'other-ca.pem', outcome: 'update-server' },
  ])('anchor $anchor: $outcome', async ({ anchor, outcome }) => {
    const server = createHttpsServer({ cert: readFileSync(join(dir, 'host.pem')), key: readFileSync(join(dir, 'host.key')) }, (_req, res) => res.writeHead(200, { 'Content-Length': 5 }).end('hello'));
    server.on('tlsClientError', () => undefined);
    const peer = await listen(server as unknown as HttpServer);
    const { sink, result } = get(peer.port, '/b/latest.seal', { network: new TlsNetwork(), host: 'updates.test', tls: true, ca: der(anchor) });
    const settled = await result;
    if (outcome === 'ok') {
      expect(settled).toEqual({ head: { status: 200, length: 5, start: 0 } });
      expect(sink.bytes.toString()).toBe('hello');
      expect((await curl('--cacert', join(dir, 'ca.pem'), '--resolve', `updates.test:${peer.port}:127.0.0.1`, `https://updates.test:${peer.port}/b/latest.seal`)).toString()).toBe('hello');
    } else expect(failure((settled as { error: unknown }).error)).toBe('update-server');
    await peer.close();
  });
});
