/**
 * The simulator's network port, Node side: real TCP (and TLS) on 127.0.0.1 to the simulated
 * acquirer, replayable exactly. Socket events (connect, each piece of data, error, close) are
 * queued as they happen and handed to the terminal only by `settle()`, once the loopback is
 * quiet: every connect resolved, every byte either side wrote read by the other, every close
 * seen, the acquirer idle (see loopbackLedger.ts). So what the terminal sees never depends on
 * how fast the host machine is, and virtual time stands still while real sockets work.
 *
 * The scenario controls the rest of the world: the link (up or down), a name table (IPv4
 * literals resolve to themselves), hosts that never answer a connect (the connect timeout's
 * case), and routes from the addresses and ports the terminal's profile names to the ports
 * the acquirer really listens on, so the terminal never sees an ephemeral port and both lanes
 * trace the same. A loopback port with no route refuses; any other address has no route.
 */
import { X509Certificate } from 'node:crypto';
import { isIPv4, Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { TcpOptions } from '../../firmware/core/ports';
import { Loopback, loopbackKey } from './loopbackLedger';
import type { Collected, NetworkBackend, SntpReply, SocketEvent } from './queuedNetwork';

export interface SimNetworkOptions {
  /** Link state at power-on (default up). */
  linkUp?: boolean;
  /** The terminal's address while the link is up. */
  address?: string;
  /** Host name → IPv4 address. */
  dns?: Readonly<Record<string, string>>;
  /** Names or addresses whose connects never complete (no SYN-ACK ever comes back). */
  unreachable?: readonly string[];
  /** "address:port" as the terminal connects → the real loopback port behind it (the acquirer's). */
  routes?: Readonly<Record<string, number>>;
  /**
   * The SNTP servers of the world (every name that resolves and is reachable): the true time
   * when the world began (ms since 1970), and whether they answer at all (none before
   * `answersFromMs` of the world's time line, when given). Without it none answers. `offsetsMs`:
   * a server (by the name asked) that answers that far off the true time (a wrong or forged one).
   */
  sntp?: { trueMs: number; answers: boolean; answersFromMs?: number; offsetsMs?: Readonly<Record<string, number>> };
  /** The ledger the acquirer reports to (one is made if not given). */
  ledger?: Loopback;
  /** The acquirer has nothing in progress (a request read and its answer not yet written). */
  peerQuiet?: () => boolean;
  /**
   * Real-time limit on one wait for quiet, ms (default 30,000): past it the network is stuck. A
   * loopback accept takes well under a millisecond, but a 2-core CI machine running several jest
   * workers and xsnap lanes has been seen to starve the acquirer past 5 s.
   */
  capMs?: number;
}

/** The default real-time cap on one wait for quiet (see SimNetworkOptions.capMs). */
const STUCK_AFTER_MS = 30_000;

export class SimNetworkError extends Error {
  override readonly name = 'SimNetworkError';
  readonly code = 'net-stuck';
}

type Raw = SocketEvent | { id: number; kind: 'raw'; bytes: Buffer };

interface Conn {
  id: number;
  /** Where the terminal asked to go, for messages. */
  target: string;
  socket?: Socket | TLSSocket;
  /** connecting: a real connect under way; waiting: never completes; open; ended: closed/failed at the socket. */
  state: 'connecting' | 'waiting' | 'open' | 'ended';
  /** The ledger's name for the connection once connected: loopbackKey(the terminal's local port, the server's port). */
  port?: number;
  /** The real server port dialled. */
  serverPort?: number;
  /** Events not yet delivered, in arrival order (data as received, cut at delivery). */
  queue: Raw[];
  /** The terminal closed it: nothing more is delivered. */
  closedByTerminal: boolean;
}

/** Bytes in a DER certificate as PEM, which node:tls takes. */
function pem(der: Uint8Array): string {
  return new X509Certificate(der).toString();
}

const LOOPBACK = /^127\./;

export class SimNetwork implements NetworkBackend {
  readonly ledger: Loopback;
  readonly #conns = new Map<number, Conn>();
  readonly #options: SimNetworkOptions;
  #up: boolean;
  /** The terminal has no power: its connections are gone and new ones go nowhere. */
  #off = false;
  #nextId = 1;
  /** Called with every write the terminal makes (the power-cut step watches for a request leaving). */
  onWrite: ((bytes: Uint8Array) => void) | undefined;

  constructor(options: SimNetworkOptions = {}) {
    this.#options = options;
    this.#up = options.linkUp ?? true;
    this.ledger = options.ledger ?? new Loopback();
  }

  link() {
    return this.#up ? { up: true, address: this.#options.address ?? '192.168.1.23' } : { up: false };
  }

  /** The address `name` resolves to, or undefined (no link, or no such name). */
  lookup(name: string): string | undefined {
    if (!this.#up) return undefined;
    if (isIPv4(name)) return name;
    return this.#options.dns?.[name.toLowerCase()];
  }

  /**
   * What an SNTP server answers `elapsedMs` into the world: the true time in whole seconds (the
   * device's SDK client reads the transmit timestamp's seconds only), or, as that client words
   * it, why none came.
   */
  sntp(host: string, elapsedMs: number): SntpReply {
    if (!this.#up) return { detail: 'link is down' };
    const address = this.lookup(host);
    if (address === undefined) return { detail: `cannot resolve ${host}` };
    const server = this.#options.sntp;
    if (!server?.answers || elapsedMs < (server.answersFromMs ?? 0) || this.#options.unreachable?.includes(host) || this.#options.unreachable?.includes(address))
      return { detail: 'no response from SNTP server' };
    const wallMs = Math.floor((server.trueMs + elapsedMs + (server.offsetsMs?.[host.toLowerCase()] ?? 0)) / 1000) * 1000;
    return { wallMs, detail: `${address} answered` };
  }

  /** Link up or down. A link that drops breaks every connection (each gets an error). */
  setLink(up: boolean) {
    this.#up = up;
    if (up) return;
    for (const conn of this.#conns.values()) {
      if (conn.state === 'ended' || conn.closedByTerminal) continue;
      conn.socket?.destroy();
      this.#end(conn, { id: conn.id, kind: 'error', message: 'link lost' });
    }
  }

  /**
   * The terminal loses power: each of its connections is gone for it (nothing more is handed
   * over), while what it already wrote still reaches the acquirer (its FIN follows the bytes),
   * as a request that left before the power died does. Until `powerOn` nothing connects.
   */
  powerOff() {
    this.#off = true;
    for (const conn of this.#conns.values()) {
      if (conn.closedByTerminal) continue;
      conn.closedByTerminal = true;
      conn.queue = [];
      if (conn.port !== undefined) this.ledger.termDone(conn.port);
      if (conn.socket && conn.state !== 'ended') conn.socket.end();
      conn.state = 'ended';
    }
  }

  powerOn() {
    this.#off = false;
  }

  // ---- the terminal's side, by connection id (QueuedNetwork calls these, directly or across the XS bridge)

  /** Starts a connection; its events come through `collect`. */
  open(host: string, port: number, tls: TcpOptions['tls'] | undefined): number {
    const id = this.#nextId++;
    const conn: Conn = { id, target: `${host}:${port}`, state: 'connecting', queue: [], closedByTerminal: false };
    this.#conns.set(id, conn);
    const fail = (message: string) => this.#end(conn, { id, kind: 'error', message });
    if (this.#off) conn.state = 'waiting';
    else if (!this.#up) {
      fail('link is down');
    } else {
      this.#route(conn, host, port, tls);
    }
    return id;
  }

  #route(conn: Conn, host: string, port: number, tls: TcpOptions['tls'] | undefined) {
    const address = this.lookup(host);
    if (address === undefined) this.#end(conn, { id: conn.id, kind: 'error', message: `cannot resolve ${host}` });
    else if (this.#options.unreachable?.includes(host) || this.#options.unreachable?.includes(address) || !LOOPBACK.test(address)) conn.state = 'waiting';
    else {
      const real = this.#options.routes?.[`${address}:${port}`];
      if (real === undefined) this.#end(conn, { id: conn.id, kind: 'error', message: 'connection refused' });
      else this.#dial(conn, real, tls);
    }
  }

  write(id: number, bytes: Uint8Array) {
    const conn = this.#conns.get(id);
    // A connection the peer already ended (the terminal is not told yet) swallows the bytes.
    if (!conn || conn.state !== 'open' || !conn.socket || conn.port === undefined) return;
    conn.socket.write(bytes);
    this.ledger.termWrote(conn.port, bytes.length);
    this.onWrite?.(bytes);
  }

  close(id: number) {
    const conn = this.#conns.get(id);
    if (!conn) return;
    conn.closedByTerminal = true;
    conn.queue = [];
    if (conn.port !== undefined) this.ledger.termDone(conn.port);
    if (conn.socket && conn.state !== 'ended') conn.socket.destroy();
    conn.state = 'ended';
  }

  #dial(conn: Conn, port: number, tls: TcpOptions['tls'] | undefined) {
    let socket: Socket | TLSSocket;
    if (tls) {
      const { serverName, ca } = tls;
      socket = tlsConnect({
        host: '127.0.0.1',
        port,
        ca: [pem(ca)],
        minVersion: 'TLSv1.2',
        ...(isIPv4(serverName) ? {} : { servername: serverName }),
        checkServerIdentity: (_host, certificate) => checkServerIdentity(serverName, certificate),
      });
      socket.once('secureConnect', () => this.#connected(conn));
    } else {
      socket = new Socket();
      socket.once('connect', () => this.#connected(conn));
      socket.connect(port, '127.0.0.1');
    }
    conn.socket = socket;
    conn.serverPort = port;
    socket.on('data', (chunk: Buffer) => {
      if (conn.state !== 'open' || conn.port === undefined) return;
      this.ledger.termReceived(conn.port, chunk.length);
      conn.queue.push({ id: conn.id, kind: 'raw', bytes: chunk });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.#end(conn, { id: conn.id, kind: 'error', message: describe(error) }));
    socket.on('close', () => this.#end(conn, { id: conn.id, kind: 'close' }));
  }

  #connected(conn: Conn) {
    if (conn.state !== 'connecting') return;
    conn.state = 'open';
    const local = conn.socket!.localPort;
    conn.port = local === undefined || conn.serverPort === undefined ? undefined : loopbackKey(local, conn.serverPort);
    if (conn.port !== undefined) this.ledger.opened(conn.port);
    conn.queue.push({ id: conn.id, kind: 'connect' });
  }

  /** The socket ended (error or close, whichever came first): one final event. */
  #end(conn: Conn, event: SocketEvent) {
    if (conn.state === 'ended') return;
    conn.state = 'ended';
    if (conn.port !== undefined) this.ledger.termDone(conn.port);
    if (!conn.closedByTerminal) conn.queue.push(event);
  }

  /** Why the loopback is not quiet yet, or undefined when it is. */
  #unquiet(): string | undefined {
    for (const conn of this.#conns.values()) {
      if (conn.state === 'connecting') return `connect to ${conn.target} under way`;
      if (conn.port === undefined) continue;
      const why = this.ledger.unbalanced(conn.port, true);
      if (why) return `${conn.target} (${why})`;
    }
    if (this.#options.peerQuiet && !this.#options.peerQuiet()) return 'the acquirer is still working';
    return undefined;
  }

  /**
   * Waits (real time) until the loopback is quiet at virtual wall time `nowWallMs` (the
   * acquirer's held replies due by then go out first), then takes every queued event:
   * connections in the order they were opened, each one's events in arrival order, data cut
   * into the pieces the acquirer wrote.
   * @throws SimNetworkError naming what is unbalanced when it stays busy past the cap
   */
  async collect(nowWallMs: number): Promise<Collected> {
    this.ledger.runDue(nowWallMs);
    const deadline = Date.now() + (this.#options.capMs ?? STUCK_AFTER_MS);
    for (let spins = 0; ; spins++) {
      const why = this.#unquiet();
      if (!why) break;
      if (Date.now() > deadline) throw new SimNetworkError(`network stuck: ${why}`);
      await new Promise<void>((resolve) => (spins < 100 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
    const events: SocketEvent[] = [];
    for (const conn of [...this.#conns.values()]) {
      events.push(...this.#cut(conn));
      if (conn.state === 'ended') {
        if (conn.port !== undefined) this.ledger.forget(conn.port);
        this.#conns.delete(conn.id);
      }
    }
    return { events, nextDueWallMs: this.ledger.nextDueWallMs() };
  }

  /** A connection's queued events with runs of received bytes cut into the acquirer's pieces. */
  #cut(conn: Conn): SocketEvent[] {
    const out: SocketEvent[] = [];
    let run: Buffer[] = [];
    const flush = (final: boolean) => {
      if (!run.length) return;
      let bytes = Buffer.concat(run);
      run = [];
      for (const n of conn.port === undefined ? [] : this.ledger.pieces(conn.port, bytes.length)) {
        out.push({ id: conn.id, kind: 'data', bytes: new Uint8Array(bytes.subarray(0, n)) });
        bytes = bytes.subarray(n);
      }
      // What is left is the start of a piece cut short by a close or a reset: handed on as it came.
      if (bytes.length && final) out.push({ id: conn.id, kind: 'data', bytes: new Uint8Array(bytes) });
      else if (bytes.length) run.push(bytes);
    };
    for (const event of conn.queue) {
      if (event.kind === 'raw') run.push(event.bytes);
      else {
        flush(true);
        out.push(event);
      }
    }
    flush(conn.state === 'ended');
    // Bytes of a piece still arriving stay for the next collect.
    conn.queue = run.length ? [{ id: conn.id, kind: 'raw', bytes: Buffer.concat(run) }] : [];
    return out;
  }
}

/** A socket error in words that name no ephemeral port (both lanes must trace the same). */
function describe(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EPIPE':
      return 'broken pipe';
    default:
      return error.code ? `${/CERT|TLS|SSL|SELF_SIGNED|LEAF|ALTNAME/.test(error.code) ? 'tls' : 'socket'}: ${error.code}` : error.message;
  }
}
