/**
 * The simulated update server (issue 10 contract, "Update protocol"): plain HTTP/1.1 on
 * 127.0.0.1, an ephemeral port, every answer `Connection: close` with a Content-Length.
 *
 *   GET {path}{board}/latest.seal      200 + the newest offer's seal (404: nothing offered)
 *   GET {path}{board}/{version}.bin    200 + the image, or with `Range: bytes=N-` (or N-M)
 *                                      206 + Content-Range; 416 for a range past the end
 *
 * Faults (`faults`, changeable while it runs):
 * - 'down': the port is closed (connections refused) until the fault is removed;
 * - 'truncate': an image answer closes the connection after `afterBytes` body bytes (`times`
 *   answers, default 1: the next check resumes);
 * - 'wrong-hash': one byte of the served image is flipped (the seal still names the real one);
 * - 'bad-signature': one byte of the served seal's signature is flipped;
 * - 'slow': bodies go out in `chunkBytes` pieces, a timer tick apart.
 * A wrong board or a downgrade is what the server offers (the offer's own manifest): see
 * makeImage.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface UpdateOffer {
  version: string;
  /** The whole image file. */
  image: Uint8Array;
  /** The seal (XSPS envelope) the server hands out for it. */
  seal: Uint8Array;
}

export type UpdateServerFault =
  | { kind: 'down' }
  | { kind: 'truncate'; afterBytes: number; times?: number }
  | { kind: 'wrong-hash'; offset?: number }
  | { kind: 'bad-signature' }
  | { kind: 'slow'; chunkBytes: number };

export interface UpdateServerOptions {
  board: string;
  /** The newest (by the order given: the last) is latest.seal's. */
  offers: UpdateOffer[];
  faults?: UpdateServerFault[];
  /** URL path the files live under (default "/fw/"). */
  path?: string;
}

export interface ServedRequest {
  path: string;
  range?: string;
  status: number;
  /** Body bytes actually sent. */
  bytes: number;
  fault?: string;
}

export interface UpdateServer {
  readonly port: number;
  /** "http://127.0.0.1:<port>/fw/" */
  readonly url: string;
  readonly log: ServedRequest[];
  faults: UpdateServerFault[];
  close(): Promise<void>;
}

/** The seal's signature span: "XSPS", format, u16be manifest length, manifest, u16be signature length, signature. */
function signatureOffset(seal: Uint8Array): number | undefined {
  if (seal.length < 9) return undefined;
  const manifestLength = (seal[5] << 8) | seal[6];
  const at = 7 + manifestLength;
  if (at + 2 > seal.length) return undefined;
  const sigLength = (seal[at] << 8) | seal[at + 1];
  return sigLength > 0 && at + 2 + sigLength <= seal.length ? at + 2 + Math.floor(sigLength / 2) : undefined;
}

/** Starts the server on 127.0.0.1:0. */
export async function startUpdateServer(options: UpdateServerOptions): Promise<UpdateServer> {
  const base = options.path ?? '/fw/';
  const log: ServedRequest[] = [];
  const sockets = new Set<Socket>();
  const state = { faults: [...(options.faults ?? [])] };
  const fault = <K extends UpdateServerFault['kind']>(kind: K) => state.faults.find((f) => f.kind === kind) as Extract<UpdateServerFault, { kind: K }> | undefined;

  const send = (res: ServerResponse, entry: ServedRequest, status: number, headers: Record<string, string>, body: Uint8Array, cutAfter?: number) => {
    entry.status = status;
    res.writeHead(status, { 'Content-Length': String(body.length), Connection: 'close', ...headers });
    const limit = cutAfter === undefined ? body.length : Math.min(cutAfter, body.length);
    const slow = fault('slow');
    const chunk = slow ? Math.max(1, slow.chunkBytes) : body.length || 1;
    let at = 0;
    const pump = () => {
      while (at < limit) {
        const piece = body.subarray(at, Math.min(limit, at + chunk));
        at += piece.length;
        entry.bytes = at;
        res.write(piece);
        if (slow && at < limit) return void setTimeout(pump, 1);
      }
      if (cutAfter !== undefined && limit < body.length) {
        // Close early: the client sees fewer bytes than Content-Length announced.
        res.socket?.end();
        res.socket?.destroy();
      } else res.end();
    };
    pump();
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    const entry: ServedRequest = { path: url, status: 0, bytes: 0, ...(req.headers.range ? { range: req.headers.range } : {}) };
    log.push(entry);
    const text = (status: number, body: string) => send(res, entry, status, { 'Content-Type': 'text/plain' }, new Uint8Array(Buffer.from(body)));
    if (req.method !== 'GET') return text(405, 'GET only');
    if (!url.startsWith(`${base}${options.board}/`)) return text(404, 'no such board');
    const file = url.slice(base.length + options.board.length + 1);
    const latest = options.offers[options.offers.length - 1];
    if (file === 'latest.seal') {
      if (!latest) return text(404, 'nothing offered');
      let seal = latest.seal;
      if (fault('bad-signature')) {
        const at = signatureOffset(seal);
        seal = seal.slice();
        if (at !== undefined) seal[at] ^= 0x01;
        entry.fault = 'bad-signature';
      }
      return send(res, entry, 200, { 'Content-Type': 'application/octet-stream' }, seal);
    }
    const offer = file.endsWith('.bin') ? options.offers.find((o) => `${o.version}.bin` === file) : undefined;
    if (!offer) return text(404, 'no such file');
    let image = offer.image;
    const wrong = fault('wrong-hash');
    if (wrong) {
      image = image.slice();
      image[Math.min(image.length - 1, wrong.offset ?? Math.floor(image.length / 3))] ^= 0x01;
      entry.fault = 'wrong-hash';
    }
    let start = 0;
    let end = image.length - 1;
    const range = req.headers.range;
    if (range !== undefined) {
      const m = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!m) return text(416, 'unsupported range');
      start = Number(m[1]);
      if (m[2] !== '') end = Math.min(end, Number(m[2]));
      if (start >= image.length || end < start) {
        entry.status = 416;
        res.writeHead(416, { 'Content-Range': `bytes */${image.length}`, 'Content-Length': '0', Connection: 'close' });
        return void res.end();
      }
    }
    const cut = fault('truncate');
    let cutAfter: number | undefined;
    if (cut) {
      cutAfter = cut.afterBytes;
      entry.fault = 'truncate';
      const left = (cut.times ?? 1) - 1;
      state.faults = state.faults.filter((f) => f !== cut);
      if (left > 0) state.faults.push({ ...cut, times: left });
    }
    const body = image.subarray(start, end + 1);
    if (range !== undefined) send(res, entry, 206, { 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${start}-${end}/${image.length}` }, body, cutAfter);
    else send(res, entry, 200, { 'Content-Type': 'application/octet-stream' }, body, cutAfter);
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    if (fault('down')) return void socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // 'down' at start: stop listening (refused), listen again on the same port when it goes.
  let listening = true;
  const sync = async () => {
    const down = !!fault('down');
    if (down && listening) {
      listening = false;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    } else if (!down && !listening) {
      listening = true;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    }
  };
  await sync();
  const api: UpdateServer = {
    port,
    url: `http://127.0.0.1:${port}${base}`,
    log,
    get faults() {
      return state.faults;
    },
    set faults(next: UpdateServerFault[]) {
      state.faults = [...next];
      void sync();
    },
    async close() {
      for (const s of sockets) s.destroy();
      if (listening) {
        listening = false;
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
  return api;
}
