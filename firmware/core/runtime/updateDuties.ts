/**
 * The firmware update duties (issue 10 item 2): the durable update state across the reboots an
 * update is made of, the checks (on demand, daily at the configured local hour, again 60 s after
 * a deferral), the new image's trial boot and its self-test gate, and what the old image finds
 * when an update failed. One check at a time (update/updateFlow.ts does its steps).
 *
 * At boot (atBoot, before the boot self-test), with the durable phase switched or trial:
 * - running the target version, state 'pending-verify' (or 'undefined': no rollback bootloader):
 *   the trial: phase 'trial', the screen says the new firmware checks itself;
 * - running the target version, state 'valid': confirmed before (a cut after markValid, before
 *   the record): finished as confirmed;
 * - running another version: the update failed. A recorded update.failed (the gate's) stays and
 *   is said again as this boot's evidence; else a panic or watchdog reset is update.crashed (that version is not installed again), any
 *   other reset update.interrupted (the download is kept: the next check switches again).
 * Gate (afterBootSelfTest): no failed probe beyond the baseline (those failing before the switch)
 * → markValid() first, then the record: idle, floor raised to the image's security, update.ok.
 * Else update.failed "self-test: <probes>", the version marked bad, then rollback().
 *
 * Boot stays cheap when no update is under way: no record, nothing decoded or kept; the
 * scheduled check is one timer.
 */
import type { Ports, TimerToken } from '../ports';
import type { CborCodec } from '../store/cbor';
import { RecordType, type RecordLog } from '../store/recordLog';
import type { SelfTestReport } from '../selftest/types';
import type { UpdateOutcome, UpdateResult, UpdateStatus } from '../update/types';
import type { UpdateScreen } from '../ui/updateScreens';
import type { TerminalState } from './states';
import type { AcquirerProfile } from '../config/acquirerProfile';
import { errorText } from '../errorText';
import { UpdateCheck, type UpdateCheckHost } from '../update/updateFlow';
import { IDLE_UPDATE_STATE, clampDetail, probeMark, putUpdateState, readUpdateState, type UpdateState } from '../update/updateState';
import { msUntilLocalHour, readUpdateSettings, UPDATE_SETTINGS } from '../update/updateSettings';
import { hostTrustAnchor } from './acquirerLink';

/** A deferred switch is tried again after this long (or at the next check). */
export const DEFER_RETRY_MS = 60_000;

export interface UpdateDutiesDeps {
  readonly ports: Ports;
  readonly cbor: CborCodec;
  log(): RecordLog | undefined;
  record(type: number, value: unknown): void;
  state(): TerminalState;
  stopped(): boolean;
  /** Why an update may not switch or restart now ('card sale', 'reversal pending', 'self-test', 'action'), or undefined. */
  busyReason(): string | undefined;
  /** Shows an update screen (progress, result) when the panel is free for it. */
  showUpdate(screen: UpdateScreen): void;
  /** The newest self-test report (the switch's baseline: the probes already failing). */
  lastReport(): SelfTestReport | undefined;
  /** The acquirer profile (its card.utcOffsetMinutes makes the scheduled hour local). */
  acquirerProfile(): AcquirerProfile | undefined;
  /** The board's restart (TerminalOptions.restart); without it an installed image waits for the next power-on. */
  readonly restart?: () => void;
}

export class UpdateDuties implements UpdateCheckHost {
  readonly #deps: UpdateDutiesDeps;
  /** The durable state as last read or put; undefined: no record (never an update). */
  #state: UpdateState | undefined;
  /** This boot is the new image's trial, not yet judged. */
  #trial = false;
  /** A result the old image found at boot, shown once the boot self-test is done. */
  #found: UpdateResult | undefined;
  #running: Promise<UpdateOutcome> | undefined;
  #check: UpdateCheck | undefined;
  #timer: TimerToken | undefined;
  #onTimer: (() => void) | undefined;
  /** A demand check shows its result; a scheduled one leaves the screen alone unless it installs. */
  #demand = false;
  #stopped = false;

  constructor(deps: UpdateDutiesDeps) {
    this.#deps = deps;
  }

  get ports(): Ports {
    return this.#deps.ports;
  }

  get restart(): (() => void) | undefined {
    return this.#deps.restart;
  }

  /** True while a check runs (its download or switch): the terminal's own busy state. */
  busy(): boolean {
    return this.#running !== undefined;
  }

  /** This boot is the new image's trial, its gate not yet passed. */
  get trial(): boolean {
    return this.#trial;
  }

  /** Before the boot self-test: the durable state, the running slot; a failed update found. Never throws. */
  atBoot(): void {
    const deps = this.#deps;
    const port = deps.ports.update;
    const log = deps.log();
    if (!port || !log) return;
    try {
      const state = readUpdateState(log, deps.cbor, deps.ports.trace);
      if (!state) return;
      this.#state = state;
      if ((state.phase !== 'switched' && state.phase !== 'trial') || !state.target) return;
      const target = state.target;
      const running = deps.ports.system.firmwareVersion;
      const image = port.running().state;
      if (running === target.version && image !== 'valid') {
        this.#trial = true;
        if (state.phase !== 'trial') this.saveUpdateState({ ...state, phase: 'trial' });
        deps.ports.trace(`update: trial boot of ${running}; the self-test decides`);
        deps.showUpdate({ kind: 'progress', stage: 'trial', version: running });
      } else if (running === target.version) {
        deps.ports.trace(`update: ${running} was confirmed before its record: finished`);
        this.#found = this.#confirmed(state, target.security, target.version);
      } else this.#foundFailed(state, target.version);
    } catch (error) {
      deps.ports.trace(`update: boot check failed: ${errorText(error)}`);
    }
  }

  /** The gate, after the boot self-test: confirm the trial image, or roll back. Never throws. */
  afterBootSelfTest(report: SelfTestReport): void {
    const deps = this.#deps;
    try {
      if (this.#trial) this.#gate(report);
      else if (this.#found && !deps.stopped()) {
        deps.showUpdate({ kind: 'result', result: this.#found });
        this.#found = undefined;
      }
    } catch (error) {
      deps.ports.trace(`update: gate failed: ${errorText(error)}`);
    }
  }

  /** Starts the scheduled check (the configured local hour, then daily). Nothing when updates are off or unavailable. */
  schedule(): void {
    const deps = this.#deps;
    if (this.#stopped || deps.stopped() || !deps.ports.update) return;
    const settings = readUpdateSettings(deps.ports.settings);
    for (const problem of settings.problems) deps.ports.trace(`update settings: ${problem}`);
    if (!settings.url || !settings.enabled) return;
    // A verified image whose switch was deferred (or the board restarted before it): soon, not at the hour.
    if (this.#state?.phase === 'verified') return this.#arm(DEFER_RETRY_MS);
    const offset = deps.acquirerProfile()?.card.utcOffsetMinutes ?? UPDATE_SETTINGS.defaults.utcOffsetMinutes;
    this.#arm(msUntilLocalHour(deps.ports.clock.wallMs(), settings.hour, offset));
  }

  /** Checks the server now; downloads, verifies and installs what it offers. Never rejects; a check under way is joined. */
  check(trigger: 'demand' | 'scheduled'): Promise<UpdateOutcome> {
    if (trigger === 'demand') this.#demand = true;
    this.#running ??= this.#checkNow().catch((error: unknown): UpdateOutcome => {
      // Nothing escapes a check: an unexpected error is a failed one, traced.
      this.#deps.ports.trace(`update check failed: ${errorText(error)}`);
      return { kind: 'failed', code: 'update-state', detail: errorText(error) };
    }).finally(() => {
      this.#running = undefined;
      this.#check = undefined;
      this.#demand = false;
    });
    return this.#running;
  }

  status(): UpdateStatus {
    const state = this.#state ?? IDLE_UPDATE_STATE;
    const target = state.target;
    return {
      phase: state.phase,
      running: this.#deps.ports.system.firmwareVersion,
      ...(target ? { target: target.version, written: state.written, size: target.size } : {}),
      floor: state.floor,
      ...(state.last ? { last: state.last } : {}),
      trial: this.#trial,
    };
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) this.#deps.ports.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#onTimer = undefined;
    this.#check?.abort();
  }

  // ---- UpdateCheckHost: what a check uses

  updateState(): UpdateState {
    return this.#state ?? IDLE_UPDATE_STATE;
  }

  saveUpdateState(state: UpdateState): void {
    const log = this.#deps.log();
    if (!log) throw new Error('no record log');
    putUpdateState(log, this.#deps.cbor, state);
    this.#state = state;
  }

  fact(code: string, status: 'fail' | 'warn' | 'info' | 'pass', detail: string): void {
    const { clock, trace } = this.#deps.ports;
    trace(`update: ${code} ${detail}`);
    this.#deps.record(RecordType.event, { kind: 'fact', code, status, detail, uptimeMs: clock.uptimeMs(), wallMs: clock.wallMs() });
  }

  progress(screen: UpdateScreen): void {
    // A scheduled check works in the background; it shows itself only once it installs.
    if (this.#demand || (screen.kind === 'progress' && (screen.stage === 'installing' || screen.stage === 'restarting'))) this.#deps.showUpdate(screen);
  }

  busyReason(): string | undefined {
    return this.#deps.busyReason();
  }

  baseline(): number[] {
    const report = this.#deps.lastReport();
    const marks: number[] = [];
    if (report) for (const r of report.results) if (r.status === 'fail' && marks.length < 6) marks.push(probeMark(r.id));
    return marks;
  }

  stopped(): boolean {
    return this.#stopped || this.#deps.stopped();
  }

  // ---- inside

  async #checkNow(): Promise<UpdateOutcome> {
    const deps = this.#deps;
    const port = deps.ports.update;
    if (!port) return { kind: 'unavailable', detail: 'this board has no update slots' };
    if (this.stopped()) return { kind: 'unavailable', detail: 'the terminal is stopped' };
    if (!deps.log()) return { kind: 'unavailable', detail: 'no record log: an update could not survive a restart' };
    if (this.#trial) return { kind: 'deferred', reason: 'the new firmware is still on trial' };
    const state = this.updateState();
    if (state.phase === 'switched' && state.target) return { kind: 'deferred', reason: `${state.target.version} is installed: waiting for a restart` };
    const settings = readUpdateSettings(deps.ports.settings);
    if (!settings.url) return { kind: 'unavailable', detail: 'no update server configured (update.url)' };
    // An update never starts during a sale, a host operation, a self-test, an action or with a
    // reversal pending: tried again in DEFER_RETRY_MS. (One started may see a sale begin: it
    // downloads on, and its switch waits for the terminal to be idle.)
    const busy = deps.busyReason();
    let outcome: UpdateOutcome;
    if (busy) outcome = { kind: 'deferred', reason: busy };
    else {
      const anchor = settings.root ?? hostTrustAnchor(deps.ports.settings)?.value;
      const check = new UpdateCheck(this, port, { url: settings.url, ca: anchor instanceof Uint8Array ? anchor : undefined });
      this.#check = check;
      outcome = await check.run();
    }
    if (this.stopped()) return outcome;
    deps.ports.trace(`update check: ${outcome.kind}${'code' in outcome ? ` ${outcome.code}` : ''}`);
    this.#remember(outcome);
    if (outcome.kind === 'deferred') this.#arm(DEFER_RETRY_MS);
    if (this.#demand && outcome.kind !== 'installed') this.#showOutcome(outcome);
    return outcome;
  }

  /** A refusal or a failed download is the last result (put only when it says something new: flash wears). */
  #remember(outcome: UpdateOutcome) {
    if (outcome.kind !== 'refused' && outcome.kind !== 'failed') return;
    // The version that failed here is offered again: the failure stays the last result (why it is refused).
    if (outcome.kind === 'refused' && outcome.code === 'update-known-bad') return;
    const code = outcome.kind === 'refused' ? 'update.refused' : 'update.download-failed';
    const state = this.updateState();
    const version = (outcome.kind === 'refused' ? outcome.version : undefined) ?? state.target?.version ?? this.#deps.ports.system.firmwareVersion;
    const detail = clampDetail(`${outcome.code}: ${outcome.detail}`);
    if (state.last && state.last.code === code && state.last.version === version && state.last.detail === detail) return;
    try {
      this.saveUpdateState({ ...state, last: { code, version, detail, wallMs: this.#deps.ports.clock.wallMs() } });
    } catch (error) {
      this.#deps.ports.trace(`update: result not recorded: ${errorText(error)}`);
    }
  }

  #showOutcome(outcome: UpdateOutcome) {
    const { ports } = this.#deps;
    const running = ports.system.firmwareVersion;
    const wallMs = ports.clock.wallMs();
    if (outcome.kind === 'refused') this.#deps.showUpdate({ kind: 'result', result: { code: 'update.refused', version: outcome.version ?? running, detail: `${outcome.code}: ${outcome.detail}`, wallMs } });
    else if (outcome.kind === 'failed') this.#deps.showUpdate({ kind: 'result', result: { code: 'update.download-failed', version: running, detail: `${outcome.code}: ${outcome.detail}`, wallMs } });
    else if (outcome.kind !== 'installed') this.#deps.showUpdate({ kind: 'none', version: running, reason: outcome.kind === 'none' ? 'current' : outcome.kind });
  }

  #gate(report: SelfTestReport) {
    const deps = this.#deps;
    const port = deps.ports.update;
    const state = this.updateState();
    const target = state.target;
    this.#trial = false;
    if (!port || !target) return;
    const failed: string[] = [];
    for (const r of report.results) if (r.status === 'fail' && !state.baseline.includes(probeMark(r.id))) failed.push(r.id);
    if (failed.length === 0) {
      try {
        // Confirmed first: a cut from here on keeps the new image (atBoot finishes the record).
        port.markValid();
      } catch (error) {
        return this.#rollBack(state, target.version, `could not confirm: ${errorText(error)}`);
      }
      const last = this.#confirmed(state, target.security, target.version);
      if (!deps.stopped()) deps.showUpdate({ kind: 'result', result: last });
      return;
    }
    this.#rollBack(state, target.version, `self-test: ${failed.join(' ')}`);
  }

  #confirmed(state: UpdateState, security: number, version: string): UpdateResult {
    const deps = this.#deps;
    const last: UpdateResult = { code: 'update.ok', version, detail: `security ${security}`, wallMs: deps.ports.clock.wallMs() };
    this.#trial = false;
    try {
      this.saveUpdateState({ phase: 'idle', written: 0, floor: Math.max(state.floor, security), baseline: [], last, ...(state.badVersion ? { badVersion: state.badVersion } : {}) });
    } catch (error) {
      deps.ports.trace(`update: confirmation not recorded: ${errorText(error)}`);
    }
    this.fact('update.ok', 'pass', `${version} confirmed by its self-test`);
    return last;
  }

  /** The gate failed: the old image is told why (the record), then the bootloader goes back to it. */
  #rollBack(state: UpdateState, version: string, why: string) {
    const deps = this.#deps;
    const last: UpdateResult = { code: 'update.failed', version, detail: clampDetail(why), wallMs: deps.ports.clock.wallMs() };
    try {
      this.saveUpdateState({ ...state, phase: 'trial', last, badVersion: version });
    } catch (error) {
      deps.ports.trace(`update: failure not recorded: ${errorText(error)}`);
    }
    this.fact('update.failed', 'fail', `${version}: ${why}`);
    try {
      (deps.ports.update as NonNullable<Ports['update']>).rollback();
    } catch (error) {
      // No other image to go back to: this one keeps running (out of service if its self-test failed).
      deps.ports.trace(`update: rollback refused: ${errorText(error)}`);
      try {
        this.saveUpdateState({ ...this.updateState(), phase: 'idle', target: undefined, written: 0, baseline: [] });
      } catch {
        /* traced above; the record stays as it was */
      }
      if (!deps.stopped()) deps.showUpdate({ kind: 'result', result: last });
    }
  }

  /** The old image runs while the record says it switched: why, recorded once. */
  #foundFailed(state: UpdateState, version: string) {
    const deps = this.#deps;
    const reason = deps.ports.system.resetReason();
    const recorded = state.last?.code === 'update.failed' && state.last.version === version;
    const target = state.target;
    let next: UpdateState;
    if (recorded) {
      // The trial recorded why before it rolled back; said again in this boot, whose diagnosis explains it.
      next = { ...state, phase: 'idle', target: undefined, written: 0, baseline: [] };
      this.fact('update.failed', 'fail', `${version}: ${state.last?.detail ?? ''}; rolled back to ${deps.ports.system.firmwareVersion}`);
    } else if (reason === 'panic' || reason === 'watchdog') {
      const last: UpdateResult = { code: 'update.crashed', version, detail: `${reason} reset before it confirmed itself`, wallMs: deps.ports.clock.wallMs() };
      next = { ...state, phase: 'idle', target: undefined, written: 0, baseline: [], last, badVersion: version };
      this.fact('update.crashed', 'fail', `${version}: ${last.detail}`);
    } else {
      // Power went during the trial (or the new image never started): the image stays in the slot, the next check switches again.
      const last: UpdateResult = { code: 'update.interrupted', version, detail: `${reason} reset before it confirmed itself`, wallMs: deps.ports.clock.wallMs() };
      next = { ...state, phase: target ? 'downloading' : 'idle', written: target ? target.size : 0, baseline: [], last };
      this.fact('update.interrupted', 'warn', `${version}: ${last.detail}`);
    }
    this.#found = next.last;
    deps.ports.trace(`update: ${version} did not stay: ${next.last?.code ?? 'unknown'}`);
    this.saveUpdateState(next);
  }

  #arm(delayMs: number) {
    const clock = this.#deps.ports.clock;
    if (this.#timer) clock.clearTimer(this.#timer);
    this.#onTimer ??= () => this.#fired();
    this.#timer = clock.setTimer(delayMs, this.#onTimer);
  }

  #fired() {
    this.#timer = undefined;
    if (this.stopped()) return;
    void this.check('scheduled').then(() => {
      // The daily check again at the hour (a deferral has armed its own retry in #checkNow).
      if (!this.stopped() && !this.#timer) this.schedule();
    });
  }
}
