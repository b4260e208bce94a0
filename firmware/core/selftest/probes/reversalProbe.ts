/**
 * A reversal the host never acknowledged (issue 7 item 4): the session sends it before each
 * transaction and before settlement, up to the first send and 3 resends; after that it stays
 * in the journal, flagged on screen and here, until an operator settles. Its family is
 * 'system': it is the terminal's own transaction record out of step with the host, needing an
 * operator, not a connectivity fact (the network probes report the link as it is now).
 *
 * The probe is a frozen module-level object (see networkProbes.ts for why).
 */
import { REVERSAL_SENDS } from '../../host/journal';
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { notConfigured, type HostSubjectsSource } from './hostSubjects';
import { fail, pass, warn } from './outcome';
import { targetOf, withTargets } from '../runner';
import { deepFreeze } from '../../freeze';

export const REVERSAL_PROBE: Probe = deepFreeze({ id: 'system.reversal', family: 'system', timeoutMs: 1_000, run: runReversal });
export const reversalProbe = (host: HostSubjectsSource): Probe => withTargets(REVERSAL_PROBE, { host });

async function runReversal(context: ProbeContext): Promise<ProbeOutcome> {
  const { session } = targetOf(context, 'host')();
  if (!session) return notConfigured('host session');
  const pending = session.status().pendingReversal;
  if (!pending) return pass('reversal.none', 'no reversal pending');
  const facts = `STAN ${pending.stan}, reason ${pending.reason}, sent ${pending.attempts} of ${REVERSAL_SENDS} times`;
  return pending.attempts >= REVERSAL_SENDS ? fail('reversal.stuck', facts) : warn('reversal.pending', facts);
}
