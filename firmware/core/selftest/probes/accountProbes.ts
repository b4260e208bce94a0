/**
 * Account-family probe: the terminal cannot see the acquirer's records of its merchant and
 * terminal, but the host's answers say what they hold. The newest answer that judged the
 * account is the evidence: 'merchant-restricted' (merchant invalid, restricted, frozen, not
 * allowed at this terminal) and 'terminal-invalid' (terminal unknown, not registered, disabled)
 * fail with the host's code and texts; any other judged answer (approved, declined, a card
 * problem, sign on again) means the host knew the terminal and its merchant. Until the host has
 * answered, the family stays "not checked" (a skip says so).
 *
 * The probe is a frozen module-level object (see networkProbes.ts for why).
 */
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { hostRole, notConfigured, type HostAnswerView, type HostSubjectsSource } from './hostSubjects';
import { fail, pass, skip } from './outcome';
import { isoTime } from './systemProbes';
import { targetOf, withTargets } from '../runner';
import { deepFreeze } from '../../freeze';

export const ACCOUNT_PROBE: Probe = deepFreeze({ id: 'account.host', family: 'account', timeoutMs: 1_000, after: ['network.echo'], run: runAccount });
export const accountProbe = (host: HostSubjectsSource): Probe => withTargets(ACCOUNT_PROBE, { host });

/**
 * `host answered 03 (Invalid merchant | 无效商户) to 0200 from the primary at 2026-11-26T09:00:00Z`:
 * the host's code and both its texts (the Chinese screen shows the host's Chinese text).
 */
export function answerFacts(answer: HostAnswerView): string {
  return `host answered ${answer.code} (${answer.text.en} | ${answer.text.zh}) to ${answer.mti} from the ${hostRole(answer.host)} at ${isoTime(answer.wallMs)}`;
}

async function runAccount(context: ProbeContext): Promise<ProbeOutcome> {
  const { session, accountAnswer } = targetOf(context, 'host')();
  if (!session) return notConfigured('host session');
  const answer = accountAnswer ?? session.status().lastAnswer;
  if (!answer) return skip('account.no-answer', 'the host has not answered since boot');
  switch (answer.category) {
    case 'merchant-restricted':
      return fail('account.merchant-restricted', answerFacts(answer));
    case 'terminal-invalid':
      return fail('account.terminal-invalid', answerFacts(answer));
    case 'host-problem':
    case 'retry':
      // The host (or the switch behind it) did not get as far as the account.
      return skip('account.not-judged', answerFacts(answer));
    default:
      return pass('account.ok', answerFacts(answer));
  }
}
