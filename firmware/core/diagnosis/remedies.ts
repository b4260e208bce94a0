/**
 * The remedies: what to do about a cause, in the order a good technician works (network,
 * device, system, account, the terminal's authentication, then support). A remedy the terminal
 * can carry out itself names its action (run from the keypad); one that needs a person names who.
 * Ids are the keys of the screens' texts: never renamed.
 */
import { deepFreeze } from '../freeze';
import { CAUSE_FAMILIES } from '../selftest/types';
import type { Remedy } from './types';

export const REMEDIES: readonly Remedy[] = deepFreeze([
  // network
  { id: 'check-network', family: 'network', action: 'network-test' },
  { id: 'check-link', family: 'network', actor: 'merchant' },
  { id: 'check-dns', family: 'network', actor: 'technician' },
  { id: 'check-host-address', family: 'network', actor: 'technician' },
  { id: 'renew-tls-anchor', family: 'network', actor: 'technician' },
  // device
  { id: 'service-display', family: 'device', actor: 'technician' },
  { id: 'service-keypad', family: 'device', actor: 'technician' },
  { id: 'service-reader', family: 'device', actor: 'technician' },
  { id: 'check-power', family: 'device', actor: 'merchant' },
  // system
  { id: 'set-clock', family: 'system', action: 'set-clock' },
  { id: 'restart', family: 'system', action: 'restart' },
  { id: 'rerun-self-test', family: 'system', action: 'self-test' },
  { id: 'reprovision-config', family: 'system', actor: 'technician' },
  { id: 'service-storage', family: 'system', actor: 'technician' },
  { id: 'reflash-firmware', family: 'system', actor: 'technician' },
  { id: 'secure-build', family: 'system', actor: 'technician' },
  { id: 'update-firmware', family: 'system', actor: 'technician' },
  // account
  { id: 'call-acquirer-account', family: 'account', actor: 'merchant' },
  // authentication
  { id: 'sign-on-again', family: 'authentication', action: 'sign-on' },
  { id: 'activate', family: 'authentication', action: 'activate' },
  { id: 'new-activation-code', family: 'authentication', actor: 'acquirer' },
  { id: 'reinject-master-key', family: 'authentication', actor: 'technician' },
  { id: 'replace-certificate', family: 'authentication', actor: 'technician' },
  { id: 'fix-tid', family: 'authentication', actor: 'technician' },
  { id: 'call-acquirer-terminal', family: 'authentication', actor: 'merchant' },
  // support: always the last step, shown with the support code
  { id: 'call-support', family: 'support', actor: 'support' },
]);

/** The last step of every diagnosis. */
export const CALL_SUPPORT: Remedy = REMEDIES[REMEDIES.length - 1];

/** @throws RangeError for an id the table lacks (a typo in the cause table: the tests read every id) */
export function remedyById(id: string): Remedy {
  for (let i = 0; i < REMEDIES.length; i++) if (REMEDIES[i].id === id) return REMEDIES[i];
  throw new RangeError(`no remedy ${id}`);
}

/** Where a remedy's family stands in the technician's order (support last). */
export function remedyFamilyIndex(remedy: Remedy): number {
  return remedy.family === 'support' ? CAUSE_FAMILIES.length : CAUSE_FAMILIES.indexOf(remedy.family);
}
