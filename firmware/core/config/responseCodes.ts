/**
 * An acquirer's response-code table (ISO 8583 field 39): code → what it means to the terminal
 * (a category) and a short text for the screen in each language. Per acquirer, because the
 * same code means different things to different hosts (one acquirer's 83 is "invalid
 * terminal"; the CUP POS table says 97 for "terminal not registered").
 *
 * How the table is held: a CUP table has 60-odd entries. As parsed objects that is about five
 * XS slots each (the entry, its three properties, the table's property): ~300 of the board's
 * 4,928 slots for the terminal's life, plus the texts' chunks. Parsed once and validated, the
 * table is packed into ONE string instead (one slot, the texts' bytes in one chunk), and an
 * entry is unpacked only when the host answers with its code. Category words come from the
 * frozen list below (in flash on the device), never from the decoded profile.
 *
 * Packing: "\x1e" then, per entry, code (2) ‖ category index (1 digit) ‖ zh ‖ "\x1f" ‖ en ‖ "\x1e".
 * Codes are [0-9A-Z]{2} and texts have no control characters, so "\x1e" + code finds an entry.
 */
import type { ResponseCategory, ResponseCodeEntry } from '../host/types';
import { deepFreeze } from '../freeze';

export const RESPONSE_CATEGORIES = deepFreeze([
  'approved',
  'declined',
  'retry',
  're-sign-on',
  'terminal-invalid',
  'merchant-restricted',
  'card-problem',
  'host-problem',
] as const);

// Every category of types.ts is in the list (a compile error otherwise).
type Missing = Exclude<ResponseCategory, (typeof RESPONSE_CATEGORIES)[number]>;
const everyCategory: [Missing] extends [never] ? true : Missing = true;
void everyCategory;

/** Text limits (characters): the screens give a host's text one or two lines. */
export const RESPONSE_TEXT_LIMITS = deepFreeze({ zh: 24, en: 40 });

/**
 * What a code the table does not list means: the CUP POS table's own rule ("如 39 域的内容不能
 * 在下表中找到，就显示'交易失败'": a code not in the table shows "transaction failed").
 */
export const UNLISTED_RESPONSE: ResponseCodeEntry = deepFreeze({ category: 'declined', zh: '交易失败', en: 'Transaction failed' });

const ENTRY_START = '\x1e';
const TEXT_SEPARATOR = '\x1f';

/** A validated response-code table, packed (see above). */
export class ResponseCodeTable {
  readonly #packed: string;
  /** Number of codes. */
  readonly size: number;

  /** Use parseResponseCodes(); `packed` is trusted to be well-formed. */
  constructor(packed: string, size: number) {
    this.#packed = packed;
    this.size = size;
  }

  /** The table's entry for `code`, or undefined when it does not list it. */
  get(code: string): ResponseCodeEntry | undefined {
    if (!/^[0-9A-Z]{2}$/.test(code)) return undefined;
    const at = this.#packed.indexOf(ENTRY_START + code);
    if (at < 0) return undefined;
    const end = this.#packed.indexOf(ENTRY_START, at + 3);
    const separator = this.#packed.indexOf(TEXT_SEPARATOR, at + 3);
    return {
      category: RESPONSE_CATEGORIES[Number(this.#packed[at + 3])],
      zh: this.#packed.slice(at + 4, separator),
      en: this.#packed.slice(separator + 1, end),
    };
  }

  /** The entry for `code`, or UNLISTED_RESPONSE (category 'declined') when the table does not list it. */
  lookup(code: string): ResponseCodeEntry {
    return this.get(code) ?? UNLISTED_RESPONSE;
  }

  /** The codes, in the profile's order. */
  codes(): string[] {
    const codes: string[] = [];
    for (let at = 0; at < this.#packed.length - 1; at = this.#packed.indexOf(ENTRY_START, at + 3)) codes.push(this.#packed.slice(at + 1, at + 3));
    return codes;
  }

  /** The first code of a category in the profile's order (e.g. which code this acquirer uses for 'terminal-invalid'). */
  codeOf(category: ResponseCategory): string | undefined {
    const index = RESPONSE_CATEGORIES.indexOf(category);
    for (const code of this.codes()) if (this.#packed[this.#packed.indexOf(ENTRY_START + code) + 3] === String(index)) return code;
    return undefined;
  }

  /** The table as plain data (for the toolbox, traces and the simulated acquirer's configuration). */
  toJSON(): Record<string, ResponseCodeEntry> {
    const out: Record<string, ResponseCodeEntry> = {};
    for (const code of this.codes()) out[code] = this.get(code) as ResponseCodeEntry;
    return out;
  }
}

export type ResponseCodesParsed = { ok: true; value: ResponseCodeTable } | { ok: false; field: string; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;

/** A text's problem, or undefined when it is fine. Never String(value): a hostile object would throw. */
function textProblem(value: unknown, lang: 'zh' | 'en'): string | undefined {
  if (typeof value !== 'string') return `must be text, not ${kind(value)}`;
  const length = [...value].length;
  if (length < 1 || length > RESPONSE_TEXT_LIMITS[lang]) return `must be 1–${RESPONSE_TEXT_LIMITS[lang]} characters`;
  if (value.trim() !== value || CONTROL.test(value)) return 'must have no control characters and no spaces at either end';
  if (lang === 'en' && !/^[\x20-\x7e]+$/.test(value)) return 'must be printable ASCII';
  return undefined;
}

/**
 * Validates a response-code table: code (2 characters 0-9 A-Z) → {category, zh, en} or the
 * shorter [category, zh, en] (what shipped profiles use: about 870 bytes less CBOR for a CUP
 * table, which has to fit one NVS value with the rest of the profile), at least
 * one code meaning 'approved'. The first problem is returned with the field it is in, relative
 * to the table ("83.category", "" for the table itself).
 */
export function parseResponseCodes(input: unknown): ResponseCodesParsed {
  if (!isObject(input)) return { ok: false, field: '', reason: 'must map codes to {category, zh, en}' };
  let packed = ENTRY_START;
  let size = 0;
  let approved = false;
  for (const code of Object.keys(input)) {
    if (!/^[0-9A-Z]{2}$/.test(code)) return { ok: false, field: code, reason: 'code must be 2 characters 0-9 A-Z' };
    const entry = input[code];
    // [category, zh, en] is the stored form (a CUP table as objects overflows one 4,000-byte NVS value).
    const tuple = Array.isArray(entry) && entry.length === 3;
    if (!isObject(entry) && !tuple) return { ok: false, field: code, reason: `must be {category, zh, en} or [category, zh, en], not ${kind(entry)}` };
    const fields = entry as Record<string, unknown>;
    const [category, zh, en] = tuple ? (entry as unknown[]) : [fields.category, fields.zh, fields.en];
    if (typeof category !== 'string') return { ok: false, field: `${code}.category`, reason: `must be text, not ${kind(category)}` };
    const index = RESPONSE_CATEGORIES.indexOf(category as ResponseCategory);
    if (index < 0) return { ok: false, field: `${code}.category`, reason: `unknown category "${category.slice(0, 32)}"` };
    const zhProblem = textProblem(zh, 'zh');
    if (zhProblem) return { ok: false, field: `${code}.zh`, reason: zhProblem };
    const enProblem = textProblem(en, 'en');
    if (enProblem) return { ok: false, field: `${code}.en`, reason: enProblem };
    approved ||= category === 'approved';
    packed += `${code}${index}${zh as string}${TEXT_SEPARATOR}${en as string}${ENTRY_START}`;
    size++;
  }
  if (!approved) return { ok: false, field: '', reason: 'must say which code means approved' };
  return { ok: true, value: new ResponseCodeTable(packed, size) };
}
