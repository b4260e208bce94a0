/**
 * Setting the RTC from SNTP: the clock keeper's round (runtime/clockKeeper.ts: at boot, every
 * 24 h, and for the diagnosis's set-clock step, after which actions.ts runs the clock probe).
 * The profile's servers are asked in turn (AcquirerProfile.ntpServers); the first answer that
 * can be believed sets the RTC, and the step taken is reported.
 *
 * An answer is believed only when it is not before the firmware's build and not implausibly
 * later (the RTC probe's own bounds, systemProbes.ts): a server that answers a zero timestamp
 * (1900/1970, RFC 4330 §5: "not synchronized") or a date before the build would only set a
 * clock the probe then fails. The SNTP packet's own checks (server mode, stratum 0 kiss-o'-death
 * discarded) are the adapter's: the device's SDK client makes them (modules/network/sntp).
 */
import type { Ports, SntpAsk, TimerToken } from '../ports';
import { isoTime, RTC_PLAUSIBLE_SPAN_MS } from '../selftest/probes/systemProbes';

/**
 * Longest wait for one server: the SDK's client gives up after 5 requests 5 s apart (25 s); an
 * adapter that never calls back cannot hold the step past this.
 */
export const SNTP_ANSWER_MS = 30_000;

/** Servers asked in one round at most (a profile lists 1–4: acquirerProfile.ts). */
export const SNTP_SERVERS_MAX = 4;

export type ClockSync =
  /** The RTC was set from `server`; `stepMs` = the new time (`toMs`) − the RTC's reading just before (`fromMs`). */
  | { kind: 'set'; server: string; stepMs: number; fromMs: number; toMs: number; detail: string }
  /** No server gave a time to believe; `detail` says why, server by server. */
  | { kind: 'failed'; detail: string }
  /** The board cannot ask (its network port has no SNTP). */
  | { kind: 'refused'; detail: string };

/** Why an answer of `wallMs` cannot be believed, or undefined when it can. */
export function distrust(wallMs: number, buildTime: number): string | undefined {
  if (!Number.isFinite(wallMs)) return 'no time in the answer';
  if (wallMs < buildTime) return `answered ${isoTime(wallMs)}, before the build ${isoTime(buildTime)}`;
  if (wallMs - buildTime > RTC_PLAUSIBLE_SPAN_MS) return `answered ${isoTime(wallMs)}, implausibly late`;
  return undefined;
}

/**
 * One round: the servers asked in turn until one answers a believable time. `done` never
 * rejects. `cancel()` (the terminal stopped) ends it at once with the RTC untouched and no timer
 * left, the port's ask under way cancelled too (the device's SDK client closes its UDP socket and
 * retry timer); an answer that comes later is ignored. The guard timer stands in for an adapter that
 * never answers; an answer to an ask already given up (or a second answer) is ignored too.
 */
export class SntpRound {
  readonly done: Promise<ClockSync>;
  /** Servers asked so far (0: the round ended before asking: no SNTP, link down, cancelled). */
  asked = 0;
  readonly #ports: Ports;
  readonly #servers: readonly string[];
  readonly #why: string[] = [];
  #resolve: ((sync: ClockSync) => void) | undefined;
  /** The ask an answer must belong to (0: none is awaited). */
  #current = 0;
  #guard: TimerToken | undefined;
  /** The port's handle on the ask under way, ended when the round stops waiting for it. */
  #ask: SntpAsk | undefined;

  constructor(ports: Ports, servers: readonly string[]) {
    this.#ports = ports;
    this.#servers = servers.slice(0, SNTP_SERVERS_MAX);
    let resolve: ((sync: ClockSync) => void) | undefined;
    this.done = new Promise<ClockSync>((r) => (resolve = r));
    this.#resolve = resolve;
    const { network } = ports;
    if (!network.sntp) this.#finish({ kind: 'refused', detail: 'no SNTP on this board' });
    else if (!network.link().up) this.#finish({ kind: 'failed', detail: 'link is down' });
    else this.#next();
  }

  /** Ends the round now: nothing is set, no timer is left, later answers are ignored. */
  cancel(): void {
    this.#finish({ kind: 'failed', detail: 'stopped' });
  }

  #next(): void {
    const ports = this.#ports;
    const sntp = ports.network.sntp;
    if (!sntp || this.asked >= this.#servers.length) {
      const detail = this.#why.join('; ');
      ports.trace(`clock not set: ${detail}`);
      this.#finish({ kind: 'failed', detail });
      return;
    }
    const host = this.#servers[this.asked];
    const ask = ++this.asked;
    this.#current = ask;
    this.#guard = ports.clock.setTimer(SNTP_ANSWER_MS, () => this.#answer(ask, host, undefined, `no answer in ${SNTP_ANSWER_MS / 1000} s`));
    const handle = sntp.call(ports.network, host, (wallMs, detail) => this.#answer(ask, host, wallMs, detail));
    // An answer given already (none should come inside the call) leaves nothing to end.
    if (handle && this.#current === ask) this.#ask = handle;
  }

  #answer(ask: number, server: string, wallMs: number | undefined, detail: string): void {
    if (ask !== this.#current || !this.#resolve) return;
    this.#current = 0;
    this.#clearGuard();
    this.#endAsk();
    const { clock, system } = this.#ports;
    const reason = wallMs === undefined ? detail : distrust(wallMs, system.buildTime);
    if (reason !== undefined || wallMs === undefined) {
      this.#why.push(`${server}: ${reason}`);
      this.#next();
      return;
    }
    const before = clock.wallMs();
    clock.setWallMs(wallMs);
    const stepMs = wallMs - before;
    this.#ports.trace(`clock set from ${server}: ${isoTime(before)} -> ${isoTime(wallMs)}`);
    this.#finish({ kind: 'set', server, stepMs, fromMs: before, toMs: wallMs, detail: `server=${server} step=${Math.round(stepMs / 1000)}s` });
  }

  /** Closes the port's ask (a no-op once it has answered): its socket and timers end with the wait. */
  #endAsk(): void {
    const ask = this.#ask;
    this.#ask = undefined;
    if (ask) ask.cancel();
  }

  #clearGuard(): void {
    if (this.#guard !== undefined) this.#ports.clock.clearTimer(this.#guard);
    this.#guard = undefined;
  }

  #finish(sync: ClockSync): void {
    const resolve = this.#resolve;
    if (!resolve) return;
    this.#resolve = undefined;
    this.#current = 0;
    this.#clearGuard();
    this.#endAsk();
    resolve(sync);
  }
}

/** Asks `servers` in turn and sets the RTC from the first believable answer; never rejects. */
export function syncClock(ports: Ports, servers: readonly string[]): Promise<ClockSync> {
  return new SntpRound(ports, servers).done;
}
