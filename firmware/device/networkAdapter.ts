/**
 * The network port's logic over an ECMA-419 stream socket, with no Moddable import: the SDK's
 * modules come in through a `SocketStack` (tcpNetwork.ts on the device; fakes in
 * tests/device/tcpNetwork.test.ts), as the Wi-Fi join takes its radio (wifiJoin.ts).
 *
 * Link: what the background Wi-Fi join reports (wifiJoin.ts): up once it has joined the
 * provisioned network and has an address. While it is down nothing is sent: connect() fails
 * and resolve() answers undefined without asking the resolver (lwIP's DNS would only wait out
 * its timeout with no interface up).
 *
 * ECMA-419 reports "connected" as the first onWritable, and reports a peer's close and a reset
 * alike, as onError (lwIP and the Linux socket both: modules/io/socket/*\/tcp.c). This adapter
 * cannot tell a clean close from a broken connection, so it never calls onClose: either one
 * arrives as onError with PortError 'socket', and a caller that got its whole response first
 * can ignore it. Over TLS, "connected" is the end of the handshake (tlsSocket.ts).
 */
import { PortError, type NetworkPort, type SntpAsk, type TcpConnection, type TcpOptions } from '../core/ports';
import { errorText } from '../core/errorText';

/** Bytes a connection may hold queued while the socket's send buffer is full. */
export const MAX_QUEUED_BYTES = 16 * 1024;

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** The callbacks of an ECMA-419 TCP socket (`embedded:io/socket/tcp`), as this adapter gives them. */
export interface StreamSocketOptions {
  readonly address: string;
  readonly port: number;
  readonly nodelay?: boolean;
  /** Bytes the socket takes now; the first call means "connected". */
  onWritable(count: number): void;
  /** Bytes waiting to be read (all of them: the SDK's count is the total, not the increase). */
  onReadable(count: number): void;
  /** Broken, reset or closed by the peer; `detail` when the socket knows more (TLS does). */
  onError(detail?: string): void;
}

/** The part of an ECMA-419 TCP socket the adapter uses; TlsSocket has the same shape. */
export interface StreamSocket {
  /** `count` bytes as a new buffer, or as many as `into` holds (its length returned); undefined when none wait. */
  read(what: number | Uint8Array): ArrayBuffer | number | undefined;
  /** @returns the bytes the socket takes after this write (the SDK's sockets return it) @throws when it would block */
  write(bytes: ArrayBuffer | ArrayBufferView): unknown;
  close(): void;
}

export interface TlsTrust {
  readonly serverName: string;
  readonly ca: Uint8Array;
}

/** What the adapter needs from the SDK. */
export interface SocketStack {
  openTcp(options: StreamSocketOptions): StreamSocket;
  /** TLS 1.2 over a socket of `openTcp` (tlsSocket.ts). @throws when the session cannot be made (e.g. an expired CA) */
  openTls(options: StreamSocketOptions, trust: TlsTrust): StreamSocket;
  /** `Net.resolve`: the first IPv4 address of `name`, or undefined. @throws when the resolver's queue is full */
  resolve(name: string, callback: (address: string | undefined) => void): void;
  /**
   * `new SNTP({host}, onMessage)` (modules/network/sntp/sntp.js): it resolves `host`, sends up
   * to 5 requests 5 s apart, and calls `onMessage` with SDK_SNTP.time and the transmit time in
   * whole seconds since 1970, SDK_SNTP.retry on each resend, or SDK_SNTP.error and the reason
   * (after which it closes itself). @returns the client, whose close() ends its UDP socket and
   * retry timer (sntp.js closes itself after SDK_SNTP.time and after SDK_SNTP.error, so close()
   * is for an ask given up before either). @throws when the UDP socket cannot be made
   */
  sntp(host: string, onMessage: (message: number, value?: number | string) => void): SdkSntpClient;
}

/** The SDK's SNTP client as the adapter holds it (sntp.js: a UDP Socket with a retry Timer). */
export interface SdkSntpClient {
  close(): void;
}

/** The messages of the SDK's SNTP client (SNTP.time, SNTP.retry, SNTP.error in sntp.js). */
export const SDK_SNTP = Object.freeze({ time: 1, retry: 2, error: -1 });

type Link = { up: boolean; address?: string };

export class NetworkAdapter implements NetworkPort {
  readonly #link: () => Link;
  readonly #stack: SocketStack;

  /** `link` is the Wi-Fi join's: the board's only interface. */
  constructor(link: () => Link, stack: SocketStack) {
    this.#link = link;
    this.#stack = stack;
  }

  link(): Link {
    return this.#link();
  }

  /** Answers in a later job, never inside the call, as the host's adapter does. */
  resolve(name: string, callback: (address: string | undefined) => void): void {
    // A literal needs no look-up, link or not (ports.ts: it resolves to itself).
    if (IPV4.test(name)) return answerLater(callback, name);
    if (!this.link().up) return answerLater(callback, undefined);
    let answered = false;
    const once = (address: string | undefined) => {
      if (answered) return;
      answered = true;
      callback(address);
    };
    try {
      this.#stack.resolve(name, once);
    } catch {
      // lwIP's look-up table is full (the SDK throws): as good as no answer.
      answerLater(once, undefined);
    }
  }

  /**
   * Answers once, in a later job; nothing is sent while the link is down. The handle's cancel()
   * closes the SDK client (socket and retry timer) when the core gives the ask up first.
   */
  sntp(host: string, callback: (wallMs: number | undefined, detail: string) => void): SntpAsk {
    const ask = new DeviceSntpAsk(callback);
    if (!this.link().up) Promise.resolve().then(() => ask.end(undefined, 'link is down'));
    else ask.start(this.#stack, host);
    return ask;
  }

  connect(options: TcpOptions): TcpConnection {
    const connection = new Connection(options, this.#stack);
    if (!this.link().up) connection.fail('link is down');
    else if (IPV4.test(options.host)) connection.open(options.host);
    else
      this.resolve(options.host, (address) => {
        if (address) connection.open(address);
        else connection.fail(`cannot resolve ${options.host}`);
      });
    return connection;
  }
}

/** One SNTP ask over the SDK's client: at most one answer, and the client closed once, by itself or by cancel(). */
class DeviceSntpAsk implements SntpAsk {
  #callback: ((wallMs: number | undefined, detail: string) => void) | undefined;
  /** The client while it is open and ours to close. */
  #client: SdkSntpClient | undefined;

  constructor(callback: (wallMs: number | undefined, detail: string) => void) {
    this.#callback = callback;
  }

  start(stack: SocketStack, host: string): void {
    try {
      const client = stack.sntp(host, (message, value) => this.#message(message, value));
      // An answer inside the constructor (no SDK client gives one) would have ended the ask already.
      if (this.#callback) this.#client = client;
    } catch (error) {
      const reason = errorText(error);
      Promise.resolve().then(() => this.end(undefined, reason));
    }
  }

  #message(message: number, value?: number | string): void {
    // A resend (SDK_SNTP.retry) is the client still trying: wait for its last word. After time
    // or error the client closes itself (sntp.js), so it is no longer ours to close.
    if (message === SDK_SNTP.time && typeof value === 'number') {
      this.#client = undefined;
      this.end(value * 1000, 'answered');
    } else if (message === SDK_SNTP.error) {
      this.#client = undefined;
      this.end(undefined, typeof value === 'string' ? value : 'no answer');
    }
  }

  end(wallMs: number | undefined, detail: string): void {
    const callback = this.#callback;
    if (!callback) return;
    this.#callback = undefined;
    callback(wallMs, detail);
  }

  cancel(): void {
    this.#callback = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    try {
      client.close();
    } catch {
      // Already closed by the SDK's own path: nothing is left to end.
    }
  }
}

function answerLater(callback: (address: string | undefined) => void, address: string | undefined) {
  Promise.resolve().then(() => callback(address));
}

/** One attempt at one host; reports at most one onError, nothing after close(). */
class Connection implements TcpConnection {
  readonly #options: TcpOptions;
  readonly #stack: SocketStack;
  #socket: StreamSocket | undefined;
  #connected = false;
  #finished = false;
  /** The caller closed it: not even a pending onError may fire now. */
  #closed = false;
  /** Bytes the socket takes right now (ECMA-419 onWritable, then what each write returns). */
  #writable = 0;
  #queue: Uint8Array[] = [];
  #queued = 0;

  constructor(options: TcpOptions, stack: SocketStack) {
    this.#options = options;
    this.#stack = stack;
  }

  open(address: string) {
    if (this.#finished) return;
    const connection = this;
    const port = this.#options.port;
    const callbacks: StreamSocketOptions = {
      address,
      port,
      nodelay: true,
      onWritable(count) {
        connection.#onWritable(count);
      },
      onReadable(count) {
        connection.#onReadable(count);
      },
      onError(detail) {
        connection.fail(detail ?? (connection.#connected ? 'connection closed or reset' : `cannot connect to ${address}:${port}`));
      },
    };
    try {
      const tls = this.#options.tls;
      this.#socket = tls ? this.#stack.openTls(callbacks, tls) : this.#stack.openTcp(callbacks);
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

  #onWritable(count: number) {
    if (this.#finished) return;
    this.#writable = count;
    if (!this.#connected) {
      this.#connected = true;
      this.#options.onConnect();
    }
    this.#flush();
  }

  #onReadable(count: number) {
    const socket = this.#socket;
    if (this.#finished || !socket || count <= 0) return;
    const data = socket.read(count);
    if (data instanceof ArrayBuffer) this.#options.onReadable(new Uint8Array(data));
  }

  /** Sends what the socket takes now; the rest waits for the next onWritable. */
  #flush() {
    while (this.#socket && !this.#finished && this.#queue.length && this.#writable > 0) {
      const head = this.#queue[0];
      const take = Math.min(head.length, this.#writable);
      let left: unknown;
      try {
        left = this.#socket.write(take === head.length ? head : head.subarray(0, take));
      } catch (error) {
        this.fail(`write failed: ${errorText(error)}`);
        return;
      }
      // The SDK's sockets return what they take next; TLS spends more than `take` on a record.
      this.#writable = typeof left === 'number' ? left : this.#writable - take;
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
