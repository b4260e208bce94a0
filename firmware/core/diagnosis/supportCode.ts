/**
 * The support code: what a merchant reads to support over the phone, `XXXX-XXXX-C`.
 *
 * Alphabet: Crockford's base 32 (0-9 A-Z without I L O U), so no two symbols sound or look
 * alike; reading it back, lower case, spaces and hyphens are ignored and O reads as 0, I and L
 * as 1, as Crockford's decoding rules allow.
 *
 * Content, 40 bits in the 8 data symbols (5 bits each, most significant first):
 *
 *   bits 39–37  format version (1)
 *   bits 36–30  first cause number not ruled out (0 = none)     — causes.ts's wire numbers
 *   bits 29–23  second cause number (0 = none)
 *   bits 22–16  third cause number (0 = none)
 *   bits 15–0   the RTC's hour: whole hours since 2020-01-01T00:00Z, modulo 2¹⁶ (7.5 years)
 *
 * The 9th symbol is a check character: Damm's algorithm over GF(32) (H. M. Damm, "Total
 * anti-symmetrische Quasigruppen", 2004) with the quasigroup x∗y = 2·x ⊕ y (field polynomial
 * x⁵ + x² + 1). Each row and column of x∗y is a permutation (2 is invertible), so any single
 * substituted symbol changes the result; and (c∗x)∗y = (c∗y)∗x gives 2·(x ⊕ y) = x ⊕ y, so
 * x = y (weak total anti-symmetry, 2 ≠ 1), so any two adjacent symbols swapped, the check
 * character included, changes it too. Crockford's own mod-37 check was not taken: its extra
 * symbols (* ~ $ = U) fall outside the alphabet a person is asked to read.
 */
import { DiagnosisError } from './errors';
import type { Diagnosis } from './types';
import type { SummaryIds } from './summary';

export const SUPPORT_CODE_VERSION = 1;
/** Cause numbers the code carries: the top three causes not ruled out. */
export const SUPPORT_CODE_CAUSES = 3;
/** Largest cause number a 7-bit field holds. */
export const SUPPORT_CODE_MAX_CAUSE = 127;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 2020-01-01T00:00:00Z: the hour stamp's origin. */
const HOUR_EPOCH_MS = 1_577_836_800_000;
const HOUR_MS = 3_600_000;
const HOUR_WRAP = 0x10000;
const DATA_SYMBOLS = 8;

/** What a support code says. */
export interface SupportCodeContent {
  version: number;
  /** Cause numbers, in rank order, at most three. */
  causes: number[];
  /** Hours since 2020-01-01T00:00Z modulo 2¹⁶, as the terminal's RTC read them. */
  hourStamp: number;
}

export interface DecodedSupportCode extends SupportCodeContent {
  /** The code as the terminal shows it (canonical form). */
  code: string;
  /** Start of the hour, resolved against the reference time given to the decoder. */
  hourMs?: number;
}

/** x∗y = 2·x ⊕ y in GF(32) modulo x⁵ + x² + 1. */
function step(interim: number, symbol: number): number {
  const doubled = interim << 1;
  return (doubled & 0x20 ? doubled ^ 0x25 : doubled) ^ symbol;
}

/** The symbol that brings the Damm interim of `symbols` back to 0: 2·interim. */
function checkSymbol(symbols: readonly number[]): number {
  return step(symbols.reduce(step, 0), 0);
}

/** `wallMs` as the code's hour stamp (a clock before 2020 wraps like any other). */
export function hourStamp(wallMs: number): number {
  const hours = Math.floor((wallMs - HOUR_EPOCH_MS) / HOUR_MS);
  return ((hours % HOUR_WRAP) + HOUR_WRAP) % HOUR_WRAP;
}

/**
 * The support code of `content`.
 * @throws DiagnosisError 'diagnosis-range' for a version, cause number or stamp its field cannot hold
 */
export function encodeSupportCode(content: SupportCodeContent): string {
  const { version, causes, hourStamp: stamp } = content;
  if (!(Number.isInteger(version) && version >= 1 && version <= 7)) throw new DiagnosisError('diagnosis-range', `support code version ${version} is not 1–7`);
  if (causes.length > SUPPORT_CODE_CAUSES) throw new DiagnosisError('diagnosis-range', `a support code carries ${SUPPORT_CODE_CAUSES} causes, not ${causes.length}`);
  for (const n of causes)
    if (!(Number.isInteger(n) && n >= 1 && n <= SUPPORT_CODE_MAX_CAUSE)) throw new DiagnosisError('diagnosis-range', `cause number ${n} is not 1–${SUPPORT_CODE_MAX_CAUSE}`);
  if (!(Number.isInteger(stamp) && stamp >= 0 && stamp < HOUR_WRAP)) throw new DiagnosisError('diagnosis-range', `hour stamp ${stamp} is not 0–65535`);
  // 24 high bits (version, causes) and 16 low bits (hour): 40 bits, a safe integer.
  const high = (version << 21) | ((causes[0] ?? 0) << 14) | ((causes[1] ?? 0) << 7) | (causes[2] ?? 0);
  let value = high * HOUR_WRAP + stamp;
  const symbols: number[] = [];
  for (let i = 0; i < DATA_SYMBOLS; i++) {
    symbols.unshift(value % 32);
    value = Math.floor(value / 32);
  }
  const chars = [...symbols, checkSymbol(symbols)].map((s) => ALPHABET[s]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars[8]}`;
}

/**
 * The support code of a diagnosis: its first three causes not ruled out, and its RTC hour.
 * The second argument (the summary's ids) is taken as the contract writes the call; the code carries none of them (the QR
 * summary carries TID, firmware and serial number).
 * @throws DiagnosisError 'diagnosis-range' for a cause number past 127
 */
export function supportCode(d: Diagnosis, _ids?: SummaryIds): string {
  const causes = d.causes.filter((c) => c.status !== 'ruled-out').slice(0, SUPPORT_CODE_CAUSES).map((c) => c.number);
  return encodeSupportCode({ version: SUPPORT_CODE_VERSION, causes, hourStamp: hourStamp(d.wallMs) });
}

/** Symbol values of text as a person may type it: case, spaces and hyphens ignored; O → 0, I and L → 1. */
function readSymbols(text: string): number[] {
  const plain = text.toUpperCase().replace(/[\s-]+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  const symbols: number[] = [];
  for (const char of plain) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) throw new DiagnosisError('support-code-malformed', `'${char}' is not a support code character (0-9 and A-Z without I, L, O, U)`);
    symbols.push(value);
  }
  if (symbols.length !== DATA_SYMBOLS + 1) throw new DiagnosisError('support-code-malformed', `a support code has ${DATA_SYMBOLS + 1} characters, not ${symbols.length}`);
  return symbols;
}

/**
 * Reads a support code back. With `referenceMs` (the reader's clock), the hour stamp is placed
 * in the latest hour it can stand for that is not more than a day after the reference.
 * @throws DiagnosisError 'support-code-malformed', 'support-code-check' (a character misread or
 * two swapped), 'support-code-version'
 */
export function decodeSupportCode(text: string, referenceMs?: number): DecodedSupportCode {
  const symbols = readSymbols(text);
  if (symbols.reduce(step, 0) !== 0) throw new DiagnosisError('support-code-check', 'the check character does not match: a character is misread or two are swapped');
  const value = symbols.slice(0, DATA_SYMBOLS).reduce((v, s) => v * 32 + s, 0);
  const stamp = value % HOUR_WRAP;
  const high = Math.floor(value / HOUR_WRAP);
  const version = high >>> 21;
  if (version !== SUPPORT_CODE_VERSION) throw new DiagnosisError('support-code-version', `support code format ${version} is not known (this firmware reads ${SUPPORT_CODE_VERSION})`);
  const fields = [(high >>> 14) & 0x7f, (high >>> 7) & 0x7f, high & 0x7f];
  const count = fields.indexOf(0) < 0 ? fields.length : fields.indexOf(0);
  if (fields.slice(count).some((n) => n !== 0)) throw new DiagnosisError('support-code-malformed', 'a cause number follows an empty cause field');
  const code = encodeSupportCode({ version, causes: fields.slice(0, count), hourStamp: stamp });
  const decoded: DecodedSupportCode = { code, version, causes: fields.slice(0, count), hourStamp: stamp };
  if (referenceMs !== undefined) {
    const latest = Math.floor((referenceMs - HOUR_EPOCH_MS) / HOUR_MS) + 24;
    const hours = stamp + Math.floor((latest - stamp) / HOUR_WRAP) * HOUR_WRAP;
    decoded.hourMs = HOUR_EPOCH_MS + hours * HOUR_MS;
  }
  return decoded;
}
