/**
 * Fakes of the Moddable SDK's network modules for the device adapter's tests, written from the
 * SDK's sources (8.2.3), not from the adapter:
 * - FakeTcp: the ECMA-419 TCP socket of modules/io/socket/lin/tcp.c. onReadable gets the total
 *   waiting, read(count) returns a new ArrayBuffer and read(view) fills the view, both throwing
 *   "invalid" past what waits; write throws "would block" past the send buffer (1,536 bytes) and
 *   returns what it takes next; nothing fires after close().
 * - FakeSession: the TLS session of modules/crypt/ssl/session_419.js as its socket sees it:
 *   records read as a 5-byte header and then the rest, as the socket's count allows
 *   (readPacket), `readable` and `writable` kept on the socket object, a handshake step that
 *   sends a flight or reads one record. Records are plaintext here (type ‖ 0303 ‖ length ‖ body),
 *   and application data is sent with 40 bytes of stand-in MAC, as a real record is longer than
 *   its data.
 */
import type { SocketStack, StreamSocket, StreamSocketOptions, TlsTrust } from '../../firmware/device/networkAdapter';
import { TlsSocket, type RecordPipe, type TlsSession, type TlsSessionOptions } from '../../firmware/device/tlsSocket';

export const SEND_BUFFER = 1536;

export class FakeTcp implements StreamSocket {
  readonly written: Uint8Array[] = [];
  writable = 0;
  closes = 0;
  /** A socket whose write returns nothing, as the typings of @moddable/typings 5.6 say. */
  quiet = false;
  #waiting: Uint8Array = new Uint8Array(0);

  constructor(readonly options: StreamSocketOptions) {}

  get closed() {
    return this.closes > 0;
  }

  /** Everything written so far, in order. */
  get sent(): Uint8Array {
    return concat(...this.written);
  }

  read(what: number | Uint8Array): ArrayBuffer | number | undefined {
    if (!this.#waiting.length) return undefined;
    const count = typeof what === 'number' ? what : what.length;
    if (count <= 0 || count > this.#waiting.length) throw new Error('invalid');
    const taken = this.#waiting.slice(0, count);
    this.#waiting = this.#waiting.slice(count);
    if (typeof what === 'number') return taken.buffer;
    what.set(taken);
    return count;
  }

  write(bytes: ArrayBuffer | ArrayBufferView): number | undefined {
    const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.closed) throw new Error('write to closed socket');
    if (view.length > this.writable) throw new Error('would block');
    this.writable -= view.length;
    this.written.push(view.slice());
    return this.quiet ? undefined : this.writable;
  }

  close(): void {
    this.closes += 1;
  }

  // The network's side.

  /** Connected, or the peer took what was sent: the send buffer is empty again. */
  drain(room = SEND_BUFFER) {
    if (this.closed) return;
    this.writable = room;
    this.options.onWritable(room);
  }

  deliver(bytes: Uint8Array) {
    if (this.closed) return;
    this.#waiting = concat(this.#waiting, bytes);
    this.options.onReadable(this.#waiting.length);
  }

  /** A reset, a refused connection, or the peer's FIN once everything was read. */
  break() {
    if (this.closed) return;
    this.options.onError();
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A TLS record: content type, version 0x0303, 16-bit length, body (RFC 5246 §6.2.1). */
export function record(type: number, body: Uint8Array | number[]): Uint8Array {
  const bytes = Uint8Array.from(body);
  return concat(Uint8Array.of(type, 3, 3, bytes.length >> 8, bytes.length & 0xff), bytes);
}

export const HANDSHAKE = 22;
export const ALERT = 21;
export const APPLICATION_DATA = 23;
/** Handshake message types (RFC 5246 §7.4): the ones the client's steps turn on. */
export const SERVER_HELLO = 2;
export const CERTIFICATE = 11;
export const SERVER_HELLO_DONE = 14;
export const FINISHED = 20;
const CLIENT_HELLO = 1;
const CLIENT_KEY_EXCHANGE = 16;
const STAND_IN_MAC = 40;

/** The server's first flight, each message its own record, and its Finished. */
export const SERVER_FLIGHT = concat(record(HANDSHAKE, [SERVER_HELLO]), record(HANDSHAKE, [CERTIFICATE, 0xaa, 0xbb]), record(HANDSHAKE, [SERVER_HELLO_DONE]));
export const SERVER_FINISHED = concat(record(20, [1]), record(HANDSHAKE, [FINISHED]));

export class FakeSession implements TlsSession {
  alert: { level: number; description: number } | undefined;
  /** What a CertificateManager that refuses the chain does (ssl_handshake.js). */
  refuseCertificate = false;
  #step = -1;
  #packet: Uint8Array | undefined;
  #packetAt = 0;

  constructor(readonly options: TlsSessionOptions) {}

  initiateHandshake(): void {
    this.#step = 0;
  }

  handshake(s: RecordPipe): boolean {
    switch (this.#step) {
      case 0:
        this.#send(s, record(HANDSHAKE, [CLIENT_HELLO, 3, 3]));
        break;
      case SERVER_HELLO_DONE:
        this.#send(s, record(HANDSHAKE, [CLIENT_KEY_EXCHANGE, 0x04, 0x01]));
        this.#send(s, record(20, [1]));
        this.#send(s, record(HANDSHAKE, [FINISHED, 0x99]));
        break;
      case FINISHED:
        return true;
      default: {
        if (!s.readable) break;
        const packet = this.#readPacket(s);
        if (packet) this.#unpacketize(packet);
        if (this.alert) return true;
        return false;
      }
    }
    this.#step = -1;
    return false;
  }

  read(s: RecordPipe): Uint8Array | null | undefined {
    while (s.readable) {
      const packet = this.#readPacket(s);
      if (!packet) return undefined;
      const data = this.#unpacketize(packet);
      if (this.alert) return null;
      if (data) return data;
    }
    return undefined;
  }

  write(s: RecordPipe, data: Uint8Array): number {
    s.writable = s.write(record(APPLICATION_DATA, concat(data, new Uint8Array(STAND_IN_MAC))));
    return Math.max(0, s.writable - 32);
  }

  close(s: RecordPipe): void {
    s.writable = s.write(record(ALERT, [1, 0]));
  }

  /** session_419.js doProtocol: write, then count the packet off `writable` by hand. */
  #send(s: RecordPipe, packet: Uint8Array) {
    s.write(packet);
    s.writable -= packet.length;
  }

  /** session_419.js readPacket: the header first, then the body, as much as is readable each time. */
  #readPacket(s: RecordPipe): Uint8Array | undefined {
    if (!this.#packet || this.#packetAt < 5) {
      if (!this.#packet) {
        this.#packet = new Uint8Array(5);
        this.#packetAt = 0;
      }
      const need = Math.min(5 - this.#packetAt, s.readable);
      s.read(this.#packet.subarray(this.#packetAt, this.#packetAt + need));
      s.readable -= need;
      this.#packetAt += need;
      if (this.#packetAt < 5) return undefined;
      const whole = new Uint8Array(((this.#packet[3] << 8) | this.#packet[4]) + 5);
      whole.set(this.#packet);
      this.#packet = whole;
    }
    let need = this.#packet.length - this.#packetAt;
    if (need) {
      if (!s.readable) return undefined;
      need = Math.min(need, s.readable);
      s.read(this.#packet.subarray(this.#packetAt, this.#packetAt + need));
      s.readable -= need;
      this.#packetAt += need;
      if (this.#packetAt < this.#packet.length) return undefined;
    }
    const packet = this.#packet;
    this.#packet = undefined;
    return packet;
  }

  #unpacketize(packet: Uint8Array): Uint8Array | undefined {
    const body = packet.subarray(5);
    switch (packet[0]) {
      case HANDSHAKE:
        if (body[0] === CERTIFICATE && this.refuseCertificate) throw new Error('certificate: auth err');
        this.#step = body[0];
        return undefined;
      case ALERT:
        // ssl_alert.js: anything but close_notify throws.
        this.alert = { level: body[0], description: body[1] };
        if (body[1] !== 0) throw new Error(`alert: ${body[0]}, ${body[1]}`);
        return undefined;
      case APPLICATION_DATA:
        return body.subarray(0, body.length - STAND_IN_MAC);
      case 20:
        return undefined;
      default:
        throw new Error('recordProtocol: bad data');
    }
  }
}

/** A SocketStack of fakes: every socket and session made, every name looked up. */
export class FakeStack implements SocketStack {
  readonly sockets: FakeTcp[] = [];
  readonly sessions: FakeSession[] = [];
  readonly lookups: string[] = [];
  readonly trusts: TlsTrust[] = [];
  /** Name → address; a name not here has none. */
  readonly names = new Map<string, string>();
  /** What `new TCP()` throws, if anything. */
  refuse: Error | undefined;
  /** The resolver's queue is full (lwIP: the SDK throws). */
  resolverFull = false;
  /** Set on every session made, before its handshake. */
  refuseCertificate = false;
  #resolving: Array<() => void> = [];

  openTcp = (options: StreamSocketOptions): FakeTcp => {
    if (this.refuse) throw this.refuse;
    const socket = new FakeTcp(options);
    this.sockets.push(socket);
    return socket;
  };

  openTls = (options: StreamSocketOptions, trust: TlsTrust): StreamSocket => {
    this.trusts.push(trust);
    return new TlsSocket(options, trust, this.openTcp, (sessionOptions) => {
      const session = new FakeSession(sessionOptions);
      session.refuseCertificate = this.refuseCertificate;
      this.sessions.push(session);
      return session;
    });
  };

  resolve = (name: string, callback: (address: string | undefined) => void): void => {
    if (this.resolverFull) throw new Error('DNS queue full');
    this.lookups.push(name);
    // Net.resolve answers later, from the stack's own task.
    this.#resolving.push(() => callback(this.names.get(name)));
  };

  /** Hosts SNTP was asked, in order, with the client's message callback (the SDK's SNTP, as sntp.js calls it) and the client. */
  readonly sntpAsked: { host: string; onMessage: (message: number, value?: number | string) => void; client: FakeSntpClient }[] = [];

  sntp = (host: string, onMessage: (message: number, value?: number | string) => void): FakeSntpClient => {
    if (this.refuse) throw this.refuse;
    const client = new FakeSntpClient(onMessage);
    this.sntpAsked.push({ host, onMessage, client });
    return client;
  };

  /** The resolver answers every pending look-up. */
  answer() {
    const pending = this.#resolving;
    this.#resolving = [];
    for (const answer of pending) answer();
  }

  get last(): FakeTcp {
    return this.sockets[this.sockets.length - 1];
  }
}

/**
 * The SDK's SNTP client as modules/network/sntp/sntp.js behaves: a UDP socket and a retry timer,
 * both ended by close(); after an answer it closes itself and then calls back (time), after a
 * failure it calls back and then closes itself unless the callback names another host (error).
 * A second close() throws, as Timer.clear(undefined) and a closed socket's close do on XS.
 */
export class FakeSntpClient {
  /** The socket and timer are live. */
  open = true;
  closes = 0;
  constructor(readonly onMessage: (message: number, value?: number | string) => unknown) {}
  close(): void {
    this.closes++;
    if (!this.open) throw new Error('SNTP client closed twice');
    this.open = false;
  }
  /** SNTP.retry: a resend, every 5 s. */
  retry(): void {
    if (this.open) this.onMessage(2);
  }
  /** SNTP.time with seconds since 1970. */
  time(seconds: number): void {
    if (!this.open) return;
    this.close();
    this.onMessage(1, seconds);
  }
  /** SNTP.error: the client gives up (5 resends unanswered, a name that does not resolve). */
  error(reason: string): void {
    if (!this.open) return;
    const host = this.onMessage(-1, reason);
    if (!host) this.close();
  }
}

/** Lets promise jobs run (the adapter reports in a later job). */
export function settle(): Promise<void> {
  return new Promise((done) => setImmediate(done));
}
