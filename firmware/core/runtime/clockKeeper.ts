/**
 * The clock keeper (issue 10 item 5): the wall clock set from SNTP in the background, where the
 * time came from, and whether it can judge certificate dates.
 *
 * - start() (boot, once the link is opened): a round of SNTP (clockSync.ts) over the profile's
 *   servers (AcquirerProfile.ntpServers, else PROFILE_DEFAULTS') when the link is up; it never
 *   blocks the boot. A link still down (Wi-Fi joins in the background on the device) is looked
 *   at again after LINK_POLL.firstMs, doubling to LINK_POLL.maxMs, until it is up. After a round
 *   that set the clock the next is CLOCK_RESYNC_MS (24 h) of uptime later; after one whose
 *   servers all failed, CLOCK_RETRY_MS later, doubling with each further failure up to 24 h (a
 *   network with no reachable server costs a trace line a day, not one an hour).
 * - A step of more than CLOCK_JUMP_MS either way is traced and recorded as the fact clock.jump
 *   (info, "from <iso> to <iso> via <server>"); a round whose servers all failed records
 *   clock.sntp-failed (warn, each server's reason) once until a round sets the clock again.
 * - The diagnosis's set-clock step asks through sync() (actions.ts), so the source follows it.
 * - trusted(): set from SNTP this boot, or the RTC plausible by the RTC probe's own bounds (not
 *   before the build, not RTC_PLAUSIBLE_SPAN_MS after it). whenTrusted(maxMs) waits only while
 *   a round is under way (or, for LINK_GRACE_MS after start, for the link it waits on), bounded
 *   by a clock timer: nothing could make the clock trusted sooner otherwise.
 * - stop(): the timer cleared, a round under way cancelled (the RTC left as it is), waiters
 *   answered; nothing is recorded, traced or set after it.
 *
 * Contract: /work/notes/issue10-contract.md.
 */
import { PROFILE_DEFAULTS, type AcquirerProfile } from '../config/acquirerProfile';
import { deepFreeze } from '../freeze';
import type { Ports, TimerToken } from '../ports';
import { isoTime, rtcFinding } from '../selftest/probes/systemProbes';
import type { ClockSource, ClockTrust } from '../selftest/types';
import { RecordType } from '../store/recordLog';
import { SntpRound, type ClockSync } from './clockSync';
import type { FactEvent } from './events';

export interface ClockKeeperDeps {
  readonly ports: Ports;
  record(type: number, value: unknown): void;
  acquirerProfile(): AcquirerProfile | undefined;
  stopped(): boolean;
}

/** SNTP again this long (uptime) after a round that set the clock. */
export const CLOCK_RESYNC_MS = 24 * 3600 * 1000;
/** SNTP again this long after a round whose servers all failed (doubled after each further failure, up to CLOCK_RESYNC_MS). */
export const CLOCK_RETRY_MS = 3600 * 1000;
/** A step larger than this either way is a jump: traced, and evidence (clock.jump). */
export const CLOCK_JUMP_MS = 5 * 60 * 1000;
/** While the link is down: looked at again after firstMs, doubling up to maxMs. */
export const LINK_POLL = deepFreeze({ firstMs: 2_000, maxMs: 300_000 });
/** For this long after start a link still down counts as a round to come (whenTrusted waits for it, within its bound). */
export const LINK_GRACE_MS = 30_000;
/** Waiters at once at most (the clock probes of one self-test, and an action's); more are answered at once. */
const WAITERS_MAX = 8;
/** Longest fact detail (the record log's event stays small; a server's reason is cut, not dropped). */
const FACT_DETAIL_MAX = 120;

const RTC_SOURCE: ClockSource = deepFreeze({ kind: 'rtc' });

interface Waiter {
  resolve(trusted: boolean): void;
  timer: TimerToken | undefined;
}

export class ClockKeeper implements ClockTrust {
  readonly #deps: ClockKeeperDeps;
  #source: ClockSource = RTC_SOURCE;
  #round: SntpRound | undefined;
  #timer: TimerToken | undefined;
  #started = false;
  #stopped = false;
  #startedAtMs = 0;
  /** The next wait for a link still down (0: not waiting on the link). */
  #linkPollMs = 0;
  /** The last round's servers all failed: clock.sntp-failed is recorded once per such run. */
  #failing = false;
  /** The wait after the last failed round (0 after a round that set the clock). */
  #retryMs = 0;
  readonly #waiters: Waiter[] = [];
  /** The timer's callback, made once per keeper (not per schedule). */
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#attempt();
  };

  constructor(deps: ClockKeeperDeps) {
    this.#deps = deps;
  }

  /** At boot, once the link is open: asks SNTP when the network is up, and again every 24 h. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#startedAtMs = this.#deps.ports.clock.uptimeMs();
    this.#attempt();
  }

  source(): ClockSource {
    return this.#source;
  }

  trusted(): boolean {
    if (this.#source.kind === 'sntp') return true;
    const { clock, system } = this.#deps.ports;
    return rtcFinding(clock.wallMs(), system.buildTime) === 'rtc.ok';
  }

  /** True at once when trusted; false at once when no round is under way or to come; else when the round ends or `maxMs` passed. */
  whenTrusted(maxMs: number): Promise<boolean> {
    if (this.trusted()) return Promise.resolve(true);
    if (this.#stopped || !this.#coming() || this.#waiters.length >= WAITERS_MAX) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined };
      this.#waiters.push(waiter);
      waiter.timer = this.#deps.ports.clock.setTimer(Math.max(0, maxMs), () => this.#release(waiter));
    });
  }

  /**
   * A round now (the set-clock step; `servers` default to the profile's); one under way is
   * joined. Never rejects; after stop() it answers failed without asking.
   */
  sync(servers?: readonly string[]): Promise<ClockSync> {
    if (this.#round) return this.#round.done;
    if (this.#stopped || this.#deps.stopped()) return Promise.resolve<ClockSync>({ kind: 'failed', detail: 'stopped' });
    const round = new SntpRound(this.#deps.ports, servers ?? this.#servers());
    this.#round = round;
    return round.done.then((sync) => this.#settled(round, sync));
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.ports.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    const round = this.#round;
    this.#round = undefined;
    round?.cancel();
    this.#releaseAll();
  }

  #servers(): readonly string[] {
    return this.#deps.acquirerProfile()?.ntpServers ?? PROFILE_DEFAULTS.ntpServers;
  }

  /** A round is under way, or the link it waits for may still come up within the grace. */
  #coming(): boolean {
    if (this.#round) return true;
    return this.#linkPollMs > 0 && this.#timer !== undefined && this.#deps.ports.clock.uptimeMs() - this.#startedAtMs < LINK_GRACE_MS;
  }

  #attempt(): void {
    if (this.#stopped || this.#deps.stopped() || this.#round) return;
    const { network, trace } = this.#deps.ports;
    if (!network.sntp) {
      trace('clock: no SNTP on this board, the RTC is kept as it is');
      this.#releaseAll();
      return;
    }
    if (!network.link().up) {
      if (this.#linkPollMs === 0) trace('clock: SNTP waits for the link');
      const wait = this.#linkPollMs === 0 ? LINK_POLL.firstMs : Math.min(this.#linkPollMs * 2, LINK_POLL.maxMs);
      this.#linkPollMs = wait;
      this.#schedule(wait);
      if (!this.#coming()) this.#releaseAll();
      return;
    }
    this.#linkPollMs = 0;
    void this.sync();
  }

  #settled(round: SntpRound, sync: ClockSync): ClockSync {
    if (this.#round === round) this.#round = undefined;
    if (this.#stopped || this.#deps.stopped()) return sync;
    const { clock, trace } = this.#deps.ports;
    if (sync.kind === 'set') {
      this.#source = { kind: 'sntp', server: sync.server, atUptimeMs: clock.uptimeMs(), stepMs: sync.stepMs };
      this.#failing = false;
      this.#retryMs = 0;
      this.#linkPollMs = 0;
      if (Math.abs(sync.stepMs) > CLOCK_JUMP_MS) {
        const detail = `from ${isoTime(sync.fromMs)} to ${isoTime(sync.toMs)} via ${sync.server}`;
        trace(`clock jump: ${Math.round(sync.stepMs / 1000)} s, ${detail}`);
        this.#fact('clock.jump', 'info', detail);
      }
      this.#schedule(CLOCK_RESYNC_MS);
    } else if (sync.kind === 'failed' && round.asked > 0) {
      if (!this.#failing) this.#fact('clock.sntp-failed', 'warn', sync.detail);
      this.#failing = true;
      this.#retryMs = this.#retryMs === 0 ? CLOCK_RETRY_MS : Math.min(this.#retryMs * 2, CLOCK_RESYNC_MS);
      this.#schedule(this.#retryMs);
    } else if (sync.kind === 'failed') {
      // The link went down between the look and the round (or the step was asked with it down): wait for it.
      if (this.#timer === undefined) this.#attempt();
    }
    this.#releaseAll();
    return sync;
  }

  #schedule(ms: number): void {
    const { clock } = this.#deps.ports;
    if (this.#timer !== undefined) clock.clearTimer(this.#timer);
    this.#timer = clock.setTimer(ms, this.#onTimer);
  }

  #fact(code: 'clock.jump' | 'clock.sntp-failed', status: FactEvent['status'], detail: string): void {
    const { clock } = this.#deps.ports;
    const text = detail.length > FACT_DETAIL_MAX ? `${detail.slice(0, FACT_DETAIL_MAX - 1)}…` : detail;
    this.#deps.record(RecordType.event, { kind: 'fact', code, status, detail: text, uptimeMs: clock.uptimeMs(), wallMs: clock.wallMs() } satisfies FactEvent);
  }

  #release(waiter: Waiter): void {
    const at = this.#waiters.indexOf(waiter);
    if (at < 0) return;
    this.#waiters.splice(at, 1);
    if (waiter.timer !== undefined) this.#deps.ports.clock.clearTimer(waiter.timer);
    waiter.resolve(this.trusted());
  }

  #releaseAll(): void {
    while (this.#waiters.length > 0) this.#release(this.#waiters[0]);
  }
}
