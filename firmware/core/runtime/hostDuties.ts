/**
 * What the terminal does with its acquirer: sign on after a self-test that did not fail (and
 * whenever the host asks for it), sell, settle, test the link, one operation at a time. Every
 * answer that is evidence (anything but an approval, every sign-on answer) is an event in the
 * log; an answer in the profile's terminal-invalid category (83 at one acquirer, 97 at CUP) is
 * shown as the host said it for HOST_REFUSAL_SCREEN_MS, then the self-test with trigger
 * `host-83` runs (its report keeps the host's words in the account finding).
 */
import type { Ports, TimerToken } from '../ports';

/** How long the host's refusal stays on the screen before the self-test it calls for starts. */
export const HOST_REFUSAL_SCREEN_MS = 5000;
import type { HostAnswer, HostOutcome, HostSession, SaleRequest } from '../host/session';
import type { SelfTestReport, SelfTestTrigger } from '../selftest/types';
import { RecordType } from '../store/recordLog';
import type { HostOperation, TerminalEvent } from './events';
import type { TerminalState } from './terminal';

export type SaleOutcome = HostOutcome & { stan?: string };
export type SettleOutcome = HostOutcome & { uploaded?: number };

export interface HostDutiesDeps {
  ports: Ports;
  /** The session, when the terminal is configured for an acquirer. */
  session(): HostSession | undefined;
  state(): TerminalState;
  /** The terminal was stopped: nothing more may start. */
  stopped(): boolean;
  record(type: number, value: unknown): void;
  selfTest(trigger: SelfTestTrigger): Promise<SelfTestReport>;
  /** Called when an operation starts and ends (the screen shows it). */
  show(operation: HostOperation, outcome: HostOutcome | undefined, request?: SaleRequest): void;
}

export interface HostDuties {
  signOn(): Promise<HostOutcome>;
  /** A sign-on out of service too: the diagnosis's sign-on step (stale working keys are why it may be out). */
  signOnAnyState(): Promise<HostOutcome>;
  echo(): Promise<HostOutcome>;
  sale(request: SaleRequest): Promise<SaleOutcome>;
  settle(): Promise<SettleOutcome>;
  /** After a self-test: sign on in the background when it passed or warned and the session needs it. */
  afterSelfTest(report: SelfTestReport): void;
  /** Resolves once no operation is under way or queued, and no self-test they started is running (one still waiting to start is not waited for). */
  idle(): Promise<void>;
  /** The newest evidence answer of this run (the screens show what the host said). */
  readonly lastEvidence: HostAnswer | undefined;
}

const refusal = (code: string, detail: string): HostOutcome => ({ kind: 'refused', code, detail });

export function createHostDuties(deps: HostDutiesDeps): HostDuties {
  return new TerminalHostDuties(deps);
}

/** A class, not a closure factory: its methods are made once at preload, not per boot on the XS heap (docs/memory.md). */
class TerminalHostDuties implements HostDuties {
  readonly #deps: HostDutiesDeps;
  /** The tail of the queue of operations: each starts when the one before has ended. */
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #followUp: Promise<unknown> | undefined;
  #lastEvidence: HostAnswer | undefined;
  #refusalShown: TimerToken | undefined;

  constructor(deps: HostDutiesDeps) {
    this.#deps = deps;
  }

  signOn(): Promise<HostOutcome> {
    return this.#queue('sign-on', ['ready'], (s) => s.signOn());
  }

  signOnAnyState(): Promise<HostOutcome> {
    return this.#queue('sign-on', ['ready', 'fault'], (s) => s.signOn());
  }

  echo(): Promise<HostOutcome> {
    return this.#queue('echo', ['ready', 'fault'], (s) => s.echo());
  }

  sale(request: SaleRequest): Promise<SaleOutcome> {
    return this.#queue('sale', ['ready'], async (s) => (await this.#signOnFirst(s)) ?? s.sale(request), request);
  }

  settle(): Promise<SettleOutcome> {
    return this.#queue('settle', ['ready', 'fault'], async (s) => (await this.#signOnFirst(s)) ?? s.settle());
  }

  afterSelfTest(report: SelfTestReport): void {
    const session = this.#deps.session();
    // Not after the run a terminal-invalid answer started: the same sign-on would only get the same answer.
    if (!session || report.verdict === 'fail' || report.trigger === 'host-83') return;
    const status = session.status();
    if (status.signedOn && !status.needsSignOn) return;
    void this.#queue('sign-on', ['ready'], (s) => s.signOn());
  }

  async idle(): Promise<void> {
    for (let round = 0; round < 8 && (this.#pending > 0 || this.#followUp); round++) {
      await this.#tail.catch(() => undefined);
      if (this.#followUp) await this.#followUp;
    }
  }

  get lastEvidence(): HostAnswer | undefined {
    return this.#lastEvidence;
  }

  #evidence(operation: HostOperation, outcome: HostOutcome) {
    if (outcome.kind !== 'answered') return;
    const answer = outcome.answer;
    if (answer.category === 'approved' && operation !== 'sign-on') return;
    const deps = this.#deps;
    const { ports } = deps;
    this.#lastEvidence = answer;
    const event: TerminalEvent = {
      kind: 'host-answer',
      operation,
      code: answer.code,
      category: answer.category,
      mti: answer.mti,
      host: answer.host,
      ...(answer.hostText !== undefined ? { hostText: answer.hostText } : {}),
      // CUP header: 3 asks for a new sign-on (evidence for the working keys); 0, the usual, is not written.
      ...(answer.processingRequest ? { processingRequest: answer.processingRequest } : {}),
      uptimeMs: ports.clock.uptimeMs(),
      wallMs: answer.wallMs,
    };
    deps.record(RecordType.event, event);
    ports.trace(`host answered ${operation}: ${answer.code} (${answer.category}) from host ${answer.host}`);
    if (answer.category === 'terminal-invalid' && !this.#refusalShown) {
      // What the host said stays on the screen a while before the self-test takes it over.
      this.#refusalShown = ports.clock.setTimer(HOST_REFUSAL_SCREEN_MS, () => {
        this.#refusalShown = undefined;
        if (deps.stopped()) return;
        this.#followUp = deps
          .selfTest('host-83')
          .catch(() => undefined)
          .finally(() => (this.#followUp = undefined));
      });
    }
  }

  /** Queues `run`; it runs alone, in the states that allow it, and its answer is weighed. */
  #queue<T extends HostOutcome>(operation: HostOperation, allowed: readonly TerminalState[], run: (session: HostSession) => Promise<T>, request?: SaleRequest): Promise<T | HostOutcome> {
    const deps = this.#deps;
    this.#pending++;
    const result = this.#tail.then(async (): Promise<T | HostOutcome> => {
      const session = deps.session();
      if (!session) return refusal('host.not-configured', 'no acquirer link: the configuration probe says why');
      const state = deps.state();
      if (!allowed.includes(state)) return refusal('terminal.out-of-service', `terminal is ${state}`);
      deps.show(operation, undefined, request);
      let outcome: T | HostOutcome;
      try {
        outcome = await run(session);
      } catch (error) {
        outcome = refusal('host.failed', error instanceof Error ? error.message : 'error');
      }
      this.#evidence(operation, outcome);
      deps.show(operation, outcome, request);
      return outcome;
    });
    this.#tail = result.finally(() => this.#pending--);
    return result;
  }

  async #signOnFirst(session: HostSession): Promise<HostOutcome | undefined> {
    const status = session.status();
    if (status.signedOn && !status.needsSignOn) return undefined;
    const outcome = await session.signOn();
    this.#evidence('sign-on', outcome);
    return outcome.kind === 'answered' && outcome.answer.category === 'approved' ? undefined : outcome;
  }
}
