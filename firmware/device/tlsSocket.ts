/**
 * TLS 1.2 client over an ECMA-419 TCP socket, on the Moddable SDK's TLS session (the
 * `ssl/session` module of modules/crypt/tls_419.json: modules/crypt/ssl/session_419.js, 8.2.3).
 * It has the socket's shape, so the network adapter (networkAdapter.ts) uses it as it uses
 * TCP; "connected" (the first onWritable) is the end of the handshake.
 *
 * Why not the SDK's TLSSocket (examples/io/tcp/tlssocket, `embedded:io/socket/tcp/tls`): it is
 * an example outside modules/, and a session that throws (a certificate that fails, a fatal
 * alert: ssl_handshake.js "certificate: auth err", ssl_alert.js) escapes from its socket
 * callbacks, and a handshake stopped by an alert reports "writable". Here every session call
 * is caught and becomes one onError with the session's words.
 *
 * The session reads and writes through a pipe ({readable, writable, read, write}): it reads a
 * record's 5-byte header, then the rest, as the socket's count allows, decrementing
 * `readable` itself (session_419.js readPacket), and sets `writable` from what the socket's
 * write returns. No Moddable import: the socket and the session come in as factories.
 */
import { errorText } from '../core/errorText';
import type { StreamSocket, StreamSocketOptions, TlsTrust } from './networkAdapter';

/** TLS 1.2's ProtocolVersion {3, 3} (RFC 5246 §6.2.1, appendix A.1). */
export const TLS_1_2 = 0x0303;

/**
 * Bytes of a record beyond its data: 5 of header, then at most a 16-byte IV, a 32-byte
 * HMAC-SHA256 and 16 of padding (AES-CBC-SHA256 suites; GCM takes 8 + 16). The SDK's own
 * TLSSocket keeps the same 96 back.
 */
export const RECORD_OVERHEAD = 96;

/** The options of the SDK's SSLSession constructor this adapter sets (session_419.js, ssl_cert.js). */
export interface TlsSessionOptions {
  /** Sent as SNI and matched against the server certificate's subjectAltName (dNSName, or iPAddress for IPv4). */
  readonly serverName: string;
  /** The trust anchor, DER: CertificateManager.register() (ssl_cert.js). */
  readonly certificate: ArrayBuffer;
  /** Offered, and the lowest accepted: session_419.js sets minProtocolVersion from it too. */
  readonly protocolVersion: number;
}

/** What the socket under a session must offer (session_419.js: s.readable, s.read(view), s.write, s.writable). */
export interface RecordPipe {
  readable: number;
  writable: number;
  read(into: Uint8Array): unknown;
  write(packet: ArrayBuffer | ArrayBufferView): number;
}

/** The SDK's SSLSession, as far as a client uses it. */
export interface TlsSession {
  initiateHandshake(): void;
  /** One step: sends our next flight or reads one record; true when finished (or stopped by an alert). */
  handshake(pipe: RecordPipe): boolean;
  /** The next record's data; undefined when none is whole yet; null after the peer's close_notify. */
  read(pipe: RecordPipe): Uint8Array | null | undefined;
  write(pipe: RecordPipe, data: Uint8Array): number;
  /** Sends close_notify. */
  close(pipe: RecordPipe): void;
  readonly alert?: { readonly level: number; readonly description: number };
}

/**
 * The session's options for one connection. The version is set although 8.2.3 defaults to it
 * (ssl_constants.js `protocolVersion = (3 << 8) | 3`, since commit 0ca9475e9 of 2023-05; the
 * SDK's securesocket.md still says 0x302): an older SDK offers 1.0, and setting it also makes
 * 1.2 the floor, so a host that answers 1.1 is refused (session_419.js: `minProtocolVersion =
 * options.protocolVersion || minProtocolVersion`; ssl_handshake.js: protocol_version alert).
 * The CA goes in as an ArrayBuffer of exactly its bytes: the SDK's x509 helpers read buffers
 * whole, so a view into a larger buffer would hand them the wrong bytes.
 * @throws Error when there is no server name or no CA (the SDK would refuse every certificate)
 */
export function tlsSessionOptions(trust: TlsTrust): TlsSessionOptions {
  if (!trust.serverName) throw new Error('TLS needs a server name to check');
  if (!trust.ca.length) throw new Error('TLS needs a trust anchor');
  return { serverName: trust.serverName, certificate: trust.ca.slice().buffer, protocolVersion: TLS_1_2 };
}

/** The socket as the session sees it: counts the session keeps, reads and writes passed through. */
class SocketPipe implements RecordPipe {
  readable = 0;
  writable = 0;
  readonly #socket: StreamSocket;

  constructor(socket: StreamSocket) {
    this.#socket = socket;
  }

  read(into: Uint8Array): unknown {
    return this.#socket.read(into);
  }

  write(packet: ArrayBuffer | ArrayBufferView): number {
    const left = this.#socket.write(packet);
    return typeof left === 'number' ? left : Math.max(0, this.writable - packet.byteLength);
  }

  close() {
    this.#socket.close();
  }
}

export class TlsSocket implements StreamSocket {
  readonly #options: StreamSocketOptions;
  readonly #session: TlsSession;
  readonly #pipe: SocketPipe;
  #ready = false;
  #finished = false;
  /** The record being handed over in onReadable, for read(). */
  #data: Uint8Array | undefined;

  /** @throws when the session cannot be made (an expired CA: ssl_cert.js register) or the socket refuses */
  constructor(options: StreamSocketOptions, trust: TlsTrust, openTcp: (options: StreamSocketOptions) => StreamSocket, newSession: (options: TlsSessionOptions) => TlsSession) {
    this.#options = options;
    this.#session = newSession(tlsSessionOptions(trust));
    this.#session.initiateHandshake();
    const tls = this;
    this.#pipe = new SocketPipe(
      openTcp({
        address: options.address,
        port: options.port,
        nodelay: options.nodelay,
        onWritable(count) {
          tls.#onRawWritable(count);
        },
        onReadable(count) {
          tls.#onRawReadable(count);
        },
        onError() {
          tls.#fail(tls.#ready ? undefined : 'connection closed during the TLS handshake');
        },
      }),
    );
  }

  read(): ArrayBuffer | undefined {
    const data = this.#data;
    this.#data = undefined;
    return data?.slice().buffer;
  }

  /** Sends `bytes` as one record. @throws when not connected or the socket would not take the record */
  write(bytes: ArrayBuffer | ArrayBufferView): number {
    if (!this.#ready || this.#finished) throw new Error('TLS: not connected');
    const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (data.length + RECORD_OVERHEAD > this.#pipe.writable) throw new Error('TLS: would block');
    this.#session.write(this.#pipe, data);
    return this.#available();
  }

  /** Sends close_notify when it can (RFC 5246 §7.2.1), then closes; nothing fires afterwards. */
  close(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#data = undefined;
    try {
      if (this.#ready && this.#pipe.writable >= RECORD_OVERHEAD) this.#session.close(this.#pipe);
    } catch {
      // The peer is gone or the buffer is full: closing the socket is all that is left.
    }
    this.#pipe.close();
  }

  #available(): number {
    return Math.max(0, this.#pipe.writable - RECORD_OVERHEAD);
  }

  #onRawWritable(count: number) {
    if (this.#finished) return;
    this.#pipe.writable = count;
    if (!this.#ready) this.#handshake();
    else this.#options.onWritable(this.#available());
  }

  #onRawReadable(count: number) {
    if (this.#finished) return;
    this.#pipe.readable = count;
    if (!this.#ready) this.#handshake();
    // Data may follow the server's Finished in the same segment.
    if (this.#ready) this.#readRecords();
  }

  /**
   * Steps the handshake until it finishes or waits for bytes: a step either sends our next
   * flight or reads one record (session_419.js handshake), so a step that neither read nor
   * wrote means the next step needs bytes that have not come yet.
   */
  #handshake() {
    const pipe = this.#pipe;
    try {
      for (;;) {
        const readable = pipe.readable;
        const writable = pipe.writable;
        const done = this.#session.handshake(pipe);
        if (this.#finished) return;
        if (done) break;
        if (pipe.readable === readable && pipe.writable === writable) return;
      }
    } catch (error) {
      return this.#fail(`TLS: ${errorText(error)}`);
    }
    const alert = this.#session.alert;
    if (alert) return this.#fail(`TLS: alert ${alert.level}, ${alert.description}`);
    this.#ready = true;
    this.#options.onWritable(this.#available());
  }

  #readRecords() {
    try {
      while (!this.#finished) {
        const data = this.#session.read(this.#pipe);
        if (data === undefined) return;
        if (data === null) return this.#fail('TLS: the host closed the connection (close_notify)');
        if (!data.byteLength) continue;
        this.#data = data;
        this.#options.onReadable(data.byteLength);
        this.#data = undefined;
      }
    } catch (error) {
      this.#fail(`TLS: ${errorText(error)}`);
    }
  }

  /** One onError, then nothing: the socket is closed at once. */
  #fail(detail: string | undefined) {
    if (this.#finished) return;
    this.#finished = true;
    this.#data = undefined;
    try {
      this.#pipe.close();
    } catch {
      // Already closed by the stack.
    }
    this.#options.onError(detail);
  }
}
