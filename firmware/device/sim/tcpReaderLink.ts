/**
 * SIMULATOR ONLY: the PN532's HSU byte stream over a TCP connection to 127.0.0.1:<port>, where
 * the host's virtual PN532 listens (`npm run pn532 -- --tcp PORT --card FILE`,
 * host-sim/cards/pn532Cli.ts). The core's Pn532Reader runs over it exactly as over the board's
 * UART (device/pn532Hsu.ts): same frames, same wake-up, bytes in chunks of any size.
 *
 * ECMA-419 `embedded:io/socket/tcp` (the SDK's BSD-socket TCP on lin, as device/tcpNetwork.ts
 * uses it). The connection is made at open(); bytes written before it is up, or beyond what
 * the socket takes, wait in a bounded queue. A broken connection is dropped and made again at
 * the next write, so a virtual PN532 started after the simulator is found at the next command.
 *
 * Set up by sim/simBoard.ts when the setting dev/pn532Port is there; the manifest lists
 * `device/sim/` in the simulator build only.
 */
import TCP from 'embedded:io/socket/tcp';
import { PortError, type ReaderLinkPort } from '../../core/ports';
import type { StreamSocket, StreamSocketOptions } from '../networkAdapter';

/** Bytes waiting to go out at most: the wake-up and two of the largest frames, as pn532Hsu.ts. */
const OUT_CAP = 16 + 2 * 275;

export class TcpReaderLink implements ReaderLinkPort {
  readonly kind = 'hsu';
  readonly #address: string;
  readonly #port: number;
  #socket: StreamSocket | undefined;
  #onBytes: ((bytes: Uint8Array) => void) | undefined;
  /** Bytes the socket takes now: 0 until connected (its first onWritable). */
  #room = 0;
  readonly #out = new Uint8Array(OUT_CAP);
  #outEnd = 0;

  constructor(address: string, port: number) {
    this.#address = address;
    this.#port = port;
  }

  /** @throws PortError 'reader' when already open or when the socket cannot be made */
  open(onBytes: (bytes: Uint8Array) => void): void {
    if (this.#onBytes) throw new PortError('reader', 'the reader link is already open');
    this.#onBytes = onBytes;
    this.#connect();
  }

  /** @throws PortError 'reader' when closed or when the queue is full */
  write(bytes: Uint8Array): void {
    if (!this.#onBytes) throw new PortError('reader', 'the reader link is not open');
    if (this.#outEnd + bytes.length > OUT_CAP) throw new PortError('reader', `reader link output queue full (${OUT_CAP} bytes)`);
    this.#out.set(bytes, this.#outEnd);
    this.#outEnd += bytes.length;
    if (!this.#socket) this.#connect();
    this.#drain();
  }

  close(): void {
    this.#onBytes = undefined;
    this.#outEnd = 0;
    this.#drop();
  }

  #connect(): void {
    const link = this;
    const options: StreamSocketOptions = {
      address: this.#address,
      port: this.#port,
      nodelay: true,
      onWritable(count) {
        link.#room = count;
        link.#drain();
      },
      onReadable(count) {
        link.#read(count);
      },
      onError() {
        // The virtual PN532 went away: the driver's timeout reports the silence; the next write connects again.
        link.#drop();
      },
    };
    try {
      this.#socket = new TCP(options as unknown as ConstructorParameters<typeof TCP>[0]) as unknown as StreamSocket;
    } catch (error) {
      this.#socket = undefined;
      throw new PortError('reader', `reader link ${this.#address}:${this.#port}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #read(count: number): void {
    const socket = this.#socket;
    if (!socket || count <= 0) return;
    const bytes = socket.read(count);
    if (bytes instanceof ArrayBuffer) this.#onBytes?.(new Uint8Array(bytes));
  }

  #drain(): void {
    const socket = this.#socket;
    const count = Math.min(this.#room, this.#outEnd);
    if (!socket || count <= 0) return;
    const taken = socket.write(this.#out.subarray(0, count));
    this.#room = typeof taken === 'number' ? taken : this.#room - count;
    this.#out.copyWithin(0, count, this.#outEnd);
    this.#outEnd -= count;
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#room = 0;
    try {
      socket?.close();
    } catch {
      // already closed by the peer
    }
  }
}
