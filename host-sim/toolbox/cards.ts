/**
 * Card data on the command line, read by the firmware's own code: `tlv decode` (EMV BER-TLV as a
 * tree with tag names), `track2` (ISO/IEC 7813 parse and checks), `pan` (Luhn), `qr` (a
 * customer's payment code classified). Card numbers are masked in every output (first six, last
 * four, card/pan's maskPan), track discretionary data is never printed, and each command reads
 * its input from standard input with `-`, so a PAN need not appear on a command line.
 */
import { toHex } from '../../firmware/core/bytes';
import { CardError } from '../../firmware/core/card/errors';
import { parseTlv, tagHex, type Tlv } from '../../firmware/core/card/emv/tlv';
import { tagName } from '../../firmware/core/card/emv/tagNames';
import { luhnValid, maskPan } from '../../firmware/core/card/pan';
import { classifyPaymentCode } from '../../firmware/core/card/qrCodes';
import { parseTrack2, validateTrack2 } from '../../firmware/core/card/track2';
import { InputError, UsageError, type Args } from './args';
import type { Command, ToolResult } from './command';

/** Longest input read from standard input: a TLV dump of a whole card fits many times over. */
const STDIN_LIMIT = 64 * 1024;

/** The one word a command takes, or standard input for `-`. */
function inputWord(args: Args, what: string): string {
  const [word] = args.positionals([what]);
  if (word !== '-') return word;
  const bytes = args.file('FILE', '-');
  if (bytes.length > STDIN_LIMIT) throw new InputError('input-malformed', `standard input holds ${bytes.length} bytes; ${what} is at most ${STDIN_LIMIT}`);
  return Buffer.from(bytes).toString('latin1');
}

/** Digits of a BCD PAN (5A): the 'F' pad nibble dropped. */
function bcdDigits(value: Uint8Array): string {
  return toHex(value).toUpperCase().replace(/F+$/, '');
}

/** A track image (57, 9F6B as hex, field 35 or 36 digits): the PAN masked, everything after its separator ('=' or 'D') as '*'; all '*' without one. */
export function maskTrackHex(hex: string): string {
  const at = hex.search(/[=D]/i);
  if (at < 0) return '*'.repeat(hex.length);
  return `${maskPan(hex.slice(0, at))}=${'*'.repeat(hex.length - at - 1)}`;
}

/** Tags whose value carries a PAN or track data, and how each is shown. */
function maskedValue(tag: number, value: Uint8Array): string | undefined {
  switch (tag) {
    case 0x5a:
      return maskPan(bcdDigits(value));
    case 0x57:
    case 0x9f6b:
      return maskTrackHex(toHex(value).toUpperCase());
    case 0x56: // track 1 data (PAN, name, discretionary)
    case 0x9f1f: // track 1 discretionary data
    case 0x9f20: // track 2 discretionary data
      return `(${value.length} bytes of track data, not shown)`;
    default:
      return undefined;
  }
}

export interface TlvNode {
  tag: string;
  name: string | null;
  length: number;
  value?: string;
  masked?: true;
  children?: TlvNode[];
}

export function tlvNode(t: Tlv): TlvNode {
  const node: TlvNode = { tag: tagHex(t.tag), name: tagName(t.tag) ?? null, length: t.value.length };
  if (t.children) node.children = t.children.map(tlvNode);
  else {
    const masked = maskedValue(t.tag, t.value);
    if (masked !== undefined) {
      node.value = masked;
      node.masked = true;
    } else node.value = toHex(t.value).toUpperCase();
  }
  return node;
}

function tlvLines(nodes: readonly TlvNode[], depth: number, into: string[]): string[] {
  for (const n of nodes) {
    const head = `${'  '.repeat(depth)}${n.tag} ${n.name ?? '(unknown tag)'} [${n.length}]`;
    into.push(n.children ? head : `${head}: ${n.value}`);
    if (n.children) tlvLines(n.children, depth + 1, into);
  }
  return into;
}

export const tlvDecode: Command = {
  name: 'tlv decode',
  summary: 'EMV BER-TLV (hex) as a tree with tag names; PANs and track data masked',
  synopsis: 'HEX | - [--json]',
  options: [],
  notes: [
    'HEX is the data objects as hex digits (white space allowed); - reads them from standard input. Parsed by the firmware (card/emv/tlv.ts, EMV Book 3 Annex B): multi-byte tags, lengths up to 3 bytes, 00/FF padding; indefinite lengths and malformed data exit 2.',
    'Tag 5A shows the first six and last four digits of the PAN; 57 and 9F6B the masked PAN and "*" for the rest; track 1 and discretionary data only their length.',
    'Example: xspos-tool tlv decode 6F1A840E315041592E5359532E4444463031A5088801025F2D02656E',
  ],
  run(args): ToolResult {
    const text = inputWord(args, 'HEX').replace(/\s+/g, '');
    if (!/^(?:[0-9A-Fa-f]{2})+$/.test(text)) throw new UsageError(`tlv decode takes hex digits, two per byte (${text.length} characters given, not shown)`);
    const tree = parseTlv(Uint8Array.from(Buffer.from(text, 'hex'))).map(tlvNode);
    return { ok: true, value: { objects: tree }, text: tlvLines(tree, 0, []).join('\n') };
  },
};

/** This month as YYMM (UTC), or --at. */
function todayYymm(args: Args): string {
  const at = args.optional('at');
  if (at !== undefined) {
    if (!/^[0-9]{2}(?:0[1-9]|1[0-2])$/.test(at)) throw new UsageError('--at must be YYMM, a month 01 to 12');
    return at;
  }
  const now = new Date();
  return `${String(now.getUTCFullYear() % 100).padStart(2, '0')}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

export const track2Command: Command = {
  name: 'track2',
  summary: 'a track 2 (as a magstripe module sends it, or PAN=… / chip tag 57) parsed and checked',
  synopsis: 'TRACK | - [--at YYMM] [--json]',
  options: [{ name: 'at', value: 'YYMM', help: 'judge the expiry date as of this month (default: this month, UTC).' }],
  notes: [
    'TRACK is ";PAN=YYMMSSS…?" with or without its LRC, or "PAN=YYMMSSS…", or a tag 57 in hex ("…D…F"); - reads it from standard input (better: it keeps the card number off the command line).',
    'Checks: layout (card/track2.ts), service code (ISO/IEC 7813), Luhn, expiry. Output: the PAN masked, expiry, service code, whether the card has a chip; discretionary data only by its length.',
    'Exit 1 when the track reads but the card fails a check (Luhn, expired, service code); 2 when it does not read.',
  ],
  run(args): ToolResult {
    const today = todayYymm(args);
    const track = parseTrack2(inputWord(args, 'TRACK').trim());
    let failure: CardError | undefined;
    try {
      validateTrack2(track, today);
    } catch (error) {
      if (!(error instanceof CardError)) throw error;
      failure = error;
    }
    const value = {
      pan: maskPan(track.pan),
      panDigits: track.pan.length,
      expiry: track.expiry,
      serviceCode: track.serviceCode,
      chip: track.chip,
      discretionaryDigits: track.discretionary.length,
      equivalent: maskTrackHex(track.equivalent),
      valid: failure === undefined,
      ...(failure ? { code: failure.code, problem: failure.message } : {}),
    };
    const text = [
      `PAN          ${value.pan} (${value.panDigits} digits)`,
      `expiry       ${track.expiry.slice(2)}/${track.expiry.slice(0, 2)} (YYMM ${track.expiry})`,
      `service code ${track.serviceCode}${track.chip ? ' (chip card: insert it rather than swipe)' : ''}`,
      `discretionary ${value.discretionaryDigits} digits (not shown)`,
      failure ? `FAILS: ${failure.code}: ${failure.message}` : `valid as of ${today}`,
    ].join('\n');
    return { ok: failure === undefined, value, text };
  },
};

export const panCommand: Command = {
  name: 'pan',
  summary: "a card number's Luhn check; the number only ever shown masked",
  synopsis: 'DIGITS | - [--json]',
  options: [],
  notes: [
    'DIGITS is the card number (spaces allowed); - reads it from standard input, which keeps it off the command line and out of shell history.',
    'Exit 1 when the number fails the Luhn check (ISO/IEC 7812-1) or is not 12 to 19 digits.',
  ],
  run(args): ToolResult {
    const digits = inputWord(args, 'DIGITS').replace(/[\s-]+/g, '');
    if (!/^[0-9]+$/.test(digits)) throw new UsageError(`a card number is digits (${digits.length} characters given, not shown)`);
    const length = digits.length >= 12 && digits.length <= 19;
    const luhn = luhnValid(digits);
    const masked = maskPan(digits);
    const value = { pan: masked, digits: digits.length, luhn, lengthOk: length };
    const verdict = !length ? `not 12 to 19 digits` : luhn ? 'Luhn check passes' : 'Luhn check FAILS';
    return { ok: luhn && length, value, text: `PAN ${masked} (${digits.length} digits): ${verdict}` };
  },
};

const SCHEME_NAMES = { wechat: 'WeChat Pay', alipay: 'Alipay', unionpay: 'UnionPay' } as const;

export const qrCommand: Command = {
  name: 'qr',
  summary: "a customer's payment code (as a scanner reads it) classified: WeChat Pay, Alipay or UnionPay",
  synopsis: 'CODE | - [--json]',
  options: [],
  notes: [
    'CODE is what the scanner read; - reads it from standard input (CR/LF at the end dropped). Rules (card/qrCodes.ts): WeChat Pay 18 digits beginning 10–15, Alipay 16–24 digits beginning 25–30, UnionPay 19 digits beginning 62.',
    'The code is shown masked (first six, last four). Exit 1 when it is no payment code the terminal takes.',
  ],
  run(args): ToolResult {
    const raw = inputWord(args, 'CODE');
    try {
      const code = classifyPaymentCode(raw);
      const masked = maskPan(code.code);
      return { ok: true, value: { scheme: code.scheme, code: masked, digits: code.code.length }, text: `${SCHEME_NAMES[code.scheme]} payment code ${masked} (${code.code.length} digits)` };
    } catch (error) {
      if (!(error instanceof CardError)) throw error;
      return { ok: false, value: { scheme: null, code: error.code, problem: error.message }, text: `not a payment code: ${error.message}` };
    }
  },
};
