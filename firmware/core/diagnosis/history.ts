/**
 * The evidence history: the recent evidence as one small durable record (RecordType.evidence,
 * DurableKey.evidence), so what the terminal saw survives a reboot (a crash may be the cause).
 *
 * Record (CBOR, RFC 8949): one flat array of unsigned integers
 *   [format = 1, base, packed₁, age₁, packed₂, age₂, …]
 * - base: the newest item's wall time in whole seconds (the RTC's, right or wrong);
 * - packed: evidence number × 4 + status (0 fail, 1 warn, 2 info, 3 pass), numbers from
 *   evidence.ts's append-only table, so a code this firmware does not know (a newer firmware
 *   wrote it) survives as its number ("#n") and is written back as it was;
 * - age: seconds before base (newest first, so never negative).
 * Only fail, warn and info are kept (a check that held is today's state, not history), the
 * newest first, the same code seen twice in one second once.
 *
 * Cap: HISTORY_CAP.items = 12 items, HISTORY_CAP.bytes = 100 bytes of payload at worst, so
 * 120 bytes of flash footprint (record header and trailer included). The worst case by
 * construction: array head 2 B (26 elements), format 1 B, base 5 B (uint32), the newest item
 * 3 B + 1 B (its age is 0), each other item at most 3 B (packed < 65,536: numbers up to 16,383)
 * + 5 B (age < 2³²): 2 + 1 + 5 + 4 + 11 × 8 = 100.
 * With issue 7's worst-case durable set (880 B) and issue 10's update and reset records the total is
 * at most 1,284 B of the 1,304 B durable cap (store/recordLog.ts durableCapFor):
 * tests/host/journalDurableSizes.test.ts holds all of them live at once.
 */
import { deepFreeze } from '../freeze';
import type { CborCodec } from '../store/cbor';
import { DiagnosisError } from './errors';
import { evidenceNumber, MAX_EVIDENCE_NUMBER, numberedEvidence } from './evidence';
import type { Evidence, EvidenceStatus } from './types';

export const HISTORY_FORMAT = 1;
export const HISTORY_CAP = deepFreeze({ items: 12, bytes: 100 });

const STATUSES: readonly EvidenceStatus[] = deepFreeze(['fail', 'warn', 'info', 'pass']);
const MAX_SECONDS = 0xffffffff;
/** Items a record from any firmware may hold before it counts as damage (a newer cap may be larger). */
const READ_LIMIT = 64;

const seconds = (ms: number) => Math.min(MAX_SECONDS, Math.max(0, Math.floor(ms / 1000)));

interface Item {
  readonly n: number;
  readonly status: number;
  readonly s: number;
}

function newestFirst(a: Item, b: Item): number {
  return b.s - a.s || a.n - b.n || a.status - b.status;
}

/** The items the record keeps of `evidence`, newest first, at most HISTORY_CAP.items. */
function keep(evidence: readonly Evidence[]): Item[] {
  const items: Item[] = [];
  for (const e of evidence) {
    const status = STATUSES.indexOf(e.status);
    const n = evidenceNumber(e.code);
    if (status < 0 || status === 3 || n === undefined) continue;
    items.push({ n, status, s: seconds(e.wallMs) });
  }
  items.sort(newestFirst);
  for (let i = items.length - 1; i > 0; i--) if (newestFirst(items[i], items[i - 1]) === 0) items.splice(i, 1);
  if (items.length > HISTORY_CAP.items) items.length = HISTORY_CAP.items;
  return items;
}

/** The history record of `evidence` (at most HISTORY_CAP.bytes). */
export function encodeHistory(cbor: CborCodec, evidence: readonly Evidence[]): Uint8Array {
  const items = keep(evidence);
  const base = items.length ? items[0].s : 0;
  const flat: number[] = [HISTORY_FORMAT, base];
  for (const item of items) flat.push(item.n * 4 + item.status, base - item.s);
  let bytes = cbor.encode(flat);
  // Never taken with the bound above; kept so that a codec writing longer integers costs the oldest items, not the record.
  while (bytes.length > HISTORY_CAP.bytes && flat.length > 2) {
    flat.length -= 2;
    bytes = cbor.encode(flat);
  }
  return bytes;
}

/** An item's time may lag its newest sighting by this much before the record is written again for it. */
export const HISTORY_REFRESH_S = 3600;

/**
 * What the record of `evidence` would hold, its times to the hour, as text: two diagnoses with
 * the same content need one write (ENTER on a PIN pad diagnoses at every press; flash wears).
 * The same failures seen again refresh their time at most once an hour, so the next boot's 24 h
 * window (gather.ts) may drop an item at most an hour early. Order does not count.
 */
export function historyContent(evidence: readonly Evidence[]): string {
  const items = keep(evidence);
  const parts: string[] = [];
  for (const item of items) parts.push(`${item.n * 4 + item.status}@${Math.floor(item.s / HISTORY_REFRESH_S)}`);
  return parts.sort().join(' ');
}

const whole = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/**
 * The evidence a history record holds, newest first. Uptime is 0: an uptime of an earlier boot
 * means nothing now.
 * @throws DiagnosisError 'history-malformed' (not this shape), 'history-format' (a format this firmware does not know)
 */
export function decodeHistory(cbor: CborCodec, bytes: Uint8Array): Evidence[] {
  let value: unknown;
  try {
    value = cbor.decode(bytes);
  } catch (error) {
    throw new DiagnosisError('history-malformed', `history record: ${error instanceof Error ? error.message : 'undecodable'}`);
  }
  if (!Array.isArray(value) || value.length < 2 || value.length % 2 !== 0 || value.length > 2 + 2 * READ_LIMIT)
    throw new DiagnosisError('history-malformed', 'history record is not [format, base, packed, age, …]');
  if (!whole(value[0], MAX_SECONDS)) throw new DiagnosisError('history-malformed', 'history format is not a number');
  if (value[0] !== HISTORY_FORMAT) throw new DiagnosisError('history-format', `history format ${value[0]} (this firmware reads ${HISTORY_FORMAT})`);
  const base = value[1];
  if (!whole(base, MAX_SECONDS)) throw new DiagnosisError('history-malformed', 'history base time is not whole seconds');
  const out: Evidence[] = [];
  for (let i = 2; i < value.length; i += 2) {
    const packed = value[i];
    const age = value[i + 1];
    if (!whole(packed, MAX_EVIDENCE_NUMBER * 4 + 3) || !whole(age, base))
      throw new DiagnosisError('history-malformed', `history item ${(i - 2) / 2}: not a packed code and an age within the base time`);
    out.push(numberedEvidence(Math.floor(packed / 4), STATUSES[packed % 4], (base - age) * 1000));
  }
  return out;
}
