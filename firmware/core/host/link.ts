/**
 * The acquirer link: one request/response exchange at a time over the network port.
 *
 * Each exchange opens its own connection (resolve, connect, send, read until a matching frame,
 * close), so a host that closed an idle connection, or a late answer to an earlier request,
 * can never meet the next exchange. Connect failures are retried with the one backoff policy
 * (retry.ts) and then fail over to the backup host; the primary is tried first again once
 * `failbackMs` has passed. A request marked `resend: false` (a sale) is never written twice:
 * once it may have left, a failure comes back with `sent: true` and the session reverses it.
 *
 * Memory (the device has 4,928 slots): an attempt is its own TcpOptions (the port's callbacks
 * are prototype methods, called as `options.onReadable(…)` by every adapter), so an exchange
 * makes three closures per attempt (promise executor, resolve callback, timer) and keeps no
 * buffer once it ends.
 */
import type { ClockPort, NetworkPort, TimerToken } from '../ports';
import { ConnectionAttempt, type AttemptOutcome } from './linkAttempt';
import { backoffDelay, type Backoff } from './retry';

/** A host of the acquirer profile: primary first, then the backup. */
export interface LinkHost {
  host: string;
  port: number;
  /** TLS 1.2+ to this host, checked against `LinkOptions.tls.ca`. */
  tls?: boolean;
}

export interface LinkOptions {
  network: NetworkPort;
  clock: ClockPort;
  /** Random bytes for the backoff's jitter (the crypto port's randomBytes). */
  random: (n: number) => Uint8Array;
  /** Technician's trace: host index, stage, sizes; never frame contents. */
  trace: (line: string) => void;
  hosts: readonly LinkHost[];
  /** From starting to resolve the name to the connection being open. */
  connectTimeoutMs: number;
  /** From the request written to the matching answer. */
  responseTimeoutMs: number;
  /** Tries after the first, per host. */
  retries: number;
  backoff: Backoff;
  /** How long after a failover the primary is tried first again. */
  failbackMs: number;
  /** Largest frame accepted, its 2-byte length included; a longer one is garbage. */
  maxFrameBytes: number;
  /** Trust anchor (DER) for the hosts marked `tls`. */
  tls?: { ca: Uint8Array };
}

/** Decides whether a frame body (TPDU ‖ header ‖ message, no length) answers the request. */
export type Matcher = (body: Uint8Array) => 'match' | 'stray';

/**
 * Where an exchange stopped: the link is down, a name did not resolve, no connection, the port
 * refused the bytes, no answer in time, the host closed or reset the connection, the host sent
 * something that is not a frame, the link was closed, or too many exchanges were already waiting.
 */
export type LinkStage = 'link-down' | 'resolve' | 'connect' | 'send' | 'timeout' | 'closed' | 'garbage' | 'busy';

export type ExchangeResult =
  | { ok: true; body: Uint8Array; host: number; roundTripMs: number }
  /** `sent`: some byte of the request may have reached the host (a sale must then be reversed). */
  | { ok: false; stage: LinkStage; sent: boolean; host: number; detail: string };

export type ProbeResult = { ok: true; ms: number } | { ok: false; stage: 'link-down' | 'resolve' | 'connect' | 'closed'; detail: string };

export interface LinkStats {
  failovers: number;
  timeouts: number;
  resends: number;
  connectFailures: number;
}

export type LinkErrorCode = 'link-options' | 'link-no-host';

export class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(readonly code: LinkErrorCode, message: string) {
    super(message);
  }
}

/** Exchanges that may wait behind the one in flight (the session runs one at a time; a probe's echo may join it). */
export const MAX_WAITING_EXCHANGES = 4;

export class HostLink {
  readonly #o: LinkOptions;
  #active = 0;
  #failbackAt = 0;
  #closed = false;
  #busy = false;
  /** Wake-ups of exchanges waiting their turn, first come first served. */
  readonly #waiting: (() => void)[] = [];
  /** Attempts under way (the exchange's, and probes'), for close(). */
  readonly #live: ConnectionAttempt[] = [];
  #sleep: TimerToken | undefined;
  #wake: (() => void) | undefined;
  /** Counted since boot for the diagnosis ("unstable link" stands on these): never reset. */
  readonly #stats = { failovers: 0, timeouts: 0, resends: 0, connectFailures: 0 };

  /** @throws LinkError('link-options') with no host, or a TLS host and no trust anchor */
  constructor(options: LinkOptions) {
    if (options.hosts.length < 1) throw new LinkError('link-options', 'hosts: at least a primary');
    const tlsHost = options.hosts.findIndex((h) => h.tls);
    if (tlsHost >= 0 && !options.tls) throw new LinkError('link-options', `hosts[${tlsHost}].tls: no trust anchor given`);
    this.#o = options;
  }

  /** The host the next exchange tries first (0 primary, 1 backup), failback aside. */
  get activeHost(): number {
    return this.#active;
  }

  /** Failovers, answers that did not come in time, requests sent again, and connects that failed, since the link opened. */
  get stats(): Readonly<LinkStats> {
    return this.#stats;
  }

  /**
   * One exchange: connect (retry with backoff, then the other host), write `frame` (length
   * prefix included), wait for a body `match` accepts; strays and duplicates are dropped and
   * traced. `resend`: on a timeout, a close or garbage after sending, try again (sign-on,
   * echo, reversal, advice); false (a sale): never write the request twice. One exchange is
   * in flight at a time; later calls wait their turn. Never rejects.
   */
  async exchange(frame: Uint8Array, match: Matcher, resend: boolean): Promise<ExchangeResult> {
    if (this.#closed) return { ok: false, stage: 'closed', sent: false, host: this.#active, detail: 'link closed' };
    if (this.#busy) {
      if (this.#waiting.length >= MAX_WAITING_EXCHANGES)
        return { ok: false, stage: 'busy', sent: false, host: this.#active, detail: `${MAX_WAITING_EXCHANGES} exchanges already waiting` };
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else this.#busy = true;
    try {
      return await this.#run(frame, match, resend);
    } finally {
      // Hand the turn to the next waiter directly, so a newcomer cannot jump the queue.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#busy = false;
    }
  }

  /**
   * TCP connect to host `host` alone, no retry, no failover (the self-test's probes: each host
   * its own finding); `ms` runs from the connect call, the name already resolved.
   * @throws LinkError('link-no-host') for an index the profile has no host for
   */
  async probeConnect(host: number): Promise<ProbeResult> {
    if (!(host >= 0 && host < this.#o.hosts.length)) throw new LinkError('link-no-host', `no host ${host} in the profile (${this.#o.hosts.length})`);
    if (this.#closed) return { ok: false, stage: 'closed', detail: 'link closed' };
    if (!this.#o.network.link().up) return { ok: false, stage: 'link-down', detail: LINK_DOWN };
    const outcome = await this.#attempt(host, undefined, undefined);
    if (outcome.ok) return { ok: true, ms: outcome.ms };
    return { ok: false, stage: outcome.stage === 'resolve' || outcome.stage === 'connect' ? outcome.stage : 'closed', detail: outcome.detail };
  }

  /** Ends every attempt and wait at once; pending exchanges resolve with stage 'closed'; nothing fires afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#endSleep();
    for (const attempt of this.#live.slice()) attempt.abort();
    for (const wake of this.#waiting.splice(0)) wake();
  }

  async #run(frame: Uint8Array, match: Matcher, resend: boolean): Promise<ExchangeResult> {
    const o = this.#o;
    if (this.#closed) return { ok: false, stage: 'closed', sent: false, host: this.#active, detail: 'link closed' };
    if (!o.network.link().up) return { ok: false, stage: 'link-down', sent: false, host: this.#active, detail: LINK_DOWN };
    if (this.#active !== 0 && o.clock.uptimeMs() >= this.#failbackAt) {
      o.trace(`link: failback to host 0 (${hostText(o.hosts[0])})`);
      this.#active = 0;
    }
    const first = this.#active;
    let sent = false;
    let last: ExchangeResult = { ok: false, stage: 'closed', sent: false, host: first, detail: 'no attempt' };
    for (let turn = 0; turn < o.hosts.length; turn++) {
      const host = (first + turn) % o.hosts.length;
      if (turn > 0) this.#failOver(host);
      for (let attempt = 0; attempt <= o.retries; attempt++) {
        // A request that may have left already goes out again (only when `resend` allowed it).
        if (sent) this.#stats.resends++;
        const outcome = await this.#attempt(host, frame, match);
        if (outcome.ok) return { ok: true, body: outcome.body as Uint8Array, host, roundTripMs: outcome.ms };
        if (outcome.stage === 'timeout') this.#stats.timeouts++;
        else if (outcome.stage === 'connect' || outcome.stage === 'resolve') this.#stats.connectFailures++;
        sent = sent || outcome.sent;
        last = { ok: false, stage: outcome.stage, sent, host, detail: outcome.detail };
        if (this.#closed) return last;
        const what = `link: host ${host} ${outcome.stage} (${outcome.detail}), try ${attempt + 1} of ${o.retries + 1}`;
        if (outcome.sent && !resend) {
          o.trace(`${what}; the request may have left: not sent again`);
          return last;
        }
        if (attempt < o.retries) {
          const wait = backoffDelay(attempt, o.backoff.baseMs, o.backoff.capMs, o.random);
          o.trace(`${what}; retry in ${wait} ms`);
          await this.#pause(wait);
          if (this.#closed) return { ok: false, stage: 'closed', sent, host, detail: 'link closed' };
        } else o.trace(`${what}; ${turn + 1 < o.hosts.length ? 'failing over' : 'giving up'}`);
      }
    }
    return last;
  }

  #failOver(host: number) {
    const o = this.#o;
    this.#active = host;
    this.#stats.failovers++;
    this.#failbackAt = o.clock.uptimeMs() + o.failbackMs;
    o.trace(`link: failover to host ${host} (${hostText(o.hosts[host])})`);
  }

  async #attempt(host: number, frame: Uint8Array | undefined, match: Matcher | undefined): Promise<AttemptOutcome> {
    const attempt = new ConnectionAttempt(this.#o, this.#o.hosts[host], host, frame, match);
    this.#live.push(attempt);
    try {
      return await attempt.run();
    } finally {
      this.#live.splice(this.#live.indexOf(attempt), 1);
    }
  }

  async #pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#sleep = this.#o.clock.setTimer(ms, resolve);
    });
    this.#sleep = undefined;
    this.#wake = undefined;
  }

  #endSleep() {
    if (this.#sleep) this.#o.clock.clearTimer(this.#sleep);
    const wake = this.#wake;
    this.#sleep = undefined;
    this.#wake = undefined;
    if (wake) wake();
  }
}

const LINK_DOWN = 'no network link (Wi-Fi not joined, or no cable or address)';

function hostText(h: LinkHost): string {
  return `${h.host}:${h.port}${h.tls ? ' tls' : ''}`;
}
