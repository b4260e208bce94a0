/**
 * One connection attempt of the acquirer link (link.ts): resolve the host's name, connect, and
 * for an exchange write the request and read frames until the matcher accepts one, each phase
 * timed on the clock port. Settles once, then closes its connection and drops its reader.
 */
import type { PortError, TcpConnection, TcpOptions, TimerToken } from '../ports';
import { errorText } from '../errorText';
import { LENGTH_BYTES } from './frame';
import { FrameReader } from './frameReader';
import type { LinkHost, LinkOptions, LinkStage, Matcher } from './link';

export type AttemptOutcome =
  | { ok: true; body: Uint8Array | undefined; ms: number }
  | { ok: false; stage: LinkStage; sent: boolean; detail: string };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * It is the TcpOptions it hands the port (the callbacks are prototype methods, which every
 * adapter calls as `options.onReadable(…)`), so the port's callbacks cost no closures.
 */
export class ConnectionAttempt implements TcpOptions {
  /** The address to connect to (the name resolved). */
  host = '';
  readonly port: number;
  readonly tls: { serverName: string; ca: Uint8Array } | undefined;
  readonly #o: LinkOptions;
  readonly #name: string;
  readonly #index: number;
  readonly #frame: Uint8Array | undefined;
  readonly #match: Matcher | undefined;
  #phase: 'resolve' | 'connect' | 'response' | 'done' = 'resolve';
  #sent = false;
  #since = 0;
  #connection: TcpConnection | undefined;
  #timer: TimerToken | undefined;
  #onTimer: (() => void) | undefined;
  #reader: FrameReader | undefined;
  #answer: Uint8Array | undefined;
  #settle: ((outcome: AttemptOutcome) => void) | undefined;

  constructor(o: LinkOptions, target: LinkHost, index: number, frame: Uint8Array | undefined, match: Matcher | undefined) {
    this.#o = o;
    this.#name = target.host;
    this.port = target.port;
    this.tls = target.tls && o.tls ? { serverName: target.host, ca: o.tls.ca } : undefined;
    this.#index = index;
    this.#frame = frame;
    this.#match = match;
  }

  run(): Promise<AttemptOutcome> {
    return new Promise<AttemptOutcome>((settle) => {
      this.#settle = settle;
      const o = this.#o;
      this.#onTimer = () => this.#expire();
      this.#timer = o.clock.setTimer(o.connectTimeoutMs, this.#onTimer);
      try {
        o.network.resolve(this.#name, (address) => this.#resolved(address));
      } catch (error) {
        this.#fail('resolve', errorText(error));
      }
    });
  }

  abort() {
    this.#fail('closed', 'link closed');
  }

  onConnect(): void {
    if (this.#phase !== 'connect') return;
    const o = this.#o;
    const now = o.clock.uptimeMs();
    this.#clearTimer();
    if (!this.#frame) return this.#finish({ ok: true, body: undefined, ms: now - this.#since });
    this.#phase = 'response';
    this.#reader = new FrameReader(o.maxFrameBytes - LENGTH_BYTES);
    try {
      (this.#connection as TcpConnection).write(this.#frame);
    } catch (error) {
      // Both adapters queue a whole write or throw before taking a byte (not open, queue full): nothing left.
      return this.#fail('send', errorText(error));
    }
    this.#sent = true;
    this.#since = now;
    this.#timer = o.clock.setTimer(o.responseTimeoutMs, this.#onTimer as () => void);
  }

  onReadable(bytes: Uint8Array): void {
    if (this.#phase !== 'response') return;
    let bodies: Uint8Array[];
    try {
      bodies = (this.#reader as FrameReader).push(bytes);
    } catch (error) {
      return this.#fail('garbage', errorText(error));
    }
    for (let i = 0; i < bodies.length && this.#phase === 'response'; i++) this.#consider(bodies[i]);
    if (this.#answer && this.#phase === 'response') this.#finish({ ok: true, body: this.#answer, ms: this.#o.clock.uptimeMs() - this.#since });
  }

  onError(error: PortError): void {
    if (this.#phase === 'done') return;
    this.#fail(this.#phase === 'response' ? 'closed' : 'connect', errorText(error) + this.#midFrame());
  }

  onClose(): void {
    if (this.#phase === 'done') return;
    if (this.#phase === 'response') this.#fail('closed', `the host closed the connection${this.#midFrame()}`);
    else this.#fail('connect', 'the host closed the connection before it was open');
  }

  #resolved(address: string | undefined) {
    if (this.#phase !== 'resolve') return;
    if (address === undefined) return this.#fail('resolve', `cannot resolve ${this.#name}`);
    this.host = address;
    this.#phase = 'connect';
    this.#since = this.#o.clock.uptimeMs();
    try {
      const connection = this.#o.network.connect(this);
      // An adapter that failed at once (synchronously) has already settled this attempt.
      if ((this.#phase as string) === 'done') connection.close();
      else this.#connection = connection;
    } catch (error) {
      this.#fail('connect', errorText(error));
    }
  }

  #consider(body: Uint8Array) {
    const trace = this.#o.trace;
    if (this.#answer) {
      trace(`link: host ${this.#index} dropped ${sameBytes(body, this.#answer) ? 'a duplicate of the answer' : 'a stray frame after the answer'} (${body.length} bytes)`);
      return;
    }
    let verdict: 'match' | 'stray';
    try {
      verdict = (this.#match as Matcher)(body);
    } catch (error) {
      return this.#fail('garbage', `unreadable answer: ${errorText(error)}`);
    }
    if (verdict === 'match') this.#answer = body;
    else trace(`link: host ${this.#index} dropped a stray frame (${body.length} bytes)`);
  }

  #expire() {
    this.#timer = undefined;
    const o = this.#o;
    if (this.#phase === 'resolve') this.#fail('resolve', `no address for ${this.#name} within ${o.connectTimeoutMs} ms`);
    else if (this.#phase === 'connect') this.#fail('connect', `not connected within ${o.connectTimeoutMs} ms`);
    else if (this.#phase === 'response') this.#fail('timeout', `no answer within ${o.responseTimeoutMs} ms${this.#midFrame()}`);
  }

  #midFrame(): string {
    const pending = this.#reader ? this.#reader.pending : 0;
    return pending > 0 ? `, mid-frame (${pending} bytes)` : '';
  }

  #fail(stage: LinkStage, detail: string) {
    this.#finish({ ok: false, stage, sent: this.#sent, detail });
  }

  #clearTimer() {
    if (this.#timer) this.#o.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #finish(outcome: AttemptOutcome) {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    this.#clearTimer();
    this.#onTimer = undefined;
    const connection = this.#connection;
    this.#connection = undefined;
    this.#reader = undefined;
    this.#answer = undefined;
    if (connection) connection.close();
    const settle = this.#settle as (outcome: AttemptOutcome) => void;
    this.#settle = undefined;
    settle(outcome);
  }
}
