/** The probes a terminal runs, in the order reports list them. Later capabilities add theirs here. */
import type { KeyStore } from '../security/keyStore';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import { capkProbe, certificateProbe, cryptoProbe, macProbe, masterKeyProbe, workingKeysProbe } from './probes/authProbes';
import { displayProbe, keypadProbe } from './probes/deviceProbes';
import { configProbe, flashProbe, imageProbe, memoryProbe, rtcProbe } from './probes/systemProbes';
import { accountProbe } from './probes/accountProbes';
import type { HostSubjectsSource } from './probes/hostSubjects';
import { connectProbe, echoProbe, linkProbe, resolveProbe } from './probes/networkProbes';
import { reversalProbe } from './probes/reversalProbe';
import type { Probe } from './types';

export interface ProbeSubjects {
  /** The opened record log, or why it could not be opened (the flash probe reports it). */
  log: RecordLog | string;
  cbor: CborCodec;
  keys: KeyStore;
  /**
   * The acquirer link, host session and profile as the terminal holds them when a probe runs
   * ({} while there are none). Given, the plan adds the network probes, the account probe and
   * the reversal probe; absent, a terminal without a host link keeps the plan it had.
   */
  host?: HostSubjectsSource;
}

/**
 * The probes in report order. With a host link, the network checks come first (the support
 * order starts there), the reversal flag sits with the system checks and the account evidence
 * before the authentication checks; the others keep their places.
 */
export function standardProbes({ log, cbor, keys, host }: ProbeSubjects): Probe[] {
  const when = (probes: () => Probe[]): Probe[] => (host ? probes() : []);
  return [
    ...when(() => networkProbes(host as HostSubjectsSource)),
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
    masterKeyProbe(),
    workingKeysProbe(keys),
    macProbe(keys),
    certificateProbe(cbor),
  ];
}

/** Link, names, each host's TCP connect, and an echo round trip. */
export function networkProbes(host: HostSubjectsSource): Probe[] {
  return [linkProbe(), resolveProbe(host), connectProbe(host, 0), connectProbe(host, 1), echoProbe(host)];
}
