/**
 * Field activation as the terminal runs it (issue 8, Deliver 6): the code from the keypad (or
 * activate(code)), the activation flow (activation/activate.ts) over the link to the profile's
 * hosts, then on success the terminal's part: the acquirer link opened again with the IDs the
 * host bound, a sign-on, and a self-test, which passes only now. A refusal is evidence
 * (activation.<reason>) and the diagnosis gives its remedy.
 *
 * One activation at a time; a second request while one runs joins it. An activation waits for a
 * self-test under way (as the key wipe does: the probes must not read a half-stored activation),
 * and the terminal starts no periodic self-test while one runs (DiagnosisRuntime.busy). It is
 * refused (ActivationRequestError) while a diagnosis action runs, and on a terminal already
 * activated unless the operator confirms (`reactivate`): a new activation replaces the master
 * key and the host's binding, so it is never a side effect of a key press.
 *
 * The board refusing to store the key or the activation (ActivationDeviceError) is an outcome,
 * 'device-refused', shown and recorded as evidence (activation.device-refused) like the host's.
 */
import { activate as runActivation, ActivationDeviceError, type ActivationOutcome } from '../activation/activate';
import { activationState, completeActivation } from '../activation/activationState';
import type { ActivationEvidence } from '../diagnosis/gather';
import { errorText } from '../errorText';
import type { HostLink } from '../host/link';
import type { Ports } from '../ports';
import type { KeyStore } from '../security/keyStore';
import type { CborCodec } from '../store/cbor';
import type { ActivationStage } from '../ui/activationTexts';
import { linkFor, readProfile } from './acquirerLink';

export interface ActivationDutiesDeps {
  ports: Ports;
  cbor: CborCodec;
  keys(): KeyStore;
  /** The acquirer link when the terminal has one (a factory-state terminal has no IDs, so none). */
  link(): HostLink | undefined;
  /** The session's STAN counter, so the activation's STAN does not repeat one a sale used. */
  counters(): { nextStan(): string; readonly batch: number } | undefined;
  /** The stage under way (申请 → 审核 → 发放): 'apply' as the request is made, then as activation/activate.ts tells. */
  stage(stage: ActivationStage): void;
  /** The outcome is in: the terminal shows it, signs on and self-tests after a success. */
  ended(outcome: ActivationOutcome): Promise<void>;
  /** The self-test under way, if any (the activation waits for it). */
  running(): Promise<unknown> | undefined;
  /** A diagnosis action is under way (the activation is refused). */
  acting(): boolean;
}

export interface ActivateOptions {
  /** The operator confirmed activating a terminal that is already activated (a new master key, a new binding). */
  reactivate?: boolean;
}

/** An activation the terminal will not start now: an action under way, or a terminal already activated without `reactivate`. */
export class ActivationRequestError extends Error {
  override readonly name = 'ActivationRequestError';
  constructor(readonly code: 'activation-busy' | 'activation-already-activated', message: string) {
    super(message);
  }
}

export interface ActivationDuties {
  /**
   * A board that refuses to store resolves 'device-refused'. An activation under way is joined.
   * @throws ActivationRequestError (rejects) while an action runs, or when the terminal is activated and `reactivate` is not set
   */
  activate(code: string, options?: ActivateOptions): Promise<ActivationOutcome>;
  /** Boot, before the self-test: an activation a reboot cut is completed or dropped (activationState.ts). */
  restore(): void;
  /** What the diagnosis weighs: the activation state and the newest attempt of this run. */
  evidence(): ActivationEvidence;
}

export function createActivationDuties(deps: ActivationDutiesDeps): ActivationDuties {
  return new TerminalActivationDuties(deps);
}

/** A class, not a closure factory: its methods are made once at preload, not per boot on the XS heap (docs/memory.md). */
class TerminalActivationDuties implements ActivationDuties {
  readonly #deps: ActivationDutiesDeps;
  #last: ActivationEvidence['last'];
  #under: Promise<ActivationOutcome> | undefined;

  constructor(deps: ActivationDutiesDeps) {
    this.#deps = deps;
  }

  activate(code: string, options?: ActivateOptions): Promise<ActivationOutcome> {
    if (this.#under) return this.#under;
    try {
      this.#check(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { ports } = this.#deps;
    const under = this.#start(code)
      .then(async (outcome) => {
        this.#last = { outcome, wallMs: ports.clock.wallMs(), uptimeMs: ports.clock.uptimeMs() };
        ports.trace(`activation: ${outcome.kind === 'activated' ? `activated as ${outcome.tid}` : `refused (${outcome.reason})`}`);
        await this.#deps.ended(outcome);
        return outcome;
      })
      .finally(() => (this.#under = undefined));
    this.#under = under;
    return under;
  }

  restore(): void {
    const { ports, cbor } = this.#deps;
    try {
      const recovered = completeActivation(ports, cbor);
      if (recovered !== 'none') ports.trace(`activation: interrupted by a reboot, ${recovered === 'completed' ? 'completed (the key was stored)' : 'dropped (no key stored): activate again'}`);
    } catch (error) {
      ports.trace(`activation: interrupted one not settled: ${errorText(error)}`);
    }
  }

  evidence(): ActivationEvidence {
    const { ports, cbor } = this.#deps;
    const { factory, activated } = activationState(ports, cbor, this.#deps.keys());
    const last = this.#last;
    return { factory, activated, ...(last ? { last } : {}) };
  }

  async #run(code: string): Promise<ActivationOutcome> {
    const deps = this.#deps;
    const { ports, cbor } = deps;
    const profile = readProfile(ports.settings, cbor);
    // Without a profile there are no hosts to ask: the configuration probe says why.
    if (!profile) return { kind: 'refused', reason: 'unreachable', detail: 'no acquirer profile provisioned' };
    deps.stage('apply');
    let link = deps.link();
    let own: HostLink | undefined;
    try {
      link ??= own = linkFor(ports, profile);
    } catch (error) {
      return { kind: 'refused', reason: 'unreachable', detail: `link: ${errorText(error)}` };
    }
    const counters = deps.counters();
    // The flow (device key, request, exchange) starts from a microtask, on a fresh XS stack: run
    // straight from the key press or activate() it overflowed the board's 512 slots in mcsim.
    await Promise.resolve();
    try {
      return await runActivation(code, { ports, cbor, link, profile, onStage: deps.stage, ...(counters ? { counters } : {}) });
    } catch (error) {
      if (!(error instanceof ActivationDeviceError)) throw error;
      return { kind: 'refused', reason: 'device-refused', detail: error.message };
    } finally {
      own?.close();
    }
  }

  /** Refuses an activation the terminal must not start now (see above). */
  #check(options: ActivateOptions | undefined): void {
    const deps = this.#deps;
    if (deps.acting()) throw new ActivationRequestError('activation-busy', 'an action is under way: activate after it');
    if (!options?.reactivate && activationState(deps.ports, deps.cbor, deps.keys()).activated)
      throw new ActivationRequestError('activation-already-activated', 'the terminal is activated: a new activation replaces its master key (confirm with reactivate)');
  }

  async #start(code: string): Promise<ActivationOutcome> {
    // A self-test under way finishes first: its probes read the key slot and the settings.
    const running = this.#deps.running();
    if (running) await running.catch(() => undefined);
    return this.#run(code);
  }
}
