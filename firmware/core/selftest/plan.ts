/** The probes a terminal runs, in the order reports list them. Later capabilities add theirs here. */
import type { KeyStore } from '../security/keyStore';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import { capkProbe, certificateProbe, cryptoProbe, macProbe, masterKeyProbe, workingKeysProbe } from './probes/authProbes';
import { displayProbe, keypadProbe } from './probes/deviceProbes';
import { configProbe, flashProbe, imageProbe, memoryProbe, rtcProbe } from './probes/systemProbes';
import { accountProbe } from './probes/accountProbes';
import type { HostAnswerView, HostSubjects, HostSubjectsSource } from './probes/hostSubjects';
import { connectProbe, echoProbe, linkProbe, resolveProbe } from './probes/networkProbes';
import { hostTlsProbe } from './probes/hostTlsProbe';
import { reversalProbe } from './probes/reversalProbe';
import type { Probe } from './types';

export interface ProbeSubjects {
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
}

/** The host subjects as a probe sees them when it runs. */
function hostSource(subjects: ProbeSubjects): HostSubjectsSource | undefined {
  if (subjects.host) return subjects.host;
  if (!('link' in subjects || 'session' in subjects || 'profile' in subjects)) return undefined;
  const { link, session, profile, accountAnswer } = subjects;
  return () => ({ link, session, profile, accountAnswer: accountAnswer?.() });
}

/**
 * The probes in report order. With a host link, the network checks come first (the support
 * order starts there), the reversal flag sits with the system checks and the account evidence
 * before the authentication checks; the others keep their places.
 */
export function standardProbes(subjects: ProbeSubjects): Probe[] {
  const { log, cbor, keys } = subjects;
  const host = hostSource(subjects);
  const when = (probes: () => Probe[]): Probe[] => (host ? probes() : []);
  return [
    // Run first as well as listed first. Run after the certificate check they made the run's low
    // point worse (mcsim: the echo's connect-and-wait with every other result held, 1,384 slots
    // free, against 1,443 at the certificate check this way; docs/memory.md).
    ...when(() => [...networkProbes(host as HostSubjectsSource), hostTlsProbe(host as HostSubjectsSource)]),
    imageProbe(),
    rtcProbe(),
    flashProbe(log),
    memoryProbe(),
    configProbe(cbor),
    ...when(() => [reversalProbe(host as HostSubjectsSource)]),
    cryptoProbe(),
    capkProbe(cbor),
    displayProbe(),
    keypadProbe(),
    ...when(() => [accountProbe(host as HostSubjectsSource)]),
    masterKeyProbe(keys),
    workingKeysProbe(keys),
    macProbe(keys),
    certificateProbe(cbor),
  ];
}

/** Link, names, each host's TCP connect, and an echo round trip. */
export function networkProbes(host: HostSubjectsSource): Probe[] {
  return [linkProbe(), resolveProbe(host), connectProbe(host, 0), connectProbe(host, 1), echoProbe(host)];
}
