/**
 * The diagnosis as the terminal lives it: when it is computed and shown, the actions run from
 * its steps page, and activation. terminal.ts owns the states and the self-test; this file
 * owns what follows a self-test out of service.
 *
 * - After the self-test a terminal-invalid answer started (trigger host-83), and after a demand
 *   self-test that failed: the diagnosis is computed and its summary shown, no key pressed.
 * - An action shows the steps page with the step under way, runs (actions.ts), is recorded as
 *   tried, and the diagnosis is computed again and its steps page shown with the result.
 * - A self-test that does not fail puts the terminal back in service: the diagnosis is done with.
 */
import type { ActivationOutcome } from '../activation/activate';
import type { ActionId, ActionOutcome, Diagnosis } from '../diagnosis/types';
import type { Ports } from '../ports';
import type { KeyStore } from '../security/keyStore';
import { runSelfTest } from '../selftest/runner';
import type { Probe, SelfTestReport } from '../selftest/types';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import { diagnosisStepsPage } from '../ui/diagnosisScreens';
import { readProfile, type AcquirerLink } from './acquirerLink';
import { mergeResults, probesWithDependencies, runAction } from './actions';
import { createActivationDuties, type ActivateOptions } from './activationDuties';
import { createDiagnosisDuties } from './diagnosisDuties';
import type { TerminalEvent } from './events';
import type { HostDuties } from './hostDuties';
import { RuntimeError, type TerminalState } from './states';
import type { Panel, PanelDeps } from './views';

export interface DiagnosisRuntimeDeps {
  ports: Ports;
  cbor: CborCodec;
  /** The board's restart (TerminalOptions.restart). */
  restart?: () => void;
  probeConcurrency?: number;
  log(): RecordLog | undefined;
  state(): TerminalState;
  stopped(): boolean;
  lastReport(): SelfTestReport | undefined;
  probes(): readonly Probe[];
  /** The self-test under way, if any. */
  running(): Promise<SelfTestReport> | undefined;
  selfTest(): Promise<SelfTestReport>;
  duties: HostDuties;
  acquirer(): AcquirerLink | undefined;
  /** Opens the acquirer link again (activation stored new IDs). */
  reopenLink(): void;
  keys(): KeyStore;
  panel(): Panel;
}

export interface DiagnosisRuntime {
  readonly current: Diagnosis | undefined;
  diagnose(): Diagnosis;
  runAction(id: ActionId): Promise<ActionOutcome>;
  activate(code: string, options?: ActivateOptions): Promise<ActivationOutcome>;
  /** An action or an activation is under way (keys wait). */
  busy(): boolean;
  noteEvent(event: TerminalEvent): void;
  /** Boot: the durable history. */
  restore(): void;
  /** After each self-test: whether the diagnosis took the screen. */
  afterSelfTest(report: SelfTestReport): boolean;
  /** What the panel asks of the diagnosis. */
  readonly panelDeps: Pick<PanelDeps, 'diagnosis' | 'factory' | 'openDiagnosis' | 'runStep' | 'submitCode'>;
}

/** How long a successful activation's result (the TID and MID bound) stays on the screen before the self-test takes it over. */
export const ACTIVATION_RESULT_SCREEN_MS = 4000;

export function createDiagnosisRuntime(deps: DiagnosisRuntimeDeps): DiagnosisRuntime {
  const { ports } = deps;
  /** The last report with an action's fresh results in place (network test, clock): until the next self-test. */
  let judged: SelfTestReport | undefined;
  let acting: Promise<ActionOutcome> | undefined;
  let activating = false;
  const activation = createActivationDuties({
    ports,
    cbor: deps.cbor,
    keys: deps.keys,
    link: () => deps.acquirer()?.link,
    counters: () => deps.acquirer()?.session.journal,
    stage: (stage) => deps.panel().show({ kind: 'activating', stage }),
    ended,
    running: deps.running,
    acting: () => acting !== undefined,
  });
  const diagnosis = createDiagnosisDuties({
    ports,
    cbor: deps.cbor,
    log: deps.log,
    report: () => judged ?? deps.lastReport(),
    session() {
      const acquirer = deps.acquirer();
      if (!acquirer) return undefined;
      const status = acquirer.session.status();
      // The link's counters since it opened (boot, or the activation that bound new IDs): what "unstable link" stands on.
      const { failovers, timeouts, resends, connectFailures } = acquirer.link.stats;
      return {
        pendingReversal: status.pendingReversal !== undefined,
        ...(status.pendingReversal ? { reversalReason: status.pendingReversal.reason } : {}),
        failovers, timeouts, resends, connectFailures,
      };
    },
    activation: () => activation.evidence(),
  });

  function showDiagnosis(page: 'summary' | 'steps', running?: ActionId): Diagnosis {
    const d = diagnosis.current ?? diagnosis.compute();
    // The steps page holding the step under way (else the next to run): a sixth step is on the second.
    const n = page === 'summary' ? 0 : diagnosisStepsPage(d, running);
    deps.panel().show({ kind: 'diagnosis', page: n, ...(running ? { running } : {}) });
    return d;
  }

  async function probe(pick: (p: Probe) => boolean) {
    const running = deps.running();
    if (running) await running.catch(() => undefined);
    const plan = probesWithDependencies(deps.probes(), pick);
    const report = deps.lastReport();
    const fresh = await runSelfTest(ports, plan, 'demand', report?.seq ?? 0, deps.probeConcurrency);
    if (report) judged = mergeResults(judged ?? report, fresh.results);
    // The action is judged on the probes it asked for, not on those they had to run after.
    return fresh.results.filter((r) => plan.some((p) => p.id === r.id && pick(p)));
  }

  async function act(id: ActionId): Promise<ActionOutcome> {
    if (id === 'activate') {
      deps.panel().show({ kind: 'code-entry', digits: '' });
      return runAction(id, actionDeps);
    }
    showDiagnosis('steps', id);
    const outcome = await runAction(id, actionDeps);
    diagnosis.noteAction(outcome);
    diagnosis.compute();
    if (!deps.stopped()) showDiagnosis('steps');
    // Recorded (the history written) before the board restarts.
    if (id === 'restart' && outcome.result === 'done') deps.restart?.();
    return outcome;
  }

  const actionDeps = {
    ports,
    selfTest: deps.selfTest,
    signOn: () => deps.duties.signOnAnyState(),
    probe,
    ...(deps.restart ? { restart: deps.restart } : {}),
    openActivation: () => undefined,
    ntpServers: () => readProfile(ports.settings, deps.cbor)?.ntpServers,
  };

  function runActionNow(id: ActionId): Promise<ActionOutcome> {
    if (acting) return acting;
    const state = deps.state();
    if (state === 'boot' || deps.stopped()) return Promise.reject(new RuntimeError('runtime-state', `no action in state ${state}`));
    acting = act(id).finally(() => (acting = undefined));
    return acting;
  }

  async function ended(outcome: ActivationOutcome) {
    diagnosis.noteAction({ action: 'activate', result: outcome.kind === 'activated' ? 'done' : 'failed', wallMs: ports.clock.wallMs(), ...(outcome.kind === 'refused' ? { detail: outcome.reason } : {}) });
    deps.panel().show({ kind: 'activation-result', outcome });
    if (outcome.kind === 'refused') {
      diagnosis.compute();
      return;
    }
    // The host bound the IDs: a link and session for them, the working keys while the result is
    // read, then the self-test that can now pass.
    const read = new Promise<void>((resolve) => ports.clock.setTimer(ACTIVATION_RESULT_SCREEN_MS, resolve));
    deps.reopenLink();
    await deps.duties.signOnAnyState();
    await read;
    if (deps.stopped()) return;
    await deps.selfTest();
  }

  return {
    get current() {
      return diagnosis.current;
    },
    diagnose: () => diagnosis.compute(),
    runAction: runActionNow,
    activate(code, options) {
      if (deps.state() === 'boot' || deps.stopped()) return Promise.reject(new RuntimeError('runtime-state', `no activation in state ${deps.state()}`));
      activating = true;
      return activation.activate(code, options).finally(() => (activating = false));
    },
    busy: () => acting !== undefined || activating,
    noteEvent: diagnosis.noteEvent,
    restore() {
      activation.restore();
      diagnosis.restore();
    },
    afterSelfTest(report) {
      judged = undefined;
      if (report.verdict !== 'fail') diagnosis.clear();
      // An action's own self-test: the action shows its result when it ends.
      if (acting || activating || (report.trigger !== 'host-83' && (report.trigger !== 'demand' || report.verdict !== 'fail'))) return false;
      diagnosis.compute();
      showDiagnosis('summary');
      return true;
    },
    panelDeps: {
      diagnosis: () => diagnosis.current,
      factory: () => deps.lastReport()?.results.some((r) => r.id === 'auth.master-key' && r.code === 'keys.not-activated') === true,
      openDiagnosis() {
        if (!deps.lastReport()) return;
        diagnosis.compute();
        showDiagnosis('summary');
      },
      runStep: (id) => void runActionNow(id).catch(() => undefined),
      submitCode(digits) {
        activating = true;
        activation
          .activate(digits)
          .catch((error: unknown) => {
            ports.trace(`activation failed: ${error instanceof Error ? error.message : 'error'}`);
            deps.panel().show({ kind: 'home' });
          })
          .finally(() => (activating = false));
      },
    },
  };
}
