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
 * - One answer never moves a plausible RTC by more than CLOCK_JUMP_MS: a second server must
 *   agree within SNTP_AGREE_MS (clockSync.ts; the SDK's client checks neither the reply's source
 *   nor its originate timestamp, so any LAN host can answer). Unagreed, the RTC is kept, the
 *   round traced and recorded as clock.sntp-failed (warn, "… would step the RTC +3 h, no second
 *   server agrees …; RTC kept"). An implausible RTC (1970) is set from the first answer (nothing
 *   better to go on) and the servers after it are asked to confirm (a confirming round): one
 *   within SNTP_AGREE_MS confirms; two others that agree with each other step it again; a server
 *   that disagrees alone is recorded as clock.sntp-failed. Never below the build (distrust()).
 * - A step of more than CLOCK_JUMP_MS either way is traced and recorded as the fact clock.jump
 *   (info, "from <iso> to <iso> via <server>", then ", agreeing with <server>", ", confirmed by
 *   <server>", ", not confirmed …" or ", contradicted by two others"; an implausible RTC's is
 *   recorded once its confirming round ends; the trace has each server's answer); a round
 *   whose servers all failed records clock.sntp-failed (warn, each server's reason) once until
 *   a round sets the clock again.
 * - Dates judged again: after a jump the keeper made by itself (not the set-clock step, whose
 *   action judges them again), when the last self-test judged dates by the clock before it and a
 *   probe that judges dates (DATE_PROBES) failed or warned, or passed by a clock a day or more
 *   off, a self-test runs (trigger 'periodic': the state and home screen follow) once the
 *   terminal is ready or in fault with no sale or action under way (looked at again every
 *   REJUDGE_POLL_MS, up to REJUDGE_TRIES times; a self-test under way at the jump is waited for).
 * - The diagnosis's set-clock step asks through sync() (actions.ts), so the source follows it.
 * - trusted(): set from SNTP this boot, or the RTC plausible by the RTC probe's own bounds (not
 *   before the build, not RTC_PLAUSIBLE_SPAN_MS after it). whenTrusted(maxMs) waits only while
 *   a round is under way (or, for LINK_GRACE_MS after start, for the link it waits on), bounded
 *   by a clock timer: nothing could make the clock trusted sooner otherwise. A plausible RTC is
 *   trusted at once, even with a round under way (the RTC probe likewise waits only for an
 *   implausible one): if the round then steps it, the dates are judged again (above).
 * - stop(): the timers cleared, a round under way cancelled (the RTC left as it is), waiters
 *   answered; nothing is recorded, traced, set or run after it.
 *
 * Contract: /work/notes/issue10-contract.md.
 */
import { PROFILE_DEFAULTS, type AcquirerProfile } from '../config/acquirerProfile';
import { deepFreeze } from '../freeze';
import type { Ports, TimerToken } from '../ports';
import { isoTime, rtcFinding } from '../selftest/probes/systemProbes';
import type { ClockSource, ClockTrust, SelfTestReport, SelfTestTrigger } from '../selftest/types';
import { RecordType } from '../store/recordLog';
import { CLOCK_JUMP_MS, SntpRound, type ClockSync } from './clockSync';
import type { FactEvent } from './events';
import type { TerminalState } from './states';

export { CLOCK_JUMP_MS } from './clockSync';

/**
 * What the keeper reads of the terminal (TerminalCore is its own deps). The optional members let
 * it judge dates again after a jump; without them (a keeper alone) nothing is re-run.
 */
export interface ClockKeeperDeps {
  readonly ports: Ports;
  record(type: number, value: unknown): void;
  acquirerProfile(): AcquirerProfile | undefined;
  stopped(): boolean;
  state?(): TerminalState;
  lastReport?(): SelfTestReport | undefined;
  selfTest?(trigger: SelfTestTrigger): Promise<SelfTestReport>;
  readonly cards?: { busy(): boolean };
  readonly diagnosisRuntime?: { busy(): boolean };
}

/** SNTP again this long (uptime) after a round that set the clock. */
export const CLOCK_RESYNC_MS = 24 * 3600 * 1000;
/** SNTP again this long after a round whose servers all failed (doubled after each further failure, up to CLOCK_RESYNC_MS). */
export const CLOCK_RETRY_MS = 3600 * 1000;
/**
 * The probes that judge dates by the wall clock (the RTC itself, the terminal certificate, the
 * TLS anchor, the CA public keys): those runtime/actions.ts judges again after set-clock.
 */
export const DATE_PROBES: readonly string[] = deepFreeze(['system.rtc', 'auth.certificate', 'network.tls', 'system.capk']);
/** A date probe that passed by a clock this far off (or more) is judged again too: an expiry the wrong clock had not reached. */
export const REJUDGE_PASS_STEP_MS = 24 * 3600 * 1000;
/** While the terminal is busy (a sale, an action, a self-test under way) the re-run waits this long and looks again… */
export const REJUDGE_POLL_MS = 10_000;
/** …this many times at most (10 min); after that the periodic self-test judges the dates. */
export const REJUDGE_TRIES = 60;
/** While the link is down: looked at again after firstMs, doubling up to maxMs. */
export const LINK_POLL = deepFreeze({ firstMs: 2_000, maxMs: 300_000 });
/** For this long after start a link still down counts as a round to come (whenTrusted waits for it, within its bound). */
export const LINK_GRACE_MS = 30_000;
/** Waiters at once at most (the clock probes of one self-test, and an action's); more are answered at once. */
const WAITERS_MAX = 8;
/** Longest fact detail (the record log's event stays small; a server's reason is cut, not dropped). */
const FACT_DETAIL_MAX = 120;

const RTC_SOURCE: ClockSource = deepFreeze({ kind: 'rtc' });

/** A re-judging after a jump, while it is pending. */
interface Rejudging {
  /** A report with a larger seq judged the dates by the new clock. */
  seq: number;
  /** The steps taken since the dates were last judged (ms, summed magnitudes). */
  stepMs: number;
  tries: number;
  timer: TimerToken | undefined;
}

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
  /** The round under way was started by the keeper and no set-clock step joined it (its jump is the keeper's to re-judge). */
  #byKeeper = false;
  /** One answer set an implausible RTC and the round confirming it is under way. */
  #unconfirmed: Extract<ClockSync, { kind: 'set' }> | undefined;
  /** Dates to judge again after a jump (undefined: nothing pending; the state exists only while it is). */
  #rejudging: Rejudging | undefined;
  readonly #waiters: Waiter[] = [];
  /** The timers' callbacks, made when first armed (a keeper that never re-judges never makes its own), then kept. */
  #onTimer: (() => void) | undefined;
  #onRejudge: (() => void) | undefined;

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
   * joined, and while one answer's time is being confirmed that answer is the result (the clock
   * was just set). Never rejects; after stop() it answers failed without asking.
   */
  sync(servers?: readonly string[]): Promise<ClockSync> {
    if (this.#unconfirmed && !this.#stopped) return Promise.resolve<ClockSync>(this.#unconfirmed);
    if (this.#round) {
      this.#byKeeper = false;
      return this.#round.done;
    }
    if (this.#stopped || this.#deps.stopped()) return Promise.resolve<ClockSync>({ kind: 'failed', detail: 'stopped' });
    return this.#begin(servers ?? this.#servers(), false);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const { clock } = this.#deps.ports;
    if (this.#timer !== undefined) clock.clearTimer(this.#timer);
    this.#timer = undefined;
    if (this.#rejudging?.timer !== undefined) clock.clearTimer(this.#rejudging.timer);
    this.#rejudging = undefined;
    this.#unconfirmed = undefined;
    const round = this.#round;
    this.#round = undefined;
    round?.cancel();
    this.#releaseAll();
  }

  #begin(servers: readonly string[], byKeeper: boolean): Promise<ClockSync> {
    const round = new SntpRound(this.#deps.ports, servers);
    this.#round = round;
    this.#byKeeper = byKeeper;
    return round.done.then((sync) => this.#settled(round, sync));
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
    void this.#begin(this.#servers(), true);
  }

  #settled(round: SntpRound, sync: ClockSync): ClockSync {
    if (this.#round === round) this.#round = undefined;
    if (this.#stopped || this.#deps.stopped()) return sync;
    const { clock } = this.#deps.ports;
    const byKeeper = this.#byKeeper;
    if (sync.kind === 'set') {
      this.#source = { kind: 'sntp', server: sync.server, atUptimeMs: clock.uptimeMs(), stepMs: sync.stepMs };
      this.#failing = false;
      this.#retryMs = 0;
      this.#linkPollMs = 0;
      const jump = Math.abs(sync.stepMs) > CLOCK_JUMP_MS;
      // One answer set an implausible RTC: the servers after it are asked to confirm (its jump is recorded then).
      const rest = sync.alone ? round.servers.slice(round.asked) : [];
      if (rest.length > 0) this.#confirm(sync, rest);
      else if (jump) this.#jump(sync, sync.alone ? ', not confirmed: no other server to ask' : sync.agreedWith !== undefined ? `, agreeing with ${sync.agreedWith}` : '');
      if (jump && byKeeper) this.#jumped(sync.stepMs);
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

  /** Asks `servers` whether the time one answer set an implausible RTC to is right (a confirming round). */
  #confirm(first: Extract<ClockSync, { kind: 'set' }>, servers: readonly string[]): void {
    this.#deps.ports.trace(`clock: one answer set the implausible RTC; asking ${servers[0]} to confirm`);
    const round = new SntpRound(this.#deps.ports, servers, true);
    this.#unconfirmed = first;
    this.#round = round;
    this.#byKeeper = true;
    void round.done.then((sync) => this.#confirmed(round, first, sync));
  }

  #confirmed(round: SntpRound, first: Extract<ClockSync, { kind: 'set' }>, sync: ClockSync): void {
    if (this.#round === round) this.#round = undefined;
    if (this.#unconfirmed === first) this.#unconfirmed = undefined;
    if (this.#stopped || this.#deps.stopped()) return;
    const { clock, trace } = this.#deps.ports;
    const jump = Math.abs(first.stepMs) > CLOCK_JUMP_MS;
    if (sync.kind === 'set' && sync.agreedWith === undefined) {
      trace(`clock confirmed by ${sync.server}`);
      if (jump) this.#jump(first, `, confirmed by ${sync.server}`);
    } else if (sync.kind === 'set') {
      // Two other servers agree on another time: it is taken (the first answer was the odd one).
      if (jump) this.#jump(first, ', contradicted by two others');
      this.#source = { kind: 'sntp', server: sync.server, atUptimeMs: clock.uptimeMs(), stepMs: sync.stepMs };
      if (Math.abs(sync.stepMs) > CLOCK_JUMP_MS) {
        this.#jump(sync, `, agreeing with ${sync.agreedWith}`);
        this.#jumped(sync.stepMs);
      }
    } else {
      const disputed = sync.kind === 'failed' && sync.disputed === true;
      if (jump) this.#jump(first, disputed ? ', not confirmed' : ', not confirmed (no other answer)');
      if (disputed) this.#fact('clock.sntp-failed', 'warn', `time from ${first.server} not confirmed: ${sync.detail}`);
    }
    this.#releaseAll();
  }

  #jump(sync: Extract<ClockSync, { kind: 'set' }>, how: string): void {
    const detail = `from ${isoTime(sync.fromMs)} to ${isoTime(sync.toMs)} via ${sync.server}${how}`;
    this.#deps.ports.trace(`clock jump: ${Math.round(sync.stepMs / 1000)} s, ${detail}`);
    this.#fact('clock.jump', 'info', detail);
  }

  /** The keeper stepped the clock by more than CLOCK_JUMP_MS: the dates judged before it are judged again (header). */
  #jumped(stepMs: number): void {
    const deps = this.#deps;
    if (!deps.lastReport || !deps.state || !deps.selfTest) return;
    // A self-test under way started before the step: the report to look at is the one it will make.
    const r = (this.#rejudging ??= { seq: -1, stepMs: 0, tries: 0, timer: undefined });
    r.seq = (deps.lastReport()?.seq ?? 0) + (deps.state() === 'selftest' ? 1 : 0);
    r.stepMs += Math.abs(stepMs);
    r.tries = 0;
    if (r.timer !== undefined) deps.ports.clock.clearTimer(r.timer);
    r.timer = undefined;
    this.#rejudge();
  }

  #rejudge(): void {
    const deps = this.#deps;
    const r = this.#rejudging;
    if (this.#stopped || deps.stopped() || !r || !deps.lastReport || !deps.state || !deps.selfTest) return;
    const report = deps.lastReport();
    const state = deps.state();
    const seq = report?.seq ?? 0;
    // A report after the step, or a self-test started since: the dates are (being) judged by the new clock.
    if (seq > r.seq) return this.#rejudged();
    if (state === 'selftest') return seq < r.seq ? this.#rejudgeLater(r) : this.#rejudged();
    // The run under way at the step ended with no report, or the boot self-test is still to come.
    if (!report || seq < r.seq || (state !== 'ready' && state !== 'fault')) return this.#rejudged();
    const ids = misjudged(report, r.stepMs);
    if (!ids) return this.#rejudged();
    if (deps.cards?.busy() || deps.diagnosisRuntime?.busy()) return this.#rejudgeLater(r);
    deps.ports.trace(`clock: stepped ${Math.round(r.stepMs / 1000)} s since self-test #${seq} judged ${ids}: self-test again`);
    this.#rejudged();
    deps.selfTest('periodic').catch(ignore);
  }

  #rejudgeLater(r: Rejudging): void {
    if (r.tries >= REJUDGE_TRIES) {
      this.#deps.ports.trace('clock: dates not judged again, the terminal stayed busy (the periodic self-test will)');
      this.#rejudged();
      return;
    }
    r.tries++;
    r.timer = this.#deps.ports.clock.setTimer(REJUDGE_POLL_MS, (this.#onRejudge ??= this.#rejudgeCallback()));
  }

  #rejudged(): void {
    this.#rejudging = undefined;
  }

  /** The re-judging timer's callback (made once, when first armed). */
  #rejudgeCallback(): () => void {
    return () => {
      const r = this.#rejudging;
      if (r) r.timer = undefined;
      this.#rejudge();
    };
  }

  /** The SNTP timer's callback (made once, when first armed). */
  #timerCallback(): () => void {
    return () => {
      this.#timer = undefined;
      this.#attempt();
    };
  }

  #schedule(ms: number): void {
    const { clock } = this.#deps.ports;
    if (this.#timer !== undefined) clock.clearTimer(this.#timer);
    this.#timer = clock.setTimer(ms, (this.#onTimer ??= this.#timerCallback()));
  }

  #fact(code: 'clock.jump' | 'clock.sntp-failed', status: FactEvent['status'], detail: string): void {
    if (this.#stopped) return;
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

/** "system.rtc, auth.certificate": the date probes of `report` a clock `stepMs` off may have misjudged ('' when none). */
function misjudged(report: SelfTestReport, stepMs: number): string {
  let out = '';
  for (const r of report.results) {
    if (!DATE_PROBES.includes(r.id)) continue;
    if (r.status === 'fail' || r.status === 'warn' || (r.status === 'pass' && stepMs >= REJUDGE_PASS_STEP_MS)) out += `${out ? ', ' : ''}${r.id}`;
  }
  return out;
}

/** A re-run that could not start (the terminal stopped or changed state): the next period judges. */
function ignore(): void {}
