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
import type { Ports } from '../ports';
import type { ProbeSubjects } from '../selftest/plan';
import type { KeyStore } from '../security/keyStore';
import type { Probe, SelfTestReport, SelfTestTrigger } from '../selftest/types';
import type { TerminalEvent } from './events';
import type { TerminalState } from './states';
import type { SaleOutcome, SettleOutcome } from './hostDuties';
import type { CardSaleOutcome } from './cardDuties';
import type { HostOutcome, HostSession, SaleRequest } from '../host/session';
import type { ActionId, ActionOutcome, Diagnosis } from '../diagnosis/types';
import type { ActivationOutcome } from '../activation/activate';
import type { ActivateOptions } from './activationDuties';
import { TerminalCore } from './terminalCore';
import type { UpdateOutcome, UpdateStatus } from '../update/types';
import type { SafeModeFacts } from '../ui/safeModeScreen';
import type { ClockSource } from '../selftest/types';

export { RuntimeError, type TerminalState } from './states';

export { SELF_TEST_INTERVAL_MS } from './terminalCore';

export interface TerminalOptions {
  /** Replaces the standard probe plan (tests). */
  probes?: (subjects: ProbeSubjects) => readonly Probe[];
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
  /** One sale with the card data given (signs on first when needed); only when the terminal is in service. */
  sale(request: SaleRequest): Promise<SaleOutcome>;
  /**
   * A sale as the ECR asks for it: the terminal asks for a card or code (tap, insert, swipe or
   * scan; 30 s, CANCEL), reads it, takes the PIN when the card asks, then asks the host
   * (runtime/cardDuties.ts). A stop before the host is a 'refused' outcome with a card.* code.
   */
  cardSale(amountMinor: number): Promise<CardSaleOutcome>;
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
  /** What the panel shows ('home', 'report', 'diagnosis', 'code-entry', 'card-present', …): scenarios and tests read it. */
  readonly view: string;
  /** Checks the update server now: downloads, verifies and installs a newer signed image (runtime/updateDuties.ts). */
  checkUpdate(): Promise<UpdateOutcome>;
  /** Where a firmware update stands, and the last one's result. */
  readonly update: UpdateStatus;
  /** The crash loop's safe mode while it holds (no acquirer link, the fault screen says why). */
  readonly safeMode: SafeModeFacts | undefined;
  /** Where the wall clock came from this boot. */
  readonly clockSource: ClockSource;
}

export function createTerminal(ports: Ports, options: TerminalOptions = {}): Terminal {
  return new PaymentTerminal(new TerminalCore(ports, options));
}

/** The Terminal the firmware and the simulator hold: the core's state and work under their public names. */
class PaymentTerminal implements Terminal {
  readonly #core: TerminalCore;

  constructor(core: TerminalCore) {
    this.#core = core;
  }

  get state(): TerminalState {
    return this.#core.state();
  }

  get lastReport(): SelfTestReport | undefined {
    return this.#core.lastReport();
  }

  get keys(): KeyStore {
    return this.#core.keys();
  }

  get host(): HostSession | undefined {
    return this.#core.session();
  }

  get diagnosis(): Diagnosis | undefined {
    return this.#core.diagnosisRuntime.current;
  }

  get view(): string {
    const view = this.#core.panel().view;
    // A card screen says which: card-present, card-reading, card-pin, card-<notice>.
    if (view.kind === 'card') return `card-${view.screen.kind === 'notice' ? view.screen.notice : view.screen.kind}`;
    return view.kind;
  }

  get update(): UpdateStatus {
    return this.#core.updates.status();
  }

  get safeMode(): SafeModeFacts | undefined {
    return this.#core.resets.safeMode;
  }

  get clockSource(): ClockSource {
    return this.#core.clockKeeper.source();
  }

  checkUpdate(): Promise<UpdateOutcome> {
    return this.#core.updates.check('demand');
  }

  boot(): Promise<void> {
    return this.#core.boot();
  }

  selfTest(trigger: SelfTestTrigger): Promise<SelfTestReport> {
    return this.#core.selfTest(trigger);
  }

  wipeKeys(): Promise<SelfTestReport> {
    return this.#core.wipeKeys();
  }

  signOn(): Promise<HostOutcome> {
    return this.#core.duties.signOn();
  }

  echo(): Promise<HostOutcome> {
    return this.#core.duties.echo();
  }

  sale(request: SaleRequest): Promise<SaleOutcome> {
    return this.#core.duties.sale(request);
  }

  cardSale(amountMinor: number): Promise<CardSaleOutcome> {
    return this.#core.cards.sale(amountMinor);
  }

  settle(): Promise<SettleOutcome> {
    return this.#core.duties.settle();
  }

  whenIdle(): Promise<void> {
    return this.#core.duties.idle();
  }

  diagnose(): Diagnosis {
    return this.#core.diagnosisRuntime.diagnose();
  }

  runAction(id: ActionId): Promise<ActionOutcome> {
    return this.#core.diagnosisRuntime.runAction(id);
  }

  activate(code: string, options?: ActivateOptions): Promise<ActivationOutcome> {
    return this.#core.diagnosisRuntime.activate(code, options);
  }

  events(): TerminalEvent[] {
    return this.#core.events();
  }

  reports(): SelfTestReport[] {
    return this.#core.reports();
  }

  stop(): void {
    this.#core.stop();
  }
}
