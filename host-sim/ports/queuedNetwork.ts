/**
 * The terminal's network port in the simulator, the same code in both lanes: it asks a backend
 * (SimNetwork on Node; the bridge to it from XS) to open, write and close connections, and
 * hands the socket events the backend queued to the connection callbacks only in `settle()`,
 * one event per turn of the host's loop (as the device's event loop runs one callback, then
 * the promise jobs it started). Keeps the ECMA-419 rules: nothing before `onConnect` but an
 * error, nothing after an error, a close or the terminal's own `close()`. Engine-neutral: the
 * XS lane runs this code inside XS.
 */
import { PortError, type NetworkPort, type TcpConnection, type TcpOptions } from '../../firmware/core/ports';
import type { ClockPeer } from './virtualClock';

export type SocketEvent =
  | { id: number; kind: 'connect' }
  | { id: number; kind: 'data'; bytes: Uint8Array }
  | { id: number; kind: 'error'; message: string }
  | { id: number; kind: 'close' };

/** What the loopback did since the last collect, and when the acquirer next acts in virtual time. */
export interface Collected {
  events: SocketEvent[];
  nextDueWallMs: number | undefined;
}

/** The world behind the port: SimNetwork, directly or across the XS bridge. */
export interface NetworkBackend {
  link(): { up: boolean; address?: string };
  lookup(name: string): string | undefined;
  /** Starts a connection; returns its id (ids count up from 1 in the order connects are made). */
  open(host: string, port: number, tls: TcpOptions['tls'] | undefined): number;
  write(id: number, bytes: Uint8Array): void;
  close(id: number): void;
  /** Waits until the loopback is quiet at virtual wall time `nowWallMs`, then takes what it queued. */
  collect(nowWallMs: number): Promise<Collected>;
  /** What SNTP server `host` answers `elapsedMs` into the world's time line (VirtualClock.elapsedMs). */
  sntp(host: string, elapsedMs: number): SntpReply;
}

/** An SNTP answer as NetworkPort.sntp hands it on: a time, or why none. */
export interface SntpReply {
  wallMs?: number;
  detail: string;
}

/** One turn of the host's loop: every pending promise job runs first (Node and xsnap alike). */
export function hostTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

interface Live {
  options: TcpOptions;
  open: boolean;
}

export class QueuedNetwork implements NetworkPort, ClockPeer {
  readonly #backend: NetworkBackend;
  readonly #live = new Map<number, Live>();
  readonly #elapsedMs: (() => number) | undefined;
  #nextDue: number | undefined;

  /** `elapsedMs`: the world's time line (the clock's elapsedMs), which the scenario's SNTP server tells from; without it no server answers. */
  constructor(backend: NetworkBackend, elapsedMs?: () => number) {
    this.#backend = backend;
    this.#elapsedMs = elapsedMs;
  }

  link() {
    return this.#backend.link();
  }

  resolve(name: string, callback: (address: string | undefined) => void): void {
    const address = this.#backend.lookup(name);
    void Promise.resolve().then(() => callback(address));
  }

  /** Answers in a later job at this same virtual instant (the exchange takes no virtual time). */
  sntp(host: string, callback: (wallMs: number | undefined, detail: string) => void): void {
    const reply: SntpReply = this.#elapsedMs ? this.#backend.sntp(host, this.#elapsedMs()) : { detail: 'no SNTP server on this network' };
    void Promise.resolve().then(() => callback(reply.wallMs, reply.detail));
  }

  connect(options: TcpOptions): TcpConnection {
    const id = this.#backend.open(options.host, options.port, options.tls);
    this.#live.set(id, { options, open: false });
    return {
      write: (bytes) => {
        if (this.#live.get(id)?.open !== true) throw new PortError('socket', 'not connected');
        this.#backend.write(id, bytes);
      },
      close: () => {
        if (!this.#live.delete(id)) return;
        this.#backend.close(id);
      },
    };
  }

  /**
   * Hands over what the loopback did once it is quiet; true when some callback ran. Nothing to
   * wait for (no connection the terminal still holds, nothing the acquirer holds for later):
   * returns at once, without asking the backend.
   */
  async settle(nowWallMs: number): Promise<boolean> {
    if (this.#live.size === 0 && this.#nextDue === undefined) return false;
    const { events, nextDueWallMs } = await this.#backend.collect(nowWallMs);
    this.#nextDue = nextDueWallMs;
    let delivered = 0;
    for (const event of events) {
      const live = this.#live.get(event.id);
      if (!live) continue;
      delivered++;
      switch (event.kind) {
        case 'connect':
          live.open = true;
          live.options.onConnect();
          break;
        case 'data':
          if (live.open) live.options.onReadable(event.bytes);
          break;
        case 'error':
          this.#live.delete(event.id);
          live.options.onError(new PortError('socket', event.message));
          break;
        case 'close':
          this.#live.delete(event.id);
          live.options.onClose();
          break;
      }
      await hostTurn();
    }
    return delivered > 0;
  }

  nextDueWallMs(): number | undefined {
    return this.#nextDue;
  }

  /** Power came back: the connections of the terminal that died are gone (the backend dropped them). */
  reset() {
    this.#live.clear();
  }
}
