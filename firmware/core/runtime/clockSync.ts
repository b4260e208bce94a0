/**
 * Setting the RTC from SNTP: the clock keeper's round (runtime/clockKeeper.ts: at boot, every
 * 24 h, and for the diagnosis's set-clock step, after which actions.ts runs the clock probe).
 * The profile's servers are asked in turn (AcquirerProfile.ntpServers).
 *
 * An answer is believed only when it is not before the firmware's build and not implausibly
 * later (the RTC probe's own bounds, systemProbes.ts): a server that answers a zero timestamp
 * (1900/1970, RFC 4330 §5: "not synchronized") or a date before the build would only set a
 * clock the probe then fails. The SNTP packet's own checks (server mode, stratum 0 kiss-o'-death
 * discarded) are the adapter's: the device's SDK client makes them (modules/network/sntp). That
 * client checks neither the reply's source address nor its originate timestamp, so any host on
 * the LAN can answer in a server's name: one answer may not move a sound clock far.
 *
 * What a believable answer does, by the RTC's reading (offset = answer − that reading):
 * - RTC implausible (1970 after a lost battery): the first answer sets it (nothing better to go
 *   on); the result says `alone`, and the keeper asks the servers after it to confirm.
 * - RTC plausible and |offset| ≤ the round's near bound (CLOCK_JUMP_MS; SNTP_AGREE_MS for a
 *   confirming round): set (a small correction, or a confirmation).
 * - Otherwise the answer waits for another: a later answer within SNTP_AGREE_MS of it (offsets
 *   compared, so the time between the asks does not count) sets the RTC (`agreedWith`). A round
 *   that ends with answers still waiting sets nothing: 'failed', `disputed`, the RTC kept.
 */
import type { Ports, SntpAsk, TimerToken } from '../ports';
import { isoTime, RTC_PLAUSIBLE_SPAN_MS, rtcFinding } from '../selftest/probes/systemProbes';

/**
 * Longest wait for one server: the SDK's client gives up after 5 requests 5 s apart (25 s); an
 * adapter that never calls back cannot hold the step past this.
 */
export const SNTP_ANSWER_MS = 30_000;

/** Servers asked in one round at most (a profile lists 1–4: acquirerProfile.ts). */
export const SNTP_SERVERS_MAX = 4;

/**
 * A step larger than this either way is a jump: on a plausible RTC it needs two servers that
 * agree; the keeper traces it and records clock.jump.
 */
export const CLOCK_JUMP_MS = 5 * 60 * 1000;

/** Two answers agree when their offsets from the RTC differ by no more than this (whole seconds read, the network's delay). */
export const SNTP_AGREE_MS = 5_000;

export type ClockSync =
  /**
   * The RTC was set from `server`; `stepMs` = the new time (`toMs`) − the RTC's reading just
   * before (`fromMs`). `agreedWith`: the earlier server whose answer agreed (a jump on a plausible
   * RTC); `alone`: the RTC was implausible and this one answer set it, unconfirmed.
   */
  | { kind: 'set'; server: string; stepMs: number; fromMs: number; toMs: number; detail: string; agreedWith?: string; alone?: boolean }
  /** No server gave a time to take; `detail` says why, server by server. `disputed`: a time was answered that no second server agreed with. */
  | { kind: 'failed'; detail: string; disputed?: boolean }
  /** The board cannot ask (its network port has no SNTP). */
  | { kind: 'refused'; detail: string };

/** Why an answer of `wallMs` cannot be believed, or undefined when it can. */
export function distrust(wallMs: number, buildTime: number): string | undefined {
  if (!Number.isFinite(wallMs)) return 'no time in the answer';
  if (wallMs < buildTime) return `answered ${isoTime(wallMs)}, before the build ${isoTime(buildTime)}`;
  if (wallMs - buildTime > RTC_PLAUSIBLE_SPAN_MS) return `answered ${isoTime(wallMs)}, implausibly late`;
  return undefined;
}

/** "+3 h", "-2 d", "+45 s": a step's size for traces and facts (rounded; days from 48 h, hours from 2 h, minutes from 2 min). */
export function stepText(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs >= 48 * 3_600_000) return `${sign}${Math.round(abs / 86_400_000)} d`;
  if (abs >= 2 * 3_600_000) return `${sign}${Math.round(abs / 3_600_000)} h`;
  if (abs >= 120_000) return `${sign}${Math.round(abs / 60_000)} min`;
  return `${sign}${Math.round(abs / 1000)} s`;
}

/** An answer that would step a plausible RTC too far to be taken alone. */
interface Waiting {
  readonly server: string;
  /** The answer − the RTC's reading when it came. */
  readonly offsetMs: number;
}

/**
 * One round: the servers asked in turn until an answer can be taken (above). `done` never
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
  /** The servers this round asks, in order (at most SNTP_SERVERS_MAX). */
  readonly servers: readonly string[];
  /** An answer within this of a plausible RTC is taken alone. */
  readonly #nearMs: number;
  readonly #confirming: boolean;
  readonly #why: string[] = [];
  /** Answers waiting for a second to agree (≤ SNTP_SERVERS_MAX: one per server asked). */
  readonly #waiting: Waiting[] = [];
  #resolve: ((sync: ClockSync) => void) | undefined;
  /** The ask an answer must belong to (0: none is awaited). */
  #current = 0;
  #guard: TimerToken | undefined;
  /** The port's handle on the ask under way, ended when the round stops waiting for it. */
  #ask: SntpAsk | undefined;

  /**
   * `confirming`: the keeper's second round after one answer set an implausible RTC: only an
   * answer within SNTP_AGREE_MS of the RTC confirms it, and two others that agree step it again.
   */
  constructor(ports: Ports, servers: readonly string[], confirming = false) {
    this.#ports = ports;
    this.servers = servers.slice(0, SNTP_SERVERS_MAX);
    this.#confirming = confirming;
    this.#nearMs = confirming ? SNTP_AGREE_MS : CLOCK_JUMP_MS;
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
    if (!sntp || this.asked >= this.servers.length) {
      const disputed = this.#waiting.length > 0;
      const detail = disputed ? this.#disputed() : this.#why.join('; ');
      ports.trace(`${this.#confirming ? 'clock not confirmed' : 'clock not set'}: ${detail}`);
      this.#finish(disputed ? { kind: 'failed', detail, disputed } : { kind: 'failed', detail });
      return;
    }
    const host = this.servers[this.asked];
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
    const offset = wallMs - before;
    if (rtcFinding(before, system.buildTime) !== 'rtc.ok') return this.#set(server, before, wallMs, undefined, true);
    if (Math.abs(offset) <= this.#nearMs) return this.#set(server, before, wallMs, undefined, false);
    const waiting = this.#waiting;
    for (let i = 0; i < waiting.length; i++)
      if (Math.abs(offset - waiting[i].offsetMs) <= SNTP_AGREE_MS) return this.#set(server, before, wallMs, waiting[i].server, false);
    waiting.push({ server, offsetMs: offset });
    this.#ports.trace(`clock: ${server} would step the RTC ${stepText(offset)}, not taken without a second server`);
    this.#next();
  }

  #set(server: string, before: number, wallMs: number, agreedWith: string | undefined, alone: boolean): void {
    this.#ports.clock.setWallMs(wallMs);
    const stepMs = wallMs - before;
    const why = agreedWith !== undefined ? ` (agrees with ${agreedWith})` : alone ? ' (one answer, the RTC was implausible)' : '';
    this.#ports.trace(`clock set from ${server}${why}: ${isoTime(before)} -> ${isoTime(wallMs)}`);
    const detail = `server=${server} step=${Math.round(stepMs / 1000)}s`;
    const sync: ClockSync =
      agreedWith !== undefined
        ? { kind: 'set', server, stepMs, fromMs: before, toMs: wallMs, detail: `${detail} agrees=${agreedWith}`, agreedWith }
        : { kind: 'set', server, stepMs, fromMs: before, toMs: wallMs, detail, ...(alone ? { alone } : {}) };
    this.#finish(sync);
  }

  /** Why the answers waiting were not taken: "a.example would step the RTC +3 h, no second server agrees (b.example: …); RTC kept". */
  #disputed(): string {
    const waiting = this.#waiting;
    let out = '';
    if (waiting.length === 1) out = `${waiting[0].server} would step the RTC ${stepText(waiting[0].offsetMs)}, no second server agrees`;
    else {
      out = 'no two servers agree:';
      for (let i = 0; i < waiting.length; i++) out += `${i ? ',' : ''} ${waiting[i].server} ${stepText(waiting[i].offsetMs)}`;
    }
    if (this.#why.length) out += ` (${this.#why.join('; ')})`;
    return `${out}; RTC kept`;
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

/** One round over `servers` (without the keeper an implausible RTC's one answer is not confirmed after); never rejects. */
export function syncClock(ports: Ports, servers: readonly string[]): Promise<ClockSync> {
  return new SntpRound(ports, servers).done;
}
