/**
 * Field activation as the terminal runs it (issue 8, Deliver 6): the code from the keypad (or
 * activate(code)), the activation flow (activation/activate.ts) over the link to the profile's
 * hosts, then on success the terminal's part: the acquirer link opened again with the IDs the
 * host bound, a sign-on, and a self-test, which passes only now. A refusal is evidence
 * (activation.<reason>) and the diagnosis gives its remedy.
 *
 * One activation at a time; a second request while one runs joins it.
 */
import { activate as runActivation, type ActivationOutcome } from '../activation/activate';
import { activationState } from '../activation/activationState';
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
}

export interface ActivationDuties {
  /** @throws ActivationDeviceError when the crypto port or the settings refuse (nothing is stored) */
  activate(code: string): Promise<ActivationOutcome>;
  /** What the diagnosis weighs: the activation state and the newest attempt of this run. */
  evidence(): ActivationEvidence;
}

export function createActivationDuties(deps: ActivationDutiesDeps): ActivationDuties {
  const { ports, cbor } = deps;
  let last: ActivationEvidence['last'];
  let under: Promise<ActivationOutcome> | undefined;

  async function run(code: string): Promise<ActivationOutcome> {
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
    try {
      return await runActivation(code, { ports, cbor, link, profile, onStage: deps.stage, ...(counters ? { counters } : {}) });
    } finally {
      own?.close();
    }
  }

  return {
    activate(code) {
      under ??= run(code)
        .then(async (outcome) => {
          last = { outcome, wallMs: ports.clock.wallMs(), uptimeMs: ports.clock.uptimeMs() };
          ports.trace(`activation: ${outcome.kind === 'activated' ? `activated as ${outcome.tid}` : `refused (${outcome.reason})`}`);
          await deps.ended(outcome);
          return outcome;
        })
        .finally(() => (under = undefined));
      return under;
    },
    evidence() {
      const { factory, activated } = activationState(ports, cbor, deps.keys());
      return { factory, activated, ...(last ? { last } : {}) };
    },
  };
}
