/**
 * What the link tests stand on: real node:net peers on 127.0.0.1, the host-sim NodeNetwork
 * behind a spy that records what the link asked of the port (and can hold a connect or
 * re-chunk what arrives), and the virtual clock behind a spy that knows its timers.
 * Frames in these tests: length(2) ‖ TPDU(5) ‖ CUP-like header(6) ‖ MTI(4 ASCII) ‖ STAN(6
 * ASCII) ‖ rest; the peers take them apart here, not with the codec.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ClockPort, NetworkPort, PortError, TcpConnection, TcpOptions, TimerToken } from '../../firmware/core/ports';
import { HostLink, type LinkHost, type LinkOptions, type Matcher } from '../../firmware/core/host/link';
import { NodeNetwork } from '../../host-sim/ports/nodeNetwork';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';

export const SEED = 7;
export const TIMING = { connectTimeoutMs: 5_000, responseTimeoutMs: 30_000, backoff: { baseMs: 1_000, capMs: 4_000 }, failbackMs: 600_000 };
/** A PAN that must never reach a trace line. */
export const PAN = '6222021234567890123';

/** Waits (real time) for `cond`, letting Node's loop deliver socket events; gives up after 10 s. */
export async function until(cond: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > 10_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

// ----------------------------------------------------------------------------- frames

const TPDU = Buffer.from('6000030000', 'hex');
const HEADER = Buffer.from('603100000000', 'hex');

export function frameOf(body: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([length, body]);
}

export function request(mti: string, stan: string): Uint8Array {
  return new Uint8Array(frameOf(Buffer.concat([TPDU, HEADER, Buffer.from(mti + stan + PAN, 'ascii')])));
}

/** The host's answer to a request body: TPDU addresses swapped, MTI + 10, same STAN, code 00. */
export function answerTo(body: Buffer, stan = stanOf(body)): Buffer {
  const tpdu = Buffer.concat([body.subarray(0, 1), body.subarray(3, 5), body.subarray(1, 3)]);
  const mti = String(Number(mtiOf(body)) + 10).padStart(4, '0');
  return frameOf(Buffer.concat([tpdu, HEADER, Buffer.from(`${mti}${stan}00`, 'ascii')]));
}

export const mtiOf = (body: Uint8Array) => Buffer.from(body.subarray(11, 15)).toString('ascii');
export const stanOf = (body: Uint8Array) => Buffer.from(body.subarray(15, 21)).toString('ascii');

export function answers(mti: string, stan: string): Matcher {
  return (body) => (body.length >= 21 && mtiOf(body) === mti && stanOf(body) === stan ? 'match' : 'stray');
}

// ----------------------------------------------------------------------------- peers

/** A host on 127.0.0.1: collects whole frames per connection and hands each to `onFrame`. */
export class Peer {
  readonly frames: Buffer[] = [];
  readonly sockets: Socket[] = [];
  closed = 0;
  port = 0;
  #server: Server | undefined;

  constructor(readonly onFrame: (body: Buffer, socket: Socket, index: number) => void = (body, socket) => socket.write(answerTo(body))) {}

  static async start(onFrame?: (body: Buffer, socket: Socket, index: number) => void): Promise<Peer> {
    const peer = new Peer(onFrame);
    await peer.listen();
    return peer;
  }

  async listen(): Promise<void> {
    const server = createServer((socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Stops listening (connects are refused from now on) and drops every connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(socket: Socket) {
    this.sockets.push(socket);
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const body = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + body.length);
        this.frames.push(body);
        this.onFrame(body, socket, this.frames.length);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.closed++);
  }
}

/** A port where nothing listens: connects are refused. */
export async function deadPort(): Promise<number> {
  const peer = await Peer.start();
  const port = peer.port;
  await peer.stop();
  return port;
}

// ----------------------------------------------------------------------------- spies

interface ConnectRecord {
  host: string;
  port: number;
  at: number;
  tls: TcpOptions['tls'];
  written: Uint8Array[];
  read: number;
  /** 'connect' | 'error: …' | 'close' as the port reported them, and 'client-close'. */
  events: string[];
  release?: () => void;
}

/**
 * NodeNetwork with a record of every call. `holdConnects` keeps onConnect until release();
 * `gather` holds what arrives until that many bytes are in (so TCP's own read boundaries do
 * not matter), then `chunks` re-splits it into pieces of those sizes, cycling.
 */
export class SpyNetwork implements NetworkPort {
  readonly inner: NodeNetwork;
  readonly resolves: string[] = [];
  readonly connects: ConnectRecord[] = [];
  holdConnects = false;
  chunks: number[] | undefined;
  gather = 0;

  constructor(readonly clock: ClockPort, linkUp = true) {
    this.inner = new NodeNetwork(linkUp);
  }

  get failures(): number {
    return this.connects.filter((c) => c.events.some((e) => e.startsWith('error') || e === 'close')).length;
  }

  link() {
    return this.inner.link();
  }

  resolve(name: string, callback: (address: string | undefined) => void): void {
    this.resolves.push(name);
    this.inner.resolve(name, callback);
  }

  connect(options: TcpOptions): TcpConnection {
    const record: ConnectRecord = { host: options.host, port: options.port, at: this.clock.uptimeMs(), tls: options.tls, written: [], read: 0, events: [] };
    this.connects.push(record);
    const spy = this;
    let gathered = Buffer.alloc(0);
    const connection = this.inner.connect({
      host: options.host,
      port: options.port,
      onConnect() {
        record.events.push('connect');
        if (spy.holdConnects) record.release = () => options.onConnect();
        else options.onConnect();
      },
      onReadable(bytes) {
        record.read += bytes.length;
        if (spy.gather > 0) {
          gathered = Buffer.concat([gathered, bytes]);
          if (gathered.length < spy.gather) return;
          bytes = new Uint8Array(gathered);
          gathered = Buffer.alloc(0);
        }
        const sizes = spy.chunks;
        if (!sizes) return options.onReadable(bytes);
        for (let at = 0, k = 0; at < bytes.length; k++) {
          const size = Math.max(1, sizes[k % sizes.length]);
          options.onReadable(bytes.subarray(at, at + size));
          at += size;
        }
      },
      onError(error: PortError) {
        record.events.push(`error: ${error.message}`);
        options.onError(error);
      },
      onClose() {
        record.events.push('close');
        options.onClose();
      },
    });
    return {
      write(bytes) {
        connection.write(bytes);
        record.written.push(bytes.slice());
      },
      close() {
        record.events.push('client-close');
        connection.close();
      },
    };
  }
}

/** The virtual clock, knowing which of its timers are live and what delay each was set with. */
export class SpyClock implements ClockPort {
  readonly inner = new VirtualClock(Date.UTC(2025, 0, 1));
  readonly timers: { delay: number; token: TimerToken; live: boolean }[] = [];

  uptimeMs() {
    return this.inner.uptimeMs();
  }
  wallMs() {
    return this.inner.wallMs();
  }
  setWallMs(ms: number) {
    this.inner.setWallMs(ms);
  }
  setTimer(delayMs: number, callback: () => void): TimerToken {
    const entry = { delay: delayMs, token: undefined as unknown as TimerToken, live: true };
    entry.token = this.inner.setTimer(delayMs, () => {
      entry.live = false;
      callback();
    });
    this.timers.push(entry);
    return entry.token;
  }
  clearTimer(token: TimerToken): void {
    for (const t of this.timers) if (t.token === token) t.live = false;
    this.inner.clearTimer(token);
  }
  get pendingTimers(): number {
    return this.inner.pendingTimers;
  }
  advance(ms: number): Promise<void> {
    return this.inner.advance(ms);
  }
  /** Waits until the link sleeps between tries (the one live timer no longer than the cap), and gives its delay. */
  async backoffPending(): Promise<number> {
    const sleeping = () => this.timers.filter((t) => t.live);
    await until(() => sleeping().length === 1 && sleeping()[0].delay <= TIMING.backoff.capMs, 'a backoff wait');
    return sleeping()[0].delay;
  }
}

// ----------------------------------------------------------------------------- the link

export interface Rig {
  link: HostLink;
  clock: SpyClock;
  net: SpyNetwork;
  traces: string[];
}

export function rig(hosts: LinkHost[], options: Partial<LinkOptions> & { linkUp?: boolean } = {}): Rig {
  const clock = new SpyClock();
  const net = new SpyNetwork(clock, options.linkUp ?? true);
  const crypto = new NodeCrypto(SEED);
  const traces: string[] = [];
  const link = new HostLink({
    network: net,
    clock,
    random: (n) => crypto.randomBytes(n),
    trace: (line) => traces.push(line),
    hosts,
    retries: 2,
    maxFrameBytes: 2048,
    ...TIMING,
    ...options,
  });
  return { link, clock, net, traces };
}

export const local = (port: number): LinkHost => ({ host: '127.0.0.1', port });

/** Settled or not, without waiting. */
export function watch<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { settled: () => done, promise };
}

/**
 * Per test file: peers and rigs made through these are stopped and closed after each test,
 * which also checks that no trace line of the test carried the PAN.
 */
export function linkTestKit(): { peer: (onFrame?: ConstructorParameters<typeof Peer>[0]) => Promise<Peer>; make: (...args: Parameters<typeof rig>) => Rig } {
  const peers: Peer[] = [];
  const rigs: Rig[] = [];
  afterEach(async () => {
    for (const r of rigs.splice(0)) {
      for (const line of r.traces) expect(line).not.toContain(PAN);
      r.link.close();
    }
    for (const p of peers.splice(0)) await p.stop();
  });
  return {
    async peer(onFrame) {
      const p = await Peer.start(onFrame);
      peers.push(p);
      return p;
    },
    make(...args) {
      const r = rig(...args);
      rigs.push(r);
      return r;
    },
  };
}
