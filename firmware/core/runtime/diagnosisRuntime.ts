/**
 * The diagnosis as the terminal lives it: when it is computed and shown, the actions run from
 * its steps page, and activation. terminal.ts owns the states and the self-test; this file
 * owns what follows a self-test out of service.
 *
 * - After the self-test a terminal-invalid answer started (trigger host-83), and after a demand
 *   self-test that failed: the diagnosis is computed and its summary shown, no key pressed.
 * - An action shows the steps page with the step under way, runs (actions.ts), is recorded as
 *   tried, and the diagnosis is computed again and its steps page shown with the result.
 * - An action done (network test, sign-on, clock) that leaves no confirmed cause on a terminal out
 *   of service is followed by a self-test, recorded as tried too: when it passes the terminal is
 *   back in service and the summary says so, with what was tried (else the steps page).
 * - A self-test that does not fail puts the terminal back in service: the diagnosis is done with
 *   (an action's closing summary stays until the next self-test).
 */
import type { ActivationOutcome } from '../activation/activate';
import { deepFreeze } from '../freeze';
import type { ActivationEvidence, SessionEvidence } from '../diagnosis/gather';
import type { HostLink } from '../host/link';
import type { ActivationStage } from '../ui/activationTexts';
import type { ActionId, ActionOutcome, Diagnosis } from '../diagnosis/types';
import type { Ports } from '../ports';
import type { KeyStore } from '../security/keyStore';
import { runSelfTest } from '../selftest/runner';
import type { Probe, ProbeResult, ProbeTargets, SelfTestReport } from '../selftest/types';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import { diagnosisStepsPage } from '../ui/diagnosisScreens';
import { readProfile, type AcquirerLink } from './acquirerLink';
import { mergeResults, probesWithDependencies, runAction, type ActionDeps, type ClockSyncer } from './actions';
import { ActivationRequestError, createActivationDuties, type ActivateOptions, type ActivationDuties, type ActivationDutiesDeps } from './activationDuties';
import { createDiagnosisDuties, type DiagnosisDeps, type DiagnosisDuties } from './diagnosisDuties';
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
  /** What the probes read besides the ports (selftest/plan.ts probeTargets). */
  probeTargets(): ProbeTargets | undefined;
  /** The self-test under way, if any. */
  running(): Promise<SelfTestReport> | undefined;
  selfTest(): Promise<SelfTestReport>;
  duties: HostDuties;
  acquirer(): AcquirerLink | undefined;
  /** Opens the acquirer link again (activation stored new IDs). */
  reopenLink(): void;
  keys(): KeyStore;
  panel(): Panel;
  /** The clock keeper the set-clock step asks through (made after this runtime: read when the step runs). */
  readonly clockKeeper?: ClockSyncer;
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

/** The actions after which, done with no cause confirmed on a terminal out of service, the self-test runs by itself. */
const SELF_TEST_AFTER: readonly ActionId[] = deepFreeze(['network-test', 'sign-on', 'set-clock'] satisfies ActionId[]);

/** How long a successful activation's result (the TID and MID bound) stays on the screen before the self-test takes it over. */
export const ACTIVATION_RESULT_SCREEN_MS = 4000;

export function createDiagnosisRuntime(deps: DiagnosisRuntimeDeps): DiagnosisRuntime {
  return new TerminalDiagnosisRuntime(deps);
}

/**
 * A class, not a closure factory: its methods are made once at preload, where each closure made
 * per boot cost the XS heap its slots and a copy of its code (docs/memory.md). The runtime is its
 * own duties' deps (DiagnosisDeps, ActivationDutiesDeps) and the panel's (panelDeps), so no
 * objects of arrows are made for them.
 */
class TerminalDiagnosisRuntime implements DiagnosisRuntime, DiagnosisDeps, ActivationDutiesDeps {
  readonly ports: Ports;
  readonly cbor: CborCodec;
  readonly #deps: DiagnosisRuntimeDeps;
  /** The last report with an action's fresh results in place (network test, clock): until the next self-test. */
  #judged: SelfTestReport | undefined;
  /** This boot's newest failures and warnings per probe, kept for the runs that skip that probe. */
  #findings: readonly ProbeResult[] = [];
  #acting: Promise<ActionOutcome> | undefined;
  #activating = false;
  /** The diagnosis held is an action's closing one (the terminal back in service): cleared at the next self-test. */
  #closing = false;
  readonly #activation: ActivationDuties;
  readonly #diagnosis: DiagnosisDuties;
  readonly #actionDeps: ActionDeps;

  constructor(deps: DiagnosisRuntimeDeps) {
    this.#deps = deps;
    this.ports = deps.ports;
    this.cbor = deps.cbor;
    this.#activation = createActivationDuties(this);
    this.#diagnosis = createDiagnosisDuties(this);
    const { ports } = deps;
    this.#actionDeps = {
      ports,
      selfTest: () => deps.selfTest(),
      signOn: () => deps.duties.signOnAnyState(),
      probe: (pick) => this.#probe(pick),
      ...(deps.restart ? { restart: deps.restart } : {}),
      openActivation: () => undefined,
      ntpServers: () => readProfile(ports.settings, deps.cbor)?.ntpServers,
      clockKeeper: () => deps.clockKeeper,
    };
  }

  get current(): Diagnosis | undefined {
    return this.#diagnosis.current;
  }

  diagnose(): Diagnosis {
    return this.#diagnosis.compute();
  }

  runAction(id: ActionId): Promise<ActionOutcome> {
    if (this.#acting) return this.#acting;
    const state = this.#deps.state();
    if (state === 'boot' || this.#deps.stopped()) return Promise.reject(new RuntimeError('runtime-state', `no action in state ${state}`));
    const acting = this.#act(id).finally(() => (this.#acting = undefined));
    this.#acting = acting;
    return acting;
  }

  activate(code: string, options?: ActivateOptions): Promise<ActivationOutcome> {
    const deps = this.#deps;
    if (deps.state() === 'boot' || deps.stopped()) return Promise.reject(new RuntimeError('runtime-state', `no activation in state ${deps.state()}`));
    this.#activating = true;
    return this.#activation.activate(code, options).finally(() => (this.#activating = false));
  }

  busy(): boolean {
    return this.#acting !== undefined || this.#activating;
  }

  noteEvent(event: TerminalEvent): void {
    this.#diagnosis.noteEvent(event);
  }

  restore(): void {
    this.#activation.restore();
    this.#diagnosis.restore();
  }

  afterSelfTest(report: SelfTestReport): boolean {
    this.#judged = undefined;
    // A probe a run could not judge (the keypad on a demand run: the key that started it is down)
    // does not unsay what an earlier run of this boot found: its finding stands for the diagnosis.
    const carried = this.#findings.filter((f) => report.results.some((r) => r.id === f.id && r.status === 'skip'));
    if (carried.length) this.#judged = mergeResults(report, carried);
    this.#findings = carried.concat(report.results.filter((r) => r.status === 'fail' || r.status === 'warn'));
    // An action's own self-test that passes keeps what was tried for the action's closing summary
    // (#act); that summary's diagnosis is done with at the next self-test, whatever it finds.
    if ((report.verdict !== 'fail' && !this.#acting) || this.#closing) this.#diagnosis.clear();
    this.#closing = false;
    // An action's own self-test: the action shows its result when it ends.
    if (this.#acting || this.#activating || (report.trigger !== 'host-83' && (report.trigger !== 'demand' || report.verdict !== 'fail'))) return false;
    this.#diagnosis.compute();
    this.#showDiagnosis('summary');
    return true;
  }

  /** What the panel asks of the diagnosis: this runtime's own methods below. */
  get panelDeps(): DiagnosisRuntime['panelDeps'] {
    return this;
  }

  diagnosis(): Diagnosis | undefined {
    return this.#diagnosis.current;
  }

  factory(): boolean {
    return this.#deps.lastReport()?.results.some((r) => r.id === 'auth.master-key' && r.code === 'keys.not-activated') === true;
  }

  openDiagnosis(): void {
    if (!this.#deps.lastReport()) return;
    this.#diagnosis.compute();
    this.#showDiagnosis('summary');
  }

  runStep(id: ActionId): void {
    void this.runAction(id).catch(() => undefined);
  }

  submitCode(digits: string): void {
    this.#activating = true;
    this.#activation
      .activate(digits)
      .catch((error: unknown) => {
        this.ports.trace(`activation failed: ${error instanceof Error ? error.message : 'error'}`);
        // The terminal would not start it (already activated, a step under way): the result screen says so, as for a refusal.
        this.#deps.panel().show(error instanceof ActivationRequestError ? { kind: 'activation-result', notStarted: error.code } : { kind: 'home' });
      })
      .finally(() => (this.#activating = false));
  }

  // DiagnosisDeps (diagnosisDuties.ts)
  log(): RecordLog | undefined {
    return this.#deps.log();
  }

  report(): SelfTestReport | undefined {
    return this.#judged ?? this.#deps.lastReport();
  }

  session(): SessionEvidence | undefined {
    const acquirer = this.#deps.acquirer();
    if (!acquirer) return undefined;
    const status = acquirer.session.status();
    // The link's counters since it opened (boot, or the activation that bound new IDs): what "unstable link" stands on.
    const { failovers, timeouts, resends, connectFailures } = acquirer.link.stats;
    return {
      pendingReversal: status.pendingReversal !== undefined,
      ...(status.pendingReversal ? { reversalReason: status.pendingReversal.reason } : {}),
      failovers, timeouts, resends, connectFailures,
    };
  }

  activation(): ActivationEvidence | undefined {
    return this.#activation.evidence();
  }

  // ActivationDutiesDeps (activationDuties.ts)
  keys(): KeyStore {
    return this.#deps.keys();
  }

  link(): HostLink | undefined {
    return this.#deps.acquirer()?.link;
  }

  counters(): { nextStan(): string; readonly batch: number } | undefined {
    return this.#deps.acquirer()?.session.journal;
  }

  /**
   * An arrow field: activationDuties.ts hands it on to the activation flow as a plain function.
   * 'apply' is drawn at once (ENTER shows it); the later stages from a microtask, on a fresh XS
   * stack: called deep inside activate(), the screen's layout overflowed the board's 512-slot
   * stack in mcsim (docs/memory.md). A result already on the screen is not drawn over.
   */
  readonly stage = (stage: ActivationStage): void => {
    if (stage === 'apply') return this.#deps.panel().show({ kind: 'activating', stage });
    void Promise.resolve().then(() => {
      const panel = this.#deps.panel();
      if (!this.#deps.stopped() && panel.view.kind !== 'activation-result') panel.show({ kind: 'activating', stage });
    });
  };

  async ended(outcome: ActivationOutcome): Promise<void> {
    const deps = this.#deps;
    const { ports } = deps;
    this.#diagnosis.noteAction({ action: 'activate', result: outcome.kind === 'activated' ? 'done' : 'failed', wallMs: ports.clock.wallMs(), ...(outcome.kind === 'refused' ? { detail: outcome.reason } : {}) });
    deps.panel().show({ kind: 'activation-result', outcome });
    if (outcome.kind === 'refused') {
      this.#diagnosis.compute();
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

  running(): Promise<SelfTestReport> | undefined {
    return this.#deps.running();
  }

  acting(): boolean {
    return this.#acting !== undefined;
  }

  #showDiagnosis(page: 'summary' | 'steps', running?: ActionId): Diagnosis {
    const d = this.#diagnosis.current ?? this.#diagnosis.compute();
    // The steps page holding the step under way (else the next to run): a sixth step is on the second.
    const n = page === 'summary' ? 0 : diagnosisStepsPage(d, running);
    this.#deps.panel().show({ kind: 'diagnosis', page: n, ...(running ? { running } : {}) });
    return d;
  }

  async #probe(pick: (p: Probe) => boolean) {
    const deps = this.#deps;
    const running = deps.running();
    if (running) await running.catch(() => undefined);
    const plan = probesWithDependencies(deps.probes(), pick);
    const report = deps.lastReport();
    const fresh = await runSelfTest(deps.ports, plan, 'demand', report?.seq ?? 0, deps.probeConcurrency, deps.probeTargets());
    if (report) this.#judged = mergeResults(this.#judged ?? report, fresh.results);
    // The action is judged on the probes it asked for, not on those they had to run after.
    return fresh.results.filter((r) => plan.some((p) => p.id === r.id && pick(p)));
  }

  async #act(id: ActionId): Promise<ActionOutcome> {
    const deps = this.#deps;
    if (id === 'activate') {
      deps.panel().show({ kind: 'code-entry', digits: '' });
      return runAction(id, this.#actionDeps);
    }
    this.#showDiagnosis('steps', id);
    const outOfService = deps.state() === 'fault';
    const outcome = await runAction(id, this.#actionDeps);
    this.#diagnosis.noteAction(outcome);
    const d = this.#diagnosis.compute();
    // The action took away every confirmed cause of a terminal out of service: the self-test judges
    // at once whether it can serve again, as a technician would run it next (issue 8, Deliver 3).
    if (outcome.result === 'done' && SELF_TEST_AFTER.includes(id) && outOfService && deps.state() === 'fault' && !deps.stopped() && !d.causes.some((c) => c.status === 'confirmed')) {
      // Its progress is the self-test's own screen.
      this.#diagnosis.noteAction(await runAction('self-test', this.#actionDeps));
      this.#diagnosis.compute();
    }
    // Back in service (a self-test passed): the summary says so with what was tried; else the steps with the result.
    this.#closing = outOfService && deps.state() === 'ready';
    if (!deps.stopped()) this.#showDiagnosis(this.#closing ? 'summary' : 'steps');
    // Recorded (the history written) before the board restarts.
    if (id === 'restart' && outcome.result === 'done') deps.restart?.();
    return outcome;
  }
}
