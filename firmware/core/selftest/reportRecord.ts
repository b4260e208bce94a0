/**
 * Self-test reports as stored in the record log (CBOR maps). A report read back is checked
 * before the screens use it: a record written by another firmware version must not crash boot.
 */
import type { CborCodec } from '../store/cbor';
import { CAUSE_FAMILIES, type ProbeResult, type SelfTestReport, type SelfTestTrigger } from './types';
import { deepFreeze } from '../freeze';

export class ReportRecordError extends Error {
  override readonly name = 'ReportRecordError';
  readonly code = 'report-malformed';
  constructor(message: string) {
    super(message);
  }
}

const STATUSES = deepFreeze(['pass', 'warn', 'fail', 'skip']);
const TRIGGERS = deepFreeze(['boot', 'periodic', 'demand', 'host-83', 'keys-wiped'] satisfies SelfTestTrigger[]);
const VERDICTS = deepFreeze(['pass', 'warn', 'fail']);
/** A report never lists more probes than this (the plan is far smaller). */
const MAX_RESULTS = 64;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * Results are stored as lists [id, family, status, code, detail, durationMs]: the field names
 * of a map cost about 40 bytes per probe, and a report of some twenty probes must stay one
 * record. Reports written as maps (earlier firmware) still read.
 */
const RESULT_FIELDS = deepFreeze(['id', 'family', 'status', 'code', 'detail', 'durationMs'] as const);

/** The stored form of a report (see RESULT_FIELDS). */
export function encodeReport(cbor: CborCodec, report: SelfTestReport): Uint8Array {
  return cbor.encode({ ...report, results: report.results.map((r) => RESULT_FIELDS.map((f) => r[f])) });
}

function resultFromList(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length !== RESULT_FIELDS.length) throw new ReportRecordError(`a result list of ${value.length} items`);
  const out: Record<string, unknown> = {};
  RESULT_FIELDS.forEach((f, i) => (out[f] = value[i]));
  return out;
}

function checkResult(value: unknown, index: number): ProbeResult {
  const r = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) throw new ReportRecordError(`results[${index}] is not a map`);
  if (!isString(r.id) || !isString(r.code) || !isString(r.detail)) throw new ReportRecordError(`results[${index}] lacks id, code or detail`);
  if (!CAUSE_FAMILIES.includes(r.family as never)) throw new ReportRecordError(`results[${index}].family ${String(r.family)}`);
  if (!STATUSES.includes(r.status as string)) throw new ReportRecordError(`results[${index}].status ${String(r.status)}`);
  if (!isNumber(r.durationMs)) throw new ReportRecordError(`results[${index}].durationMs`);
  return value as ProbeResult;
}

/** @throws ReportRecordError when the payload is not a report this firmware can show */
export function decodeReport(cbor: CborCodec, payload: Uint8Array): SelfTestReport {
  let value: unknown;
  try {
    value = cbor.decode(payload);
  } catch (error) {
    throw new ReportRecordError(error instanceof Error ? error.message : 'undecodable');
  }
  const r = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) throw new ReportRecordError('report is not a map');
  if (!isNumber(r.seq) || !isNumber(r.startedUptimeMs) || !isNumber(r.startedWallMs) || !isNumber(r.durationMs))
    throw new ReportRecordError('report lacks seq or times');
  if (!(TRIGGERS as readonly string[]).includes(r.trigger as string)) throw new ReportRecordError(`trigger ${String(r.trigger)}`);
  if (!VERDICTS.includes(r.verdict as string)) throw new ReportRecordError(`verdict ${String(r.verdict)}`);
  if (!Array.isArray(r.results) || r.results.length > MAX_RESULTS) throw new ReportRecordError('results is not a list of at most 64');
  r.results = r.results.map(resultFromList);
  (r.results as unknown[]).forEach(checkResult);
  return value as SelfTestReport;
}
