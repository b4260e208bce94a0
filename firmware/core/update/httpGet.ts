/**
 * A small HTTP/1.1 GET client over the network port, for the update server (update/updateFlow.ts):
 * one request per connection (`Connection: close`), a body of announced length streamed to a
 * sink as it arrives, so a 1 MB image never sits in the heap.
 *
 * What it accepts (RFC 9110/9112, the part an update needs):
 * - http:// and https:// URLs of a host name or IPv4 address, an optional port, a path; https
 *   is TLS 1.2+ through TcpOptions.tls, checked against the trust anchor given.
 * - A status line `HTTP/1.x NNN …` and header fields, the whole block at most HEADER_CAP bytes.
 * - 200 and 206 carry a body of exactly `Content-Length` bytes. A chunked (or any other
 *   transfer-coded) body is refused: the server is ours and says the length. 206 must carry
 *   `Content-Range: bytes <asked start>-<last>/<total>` matching the length. Any other status
 *   ends the exchange at the head (the caller reads `status`: 404 means nothing offered).
 * Timeouts run on the clock port's timers: connect (resolve included), then an idle limit
 * between bytes. Settles once; after that (or `abort()`) nothing reaches the sink.
 */
import type { ClockPort, NetworkPort, PortError, TcpConnection, TcpOptions, TimerToken } from '../ports';
import { errorText } from '../errorText';
import { UpdateError } from './errors';

/** Largest status line + header block, its empty line included. */
export const HEADER_CAP = 2048;
/** Longest URL setting. */
export const URL_MAX_LENGTH = 200;

export interface HttpUrl {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  /** Starts with '/'. */
  readonly path: string;
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** Printable ASCII but space and '#' (no fragment is sent). */
const PATH = /^\/[\x21\x22\x24-\x7e]*$/;

/**
 * The parts of an http:// or https:// URL.
 * @throws UpdateError 'update-url' for anything else (user info, IPv6 literals, a fragment, a bad port)
 */
export function parseHttpUrl(url: string): HttpUrl {
  const bad = (why: string) => new UpdateError('update-url', `update URL ${why}`);
  if (typeof url !== 'string' || url.length > URL_MAX_LENGTH) throw bad(`is not text of at most ${URL_MAX_LENGTH} characters`);
  const lower = url.slice(0, 8).toLowerCase();
  const tls = lower.startsWith('https://');
  if (!tls && !lower.startsWith('http://')) throw bad('must start with http:// or https://');
  const rest = url.slice(tls ? 8 : 7);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '/' : rest.slice(slash);
  const colon = authority.indexOf(':');
  const host = colon < 0 ? authority : authority.slice(0, colon);
  let port = tls ? 443 : 80;
  if (colon >= 0) {
    const digits = authority.slice(colon + 1);
    if (!/^[0-9]{1,5}$/.test(digits) || Number(digits) < 1 || Number(digits) > 65535) throw bad(`has a bad port "${digits.slice(0, 8)}"`);
    port = Number(digits);
  }
  if (!HOST_NAME.test(host) || host.length > 253) throw bad(`has no usable host name ("${host.slice(0, 40)}")`);
  if (!PATH.test(path)) throw bad('path has spaces, a fragment or characters outside printable ASCII');
  return { tls, host: host.toLowerCase(), port, path };
}

/** What the server answered, once the head is read. */
export interface HttpHead {
  readonly status: number;
  /** Content-Length (0 for a status without a body read). */
  readonly length: number;
  /** Offset of the body's first byte in the resource: the asked start for a 206, else 0. */
  readonly start: number;
  /** The resource's whole size from a 206's Content-Range. */
  readonly total?: number;
}

/** Where the body of a 200 or 206 goes. Either method may throw to stop the exchange (that error settles it). */
export interface HttpSink {
  /** Called once with the head of a 200 or 206, before any body byte. */
  head(head: HttpHead): void;
  /** Body bytes in order, in pieces of any size; never more than the head's length in all. */
  body(bytes: Uint8Array): void;
}

export interface HttpGetOptions {
  readonly network: NetworkPort;
  readonly clock: ClockPort;
  readonly url: HttpUrl;
  /** Sent as `Range: bytes={from}-` when given and above 0. */
  readonly from?: number;
  /** A body longer than this is refused at the head ('update-http'). */
  readonly maxLength: number;
  /** Trust anchor (DER) for https. */
  readonly ca?: Uint8Array;
  /** Resolve + connect. */
  readonly connectTimeoutMs: number;
  /** Longest wait for the next bytes once the request is sent. */
  readonly idleTimeoutMs: number;
}

const CR = 13;
const LF = 10;

/**
 * One GET. A class that is its own TcpOptions (as host/linkAttempt.ts): the port's callbacks are
 * prototype methods, so an exchange makes two closures (the promise's settle and the timer's).
 * `run()` resolves with the head once the body (if any) is all in, or rejects with an
 * UpdateError ('update-server': not reached, reset, timed out before the head;
 * 'update-http': a head that cannot be used; 'update-truncated': closed or stalled mid-body)
 * or with whatever the sink threw.
 */
export class HttpGet implements TcpOptions {
  host = '';
  readonly port: number;
  readonly tls: { serverName: string; ca: Uint8Array } | undefined;
  readonly #o: HttpGetOptions;
  readonly #sink: HttpSink;
  #phase: 'idle' | 'resolve' | 'connect' | 'head' | 'body' | 'done' = 'idle';
  #connection: TcpConnection | undefined;
  #timer: TimerToken | undefined;
  #onTimer: (() => void) | undefined;
  #headBytes: Uint8Array | undefined;
  #headLength = 0;
  #head: HttpHead | undefined;
  #received = 0;
  #resolve: ((head: HttpHead) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  /** @throws UpdateError 'update-url' for https without a trust anchor */
  constructor(options: HttpGetOptions, sink: HttpSink) {
    if (options.url.tls && !options.ca) throw new UpdateError('update-url', 'https update URL: no trust anchor provisioned');
    this.#o = options;
    this.#sink = sink;
    this.port = options.url.port;
    this.tls = options.url.tls && options.ca ? { serverName: options.url.host, ca: options.ca } : undefined;
  }

  /** Body bytes handed to the sink so far. */
  get received(): number {
    return this.#received;
  }

  run(): Promise<HttpHead> {
    return new Promise<HttpHead>((resolve, reject) => {
      if (this.#phase !== 'idle') return reject(new UpdateError('update-server', 'a GET runs once'));
      this.#resolve = resolve;
      this.#reject = reject;
      this.#phase = 'resolve';
      this.#onTimer = () => this.#expire();
      this.#arm(this.#o.connectTimeoutMs);
      try {
        this.#o.network.resolve(this.#o.url.host, (address) => this.#resolved(address));
      } catch (error) {
        this.#fail(new UpdateError('update-server', `cannot resolve ${this.#o.url.host}: ${errorText(error)}`));
      }
    });
  }

  /** Ends the exchange now ('update-server', "aborted"); nothing reaches the sink afterwards. */
  abort(): void {
    this.#fail(new UpdateError('update-server', 'aborted'));
  }

  onConnect(): void {
    if (this.#phase !== 'connect') return;
    const { url, from } = this.#o;
    const hostField = url.port === (url.tls ? 443 : 80) ? url.host : `${url.host}:${url.port}`;
    const range = from !== undefined && from > 0 ? `Range: bytes=${from}-\r\n` : '';
    const request = `GET ${url.path} HTTP/1.1\r\nHost: ${hostField}\r\n${range}Accept-Encoding: identity\r\nConnection: close\r\nUser-Agent: xspos\r\n\r\n`;
    const bytes = new Uint8Array(request.length);
    for (let i = 0; i < request.length; i++) bytes[i] = request.charCodeAt(i);
    this.#phase = 'head';
    this.#headBytes = new Uint8Array(HEADER_CAP);
    try {
      (this.#connection as TcpConnection).write(bytes);
    } catch (error) {
      return this.#fail(new UpdateError('update-server', `request not sent: ${errorText(error)}`));
    }
    this.#arm(this.#o.idleTimeoutMs);
  }

  onReadable(bytes: Uint8Array): void {
    if (this.#phase === 'head') {
      this.#arm(this.#o.idleTimeoutMs);
      const buffer = this.#headBytes as Uint8Array;
      const take = Math.min(bytes.length, HEADER_CAP - this.#headLength);
      buffer.set(take === bytes.length ? bytes : bytes.subarray(0, take), this.#headLength);
      const before = this.#headLength;
      this.#headLength += take;
      const end = headEnd(buffer, Math.max(0, before - 3), this.#headLength);
      if (end < 0) {
        if (this.#headLength >= HEADER_CAP) this.#fail(new UpdateError('update-http', `no end of the header block within ${HEADER_CAP} bytes`));
        return;
      }
      this.#headBytes = undefined;
      let head: HttpHead;
      try {
        head = parseHead(buffer, end, this.#o.from ?? 0, this.#o.maxLength);
      } catch (error) {
        return this.#fail(error);
      }
      this.#head = head;
      if (head.status !== 200 && head.status !== 206) return this.#finish();
      try {
        this.#sink.head(head);
      } catch (error) {
        return this.#fail(error);
      }
      this.#phase = 'body';
      // Body bytes that came with the head.
      const rest = end - before;
      if (rest < bytes.length) this.#body(bytes.subarray(rest));
      else if (head.length === 0) this.#finish();
      return;
    }
    if (this.#phase === 'body') {
      this.#arm(this.#o.idleTimeoutMs);
      this.#body(bytes);
    }
  }

  onError(error: PortError): void {
    if (this.#phase === 'body') this.#fail(this.#truncated(`connection failed (${errorText(error)})`));
    else if (this.#phase !== 'done' && this.#phase !== 'idle') this.#fail(new UpdateError('update-server', `${this.#o.url.host}:${this.port}: ${errorText(error)}`));
  }

  onClose(): void {
    if (this.#phase === 'body') this.#fail(this.#truncated('the server closed the connection'));
    else if (this.#phase !== 'done' && this.#phase !== 'idle') this.#fail(new UpdateError('update-server', `the server closed the connection ${this.#phase === 'head' ? 'before its answer' : 'before it was open'}`));
  }

  #resolved(address: string | undefined) {
    if (this.#phase !== 'resolve') return;
    if (address === undefined) return this.#fail(new UpdateError('update-server', `cannot resolve ${this.#o.url.host}`));
    this.host = address;
    this.#phase = 'connect';
    try {
      const connection = this.#o.network.connect(this);
      if ((this.#phase as string) === 'done') connection.close();
      else this.#connection = connection;
    } catch (error) {
      this.#fail(new UpdateError('update-server', `cannot connect to ${this.#o.url.host}:${this.port}: ${errorText(error)}`));
    }
  }

  #body(bytes: Uint8Array) {
    const head = this.#head as HttpHead;
    const left = head.length - this.#received;
    // Bytes past the announced length (a server that does not close) are not the body.
    const piece = bytes.length > left ? bytes.subarray(0, left) : bytes;
    this.#received += piece.length;
    try {
      if (piece.length > 0) this.#sink.body(piece);
    } catch (error) {
      return this.#fail(error);
    }
    if (this.#received >= head.length && this.#phase === 'body') this.#finish();
  }

  #truncated(why: string): UpdateError {
    const head = this.#head as HttpHead;
    return new UpdateError('update-truncated', `${why} after ${this.#received} of ${head.length} bytes`);
  }

  #expire() {
    this.#timer = undefined;
    const { connectTimeoutMs, idleTimeoutMs, url } = this.#o;
    if (this.#phase === 'resolve' || this.#phase === 'connect') this.#fail(new UpdateError('update-server', `${url.host}:${this.port} not connected within ${connectTimeoutMs} ms`));
    else if (this.#phase === 'head') this.#fail(new UpdateError('update-server', `no answer within ${idleTimeoutMs} ms`));
    else if (this.#phase === 'body') this.#fail(this.#truncated(`nothing for ${idleTimeoutMs} ms`));
  }

  #arm(ms: number) {
    const clock = this.#o.clock;
    if (this.#timer) clock.clearTimer(this.#timer);
    this.#timer = clock.setTimer(ms, this.#onTimer as () => void);
  }

  #finish() {
    const resolve = this.#resolve;
    const head = this.#head as HttpHead;
    if (this.#end() && resolve) resolve(head);
  }

  #fail(error: unknown) {
    const reject = this.#reject;
    if (this.#end() && reject) reject(error);
  }

  /** Closes everything once; false when already done. */
  #end(): boolean {
    if (this.#phase === 'done') return false;
    this.#phase = 'done';
    if (this.#timer) this.#o.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#onTimer = undefined;
    this.#headBytes = undefined;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) connection.close();
    this.#resolve = undefined;
    this.#reject = undefined;
    return true;
  }
}

/** Index just past the first CRLF CRLF in `buffer[from..to)`, or -1. */
function headEnd(buffer: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 3 < to; i++) {
    if (buffer[i] === CR && buffer[i + 1] === LF && buffer[i + 2] === CR && buffer[i + 3] === LF) return i + 4;
  }
  return -1;
}

const STATUS_LINE = /^HTTP\/1\.[01] ([1-5][0-9][0-9])( [\x09\x20-\x7e]*)?$/;
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CONTENT_RANGE = /^bytes ([0-9]{1,10})-([0-9]{1,10})\/([0-9]{1,10})$/;
/** Largest length taken: 2³² − 1 (no image or seal comes near). */
const MAX_LENGTH_FIELD = 0xffffffff;

/**
 * The head in `buffer[0..end)`: status, Content-Length, the 206's range.
 * @throws UpdateError 'update-http'
 */
function parseHead(buffer: Uint8Array, end: number, from: number, maxLength: number): HttpHead {
  const bad = (why: string) => new UpdateError('update-http', why);
  let text = '';
  for (let i = 0; i < end - 4; i++) {
    const c = buffer[i];
    // Header text is ASCII; obs-text and controls other than tab, CR, LF have no place in our server's answers.
    if (c > 0x7e || (c < 0x20 && c !== 0x09 && c !== CR && c !== LF)) throw bad(`byte 0x${c.toString(16)} in the header block`);
    text += String.fromCharCode(c);
  }
  const lines = text.split('\r\n');
  const status = STATUS_LINE.exec(lines[0]);
  if (!status) throw bad(`not an HTTP/1.x status line: "${lines[0].slice(0, 40)}"`);
  const code = Number(status[1]);
  let length: number | undefined;
  let range: string | undefined;
  let coded = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!FIELD_NAME.test(name) || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) throw bad(`malformed header line ${i}`);
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      if (!/^[0-9]{1,10}$/.test(value) || Number(value) > MAX_LENGTH_FIELD) throw bad(`Content-Length "${value.slice(0, 20)}"`);
      if (length !== undefined && length !== Number(value)) throw bad('two different Content-Length fields');
      length = Number(value);
    } else if (lower === 'transfer-encoding') coded = true;
    else if (lower === 'content-range') {
      if (range !== undefined) throw bad('two Content-Range fields');
      range = value;
    }
  }
  if (code !== 200 && code !== 206) return { status: code, length: 0, start: 0 };
  // A transfer coding (chunked) frames the body itself: refused, the server must say the length.
  if (coded) throw bad(`${code} with Transfer-Encoding: only a body of known length is taken`);
  if (length === undefined) throw bad(`${code} without Content-Length`);
  if (length > maxLength) throw bad(`${code} of ${length} bytes: at most ${maxLength} expected`);
  if (code === 200) return { status: 200, length, start: 0 };
  const parts = range === undefined ? null : CONTENT_RANGE.exec(range);
  if (!parts) throw bad(`206 without a usable Content-Range ("${(range ?? '').slice(0, 40)}")`);
  const first = Number(parts[1]);
  const last = Number(parts[2]);
  const total = Number(parts[3]);
  if (first !== from) throw bad(`206 from byte ${first}, asked from ${from}`);
  if (last < first || last >= total || last - first + 1 !== length) throw bad(`206 range ${first}-${last}/${total} does not match its ${length} bytes`);
  return { status: 206, length, start: first, total };
}
