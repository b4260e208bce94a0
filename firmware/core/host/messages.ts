/**
 * The CUP POS messages the terminal sends, as ISO 8583 field maps (packing, MACs and framing are
 * the session's). Field contents follow the CUP POS terminal message specification (中国银联
 * POS 终端消息域说明) as public CUP-POS terminal code uses it:
 *
 * - Field 60 (n...017): 60.1 message type code n2 ‖ 60.2 batch number n6 ‖ 60.3 network
 *   management code n3 ‖ for financial messages 60.4 terminal read capability n1 (6: contactless,
 *   contact and magstripe) ‖ 60.5 IC condition code n1 (0: not a fallback; 2: a fallback, the chip read before it failed).
 *   Management codes: sign-on 001 (single-length keys) / 003 (double-length) / 004 (double-length
 *   with a data key); sign-off 002; echo test 301; settlement 201; batch upload 201 (magstripe
 *   records), batch upload end 202 after a totals mismatch and 207 when the totals agreed.
 *   Sale 60.1 = 22 (消费), management messages 00.
 * - Field 22 (n3): entry mode 01 keyed, 02 swiped, 03 bar code (QR), 05 contact IC, 07
 *   contactless IC (qPBOC), then the PIN digit: 1 a PIN was entered, 2 none.
 * - Field 48 of the settlement (0500): domestic debit amount n12 ‖ count n3 ‖ credit amount n12 ‖
 *   count n3 ‖ reconciliation code n1, then the same five for foreign cards. The terminal sends
 *   code 0; the host answers 1 balanced (对账平), 2 not balanced (对账不平), 3 error.
 * - Field 48 of a batch upload (0320, 201): record count n2, then per sale 40 digits: card
 *   organisation n2 (00 domestic) ‖ STAN n6 ‖ PAN right-aligned in n20 ‖ amount n12; at most 8
 *   records a message. The end message (202/207) carries the number of records sent, n4.
 * - Field 53 (n16): PIN format 2 (ISO 9564 format 0, with the PAN) ‖ algorithm 6 (double-length
 *   3DES) or 0 (single DES) ‖ zeros. Field 26 (n2): the longest PIN the terminal takes, 12.
 * - Reversal (0400): fields 2, 3, 4, 11, 22, 23, 25, 35, 41, 42, 49, 55, 60 of the original
 *   0200 with field 39 = the reason (98 no answer, A0 MAC failure, 06 other); field 55 carries
 *   only tags 95, 9F1E, 9F10 and 9F36 of the original (the CUP reversal's ICC data).
 * - Field 63 of sign-on and settlement: operator code ans3 ("01 ").
 */
import type { Iso8583Message } from './types';
import { deepFreeze } from '../freeze';

export const NetworkCode = deepFreeze({
  signOnSingle: '001',
  signOff: '002',
  signOnDouble: '003',
  signOnDoubleWithData: '004',
  echo: '301',
  settlement: '201',
  batchUpload: '201',
  batchEndUnbalanced: '202',
  batchEndBalanced: '207',
} as const);

/** 60.1 message type codes. */
const TYPE_MANAGEMENT = '00';
const TYPE_SALE = '22';
const TYPE_OFFLINE_SALE = '30';
/** 60.4 terminal read capability (contactless + contact + magstripe) and 60.5 IC condition code. */
const FINANCIAL_TAIL = '60';
/** 60.4 and 60.5 of a fallback sale: read capability 6, IC condition 2 (the last read was of an IC card and failed). */
const FALLBACK_TAIL = '62';
const OPERATOR = '01 ';
const PROCESSING_SALE = '000000';
const CONDITION_NORMAL = '00';
const PIN_CAPTURE = '12';
/** Where a payment code goes when the profile says nothing: field 48, additional data (n...322 in cup-pos). */
const PAYMENT_CODE_FIELD = 48;
/** Sale records a batch-upload message carries at most. */
export const BATCH_UPLOAD_PER_MESSAGE = 8;

export const ReversalReason = deepFreeze({ noAnswer: '98', macFailure: 'A0', other: '06' } as const);
export type ReversalReason = (typeof ReversalReason)[keyof typeof ReversalReason];

/** The terminal's identity in every message. */
export interface TerminalIds {
  terminalId: string;
  merchantId: string;
  currency: string;
  /** The field a scanned sale's payment code goes in (profile card.paymentCodeField; default 48, n...322 in cup-pos). */
  paymentCodeField?: number;
}

/**
 * A sale as sent, and as the journal keeps it for its reversal: never the PIN block. The PAN
 * and track 2 live only here and in flash; they are never traced or shown.
 */
export interface SaleRecord {
  stan: string;
  amountMinor: number;
  /** Field 22. */
  entryMode: string;
  /** Field 60 as sent. */
  field60: string;
  /** CUP header application type: IC (0x61) or magstripe (0x60). */
  ic: boolean;
  pan?: string;
  track2?: string;
  /** A scanned sale's payment code (16–24 digits), in the profile's payment-code field. */
  paymentCode?: string;
  expiry?: string;
  cardSeq?: string;
  /** The ICC data a reversal carries (see reversalIcc). */
  icc?: Uint8Array;
}

export interface SaleTotals {
  count: number;
  amountMinor: number;
}

export const pad = (value: number, digits: number): string => String(value).padStart(digits, '0');

export const batchText = (batch: number): string => pad(batch, 6);

function base(mti: string, ids: TerminalIds, stan: string): Iso8583Message {
  const fields = new Map<number, string | Uint8Array>();
  fields.set(11, stan);
  fields.set(41, ids.terminalId);
  fields.set(42, ids.merchantId);
  return { mti, fields };
}

function management(mti: string, ids: TerminalIds, stan: string, batch: number, networkCode: string): Iso8583Message {
  const message = base(mti, ids, stan);
  message.fields.set(60, TYPE_MANAGEMENT + batchText(batch) + networkCode);
  return message;
}

export function signOnRequest(ids: TerminalIds, stan: string, batch: number, networkCode: string): Iso8583Message {
  const message = management('0800', ids, stan, batch, networkCode);
  message.fields.set(63, OPERATOR);
  return message;
}

export const echoRequest = (ids: TerminalIds, stan: string, batch: number): Iso8583Message => management('0820', ids, stan, batch, NetworkCode.echo);

export const signOffRequest = (ids: TerminalIds, stan: string, batch: number): Iso8583Message => management('0820', ids, stan, batch, NetworkCode.signOff);

/** Field 22 for an entry and whether a PIN was entered; a swipe after a failed chip read is fallback, 80 (CUP, ISO 8583:1993 "magnetic stripe, fallback from chip"). */
export function entryMode(entry: 'contact' | 'contactless' | 'magstripe' | 'qr' | 'manual', pinEntered: boolean, fallback = false): string {
  const mode = entry === 'magstripe' && fallback ? '80' : entry === 'contact' ? '05' : entry === 'contactless' ? '07' : entry === 'magstripe' ? '02' : entry === 'qr' ? '03' : '01';
  return mode + (pinEntered ? '1' : '2');
}

/** Field 60 of a sale; a fallback (a swipe after a failed chip read) says so in 60.5: 2, "the last read was of an IC card and failed". */
export const saleField60 = (batch: number, fallback = false): string => TYPE_SALE + batchText(batch) + '000' + (fallback ? FALLBACK_TAIL : FINANCIAL_TAIL);

/** The card fields a sale and its reversal share. */
function cardFields(message: Iso8583Message, ids: TerminalIds, sale: SaleRecord) {
  const f = message.fields;
  if (sale.pan !== undefined) f.set(2, sale.pan);
  f.set(3, PROCESSING_SALE);
  f.set(4, pad(sale.amountMinor, 12));
  f.set(22, sale.entryMode);
  if (sale.cardSeq !== undefined) f.set(23, sale.cardSeq);
  f.set(25, CONDITION_NORMAL);
  if (sale.track2 !== undefined) f.set(35, sale.track2);
  if (sale.paymentCode !== undefined) f.set(ids.paymentCodeField ?? PAYMENT_CODE_FIELD, sale.paymentCode);
}

/**
 * The 0200 of a sale, with an empty MAC in field 64 (the session MACs the packed bytes).
 * @param icc the card's full field 55 (the record keeps only the reversal's tags)
 * @param pin the PIN block and its key's algorithm, when a PIN was entered
 */
export function saleRequest(ids: TerminalIds, sale: SaleRecord, icc: Uint8Array | undefined, pin: { block: Uint8Array; singleDes: boolean } | undefined): Iso8583Message {
  const message = base('0200', ids, sale.stan);
  cardFields(message, ids, sale);
  const f = message.fields;
  if (sale.expiry !== undefined) f.set(14, sale.expiry);
  if (pin) {
    f.set(26, PIN_CAPTURE);
    f.set(52, pin.block);
    f.set(53, (pin.singleDes ? '20' : '26') + '00000000000000');
  }
  f.set(49, ids.currency);
  if (icc) f.set(55, icc);
  f.set(60, sale.field60);
  f.set(64, new Uint8Array(8));
  return message;
}

/** The 0400 that reverses `sale` (its own STAN: the host finds the original by it). */
export function reversalRequest(ids: TerminalIds, sale: SaleRecord, reason: string): Iso8583Message {
  const message = base('0400', ids, sale.stan);
  cardFields(message, ids, sale);
  const f = message.fields;
  f.set(39, reason);
  f.set(49, ids.currency);
  if (sale.icc) f.set(55, sale.icc);
  f.set(60, sale.field60);
  f.set(64, new Uint8Array(8));
  return message;
}

/** A store-and-forward advice (0220) of a sale approved offline (60.1 = 30, 离线结算). */
export function adviceRequest(ids: TerminalIds, sale: SaleRecord, batch: number): Iso8583Message {
  const message = base('0220', ids, sale.stan);
  cardFields(message, ids, sale);
  const f = message.fields;
  if (sale.expiry !== undefined) f.set(14, sale.expiry);
  f.set(49, ids.currency);
  if (sale.icc) f.set(55, sale.icc);
  // 60.4/60.5 as the sale had them (a fallback stays one).
  f.set(60, TYPE_OFFLINE_SALE + batchText(batch) + '000' + (sale.field60.length >= 13 ? sale.field60.slice(11, 13) : FINANCIAL_TAIL));
  f.set(64, new Uint8Array(8));
  return message;
}

/** Field 48 of a 0500: the batch's sales as domestic debits; no credits, no foreign cards. */
export function settlementTotals(totals: SaleTotals): string {
  return pad(totals.amountMinor, 12) + pad(totals.count, 3) + pad(0, 12) + pad(0, 3) + '0' + pad(0, 30) + '0';
}

export function settlementRequest(ids: TerminalIds, stan: string, batch: number, totals: SaleTotals): Iso8583Message {
  const message = management('0500', ids, stan, batch, NetworkCode.settlement);
  message.fields.set(48, settlementTotals(totals));
  message.fields.set(49, ids.currency);
  message.fields.set(63, OPERATOR);
  return message;
}

/** Domestic reconciliation code of a 0510's field 48 (its 31st digit): balanced, not, or an error. */
export function reconciliation(field48: string | Uint8Array | undefined): 'balanced' | 'unbalanced' | 'error' {
  const code = typeof field48 === 'string' && field48.length >= 31 ? field48[30] : '';
  return code === '1' ? 'balanced' : code === '2' ? 'unbalanced' : 'error';
}

/** One batch-upload record: a sale the terminal counted. */
export interface UploadRecord {
  stan: string;
  pan: string;
  amountMinor: number;
}

export function batchUploadRequest(ids: TerminalIds, stan: string, batch: number, records: readonly UploadRecord[]): Iso8583Message {
  const message = management('0320', ids, stan, batch, NetworkCode.batchUpload);
  let field48 = pad(records.length, 2);
  for (const r of records) field48 += '00' + r.stan + r.pan.padStart(20, '0') + pad(r.amountMinor, 12);
  message.fields.set(48, field48);
  return message;
}

export function batchEndRequest(ids: TerminalIds, stan: string, batch: number, sent: number, balanced: boolean): Iso8583Message {
  const message = management('0320', ids, stan, batch, balanced ? NetworkCode.batchEndBalanced : NetworkCode.batchEndUnbalanced);
  message.fields.set(48, pad(sent, 4));
  return message;
}

/** EMV tags the CUP reversal's field 55 carries: TVR, IFD serial number, issuer application data, ATC (compared inline: the walk runs on every chip sale). */
const isReversalTag = (tag: number): boolean => tag === 0x95 || tag === 0x9f1e || tag === 0x9f10 || tag === 0x9f36;

/**
 * The reversal's ICC data: the top-level BER-TLV elements of `icc` whose tag is one of the
 * reversal's, in their order. Undefined when none is there or the data does not parse (a
 * reversal without field 55 is still a reversal). Bounded: one pass, no recursion.
 */
export function reversalIcc(icc: Uint8Array): Uint8Array | undefined {
  const keep: number[] = [];
  let at = 0;
  while (at < icc.length) {
    const start = at;
    let tag = icc[at++];
    if ((tag & 0x1f) === 0x1f) {
      if (at >= icc.length) return undefined;
      tag = (tag << 8) | icc[at++];
      if (tag & 0x80) return undefined; // three-byte tags are not used in field 55
    }
    if (at >= icc.length) return undefined;
    let length = icc[at++];
    if (length === 0x81) {
      if (at >= icc.length) return undefined;
      length = icc[at++];
    } else if (length > 0x7f) return undefined;
    at += length;
    if (at > icc.length) return undefined;
    if (isReversalTag(tag)) keep.push(start, at);
  }
  if (keep.length === 0) return undefined;
  let size = 0;
  for (let i = 0; i < keep.length; i += 2) size += keep[i + 1] - keep[i];
  const out = new Uint8Array(size);
  for (let i = 0, o = 0; i < keep.length; i += 2) {
    out.set(icc.subarray(keep[i], keep[i + 1]), o);
    o += keep[i + 1] - keep[i];
  }
  return out;
}
