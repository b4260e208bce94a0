/**
 * The network port on ECMA-419 `embedded:io/socket/tcp` (lwIP on ESP32, BSD sockets in the
 * simulator) and Moddable's `net` module (the station's address; DNS).
 *
 * Link: what the background Wi-Fi join reports (wifiJoin.ts): up once it has joined the
 * provisioned network and has an address, down while it joins, waits to retry, or has no
 * network to join. Nothing is sent while it is down.
 * Names are resolved with `Net.resolve`; the simulator's resolver (modResolve.c) answers only
 * when a name's first address is IPv4, so "localhost" (::1 first) does not resolve there.
 *
 * ECMA-419 reports "connected" as the first onWritable, and reports a peer's close and a reset
 * alike, as onError (lwIP and the Linux socket both). This adapter cannot tell a clean close
 * from a broken connection, so it never calls onClose: either one arrives as onError with
 * PortError 'socket', and a caller that got its whole response first can ignore it.
 */
import TCP from 'embedded:io/socket/tcp';
import Net from 'net';
import { PortError, type NetworkPort, type TcpConnection, type TcpOptions } from '../core/ports';
import { errorText } from '../core/errorText';

/** Bytes a connection may hold queued while the socket's send buffer is full. */
export const MAX_QUEUED_BYTES = 16 * 1024;

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export class TcpNetwork implements NetworkPort {
  readonly #link: () => { up: boolean; address?: string };

  /** `link` is the Wi-Fi join's: the board's only interface. */
  constructor(link: () => { up: boolean; address?: string }) {
    this.#link = link;
  }

  link(): { up: boolean; address?: string } {
    return this.#link();
  }

  resolve(name: string, callback: (address: string | undefined) => void): void {
    if (IPV4.test(name)) callback(name);
    else Net.resolve(name, (_name, address) => callback(address || undefined));
  }

  connect(options: TcpOptions): TcpConnection {
    const connection = new Connection(options);
    if (!this.link().up) connection.fail('link is down');
    else if (IPV4.test(options.host)) connection.open(options.host);
    else
      Net.resolve(options.host, (_name, address) => {
        if (address) connection.open(address);
        else connection.fail(`cannot resolve ${options.host}`);
      });
    return connection;
  }
}

/** One attempt at one host; reports at most one onError, nothing after close(). */
class Connection implements TcpConnection {
  readonly #options: TcpOptions;
  #socket: TCP | undefined;
  #connected = false;
  #finished = false;
  /** The caller closed it: not even a pending onError may fire now. */
  #closed = false;
  /** Bytes the socket takes right now (ECMA-419 onWritable). */
  #writable = 0;
  #queue: Uint8Array[] = [];
  #queued = 0;

  constructor(options: TcpOptions) {
    this.#options = options;
  }

  open(address: string) {
    if (this.#finished) return;
    const connection = this;
    try {
      this.#socket = new TCP({
        address,
        port: this.#options.port,
        nodelay: true,
        onWritable(bytes) {
          connection.#onWritable(bytes);
        },
        onReadable(bytes) {
          connection.#onReadable(this, bytes);
        },
        onError() {
          connection.fail(connection.#connected ? 'connection closed or reset' : `cannot connect to ${address}:${connection.#options.port}`);
        },
      });
    } catch (error) {
      this.fail(errorText(error));
    }
  }

  /** Reports the failure once, later in this turn's job queue so the caller has its connection object first. */
  fail(reason: string) {
    if (this.#finished) return;
    this.#shut();
    Promise.resolve().then(() => {
      if (!this.#closed) this.#options.onError(new PortError('socket', reason));
    });
  }

  write(bytes: Uint8Array): void {
    if (this.#finished || !this.#connected) throw new PortError('socket', 'not connected');
    if (this.#queued + bytes.length > MAX_QUEUED_BYTES) throw new PortError('socket', `send queue full (${MAX_QUEUED_BYTES} bytes)`);
    this.#queue.push(bytes.slice());
    this.#queued += bytes.length;
    this.#flush();
  }

  close(): void {
    this.#closed = true;
    this.#shut();
  }

  #onWritable(bytes: number) {
    if (this.#finished) return;
    this.#writable = bytes;
    if (!this.#connected) {
      this.#connected = true;
      this.#options.onConnect();
    }
    this.#flush();
  }

  #onReadable(socket: TCP, bytes: number) {
    if (this.#finished) return;
    const data = socket.read(bytes) as ArrayBuffer;
    this.#options.onReadable(new Uint8Array(data));
  }

  /** Sends what the socket takes now; the rest waits for the next onWritable. */
  #flush() {
    const socket = this.#socket;
    while (socket && !this.#finished && this.#queue.length && this.#writable > 0) {
      const head = this.#queue[0];
      const take = Math.min(head.length, this.#writable);
      try {
        socket.write(take === head.length ? head : head.subarray(0, take));
      } catch (error) {
        this.fail(`write failed: ${errorText(error)}`);
        return;
      }
      this.#writable -= take;
      this.#queued -= take;
      if (take === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(take);
    }
  }

  #shut() {
    this.#finished = true;
    this.#queue = [];
    this.#queued = 0;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket)
      try {
        socket.close();
      } catch {
        // Already closed by the stack after an error; nothing left to release.
      }
  }
}
