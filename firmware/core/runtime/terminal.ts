/**
 * The terminal: one state machine over the ports.
 *
 *   boot → selftest → ready ⇄ selftest
 *                   ↘ fault ⇄ selftest
 *
 * Every transition is an event in the record log. Self-test runs at boot, every 24 h of
 * uptime, and on demand (the menu key). Any failed probe takes the terminal out of service
 * (fault) until a later self-test passes; warnings leave it ready. After a terminal-invalid
 * answer's self-test the code-83 diagnosis takes the screen (diagnosisRuntime.ts).
 */
import { readTerminalConfig } from '../config/terminalConfig';
import type { KeyCode, Ports, TimerToken } from '../ports';
import { standardProbes, type ProbeSubjects } from '../selftest/plan';
import { KeyStore } from '../security/keyStore';
import { runSelfTest } from '../selftest/runner';
import type { Probe, SelfTestReport, SelfTestTrigger } from '../selftest/types';
import { encodeReport } from '../selftest/reportRecord';
import { createCborCodec } from '../store/cbor';
import { RecordLog, RecordType } from '../store/recordLog';
import type { TerminalEvent, TransitionCause } from './events';
import { RuntimeError, TRANSITIONS, type TerminalState } from './states';
import { readEvents, readReport as readStoredReport, readReports } from './logReaders';
import { errorText } from '../errorText';
import { openAcquirerLink, type AcquirerLink } from './acquirerLink';
import type { AcquirerProfile } from '../config/acquirerProfile';
import { createHostDuties, type SaleOutcome, type SettleOutcome } from './hostDuties';
import type { HostOutcome, HostSession, SaleRequest } from '../host/session';
import { batchSnapshot, hostView } from './hostScreens';
import { createPanel } from './views';
import { createDiagnosisRuntime } from './diagnosisRuntime';
import type { ActionId, ActionOutcome, Diagnosis } from '../diagnosis/types';
import type { ActivationOutcome } from '../activation/activate';
import type { ActivateOptions } from './activationDuties';

export { RuntimeError, type TerminalState } from './states';

export const SELF_TEST_INTERVAL_MS = 24 * 3600 * 1000;

export interface TerminalOptions {
  /** Replaces the standard probe plan (tests). */
  probes?: (subjects: ProbeSubjects) => Probe[];
  /** Probes in flight at once (default PROBE_CONCURRENCY); the device runs them one at a time to fit its heap. */
  probeConcurrency?: number;
  /**
   * The board's restart, for the diagnosis's restart step (the device calls the SDK's restart;
   * host-sim reboots its world). Called once the step's outcome is recorded; without it the step is refused.
   */
  restart?: () => void;
}

export interface Terminal {
  readonly state: TerminalState;
  /** The newest self-test report, from this run or recovered from the log. */
  readonly lastReport: SelfTestReport | undefined;
  /** Opens the log, runs the boot self-test, ends ready or in fault. */
  boot(): Promise<void>;
  /** Runs a self-test now (a run already under way is joined, not repeated). */
  selfTest(trigger: SelfTestTrigger): Promise<SelfTestReport>;
  /** Every event still in the log, oldest first. */
  events(): TerminalEvent[];
  /** Every self-test report still in the log, oldest first. */
  reports(): SelfTestReport[];
  /** The working keys (restored from the log at boot). */
  readonly keys: KeyStore;
  /**
   * The key-wipe command: erases the master key and drops the working keys, takes the terminal
   * out of service at once, then self-tests so the screen says why.
   */
  wipeKeys(): Promise<SelfTestReport>;
  /** The acquirer session, when the terminal is configured for one (opened at boot). */
  readonly host: HostSession | undefined;
  /** Signs on with the acquirer (working keys, batch). Also done after each self-test that did not fail, when needed. */
  signOn(): Promise<HostOutcome>;
  /** An echo test with the acquirer. */
  echo(): Promise<HostOutcome>;
  /** One sale (signs on first when needed); only when the terminal is in service. */
  sale(request: SaleRequest): Promise<SaleOutcome>;
  /** Settles the batch (pending reversals and advices go first). */
  settle(): Promise<SettleOutcome>;
  /** Resolves when no host operation, and no self-test one started, is under way. */
  whenIdle(): Promise<void>;
  /** Stops timers, the keypad and the link; nothing fires afterwards. */
  stop(): void;
  /** The code-83 diagnosis last computed, while the terminal is out of service or it is shown. */
  readonly diagnosis: Diagnosis | undefined;
  /** Computes the diagnosis now (from the last self-test, this run's host answers, the history). */
  diagnose(): Diagnosis;
  /** Runs a diagnosis step's action, shows its progress and result, and diagnoses again. @throws RuntimeError before boot */
  runAction(id: ActionId): Promise<ActionOutcome>;
  /**
   * Activates the terminal with an activation code, then signs on and self-tests; a board that
   * refuses to store resolves 'device-refused'. @throws ActivationRequestError while an action
   * runs, or on an activated terminal without `reactivate` (activationDuties.ts)
   */
  activate(code: string, options?: ActivateOptions): Promise<ActivationOutcome>;
  /** What the panel shows ('home', 'report', 'diagnosis', 'code-entry', …): scenarios and tests read it. */
  readonly view: string;
}

export function createTerminal(ports: Ports, options: TerminalOptions = {}): Terminal {
  const cbor = createCborCodec();
  let state: TerminalState = 'boot';
  let log: RecordLog | undefined;
  let probes: Probe[] = [];
  let lastReport: SelfTestReport | undefined;
  let running: Promise<SelfTestReport> | undefined;
  let periodic: TimerToken | undefined;
  let stopped = false;
  /** Set once boot() has begun: only boot() may run the boot self-test. */
  let booted = false;
  let keys = new KeyStore(ports.crypto, undefined, cbor, ports.settings);
  let acquirer: AcquirerLink | undefined;
  let profile: AcquirerProfile | undefined;
  const duties = createHostDuties({
    ports,
    session: () => acquirer?.session,
    state: () => state,
    stopped: () => stopped,
    record,
    selfTest: (trigger) => selfTest(trigger),
    show(operation, outcome, request) {
      const session = acquirer?.session;
      if (!session) return;
      if (!outcome && operation === 'settle') batchBefore = batchSnapshot(session);
      const render = hostView(operation, outcome, request, batchBefore, session.ids.currency);
      if (render) panel.show({ kind: 'host', render });
      // An operation with no screen of its own (a background sign-on) leaves the technician's page alone.
      else if (outcome && panel.view.kind === 'host') panel.show({ kind: 'home' });
    },
  });
  let batchBefore: ReturnType<typeof batchSnapshot> | undefined;
  const panel = createPanel({
    ports,
    cbor,
    state: () => state,
    lastReport: () => lastReport,
    pendingReversalStan: () => acquirer?.session.status().pendingReversal?.stan,
    stopped: () => stopped,
    // The diagnosis runtime below needs the panel too: these are read only when a key or a draw asks.
    diagnosis: () => diagnosis.current,
    factory: () => diagnosis.panelDeps.factory(),
    openDiagnosis: () => diagnosis.panelDeps.openDiagnosis(),
    runStep: (id) => diagnosis.panelDeps.runStep(id),
    submitCode: (digits) => diagnosis.panelDeps.submitCode(digits),
  });
  const diagnosis = createDiagnosisRuntime({
    ports,
    cbor,
    ...(options.restart ? { restart: options.restart } : {}),
    ...(options.probeConcurrency ? { probeConcurrency: options.probeConcurrency } : {}),
    log: () => log,
    state: () => state,
    stopped: () => stopped,
    lastReport: () => lastReport,
    probes: () => probes,
    running: () => running,
    selfTest: () => selfTest('demand'),
    duties,
    acquirer: () => acquirer,
    reopenLink: openLink,
    keys: () => keys,
    panel: () => panel,
  });

  function transition(to: TerminalState, cause: TransitionCause) {
    if (!TRANSITIONS[state].includes(to)) throw new RuntimeError('runtime-transition', `no transition ${state} → ${to}`);
    const event: TerminalEvent = { kind: 'transition', from: state, to, cause, uptimeMs: ports.clock.uptimeMs(), wallMs: ports.clock.wallMs() };
    state = to;
    record(RecordType.event, event);
    ports.trace(`state ${event.from} → ${event.to} (${cause})`);
  }

  function record(type: number, value: unknown) {
    if (type === RecordType.event) diagnosis.noteEvent(value as TerminalEvent);
    recordBytes(type, () => cbor.encode(value));
  }

  function recordBytes(type: number, encode: () => Uint8Array) {
    if (!log) return;
    try {
      log.append(type, encode());
    } catch (error) {
      // The flash probe reports storage trouble; losing one event must not stop the terminal.
      ports.trace(`log append failed: ${errorText(error)}`);
    }
  }

  const readReport = (payload: Uint8Array) => readStoredReport(cbor, ports.trace, payload);

  function schedulePeriodic() {
    periodic = ports.clock.setTimer(SELF_TEST_INTERVAL_MS, () => {
      periodic = undefined;
      if (stopped) return;
      schedulePeriodic();
      // Not in the middle of an action or an activation (activationDuties.ts): the next period runs it.
      if (diagnosis.busy()) return;
      void selfTest('periodic');
    });
  }

  function onKey(key: KeyCode) {
    if (stopped || state === 'boot' || state === 'selftest' || diagnosis.busy()) return;
    if (panel.page(key)) return;
    if (key === 'menu') {
      void selfTest('demand');
    }
  }

  function selfTest(trigger: SelfTestTrigger): Promise<SelfTestReport> {
    if (running) return running;
    if (state === 'boot' ? trigger !== 'boot' || !booted : state !== 'ready' && state !== 'fault')
      return Promise.reject(new RuntimeError('runtime-state', `no ${trigger} self-test in state ${state}`));
    transition('selftest', `selftest-${trigger}`);
    panel.readIdentity();
    panel.show({ kind: 'running' });
    const seq = (lastReport?.seq ?? 0) + 1;
    running = runSelfTest(ports, probes, trigger, seq, options.probeConcurrency).then((report) => {
      running = undefined;
      lastReport = report;
      recordBytes(RecordType.selfTestReport, () => encodeReport(cbor, report));
      transition(report.verdict === 'fail' ? 'fault' : 'ready', `selftest-${report.verdict}`);
      // After an 83 or a failed demand run the diagnosis opens; a demand run that did not fail opens on its report; otherwise home.
      if (!diagnosis.afterSelfTest(report)) panel.show(report.verdict !== 'fail' && trigger === 'demand' ? { kind: 'report', page: 0 } : { kind: 'home' });
      if (!stopped) duties.afterSelfTest(report);
      return report;
    }, (error: unknown) => {
      // The runner itself failed (a bad plan): out of service, and a later self-test may try again.
      running = undefined;
      ports.trace(`self-test failed to run: ${error instanceof Error ? `${error.name}: ${error.message}` : 'error'}`);
      transition('fault', 'selftest-fail');
      panel.show({ kind: 'home' });
      throw error;
    });
    return running;
  }

  async function boot() {
    if (state !== 'boot' || booted) throw new RuntimeError('runtime-state', 'boot() runs once');
    booted = true;
    panel.load();
    let logProblem = '';
    try {
      log = RecordLog.open(ports.flash);
    } catch (error) {
      logProblem = errorText(error);
      ports.trace(`record log unusable: ${logProblem}`);
    }
    if (log) {
      let previous;
      try {
        previous = log.latest(RecordType.selfTestReport);
      } catch (error) {
        ports.trace(`stored reports unreadable: ${errorText(error)}`);
      }
      if (previous) lastReport = readReport(previous.payload);
      const { records, tornRecords, interruptedErases, corruptRecords, corruptSectors } = log.recovery;
      record(RecordType.event, {
        kind: 'boot',
        firmwareVersion: ports.system.firmwareVersion,
        resetReason: ports.system.resetReason(),
        recovery: { records, tornRecords, interruptedErases, corruptRecords, corruptSectors },
        uptimeMs: ports.clock.uptimeMs(),
        wallMs: ports.clock.wallMs(),
      } satisfies TerminalEvent);
    }
    keys = new KeyStore(ports.crypto, log, cbor, ports.settings);
    try {
      keys.restore();
      const problem = keys.status().restoreProblem;
      if (problem) ports.trace(`stored keys not restored: ${problem.code}: ${problem.detail}`);
    } catch (error) {
      // The working-keys probe then says the keys are missing; the flash probe says why.
      ports.trace(`stored keys unreadable: ${errorText(error)}`);
    }
    diagnosis.restore();
    openLink();
    probes = (options.probes ?? standardProbes)({
      log: log ?? logProblem,
      cbor,
      keys,
      host: () => ({
        link: acquirer?.link,
        session: acquirer?.session,
        profile,
        accountAnswer: duties.lastEvidence,
      }),
    });
    ports.keypad.start(onKey);
    await selfTest('boot');
    schedulePeriodic();
    panel.startClock();
  }

  /** The acquirer link and session for the IDs and profile provisioned (at boot, and after an activation bound new IDs). */
  function openLink() {
    acquirer?.link.close();
    acquirer = undefined;
    profile = undefined;
    const opened = openAcquirerLink(ports, log, cbor, keys);
    if (typeof opened === 'string') return ports.trace(`no acquirer link: ${opened}`);
    acquirer = opened;
    const config = readTerminalConfig(ports.settings, cbor);
    profile = config.ok ? config.value.profile : undefined;
  }

  let wiping: Promise<SelfTestReport> | undefined;

  /** One wipe at a time: a second command while one is under way joins it. */
  function wipeKeys(): Promise<SelfTestReport> {
    wiping ??= wipe().finally(() => (wiping = undefined));
    return wiping;
  }

  async function wipe(): Promise<SelfTestReport> {
    if (!booted || stopped) throw new RuntimeError('runtime-state', 'no key wipe before boot');
    // A self-test under way finishes first; its report is then replaced by the one that follows the wipe.
    if (running) await running.catch(() => undefined);
    if (stopped) throw new RuntimeError('runtime-state', 'terminal stopped');
    try {
      keys.wipe();
    } catch (error) {
      // The keys are gone all the same; the flash probe reports the log.
      ports.trace(`key wipe not recorded: ${errorText(error)}`);
    }
    ports.trace('keys wiped: master key erased, working keys dropped');
    if (state === 'ready') {
      transition('fault', 'keys-wiped');
      panel.show({ kind: 'home' });
    }
    return selfTest('keys-wiped');
  }

  return {
    get state() {
      return state;
    },
    get lastReport() {
      return lastReport;
    },
    get keys() {
      return keys;
    },
    get host() {
      return acquirer?.session;
    },
    signOn: duties.signOn,
    echo: duties.echo,
    sale: duties.sale,
    settle: duties.settle,
    whenIdle: duties.idle,
    boot,
    selfTest,
    wipeKeys,
    get diagnosis() {
      return diagnosis.current;
    },
    get view() {
      return panel.view.kind;
    },
    diagnose: () => diagnosis.diagnose(),
    runAction: (id) => diagnosis.runAction(id),
    activate: (code, options) => diagnosis.activate(code, options),
    events: () => readEvents(log, cbor, ports.trace),
    reports: () => readReports(log, cbor, ports.trace),
    stop() {
      stopped = true;
      ports.keypad.stop();
      if (periodic) ports.clock.clearTimer(periodic);
      panel.stop();
      acquirer?.link.close();
    },
  };
}
