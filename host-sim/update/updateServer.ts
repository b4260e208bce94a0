/**
 * The simulated update server (issue 10 contract, "Update protocol"): plain HTTP/1.1 on
 * 127.0.0.1, an ephemeral port, every answer `Connection: close` with a Content-Length.
 *
 *   GET {path}{board}/latest.seal      200 + the newest offer's seal (404: nothing offered)
 *   GET {path}{board}/{version}.bin    200 + the image, or with `Range: bytes=N-` (or N-M)
 *                                      206 + Content-Range; 416 for a range past the end
 *
 * node:http parses the requests; the answers are written raw on the socket, piece by piece, so
 * the simulator's loopback ledger (`ledger`) knows every byte each side wrote and read.
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
import { loopbackKey, type LoopbackLedger } from '../ports/loopbackLedger';

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
  /** The simulator's loopback ledger (host-sim/ports/loopbackLedger.ts): told of every accept, read, write and close. */
  ledger?: LoopbackLedger;
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
  /** Nothing being written (the simulator's network waits for this before it settles). */
  quiet(): boolean;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = { 200: 'OK', 206: 'Partial Content', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 416: 'Range Not Satisfiable' };

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
  const ledger = options.ledger;
  /** Bytes of each socket's request already told to the ledger. */
  const told = new WeakMap<Socket, number>();
  let inFlight = 0;
  const state = { faults: [...(options.faults ?? [])] };
  const fault = <K extends UpdateServerFault['kind']>(kind: K) => state.faults.find((f) => f.kind === kind) as Extract<UpdateServerFault, { kind: K }> | undefined;

  /** Tells the ledger what the socket has read so far (the request node's parser consumed). */
  const read = (socket: Socket) => {
    const n = socket.bytesRead - (told.get(socket) ?? 0);
    told.set(socket, socket.bytesRead);
    if (n > 0) ledger?.read(loopbackKey(socket.remotePort ?? 0, socket.localPort ?? 0), n);
  };

  /**
   * Writes the answer on the socket itself (status line, headers, body; pieces the ledger is
   * told of one by one), then closes: Connection: close. `cutAfter`: body bytes sent before an
   * early close (the announced Content-Length is not met).
   */
  const send = (socket: Socket, entry: ServedRequest, status: number, headers: Record<string, string>, body: Uint8Array, cutAfter?: number) => {
    entry.status = status;
    const head = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Status'}`, `Content-Length: ${body.length}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    const limit = cutAfter === undefined ? body.length : Math.min(cutAfter, body.length);
    const slow = fault('slow');
    const chunk = slow ? Math.max(1, slow.chunkBytes) : limit || 1;
    const port = loopbackKey(socket.remotePort ?? 0, socket.localPort ?? 0);
    inFlight++;
    const write = (bytes: Uint8Array, then: () => void) => {
      if (socket.destroyed) return then();
      ledger?.wrote(port, bytes.length);
      socket.write(bytes, () => then());
    };
    const finish = () => {
      inFlight--;
      // The ledger hears of the close before the socket reports it: the loopback is not quiet until the terminal sees it.
      if (!socket.destroyed) ledger?.closed(port);
      socket.end();
    };
    let at = 0;
    const pump = () => {
      if (at >= limit) return finish();
      const piece = body.subarray(at, Math.min(limit, at + chunk));
      at += piece.length;
      entry.bytes = at;
      write(piece, () => (slow ? setTimeout(pump, 1) : pump()));
    };
    write(new Uint8Array(Buffer.from(head, 'latin1')), pump);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    read(socket);
    // The answer goes out raw on the socket (send); node's response object is never used.
    res.on('error', () => undefined);
    const url = req.url ?? '';
    const entry: ServedRequest = { path: url, status: 0, bytes: 0, ...(req.headers.range ? { range: req.headers.range } : {}) };
    log.push(entry);
    const text = (status: number, body: string) => send(socket, entry, status, { 'Content-Type': 'text/plain' }, new Uint8Array(Buffer.from(body)));
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
      return send(socket, entry, 200, { 'Content-Type': 'application/octet-stream' }, seal);
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
      if (start >= image.length || end < start) return send(socket, entry, 416, { 'Content-Range': `bytes */${image.length}` }, new Uint8Array(0));
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
    const type = { 'Content-Type': 'application/octet-stream' };
    if (range !== undefined) send(socket, entry, 206, { ...type, 'Content-Range': `bytes ${start}-${end}/${image.length}` }, body, cutAfter);
    else send(socket, entry, 200, type, body, cutAfter);
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket: Socket) => {
    if (fault('down')) return void socket.destroy();
    sockets.add(socket);
    const port = loopbackKey(socket.remotePort ?? 0, socket.localPort ?? 0);
    ledger?.accepted(port);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      ledger?.closed(port);
    });
  });
  // A request node cannot parse: read, answered 400, closed (the ledger balances).
  server.on('clientError', (_error, socket: Socket) => {
    read(socket);
    const entry: ServedRequest = { path: '(malformed)', status: 0, bytes: 0 };
    log.push(entry);
    send(socket, entry, 400, {}, new Uint8Array(0));
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
    quiet: () => inFlight === 0,
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
