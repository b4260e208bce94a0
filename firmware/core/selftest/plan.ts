/** The probes a terminal runs, in the order reports list them. Later capabilities add theirs here. */
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import { displayProbe, keypadProbe } from './probes/deviceProbes';
import { configProbe, flashProbe, imageProbe, memoryProbe, rtcProbe } from './probes/systemProbes';
import type { Probe } from './types';

/** `log` is the opened record log, or why it could not be opened (the flash probe reports it). */
export function standardProbes(log: RecordLog | string, cbor: CborCodec): Probe[] {
  return [imageProbe(), rtcProbe(), flashProbe(log), memoryProbe(), configProbe(cbor), displayProbe(), keypadProbe()];
}
