/** The probes a terminal runs, in the order reports list them. Later capabilities add theirs here. */
import type { KeyStore } from '../security/keyStore';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import { capkProbe, certificateProbe, cryptoProbe, macProbe, masterKeyProbe, workingKeysProbe } from './probes/authProbes';
import { displayProbe, keypadProbe } from './probes/deviceProbes';
import { configProbe, flashProbe, imageProbe, memoryProbe, rtcProbe } from './probes/systemProbes';
import type { Probe } from './types';

export interface ProbeSubjects {
  /** The opened record log, or why it could not be opened (the flash probe reports it). */
  log: RecordLog | string;
  cbor: CborCodec;
  keys: KeyStore;
}

export function standardProbes({ log, cbor, keys }: ProbeSubjects): Probe[] {
  return [
    imageProbe(),
    rtcProbe(),
    flashProbe(log),
    memoryProbe(),
    configProbe(cbor),
    cryptoProbe(),
    capkProbe(cbor),
    displayProbe(),
    keypadProbe(),
    masterKeyProbe(),
    workingKeysProbe(keys),
    macProbe(keys),
    certificateProbe(cbor),
  ];
}
