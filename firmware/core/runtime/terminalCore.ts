/**
 * The terminal's state machine and work behind the Terminal API (terminal.ts): the boot, the
 * self-tests and their transitions, the record log, the acquirer link, the key wipe. Split from
 * terminal.ts, which keeps the public interface, when it became a class (docs/memory.md).
 */
import { readTerminalConfig } from '../config/terminalConfig';
import type { KeyCode, Ports, TimerToken } from '../ports';
import { probeTargets, standardProbes } from '../selftest/plan';
import { KeyStore } from '../security/keyStore';
import { runSelfTest } from '../selftest/runner';
import type { Probe, ProbeTargets, SelfTestReport, SelfTestTrigger } from '../selftest/types';
import { encodeReport } from '../selftest/reportRecord';
import { createCborCodec, type CborCodec } from '../store/cbor';
import { RecordLog, RecordType } from '../store/recordLog';
import type { TerminalEvent, TransitionCause } from './events';
import { RuntimeError, TRANSITIONS, type TerminalState } from './states';
import { readEvents, readReport as readStoredReport, readReports } from './logReaders';
import { errorText } from '../errorText';
import { openAcquirerLink, type AcquirerLink } from './acquirerLink';
import type { AcquirerProfile } from '../config/acquirerProfile';
import { createHostDuties, type HostDuties, type HostDutiesDeps } from './hostDuties';
import type { HostOutcome, HostSession, SaleRequest } from '../host/session';
import { batchSnapshot, hostView } from './hostScreens';
import { createPanel, type Panel, type PanelDeps } from './views';
import { createDiagnosisRuntime, type DiagnosisRuntime, type DiagnosisRuntimeDeps } from './diagnosisRuntime';
import type { ActionId, Diagnosis } from '../diagnosis/types';
import type { TerminalOptions } from './terminal';
import { CardDuties, type CardDutiesDeps } from './cardDuties';
import type { CardScreen } from '../ui/cardScreens';
import type { SaleOutcome } from './hostDuties';
import { ResetHistory } from './resetHistory';
import { ClockKeeper } from './clockKeeper';
import { UpdateDuties } from './updateDuties';
import type { UpdateScreen } from '../ui/updateScreens';
import type { SafeModeFacts } from '../ui/safeModeScreen';

type HostOperation = Parameters<HostDutiesDeps['show']>[0];

/** Self-test period: every 24 h of uptime. */
export const SELF_TEST_INTERVAL_MS = 24 * 3600 * 1000;

/**
 * The terminal's state and work, as a class: its methods are made once when the module is
 * preloaded (flash on the device). As a closure factory it made ~30 functions and three objects
 * of arrows (the deps of the host duties, the panel and the diagnosis) at each boot, each costing
 * the XS heap slots for itself and every variable it captured, and a copy of its code
 * (docs/memory.md). It is the deps of its host duties, its panel and its diagnosis runtime itself.
 */
export class TerminalCore implements HostDutiesDeps, PanelDeps, DiagnosisRuntimeDeps, CardDutiesDeps {
  /** Reset reasons counted, the crash loop's safe mode (runtime/resetHistory.ts). */
  readonly resets: ResetHistory;
  /** SNTP, where the time came from, whether dates can be judged (runtime/clockKeeper.ts). */
  readonly clockKeeper: ClockKeeper;
  /** Firmware updates: check, download, verify, switch, the trial boot's gate (runtime/updateDuties.ts). */
  readonly updates: UpdateDuties;
  readonly ports: Ports;
  readonly cbor: CborCodec;
  readonly options: TerminalOptions;
  readonly restart?: () => void;
  readonly probeConcurrency?: number;
  readonly duties: HostDuties;
  /** Card sales as the ECR asks for them (present, read, PIN, host). */
  readonly cards: CardDuties;
  #state: TerminalState = 'boot';
  #log: RecordLog | undefined;
  #probes: readonly Probe[] = [];
  #targets: ProbeTargets | undefined;
  #lastReport: SelfTestReport | undefined;
  /**
   * The last report is the log's latest: while a new self-test runs it is dropped from memory
   * (the run's low point, its certificate check, has ~140 XS slots less to carry) and
   * lastReport() reads it back from the log when asked (as stored: long details may be cut).
   */
  #lastStored = false;
  #running: Promise<SelfTestReport> | undefined;
  #periodic: TimerToken | undefined;
  #stopped = false;
  /** Set once boot() has begun: only boot() may run the boot self-test. */
  #booted = false;
  #keys: KeyStore;
  #acquirer: AcquirerLink | undefined;
  #profile: AcquirerProfile | undefined;
  #batchBefore: ReturnType<typeof batchSnapshot> | undefined;
  #wiping: Promise<SelfTestReport> | undefined;
  /** Host operations between their start and their end (show() is told of both). */
  #hostOperations = 0;
  readonly #panel: Panel;
  readonly diagnosisRuntime: DiagnosisRuntime;

  constructor(ports: Ports, options: TerminalOptions) {
    this.ports = ports;
    this.options = options;
    if (options.restart) this.restart = options.restart;
    if (options.probeConcurrency) this.probeConcurrency = options.probeConcurrency;
    this.cbor = createCborCodec();
    this.#keys = new KeyStore(ports.crypto, undefined, this.cbor, ports.settings);
    this.duties = createHostDuties(this);
    this.cards = new CardDuties(this);
    this.#panel = createPanel(this);
    this.diagnosisRuntime = createDiagnosisRuntime(this);
    this.resets = new ResetHistory(this);
    this.clockKeeper = new ClockKeeper(this);
    this.updates = new UpdateDuties(this);
  }

  safeMode(): SafeModeFacts | undefined {
    return this.resets.safeMode;
  }

  /**
   * An update screen, when the panel is free for it: never over a sale, a host operation, the
   * diagnosis or an activation (an update works in the background; its result waits for no one).
   */
  showUpdate(screen: UpdateScreen): void {
    const panel = this.#panel;
    const kind = panel.view.kind;
    if (this.#stopped || (kind !== 'home' && kind !== 'update' && kind !== 'report' && kind !== 'running')) return;
    if (kind === 'running' && screen.kind !== 'progress') return;
    panel.show({ kind: 'update', screen });
  }

  /** Why a firmware update may not switch or restart now, or undefined when it may. */
  busyReason(): string | undefined {
    if (this.#running) return 'self-test';
    if (this.cards.busy()) return 'card sale';
    if (this.#hostOperations > 0) return 'host operation';
    if (this.diagnosisRuntime.busy()) return 'action';
    if (this.pendingReversalStan()) return 'reversal pending';
    return undefined;
  }

  // What the host duties, the panel and the diagnosis runtime read (their deps).
  state(): TerminalState {
    return this.#state;
  }

  stopped(): boolean {
    return this.#stopped;
  }

  lastReport(): SelfTestReport | undefined {
    return this.#lastReport ?? (this.#lastStored ? this.#storedReport() : undefined);
  }

  session(): HostSession | undefined {
    return this.#acquirer?.session;
  }

  acquirer(): AcquirerLink | undefined {
    return this.#acquirer;
  }

  log(): RecordLog | undefined {
    return this.#log;
  }

  probes(): readonly Probe[] {
    return this.#probes;
  }

  probeTargets(): ProbeTargets | undefined {
    return this.#targets;
  }

  running(): Promise<SelfTestReport> | undefined {
    return this.#running;
  }

  keys(): KeyStore {
    return this.#keys;
  }

  panel(): Panel {
    return this.#panel;
  }

  pendingReversalStan(): string | undefined {
    return this.#acquirer?.session.status().pendingReversal?.stan;
  }

  // The diagnosis runtime is made after the panel: these are read only when a key or a draw asks.
  diagnosis(): Diagnosis | undefined {
    return this.diagnosisRuntime.current;
  }

  factory(): boolean {
    return this.diagnosisRuntime.panelDeps.factory();
  }

  openDiagnosis(): void {
    this.diagnosisRuntime.panelDeps.openDiagnosis();
  }

  runStep(id: ActionId): void {
    this.diagnosisRuntime.panelDeps.runStep(id);
  }

  submitCode(digits: string): void {
    this.diagnosisRuntime.panelDeps.submitCode(digits);
  }

  acquirerProfile(): AcquirerProfile | undefined {
    return this.#profile;
  }

  /** The card duties' screens. */
  showCard(screen: CardScreen): void {
    this.#panel.show({ kind: 'card', screen });
  }

  hostSale(request: SaleRequest): Promise<SaleOutcome> {
    return this.duties.sale(request);
  }

  /** The host duties' screens: an operation starts and ends. */
  show(operation: HostOperation, outcome: HostOutcome | undefined, request?: SaleRequest): void {
    this.#hostOperations = Math.max(0, this.#hostOperations + (outcome ? -1 : 1));
    const session = this.#acquirer?.session;
    if (!session) return;
    const panel = this.#panel;
    if (!outcome && operation === 'settle') this.#batchBefore = batchSnapshot(session);
    const render = hostView(operation, outcome, request, this.#batchBefore, session.ids.currency);
    if (render) panel.show({ kind: 'host', render });
    // An operation with no screen of its own (a background sign-on) leaves the technician's page alone.
    else if (outcome && panel.view.kind === 'host') panel.show({ kind: 'home' });
  }

  record(type: number, value: unknown): void {
    if (type === RecordType.event) this.diagnosisRuntime.noteEvent(value as TerminalEvent);
    this.#recordBytes(type, () => this.cbor.encode(value));
  }

  /** The host duties ask for 'host-83', the diagnosis for a demand run (no trigger). */
  selfTest(trigger: SelfTestTrigger = 'demand'): Promise<SelfTestReport> {
    if (this.#running) return this.#running;
    const state = this.#state;
    if (state === 'boot' ? trigger !== 'boot' || !this.#booted : state !== 'ready' && state !== 'fault')
      return Promise.reject(new RuntimeError('runtime-state', `no ${trigger} self-test in state ${state}`));
    const { ports, cbor } = this;
    const panel = this.#panel;
    this.#transition('selftest', `selftest-${trigger}`);
    panel.readIdentity();
    // The new image's trial boot: its self-test is the update's gate, and the screen says so.
    if (trigger === 'boot' && this.updates.trial) panel.show({ kind: 'update', screen: { kind: 'progress', stage: 'trial', version: ports.system.firmwareVersion } });
    else panel.show({ kind: 'running' });
    const seq = (this.lastReport()?.seq ?? 0) + 1;
    if (this.#lastStored) this.#lastReport = undefined;
    const running = runSelfTest(ports, this.#probes, trigger, seq, this.options.probeConcurrency, this.#targets).then((report) => {
      this.#running = undefined;
      this.#lastReport = report;
      this.#lastStored = this.#recordBytes(RecordType.selfTestReport, () => encodeReport(cbor, report, this.#log?.capacity().maxPayload));
      // The crash loop's safe mode keeps the terminal out of service whatever the probes say.
      this.#transition(report.verdict === 'fail' || this.resets.safeMode ? 'fault' : 'ready', `selftest-${report.verdict}`);
      // After an 83 or a failed demand run the diagnosis opens; a demand run that did not fail opens on its report; otherwise home.
      if (!this.diagnosisRuntime.afterSelfTest(report)) panel.show(report.verdict !== 'fail' && trigger === 'demand' ? { kind: 'report', page: 0 } : { kind: 'home' });
      if (!this.#stopped) this.duties.afterSelfTest(report);
      return report;
    }, (error: unknown) => {
      // The runner itself failed (a bad plan): out of service, and a later self-test may try again.
      this.#running = undefined;
      this.#lastReport ??= this.lastReport();
      ports.trace(`self-test failed to run: ${error instanceof Error ? `${error.name}: ${error.message}` : 'error'}`);
      this.#transition('fault', 'selftest-fail');
      panel.show({ kind: 'home' });
      throw error;
    });
    this.#running = running;
    return running;
  }

  /** The acquirer link and session for the IDs and profile provisioned (at boot, and after an activation bound new IDs). */
  reopenLink(): void {
    const { ports, cbor } = this;
    this.#acquirer?.link.close();
    this.#acquirer = undefined;
    this.#profile = undefined;
    const opened = openAcquirerLink(ports, this.#log, cbor, this.#keys);
    if (typeof opened === 'string') return ports.trace(`no acquirer link: ${opened}`);
    this.#acquirer = opened;
    const config = readTerminalConfig(ports.settings, cbor);
    this.#profile = config.ok ? config.value.profile : undefined;
  }

  async boot(): Promise<void> {
    if (this.#state !== 'boot' || this.#booted) throw new RuntimeError('runtime-state', 'boot() runs once');
    this.#booted = true;
    const { ports, cbor } = this;
    this.#panel.load();
    let logProblem = '';
    let log: RecordLog | undefined;
    try {
      log = RecordLog.open(ports.flash);
    } catch (error) {
      logProblem = errorText(error);
      ports.trace(`record log unusable: ${logProblem}`);
    }
    this.#log = log;
    if (log) {
      let previous;
      try {
        previous = log.latest(RecordType.selfTestReport);
      } catch (error) {
        ports.trace(`stored reports unreadable: ${errorText(error)}`);
      }
      if (previous) this.#lastReport = readStoredReport(cbor, ports.trace, previous.payload);
      this.#lastStored = this.#lastReport !== undefined;
      const { records, tornRecords, interruptedErases, corruptRecords, corruptSectors } = log.recovery;
      this.record(RecordType.event, {
        kind: 'boot',
        firmwareVersion: ports.system.firmwareVersion,
        resetReason: ports.system.resetReason(),
        recovery: { records, tornRecords, interruptedErases, corruptRecords, corruptSectors },
        uptimeMs: ports.clock.uptimeMs(),
        wallMs: ports.clock.wallMs(),
      } satisfies TerminalEvent);
    }
    // This boot's reset reason, counted durably; three crashes in ten minutes: the safe mode.
    this.resets.atBoot();
    const keys = new KeyStore(ports.crypto, log, cbor, ports.settings);
    this.#keys = keys;
    try {
      keys.restore();
      const problem = keys.status().restoreProblem;
      if (problem) ports.trace(`stored keys not restored: ${problem.code}: ${problem.detail}`);
    } catch (error) {
      // The working-keys probe then says the keys are missing; the flash probe says why.
      ports.trace(`stored keys unreadable: ${errorText(error)}`);
    }
    this.diagnosisRuntime.restore();
    // A trial boot of a new image, or the old image finding that an update failed.
    this.updates.atBoot();
    if (this.resets.safeMode) ports.trace('safe mode: crashes came too fast, the acquirer link stays off');
    else this.reopenLink();
    this.clockKeeper.start();
    const subjects = {
      log: log ?? logProblem,
      cbor,
      keys,
      host: () => ({
        link: this.#acquirer?.link,
        session: this.#acquirer?.session,
        profile: this.#profile,
        accountAnswer: this.duties.lastEvidence,
      }),
      // The card hardware the board has: its probes join the plan (none fitted: the plan as before).
      parts: ports,
      clock: this.clockKeeper,
    };
    this.#targets = probeTargets(subjects);
    this.#probes = (this.options.probes ?? standardProbes)(subjects);
    ports.keypad.start((key) => this.#onKey(key));
    const report = await this.selfTest('boot');
    // The new image's gate: confirmed, or rolled back to the old one.
    this.updates.afterBootSelfTest(report);
    this.#schedulePeriodic();
    this.updates.schedule();
    this.#panel.startClock();
  }

  /** One wipe at a time: a second command while one is under way joins it. */
  wipeKeys(): Promise<SelfTestReport> {
    this.#wiping ??= this.#wipe().finally(() => (this.#wiping = undefined));
    return this.#wiping;
  }

  events(): TerminalEvent[] {
    return readEvents(this.#log, this.cbor, this.ports.trace);
  }

  reports(): SelfTestReport[] {
    return readReports(this.#log, this.cbor, this.ports.trace);
  }

  stop(): void {
    this.#stopped = true;
    this.ports.keypad.stop();
    // A card sale under way: its timers and inputs end, its promise settles as card.stopped.
    this.cards.stop();
    this.updates.stop();
    this.resets.stop();
    this.clockKeeper.stop();
    if (this.#periodic) this.ports.clock.clearTimer(this.#periodic);
    this.#panel.stop();
    this.#acquirer?.link.close();
  }

  #transition(to: TerminalState, cause: TransitionCause) {
    const from = this.#state;
    if (!TRANSITIONS[from].includes(to)) throw new RuntimeError('runtime-transition', `no transition ${from} → ${to}`);
    const { clock } = this.ports;
    const event: TerminalEvent = { kind: 'transition', from, to, cause, uptimeMs: clock.uptimeMs(), wallMs: clock.wallMs() };
    this.#state = to;
    this.record(RecordType.event, event);
    this.ports.trace(`state ${event.from} → ${event.to} (${cause})`);
  }

  /** True when the record is in the log. */
  #recordBytes(type: number, encode: () => Uint8Array): boolean {
    const log = this.#log;
    if (!log) return false;
    try {
      log.append(type, encode());
      return true;
    } catch (error) {
      // The flash probe reports storage trouble; losing one event must not stop the terminal.
      this.ports.trace(`log append failed: ${errorText(error)}`);
      return false;
    }
  }

  /** The log's latest report (the last report while a self-test runs: see #lastStored). */
  #storedReport(): SelfTestReport | undefined {
    const { cbor, ports } = this;
    try {
      const latest = this.#log?.latest(RecordType.selfTestReport);
      return latest ? readStoredReport(cbor, ports.trace, latest.payload) : undefined;
    } catch (error) {
      ports.trace(`stored reports unreadable: ${errorText(error)}`);
      return undefined;
    }
  }

  #schedulePeriodic() {
    this.#periodic = this.ports.clock.setTimer(SELF_TEST_INTERVAL_MS, () => {
      this.#periodic = undefined;
      if (this.#stopped) return;
      this.#schedulePeriodic();
      // Not in the middle of an action, an activation (activationDuties.ts) or a card sale: the next period runs it.
      if (this.diagnosisRuntime.busy() || this.cards.busy()) return;
      void this.selfTest('periodic');
    });
  }

  #onKey(key: KeyCode) {
    const state = this.#state;
    if (this.#stopped || state === 'boot' || state === 'selftest' || this.diagnosisRuntime.busy()) return;
    // A card sale under way takes every key (CANCEL, the PIN's digits).
    if (this.cards.key(key)) return;
    if (this.#panel.page(key)) return;
    if (key === 'menu') {
      void this.selfTest('demand');
    }
  }

  async #wipe(): Promise<SelfTestReport> {
    if (!this.#booted || this.#stopped) throw new RuntimeError('runtime-state', 'no key wipe before boot');
    // A self-test under way finishes first; its report is then replaced by the one that follows the wipe.
    if (this.#running) await this.#running.catch(() => undefined);
    if (this.#stopped) throw new RuntimeError('runtime-state', 'terminal stopped');
    try {
      this.#keys.wipe();
    } catch (error) {
      // The keys are gone all the same; the flash probe reports the log.
      this.ports.trace(`key wipe not recorded: ${errorText(error)}`);
    }
    this.ports.trace('keys wiped: master key erased, working keys dropped');
    if (this.#state === 'ready') {
      this.#transition('fault', 'keys-wiped');
      this.#panel.show({ kind: 'home' });
    }
    return this.selfTest('keys-wiped');
  }
}

