/**
 * Data Object Lists (EMV 4.4 Book 3 §5.4): a DOL is tag ‖ length pairs the card sends (PDOL 9F38,
 * CDOL1 8C, CDOL2 8D, DDOL 9F49); the terminal answers with the values concatenated, each cut or
 * padded to the length asked. The terminal's own data objects come from the sale and the profile.
 */
import { CardError } from '../errors';
import type { CardProfile } from '../../config/cardProfile';
import { tagFormat } from './tagNames';
import { tagHex } from './tlv';

export interface DolEntry {
  tag: number;
  length: number;
}

/** Entries in one DOL: a 252-byte DOL of 3-byte tags has 63. */
export const DOL_MAX_ENTRIES = 64;
/** DOL data a short APDU can carry (Lc 255 less the GPO's 83 template header). */
export const DOL_MAX_DATA = 252;

/**
 * Parses a DOL (tags of 1–3 bytes, one length byte each).
 * @throws CardError 'dol-malformed'
 */
export function parseDol(bytes: Uint8Array): DolEntry[] {
  const out: DolEntry[] = [];
  let i = 0;
  let total = 0;
  while (i < bytes.length) {
    const at = i;
    let tag = bytes[i++];
    if ((tag & 0x1f) === 0x1f) {
      let n = 1;
      for (;;) {
        if (i >= bytes.length) throw new CardError('dol-malformed', `DOL tag at offset ${at} runs past the end`);
        const next = bytes[i++];
        tag = tag * 256 + next;
        if ((next & 0x80) === 0) break;
        if (++n >= 3) throw new CardError('dol-malformed', `DOL tag at offset ${at} longer than 3 bytes`);
      }
    }
    if (i >= bytes.length) throw new CardError('dol-malformed', `DOL length of ${tagHex(tag)} at offset ${at} missing`);
    const length = bytes[i++];
    total += length;
    if (total > DOL_MAX_DATA) throw new CardError('dol-malformed', `DOL asks for more than ${DOL_MAX_DATA} bytes (offset ${at})`);
    if (out.length >= DOL_MAX_ENTRIES) throw new CardError('dol-malformed', `DOL of more than ${DOL_MAX_ENTRIES} entries`);
    out.push({ tag, length });
  }
  return out;
}

/**
 * DOL data from the values known (§5.4): an absent or unknown tag is zeros; a longer value is cut
 * (numeric 'n': its rightmost bytes, else its leftmost); a shorter one padded (numeric: leading
 * zeros; compressed numeric 'cn': trailing FF; else trailing zeros). Constructed tags are zeros.
 */
export function buildDolData(entries: readonly DolEntry[], values: ReadonlyMap<number, Uint8Array>): Uint8Array {
  let n = 0;
  for (let i = 0; i < entries.length; i++) n += entries[i].length;
  const out = new Uint8Array(n);
  let at = 0;
  for (let i = 0; i < entries.length; i++) {
    const { tag, length } = entries[i];
    const v = values.get(tag);
    if (v && !isConstructed(tag)) {
      const format = tagFormat(tag);
      if (format === 'n') {
        if (v.length >= length) out.set(v.subarray(v.length - length), at);
        else out.set(v, at + length - v.length);
      } else {
        out.set(v.length > length ? v.subarray(0, length) : v, at);
        if (format === 'cn') out.fill(0xff, at + Math.min(v.length, length), at + length);
      }
    }
    at += length;
  }
  return out;
}

function isConstructed(tag: number): boolean {
  const first = tag > 0xffff ? tag >>> 16 : tag > 0xff ? tag >>> 8 : tag;
  return (first & 0x20) !== 0;
}

/** BCD of a decimal string, left-padded with zeros to `bytes` (amounts, dates, codes). */
export function bcd(digits: string, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const s = digits.length >= bytes * 2 ? digits.slice(digits.length - bytes * 2) : '0'.repeat(bytes * 2 - digits.length) + digits;
  for (let i = 0; i < bytes; i++) out[i] = ((s.charCodeAt(2 * i) - 48) << 4) | (s.charCodeAt(2 * i + 1) - 48);
  return out;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

/** What the terminal knows of a sale: the inputs of its data objects. */
export interface TerminalSale {
  amountMinor: number;
  otherMinor?: number;
  /** ISO 4217 numeric, 4 digits ('0156'). */
  currency: string;
  /** 9C: 00 goods and services. */
  txnType: number;
  /** YYMMDD. */
  date: string;
  /** HHMMSS. */
  time?: string;
  /** 9F37, 4 bytes. */
  unpredictable: Uint8Array;
  profile: CardProfile;
}

/**
 * The terminal data objects (9F02 9F03 9F1A 5F2A 9A 9C 9F21 9F37 9F66 9F35 9F33 9F40 95 9F7A) of
 * a sale, TVR as given. A map the flow then adds card and result objects to.
 */
export function terminalData(sale: TerminalSale, tvr: Uint8Array): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  const t = sale.profile.terminal;
  m.set(0x9f02, bcd(String(Math.max(0, Math.floor(sale.amountMinor))), 6));
  m.set(0x9f03, bcd(String(Math.max(0, Math.floor(sale.otherMinor ?? 0))), 6));
  m.set(0x9f1a, bcd(t.country, 2));
  m.set(0x5f2a, bcd(sale.currency, 2));
  m.set(0x9a, bcd(sale.date, 3));
  m.set(0x9c, bcd(String(sale.txnType & 0xff).padStart(2, '0'), 1));
  if (sale.time) m.set(0x9f21, bcd(sale.time, 3));
  m.set(0x9f37, sale.unpredictable);
  m.set(0x9f66, hexBytes(t.ttq));
  m.set(0x9f35, hexBytes(t.type));
  m.set(0x9f33, hexBytes(t.capabilities));
  m.set(0x9f40, hexBytes(t.additional));
  m.set(0x95, tvr);
  m.set(0x9f7a, Uint8Array.of(0)); // VLP (electronic cash) not supported for these sales
  return m;
}
