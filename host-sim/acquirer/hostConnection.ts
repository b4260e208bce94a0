/**
 * One accepted connection: its byte ledger (bytes read and written, writes not yet handed to
 * the kernel, a frame half received), frame reassembly, and the ways a fault plan delivers an
 * answer. The ledger is what the simulator's network reads to know the loopback has settled:
 * the acquirer is quiet when no connection has a half frame, a write in progress, or a timed
 * answer waiting (a hang and a held answer keep nothing in flight, so they leave it quiet).
 */
import type { Socket } from 'node:net';
import { FrameReader } from '../../firmware/core/host/frameReader';
import { loopbackKey, type LoopbackLedger } from '../ports/loopbackLedger';

export interface ConnectionStats {
  id: number;
  host: number;
  /** The peer's port: the terminal's side of the connection. */
  remotePort: number;
  bytesRead: number;
  bytesWritten: number;
  open: boolean;
}

export interface ConnectionOptions {
  id: number;
  host: number;
  maxBody: number;
  onBody: (c: HostConnection, body: Uint8Array) => void;
  onBroken: (c: HostConnection, why: string) => void;
  changed: () => void;
  /** The simulator's ledger: told of every read, write and close; it runs held answers in virtual time. */
  ledger?: LoopbackLedger;
}

/** How an answer frame goes out (the delivery faults). */
export type Delivery = 'normal' | 'split-bytes' | 'duplicate' | 'reset-mid-frame';

export class HostConnection {
  readonly id: number;
  readonly host: number;
  readonly remotePort: number;
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  readonly #changed: () => void;
  readonly #ledger: LoopbackLedger | undefined;
  /** The ledger's name for this connection: loopbackKey(the terminal's port, this server's port). */
  readonly #key: number;
  #bytesRead = 0;
  #bytesWritten = 0;
  /** Writes handed to the socket whose callback has not come yet, plus 1-byte sequences under way. */
  #inFlight = 0;
  readonly #timers = new Set<NodeJS.Timeout>();
  #open = true;

  /** `socket` is established (after the TLS handshake when TLS). */
  constructor(socket: Socket, options: ConnectionOptions) {
    const { onBody, onBroken } = options;
    this.id = options.id;
    this.host = options.host;
    this.remotePort = socket.remotePort ?? 0;
    this.#socket = socket;
    this.#reader = new FrameReader(options.maxBody);
    this.#changed = options.changed;
    this.#ledger = options.ledger;
    this.#key = loopbackKey(this.remotePort, socket.localPort ?? 0);
    this.#ledger?.accepted(this.#key);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#bytesRead += chunk.length;
      this.#ledger?.read(this.#key, chunk.length);
      let bodies: Uint8Array[];
      try {
        bodies = this.#reader.push(new Uint8Array(chunk));
      } catch (error) {
        onBroken(this, `framing lost: ${(error as Error).message}`);
        this.destroy();
        return;
      }
      for (const body of bodies) if (this.#open) onBody(this, body);
      this.#changed();
    });
    socket.on('error', () => {
      // 'close' follows; a peer's reset is part of the faults the link must survive.
    });
    socket.on('close', () => {
      this.#open = false;
      this.#inFlight = 0;
      this.#timers.forEach(clearTimeout);
      this.#timers.clear();
      this.#ledger?.closed(this.#key);
      this.#changed();
    });
  }

  get open(): boolean {
    return this.#open;
  }

  /** Nothing half received, nothing being written, no timed answer waiting. */
  get quiet(): boolean {
    return !this.#open || (this.#reader.pending === 0 && this.#inFlight === 0 && this.#timers.size === 0);
  }

  stats(): ConnectionStats {
    return { id: this.id, host: this.host, remotePort: this.remotePort, bytesRead: this.#bytesRead, bytesWritten: this.#bytesWritten, open: this.#open };
  }

  #write(bytes: Uint8Array, then?: () => void): void {
    if (!this.#open) return;
    this.#inFlight++;
    this.#bytesWritten += bytes.length;
    this.#ledger?.wrote(this.#key, bytes.length);
    this.#socket.write(bytes, () => {
      if (this.#inFlight > 0) this.#inFlight--;
      then?.();
      this.#changed();
    });
  }

  /** Writes an answer frame as the delivery says. */
  deliver(frame: Uint8Array, how: Delivery): void {
    if (!this.#open) return;
    switch (how) {
      case 'normal':
        return this.#write(frame);
      case 'duplicate':
        this.#write(frame);
        return this.#write(frame);
      case 'reset-mid-frame':
        // Half the frame, then FIN: every byte written reaches the peer before the close, so the
        // ledger balances (an RST could drop bytes the peer has not read yet).
        // The ledger hears of the close when it is asked for, not when the socket reports it: until
        // the terminal has seen it, the loopback is not quiet.
        return this.#write(frame.subarray(0, frame.length >> 1), () => {
          this.#ledger?.closed(this.#key);
          this.#socket.end();
        });
      case 'split-bytes': {
        this.#inFlight++; // the sequence itself, until its last byte is handed over
        const next = (at: number) => {
          if (!this.#open) return;
          if (at === frame.length) {
            this.#inFlight--;
            this.#changed();
            return;
          }
          this.#write(frame.subarray(at, at + 1), () => setImmediate(next, at + 1));
        };
        return next(0);
      }
    }
  }

  /**
   * Writes `frame` after `ms` milliseconds: of the terminal's virtual time when a ledger runs
   * the simulation (nothing is in flight meanwhile, so the network can settle and the clock
   * move), else of real time (the connection is not quiet meanwhile).
   */
  deliverLater(frame: Uint8Array, ms: number, how: Delivery, then: () => void): void {
    if (this.#ledger) {
      this.#ledger.later(ms, () => {
        this.deliver(frame, how);
        then();
        this.#changed();
      });
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.deliver(frame, how);
      then();
      this.#changed();
    }, ms);
    this.#timers.add(timer);
  }

  destroy(): void {
    if (this.#open) this.#ledger?.closed(this.#key);
    this.#socket.destroy();
  }
}
