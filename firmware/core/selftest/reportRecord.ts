/**
 * Self-test reports as stored in the record log (CBOR maps). A report read back is checked
 * before the screens use it: a record written by another firmware version must not crash boot.
 */
import type { CborCodec } from '../store/cbor';
import { CAUSE_FAMILIES, type CauseFamily, type ProbeResult, type SelfTestReport, type SelfTestTrigger } from './types';
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
 * Results are stored as lists: the field names of a map cost about 40 bytes per probe, and a
 * report must stay one record. Three forms are read back (every one earlier firmware wrote):
 * - [id, status, code, detail, durationMs] (this firmware): the family follows from the id's
 *   prefix (FAMILY_OF_PREFIX), some 8 bytes less per probe;
 * - [id, family, status, code, detail, durationMs]: reports of issues 8 to 10 before the
 *   prefix rule, and still written for a probe whose family is not its prefix's (auth.crypto is
 *   'system');
 * - a map with those field names (reports before results were lists).
 */
const RESULT_FIELDS = deepFreeze(['id', 'family', 'status', 'code', 'detail', 'durationMs'] as const);
const SHORT_FIELDS = deepFreeze(['id', 'status', 'code', 'detail', 'durationMs'] as const);
/** A probe id's prefix (before its first dot) names its family unless the result says otherwise. */
const FAMILY_OF_PREFIX: Readonly<Record<string, CauseFamily>> = deepFreeze({
  network: 'network', system: 'system', device: 'device', account: 'account', auth: 'authentication',
});
/** Triggers renamed since (a stored report keeps the name it was written with). */
const OLD_TRIGGERS: Readonly<Record<string, SelfTestTrigger>> = deepFreeze({ code83: 'host-83' });
/** The mark a detail cut to fit ends with (the runner's DETAIL_LIMIT cut ends with it too). */
export const DETAIL_CUT_MARK = '…';

function prefixFamily(id: string): CauseFamily | undefined {
  const dot = id.indexOf('.');
  const prefix = dot < 0 ? '' : id.slice(0, dot);
  return Object.prototype.hasOwnProperty.call(FAMILY_OF_PREFIX, prefix) ? FAMILY_OF_PREFIX[prefix] : undefined;
}

/** `detail` at most `limit` UTF-16 units, the cut ones ending with the mark (never half a surrogate pair). */
function cutDetail(detail: string, limit: number): string {
  if (detail.length <= limit) return detail;
  let end = Math.max(0, limit - 1);
  const last = detail.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return `${detail.slice(0, end)}${DETAIL_CUT_MARK}`;
}

function resultLists(results: readonly ProbeResult[], limit: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    const detail = cutDetail(r.detail, limit);
    out.push(prefixFamily(r.id) === r.family ? [r.id, r.status, r.code, detail, r.durationMs] : [r.id, r.family, r.status, r.code, detail, r.durationMs]);
  }
  return out;
}

/**
 * The stored form of a report (see RESULT_FIELDS), at most `maxBytes` long when it can be: the
 * log's largest ring record (RecordLog.capacity().maxPayload: 2,220 B on 4 KiB sectors), which a
 * report of some twenty probes with every detail at the runner's 160-character limit (~4,700 B)
 * far exceeds. Then the longest details are cut first, all of them down to one length (the
 * longest that fits, found by bisection: 9 encodings for the runner's 160), each cut one ending with
 * DETAIL_CUT_MARK; the screens show a cut detail through a form that still matches it or say the
 * facts are kept in English (ui/detailTexts.ts), and the in-memory report keeps them whole. The
 * largest plan (26 probes, every one failed, every detail at 160 characters) keeps 37 characters
 * of each (tests/selftest/reportRecord.test.ts). Only a report that does not fit with every
 * detail cut to the mark alone (over 44 probes on 4 KiB sectors; the plan has at most 26) comes
 * back longer than `maxBytes`, and the log refuses it (traced).
 */
export function encodeReport(cbor: CborCodec, report: SelfTestReport, maxBytes = Infinity): Uint8Array {
  let longest = 0;
  for (let i = 0; i < report.results.length; i++) longest = Math.max(longest, report.results[i].detail.length);
  const whole = encodeWith(cbor, report, longest);
  if (whole.length <= maxBytes) return whole;
  // The longest detail length that fits lies in [1, longest): bisect (the encoding grows with it).
  let best = encodeWith(cbor, report, 1);
  if (best.length > maxBytes) return best;
  let low = 1;
  let high = longest - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const bytes = encodeWith(cbor, report, mid);
    if (bytes.length <= maxBytes) {
      low = mid;
      best = bytes;
    } else high = mid - 1;
  }
  return best;
}

function encodeWith(cbor: CborCodec, report: SelfTestReport, limit: number): Uint8Array {
  const { seq, trigger, startedUptimeMs, startedWallMs, durationMs, results, verdict } = report;
  return cbor.encode({ seq, trigger, startedUptimeMs, startedWallMs, durationMs, results: resultLists(results, limit), verdict });
}

function resultFromList(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const short = value.length === SHORT_FIELDS.length;
  if (!short && value.length !== RESULT_FIELDS.length) throw new ReportRecordError(`a result list of ${value.length} items`);
  const out: Record<string, unknown> = {};
  const fields = short ? SHORT_FIELDS : RESULT_FIELDS;
  for (let i = 0; i < fields.length; i++) out[fields[i]] = value[i];
  if (short) out.family = isString(out.id) ? prefixFamily(out.id) : undefined;
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
  if (isString(r.trigger) && Object.prototype.hasOwnProperty.call(OLD_TRIGGERS, r.trigger)) r.trigger = OLD_TRIGGERS[r.trigger];
  if (!(TRIGGERS as readonly string[]).includes(r.trigger as string)) throw new ReportRecordError(`trigger ${String(r.trigger)}`);
  if (!VERDICTS.includes(r.verdict as string)) throw new ReportRecordError(`verdict ${String(r.verdict)}`);
  if (!Array.isArray(r.results) || r.results.length > MAX_RESULTS) throw new ReportRecordError('results is not a list of at most 64');
  r.results = r.results.map(resultFromList);
  (r.results as unknown[]).forEach(checkResult);
  return value as SelfTestReport;
}
