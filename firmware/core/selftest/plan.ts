/** The probes a terminal runs, in the order reports list them. Later capabilities add theirs here. */
import type { ClockTrust } from './types';
import type { Ports } from '../ports';
import type { KeyStore } from '../security/keyStore';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import { CAPK_PROBE, CERTIFICATE_PROBE, CRYPTO_PROBE, MAC_PROBE, MASTER_KEY_PROBE, WORKING_KEYS_PROBE } from './probes/authProbes';
import { DISPLAY_PROBE, KEYPAD_PROBE } from './probes/deviceProbes';
import { ANTENNA_PROBE, CONTACT_PROBE, MAGSTRIPE_PROBE, READER_PROBE, SCANNER_PROBE } from './probes/readerProbes';
import { CONFIG_PROBE, FLASH_PROBE, IMAGE_PROBE, MEMORY_PROBE, RTC_PROBE } from './probes/systemProbes';
import { ACCOUNT_PROBE } from './probes/accountProbes';
import type { HostAnswerView, HostSubjects, HostSubjectsSource } from './probes/hostSubjects';
import { BACKUP_PROBE, ECHO_PROBE, LINK_PROBE, PRIMARY_PROBE, RESOLVE_PROBE } from './probes/networkProbes';
import { HOST_TLS_PROBE } from './probes/hostTlsProbe';
import { REVERSAL_PROBE } from './probes/reversalProbe';
import { withTargets } from './runner';
import type { Probe, ProbeTargets } from './types';
import { deepFreeze } from '../freeze';

export interface ProbeSubjects {
  /** The clock keeper: where the time came from, whether it can judge certificates. */
  clock?: ClockTrust;
  /** The opened record log, or why it could not be opened (the flash probe reports it). */
  log: RecordLog | string;
  cbor: CborCodec;
  keys: KeyStore;
  /**
   * The acquirer link and host session (undefined when the terminal has none: no valid
   * profile). A plan given these keys, even undefined, or `host`, has the network probes, the
   * account probe and the reversal probe; one without them keeps the plan it had.
   */
  link?: HostSubjects['link'];
  session?: HostSubjects['session'];
  /** The profile the link was built from (its hosts and timeouts; the name and connect probes need it). */
  profile?: HostSubjects['profile'];
  /** The newest answer that judged the account (see HostSubjects.accountAnswer). */
  accountAnswer?: () => HostAnswerView | undefined;
  /** Instead of the four above: a function giving them as they are when a probe runs. */
  host?: HostSubjectsSource;
  /**
   * The board's card hardware (its ports): each part whose `fitted` is true has its probes in
   * the plan, after the keypad's (device.reader and device.antenna for the contactless reader,
   * device.contact, device.magstripe, device.scanner). Absent, or nothing fitted: the plan is
   * one of the two frozen plans, as before.
   */
  parts?: Pick<Ports, 'reader' | 'contact' | 'magstripe' | 'scanner'>;
}

/** The host subjects as a probe sees them when it runs. */
function hostSource(subjects: ProbeSubjects): HostSubjectsSource | undefined {
  if (subjects.host) return subjects.host;
  if (!('link' in subjects || 'session' in subjects || 'profile' in subjects)) return undefined;
  const { link, session, profile, accountAnswer } = subjects;
  return () => ({ link, session, profile, accountAnswer: accountAnswer?.() });
}

/** What the runner gives the probes of standardProbes(subjects) (runSelfTest's `targets`). */
export function probeTargets(subjects: ProbeSubjects): ProbeTargets {
  const host = hostSource(subjects);
  return { log: subjects.log, cbor: subjects.cbor, keys: subjects.keys, ...(host ? { host } : {}), ...(subjects.clock ? { clock: subjects.clock } : {}) };
}

/** Link, names, each host's TCP connect, and an echo round trip. */
const NETWORK_PLAN: readonly Probe[] = deepFreeze([LINK_PROBE, RESOLVE_PROBE, PRIMARY_PROBE, BACKUP_PROBE, ECHO_PROBE]);

/**
 * The probes in report order. With a host link, the network checks come first (the support
 * order starts there), the reversal flag sits with the system checks and the account evidence
 * before the authentication checks; the others keep their places.
 *
 * Both plans are made once, at preload: the probes read their subjects from the run's context
 * (runSelfTest's `targets`, from probeTargets), so a boot makes no probe and no closure (each
 * costs XS slots and a heap copy of its code on the device; docs/memory.md).
 */
const HOST_PLAN: readonly Probe[] = deepFreeze([
  // Run first as well as listed first. Run after the certificate check they made the run's low
  // point worse (mcsim: the echo's connect-and-wait with every other result held, 1,384 slots
  // free, against 1,443 at the certificate check this way; docs/memory.md).
  ...NETWORK_PLAN,
  HOST_TLS_PROBE,
  IMAGE_PROBE,
  RTC_PROBE,
  FLASH_PROBE,
  MEMORY_PROBE,
  CONFIG_PROBE,
  REVERSAL_PROBE,
  CRYPTO_PROBE,
  CAPK_PROBE,
  DISPLAY_PROBE,
  KEYPAD_PROBE,
  ACCOUNT_PROBE,
  MASTER_KEY_PROBE,
  WORKING_KEYS_PROBE,
  MAC_PROBE,
  CERTIFICATE_PROBE,
]);

/** The same without a host: no network, TLS anchor, reversal or account probes. */
const LOCAL_PLAN: readonly Probe[] = deepFreeze(HOST_PLAN.filter((p) => p.family !== 'network' && p !== REVERSAL_PROBE && p !== ACCOUNT_PROBE));

/** The plan for these subjects; run it with probeTargets(subjects). */
export function standardProbes(subjects: ProbeSubjects): readonly Probe[] {
  const plan = hostSource(subjects) ? HOST_PLAN : LOCAL_PLAN;
  const parts = subjects.parts;
  if (!parts || !(parts.reader.fitted || parts.contact.fitted || parts.magstripe.fitted || parts.scanner.fitted)) return plan;
  // A board with card hardware: one array per boot (no probe, no closure), the probes all frozen.
  const withParts: Probe[] = [];
  for (let i = 0; i < plan.length; i++) {
    withParts.push(plan[i]);
    if (plan[i] !== KEYPAD_PROBE) continue;
    if (parts.reader.fitted) withParts.push(READER_PROBE, ANTENNA_PROBE);
    if (parts.contact.fitted) withParts.push(CONTACT_PROBE);
    if (parts.magstripe.fitted) withParts.push(MAGSTRIPE_PROBE);
    if (parts.scanner.fitted) withParts.push(SCANNER_PROBE);
  }
  return Object.freeze(withParts);
}

/** The network probes bound to `host`, to run alone (tests). */
export function networkProbes(host: HostSubjectsSource): Probe[] {
  return NETWORK_PLAN.map((probe) => withTargets(probe, { host }));
}
