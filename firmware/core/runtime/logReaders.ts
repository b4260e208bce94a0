/**
 * Reading the terminal's own history back from the record log: events and self-test reports,
 * each validated (a record this firmware cannot show is skipped and traced, never a crash).
 */
import { decodeReport, ReportRecordError } from '../selftest/reportRecord';
import type { SelfTestReport } from '../selftest/types';
import type { CborCodec } from '../store/cbor';
import { RecordType, type RecordLog } from '../store/recordLog';
import { decodeEvent, EventError, type TerminalEvent } from './events';

/** A stored report, or undefined (traced) when it is not one this firmware can show. */
export function readReport(cbor: CborCodec, trace: (line: string) => void, payload: Uint8Array): SelfTestReport | undefined {
  try {
    return decodeReport(cbor, payload);
  } catch (error) {
    trace(`stored report skipped: ${error instanceof ReportRecordError ? error.message : 'error'}`);
    return undefined;
  }
}

/** Every event still in the log, oldest first. */
export function readEvents(log: RecordLog | undefined, cbor: CborCodec, trace: (line: string) => void): TerminalEvent[] {
  const out: TerminalEvent[] = [];
  if (!log) return out;
  for (const r of log.records()) {
    if (r.type !== RecordType.event) continue;
    try {
      out.push(decodeEvent(cbor, r.payload));
    } catch (error) {
      // An event this firmware does not know (written by another version): skipped, said once per read.
      trace(`event ${r.seq} skipped: ${error instanceof EventError ? error.message : 'error'}`);
    }
  }
  return out;
}

/** Every self-test report still in the log, oldest first. */
export function readReports(log: RecordLog | undefined, cbor: CborCodec, trace: (line: string) => void): SelfTestReport[] {
  const out: SelfTestReport[] = [];
  if (!log) return out;
  for (const r of log.records()) {
    const report = r.type === RecordType.selfTestReport ? readReport(cbor, trace, r.payload) : undefined;
    if (report) out.push(report);
  }
  return out;
}
