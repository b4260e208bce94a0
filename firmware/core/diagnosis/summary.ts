/**
 * The diagnosis summary the support page's QR code holds: a CBOR map (RFC 8949) with small
 * integer keys, so it fits a QR symbol of version 10 or less at error correction M in byte
 * mode (213 bytes, ISO/IEC 18004 table 7) whatever the diagnosis.
 *
 *   0  format version (1)
 *   1  terminal ID (text), when configured
 *   2  firmware version (text)
 *   3  the RTC's time, whole seconds since 1970 (uint)
 *   4  cause numbers not ruled out, in rank order (array of uint; causes.ts's wire numbers)
 *   5  evidence code numbers of the failures, then the warnings (array of uint; evidence.ts)
 *   6  serial number (text), when known
 *   7  [causes left out, evidence left out] (array of two uint), only when a list was capped
 *
 * Caps: texts 24 printable ASCII characters, 16 cause numbers below 256, 24 evidence numbers
 * below 2¹⁶, time below 2³²; what a cap leaves out is counted under key 7. Bound: 207 bytes
 * (map head 1, key 0 2, three texts 3 × 27, time 6, causes 2 + 16 × 2, evidence 3 + 24 × 3,
 * key 7 2 + 2 × 3); a test builds 205 (key 7's counts need 3 bytes only past 255).
 * Only numbers and the terminal's own ids go in, never an evidence detail: the summary holds no
 * key and no PAN by construction.
 */
import { createCborCodec } from '../store/cbor';
import { DiagnosisError } from './errors';
import { evidenceNumber } from './evidence';
import type { Diagnosis } from './types';

export const SUMMARY_VERSION = 1;
/** Largest summary: what a version-10 QR symbol holds at level M in byte mode. */
export const SUMMARY_MAX_BYTES = 213;
export const SUMMARY_MAX_CAUSES = 16;
export const SUMMARY_MAX_EVIDENCE = 24;
export const SUMMARY_MAX_TEXT = 24;
const MAX_SECONDS = 0xffffffff;
const MAX_NUMBER = 0xffff;
/** Cause numbers stay below 256 (two CBOR bytes each): the catalogue's run to 49. */
const MAX_CAUSE = 0xff;

/** The terminal's ids as the summary carries them. */
export interface SummaryIds {
  terminalId?: string;
  firmwareVersion: string;
  serialNumber?: string;
}

/** A summary read back. */
export interface SummaryJson {
  version: number;
  terminalId?: string;
  firmwareVersion: string;
  /** The terminal's RTC, seconds since 1970, and as ISO 8601. */
  wallSeconds: number;
  time: string;
  causes: number[];
  evidence: number[];
  serialNumber?: string;
  /** How many causes and evidence numbers the caps left out. */
  omitted?: { causes: number; evidence: number };
}

/** At most SUMMARY_MAX_TEXT characters, anything but printable ASCII as '?'. */
function clip(text: string): string {
  return text.slice(0, SUMMARY_MAX_TEXT).replace(/[^\x20-\x7e]/g, '?');
}

/** The failures' evidence numbers, then the warnings', each once; codes without a number are left out (counted). */
function evidenceNumbers(d: Diagnosis): { numbers: number[]; unnumbered: number } {
  const numbers: number[] = [];
  let unnumbered = 0;
  for (const status of ['fail', 'warn'] as const)
    for (const e of d.evidence) {
      if (e.status !== status) continue;
      const n = evidenceNumber(e.code);
      if (n === undefined || n > MAX_NUMBER) unnumbered++;
      else if (!numbers.includes(n)) numbers.push(n);
    }
  return { numbers, unnumbered };
}

/**
 * The summary bytes of a diagnosis.
 * @throws DiagnosisError 'diagnosis-range' for a cause number past 255 (the catalogue has none)
 */
export function encodeSummary(d: Diagnosis, ids: SummaryIds): Uint8Array {
  const causes = d.causes.filter((c) => c.status !== 'ruled-out').map((c) => c.number);
  for (const n of causes) if (!(Number.isInteger(n) && n >= 0 && n <= MAX_CAUSE)) throw new DiagnosisError('diagnosis-range', `cause number ${n} is not 0–${MAX_CAUSE}`);
  const { numbers, unnumbered } = evidenceNumbers(d);
  const map = new Map<number, unknown>([[0, SUMMARY_VERSION]]);
  if (ids.terminalId !== undefined) map.set(1, clip(ids.terminalId));
  map.set(2, clip(ids.firmwareVersion));
  map.set(3, Math.min(MAX_SECONDS, Math.max(0, Math.floor(d.wallMs / 1000))));
  map.set(4, causes.slice(0, SUMMARY_MAX_CAUSES));
  map.set(5, numbers.slice(0, SUMMARY_MAX_EVIDENCE));
  if (ids.serialNumber !== undefined) map.set(6, clip(ids.serialNumber));
  const omitted = [Math.max(0, causes.length - SUMMARY_MAX_CAUSES), Math.max(0, numbers.length - SUMMARY_MAX_EVIDENCE) + unnumbered];
  if (omitted[0] || omitted[1]) map.set(7, omitted.map((n) => Math.min(n, MAX_NUMBER)));
  return createCborCodec().encode(map);
}

const malformed = (why: string) => new DiagnosisError('summary-malformed', `not a diagnosis summary: ${why}`);

function text(value: unknown, key: number): string {
  if (typeof value !== 'string' || value.length > SUMMARY_MAX_TEXT) throw malformed(`key ${key} is not a text of at most ${SUMMARY_MAX_TEXT} characters`);
  return value;
}

function uint(value: unknown, key: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw malformed(`key ${key} is not an integer from 0 to ${max}`);
  return value;
}

function uints(value: unknown, key: number, cap: number, max = MAX_NUMBER): number[] {
  if (!Array.isArray(value) || value.length > cap) throw malformed(`key ${key} is not a list of at most ${cap} numbers`);
  return value.map((v) => uint(v, key, max));
}

/**
 * Reads summary bytes (a QR code's payload) back.
 * @throws DiagnosisError 'summary-malformed' (not CBOR, not the map, a key or value wrong), 'summary-version'
 */
export function decodeSummary(bytes: Uint8Array): SummaryJson {
  if (bytes.length > SUMMARY_MAX_BYTES) throw malformed(`${bytes.length} bytes, more than ${SUMMARY_MAX_BYTES}`);
  let value: unknown;
  try {
    value = createCborCodec().decode(bytes);
  } catch (error) {
    throw malformed(error instanceof Error ? error.message : 'undecodable CBOR');
  }
  // Integer keys arrive as the decoder's object keys "0"…"7"; a list, a text or a tagged map (a Map) is no summary.
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) throw malformed('not a plain CBOR map');
  const map = value as Record<string, unknown>;
  for (const key of Object.keys(map)) if (!/^[0-7]$/.test(key)) throw malformed(`unknown key ${key.slice(0, 16)}`);
  for (const key of ['0', '2', '3', '4', '5']) if (!(key in map)) throw malformed(`key ${key} missing`);
  const version = uint(map[0], 0, MAX_NUMBER);
  if (version !== SUMMARY_VERSION) throw new DiagnosisError('summary-version', `summary format ${version} is not known (this firmware reads ${SUMMARY_VERSION})`);
  const wallSeconds = uint(map[3], 3, MAX_SECONDS);
  const summary: SummaryJson = {
    version,
    firmwareVersion: text(map[2], 2),
    wallSeconds,
    time: new Date(wallSeconds * 1000).toISOString(),
    causes: uints(map[4], 4, SUMMARY_MAX_CAUSES, MAX_CAUSE),
    evidence: uints(map[5], 5, SUMMARY_MAX_EVIDENCE),
  };
  if ('1' in map) summary.terminalId = text(map[1], 1);
  if ('6' in map) summary.serialNumber = text(map[6], 6);
  if ('7' in map) {
    const [causes, evidence, ...rest] = uints(map[7], 7, 2);
    if (causes === undefined || evidence === undefined || rest.length) throw malformed('key 7 is not two counts');
    summary.omitted = { causes, evidence };
  }
  return summary;
}
