/**
 * What the host answers to each request (CUP POS flows, 银联 POS 终端规范): sign-on 0800 (60.3
 * 001 / 003 / 004: working keys in field 62), echo and sign-off 0820 (301 / 002), sale 0200,
 * reversal 0400, offline-sale advice 0220 (store-and-forward), settlement 0500 (field 48
 * totals), batch upload 0320 (202 / 207 = end of upload).
 * The answer MTI is the request's plus 10; fields the terminal sent that the answer repeats are
 * copied; the host adds its time (12, 13), settlement date (15), institution (32), RRN (37),
 * authorization code (38) and response code (39).
 *
 * Checks, in order: the terminal's standing (TID registered and activated, MID its own), then
 * the request MAC (field 64; sales and reversals must carry one), then the flow's own rules.
 */
import { packMessage } from '../../firmware/core/host/iso8583';
import type { Dialect, FieldValue, Iso8583Message } from '../../firmware/core/host/types';
import type { AcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import type { AnswerCodes } from './config';
import { encryptUnderMaster, freshKey, hostMac, kcv, macMatches, type HostMacScheme } from './hostCrypto';
import { activate, ACTIVATION_NETWORK_CODE } from './activation';
import type { RandomSource } from './activationEnvelope';
import type { SeededBytes } from './seededBytes';
import { formatSettlementTotals, parseSettlementTotals, SETTLEMENT_CODE } from './settlementTotals';
import type { TerminalBook, WorkingKeys } from './terminalBook';

/** Request fields each answer repeats (when the request has them). */
const ECHOED: Readonly<Record<string, readonly number[]>> = {
  '0800': [11, 41, 42, 60],
  '0820': [11, 41, 42, 60],
  '0200': [2, 3, 4, 11, 14, 22, 23, 25, 41, 42, 49, 60],
  '0400': [2, 3, 4, 11, 14, 22, 23, 25, 41, 42, 49, 60],
  '0220': [2, 3, 4, 11, 14, 22, 23, 25, 41, 42, 49, 60],
  '0500': [11, 41, 42, 49, 60, 63],
  '0320': [11, 41, 42, 60],
};

/** Requests that must carry a MAC (a financial message without one is refused like a wrong one). */
const MAC_REQUIRED = new Set(['0200', '0400', '0220']);

const MAC_FIELD = 64;
const MAC_BYTES = 8;

export interface Answer {
  message: Iso8583Message;
  code: string;
  /** The MAC key when the answer is MACed (the request's MAC verified). */
  macKey?: Uint8Array;
  /** What the host did, for its log: never key bytes or PANs (check values are fine). */
  note: string;
}

export interface DialogueOptions {
  book: TerminalBook;
  profile: AcquirerProfile;
  dialect: Dialect;
  codes: AnswerCodes;
  random: SeededBytes;
  /** Wall-clock milliseconds for fields 12, 13, 15. */
  now: () => number;
  institution: string;
  /** Master keys and ephemeral keys of activations; default the seeded bytes (repeatable runs). */
  keyRandom?: RandomSource;
}

/** What a fault plan changes in one answer. */
export interface AnswerFault {
  /** Answered as is, nothing booked. */
  code?: string;
  /** An activation's D3 that does not match its key (test-only). */
  breakCheckValue?: boolean;
}

/** Field 60 (CUP 自定义域): 60.1 message type n2, 60.2 batch number n6, 60.3 network management code n3. */
function field60(request: Iso8583Message): { batchNo: string; networkCode: string } {
  const f60 = request.fields.get(60);
  const text = typeof f60 === 'string' ? f60 : '';
  return { batchNo: text.slice(2, 8).padEnd(6, '0'), networkCode: text.slice(8, 11) };
}

const text = (m: Iso8583Message, field: number): string | undefined => {
  const v = m.fields.get(field);
  return typeof v === 'string' ? v : undefined;
};

/** Packs an answer, MACed when it has a MAC key: the MAC covers MTI … the last field before 64. */
export function sealAnswer(dialect: Dialect, scheme: HostMacScheme, answer: Answer, corruptMac = false): Uint8Array {
  if (!answer.macKey) return packMessage(dialect, answer.message);
  const fields = new Map(answer.message.fields);
  fields.set(MAC_FIELD, new Uint8Array(MAC_BYTES));
  const packed = packMessage(dialect, { mti: answer.message.mti, fields });
  const mac = hostMac(answer.macKey, scheme, packed.subarray(0, packed.length - MAC_BYTES));
  if (corruptMac) mac[MAC_BYTES - 1] ^= 0x01;
  packed.set(mac, packed.length - MAC_BYTES);
  return packed;
}

export class HostDialogue {
  readonly #o: DialogueOptions;
  readonly #scheme: HostMacScheme;
  #rrn = 0;

  constructor(options: DialogueOptions) {
    this.#o = options;
    this.#scheme = { algorithm: options.profile.mac, padding: options.profile.macPadding };
  }

  get macScheme(): HostMacScheme {
    return this.#scheme;
  }

  /** Whether the MTI is a request this host answers at all (others are dropped and logged). */
  static isRequest(mti: string): boolean {
    return /^0[1-9][02]\d$/.test(mti);
  }

  /**
   * The answer to one request.
   * @param packedRequest the request as received (its MAC covers all but its last 8 bytes)
   * @param fault what the fault plan changes in this answer
   */
  answer(request: Iso8583Message, packedRequest: Uint8Array, fault: AnswerFault = {}): Answer {
    const tid = text(request, 41);
    const macKey = this.#verifiedMacKey(request, packedRequest, tid);
    if (fault.code !== undefined) return this.#reply(request, fault.code, macKey, `fault: code ${fault.code}`);
    // Activation comes before the standing check: the terminal may not have its TID yet.
    if (HostDialogue.isActivation(request)) return this.#activation(request, tid, fault.breakCheckValue === true);
    const standing = this.#o.book.standing(tid, text(request, 42));
    if (!standing.ok) {
      const code = standing.why === 'merchant-mismatch' ? this.#o.codes.merchantRestricted : this.#o.codes.terminalInvalid;
      // Field 44 (an..25) says why when the host disabled the TID, so the terminal can tell it apart.
      return this.#reply(request, code, undefined, standing.why, standing.why === 'disabled' ? [[44, 'TID disabled']] : []);
    }
    const t = standing.terminal.tid;
    const needsMac = MAC_REQUIRED.has(request.mti) || request.fields.has(MAC_FIELD);
    if (needsMac && !macKey) {
      const why = !this.#o.book.keys(t) ? 'no working keys (not signed on)' : request.fields.has(MAC_FIELD) ? 'request MAC wrong' : 'request without MAC';
      return this.#reply(request, this.#o.codes.macError, undefined, why);
    }
    switch (request.mti) {
      case '0800':
        return this.#signOn(request, t);
      case '0820':
        return this.#networkManagement(request, t);
      case '0200':
        return this.#sale(request, t, macKey);
      case '0400':
        return this.#reversal(request, t, macKey);
      case '0220':
        return this.#advice(request, t, macKey);
      case '0500':
        return this.#settlement(request, t, macKey);
      case '0320':
        return this.#batchUpload(request, t, macKey);
      default:
        return this.#reply(request, this.#o.codes.formatError, macKey, `no ${request.mti} flow on this host`);
    }
  }

  /** An activation request (issue-8 contract §6): 0800 with network management code 370. */
  static isActivation(request: Iso8583Message): boolean {
    return request.mti === '0800' && field60(request).networkCode === ACTIVATION_NETWORK_CODE;
  }

  /** Activation: 00 with the bound TID and MID and the sealed master key, or the terminal-invalid code with the reason. */
  #activation(request: Iso8583Message, tid: string | undefined, breakCheckValue: boolean): Answer {
    const random = this.#o.keyRandom ?? ((n: number) => this.#o.random.next(n));
    const result = activate(request.fields.get(62), tid, { book: this.#o.book, now: this.#o.now(), random, breakCheckValue });
    if (result.ok) return this.#reply(request, this.#o.codes.approved, undefined, result.note, [[41, result.tid], [42, result.mid], [62, result.field62]]);
    if (result.reason === 'malformed') return this.#reply(request, this.#o.codes.formatError, undefined, result.note, [[44, result.text]]);
    return this.#reply(request, this.#o.codes.terminalInvalid, undefined, result.note, [[44, result.text], [62, result.field62]]);
  }

  /** Whether the request carries a MAC that verifies under its terminal's working MAC key. */
  verifiesMac(request: Iso8583Message, packed: Uint8Array): boolean {
    return this.#verifiedMacKey(request, packed, text(request, 41)) !== undefined;
  }

  #verifiedMacKey(request: Iso8583Message, packed: Uint8Array, tid: string | undefined): Uint8Array | undefined {
    const mac = request.fields.get(MAC_FIELD);
    const keys = tid === undefined ? undefined : this.#o.book.keys(tid);
    if (!(mac instanceof Uint8Array) || !keys) return undefined;
    return macMatches(keys.mac, this.#scheme, packed.subarray(0, packed.length - MAC_BYTES), mac) ? keys.mac : undefined;
  }

  /** The answer skeleton: echoed fields, host time, response code. */
  #reply(request: Iso8583Message, code: string, macKey: Uint8Array | undefined, note: string, extra: [number, FieldValue][] = []): Answer {
    const fields = new Map<number, FieldValue>();
    const defined = this.#o.dialect.fields;
    for (const f of ECHOED[request.mti] ?? [11, 41, 42]) {
      const v = request.fields.get(f);
      if (v !== undefined) fields.set(f, v);
    }
    // The host's local time, China Standard Time (UTC+8), as CUP hosts stamp it.
    const cst = new Date(this.#o.now() + 8 * 3600 * 1000).toISOString();
    const mmdd = cst.slice(5, 7) + cst.slice(8, 10);
    fields.set(12, cst.slice(11, 13) + cst.slice(14, 16) + cst.slice(17, 19));
    fields.set(13, mmdd);
    if (request.mti !== '0800' && request.mti !== '0820' && request.mti !== '0320') fields.set(15, mmdd);
    fields.set(32, this.#o.institution);
    if (request.mti !== '0820' && request.mti !== '0320') fields.set(37, String(++this.#rrn).padStart(12, '0'));
    fields.set(39, code);
    for (const [f, v] of extra) fields.set(f, v);
    for (const f of fields.keys()) if (!defined[f]) fields.delete(f);
    const mti = request.mti.slice(0, 2) + String(Number(request.mti[2]) + 1) + request.mti[3];
    return { message: { mti, fields }, code, macKey, note };
  }

  /**
   * Sign-on: fresh PIN and MAC keys (and the data key for 004), each wrapped under the master
   * key and followed by its check value: the field-62 layout the terminal's key store parses.
   * 001 asks for single-length keys, 003 and 004 for double-length.
   */
  #signOn(request: Iso8583Message, tid: string): Answer {
    const { networkCode } = field60(request);
    if (this.#o.book.merchantStatus(tid) === 'frozen') return this.#reply(request, this.#o.codes.merchantRestricted, undefined, 'merchant frozen', [[44, 'merchant frozen']]);
    const length = networkCode === '001' ? 8 : networkCode === '003' || networkCode === '004' ? 16 : 0;
    if (length === 0) return this.#reply(request, this.#o.codes.formatError, undefined, `sign-on network code ${networkCode || 'missing'}`);
    const make = () => freshKey(length, (n) => this.#o.random.next(n));
    const keys: WorkingKeys = { pin: make(), mac: make(), data: networkCode === '004' ? make() : undefined };
    // The standing check passed, so the terminal has its master key (provisioned or activated).
    const tmk = this.#o.book.masterKey(tid)!;
    const kcvLength = this.#o.profile.kcvLength;
    const order = [keys.pin, keys.mac, ...(keys.data ? [keys.data] : [])];
    if (tmk.algorithm === 'aes128' && length === 8) return this.#reply(request, this.#o.codes.formatError, undefined, 'single-length keys (001) cannot be wrapped under an AES master key');
    const block = Buffer.concat(order.flatMap((k) => [encryptUnderMaster(tmk, k), kcv(k, kcvLength)]));
    this.#o.book.setKeys(tid, keys);
    const kcvs = order.map((k) => Buffer.from(kcv(k, kcvLength)).toString('hex').toUpperCase()).join(' ');
    return this.#reply(request, this.#o.codes.approved, undefined, `keys issued (${networkCode}), check values ${kcvs}`, [[62, new Uint8Array(block)]]);
  }

  /** 0820: echo test (301) or sign-off (002). */
  #networkManagement(request: Iso8583Message, tid: string): Answer {
    const { networkCode } = field60(request);
    if (networkCode === '301') return this.#reply(request, this.#o.codes.approved, undefined, 'echo');
    if (networkCode === '002') {
      this.#o.book.dropKeys(tid);
      return this.#reply(request, this.#o.codes.approved, undefined, 'signed off, keys dropped');
    }
    return this.#reply(request, this.#o.codes.formatError, undefined, `0820 network code ${networkCode || 'missing'}`);
  }

  #sale(request: Iso8583Message, tid: string, macKey: Uint8Array | undefined): Answer {
    const merchant = this.#o.book.merchantStatus(tid);
    // Field 44 says so when the account is frozen (the terminal reads the host's words as evidence).
    if (merchant !== 'ok') return this.#reply(request, this.#o.codes.merchantRestricted, macKey, `merchant ${merchant}`, merchant === 'frozen' ? [[44, 'merchant frozen']] : []);
    const stan = text(request, 11);
    const amount = text(request, 4);
    if (!stan || !amount) return this.#reply(request, this.#o.codes.formatError, macKey, 'sale without STAN or amount');
    // A scanned sale (field 22 '03', bar code) carries the customer's payment code, not a PAN, in the profile's field.
    const scanned = (text(request, 22) ?? '').startsWith('03');
    const codeField = this.#o.profile.card.paymentCodeField;
    if (scanned && !/^[0-9]{16,24}$/.test(text(request, codeField) ?? '')) return this.#reply(request, this.#o.codes.formatError, macKey, `scanned sale without a 16–24 digit payment code in field ${codeField}`);
    const { batchNo } = field60(request);
    if (this.#o.book.seen(tid, batchNo, stan)) return this.#reply(request, this.#o.codes.duplicate, macKey, `STAN ${stan} already in batch ${batchNo}`);
    this.#o.book.approve(tid, batchNo, stan, Number(amount));
    return this.#reply(request, this.#o.codes.approved, macKey, `batch ${batchNo}${scanned ? ', scanned payment code' : ''}`, [[38, this.#o.random.digits(6)]]);
  }

  /** Reversal of the sale with the same STAN (field 11 carries the original's): undone once, answered every time. */
  #reversal(request: Iso8583Message, tid: string, macKey: Uint8Array | undefined): Answer {
    const stan = text(request, 11) ?? '';
    const { batchNo } = field60(request);
    const result = this.#o.book.reverse(tid, batchNo, stan);
    return this.#reply(request, this.#o.codes.approved, macKey, `reversal (${text(request, 39) ?? 'no reason'}): ${result}`);
  }

  /** Settlement: the terminal's field-48 totals against the host's; 1 balanced, 2 unbalanced. */
  #settlement(request: Iso8583Message, tid: string, macKey: Uint8Array | undefined): Answer {
    const claimed = parseSettlementTotals(text(request, 48) ?? '');
    const { batchNo } = field60(request);
    if (!claimed) return this.#reply(request, this.#o.codes.formatError, macKey, 'settlement without 62-digit field 48');
    const own = this.#o.book.totals(tid, batchNo) ?? { count: 0, amountMinor: 0 };
    const d = claimed.domestic;
    const f = claimed.foreign;
    const balanced = d.debitAmountMinor === own.amountMinor && d.debitCount === own.count && d.creditAmountMinor === 0 && d.creditCount === 0 && f.debitAmountMinor === 0 && f.debitCount === 0 && f.creditAmountMinor === 0 && f.creditCount === 0;
    const code = balanced ? SETTLEMENT_CODE.balanced : SETTLEMENT_CODE.unbalanced;
    this.#o.book.settle(tid, batchNo, balanced ? 'balanced' : 'unbalanced');
    const answer48 = formatSettlementTotals({ domestic: { ...d, code }, foreign: { ...f, code } });
    const note = `batch ${batchNo} ${balanced ? 'balanced' : 'unbalanced'}: terminal ${d.debitCount}/${d.debitAmountMinor}, host ${own.count}/${own.amountMinor}`;
    return this.#reply(request, this.#o.codes.approved, macKey, note, [[48, answer48]]);
  }

  /**
   * An offline sale's advice (0220, 60.1 = 30): booked like an approved sale; a resent advice
   * (the terminal's store-and-forward queue did not see the answer) is acknowledged, not booked again.
   */
  #advice(request: Iso8583Message, tid: string, macKey: Uint8Array | undefined): Answer {
    const stan = text(request, 11);
    const amount = text(request, 4);
    if (!stan || !amount) return this.#reply(request, this.#o.codes.formatError, macKey, 'advice without STAN or amount');
    const { batchNo } = field60(request);
    if (this.#o.book.seen(tid, batchNo, stan)) return this.#reply(request, this.#o.codes.approved, macKey, `advice ${stan} resent: already booked`);
    this.#o.book.approve(tid, batchNo, stan, Number(amount));
    return this.#reply(request, this.#o.codes.approved, macKey, `advice booked in batch ${batchNo}`);
  }

  /**
   * Batch upload (0320): network code 201 carries up to eight sale records (field 48: count n2,
   * then 40 digits each); 202 (after a mismatch) and 207 (after agreement) end the upload.
   */
  #batchUpload(request: Iso8583Message, tid: string, macKey: Uint8Array | undefined): Answer {
    const { batchNo, networkCode } = field60(request);
    if (networkCode === '202' || networkCode === '207') {
      this.#o.book.endUpload(tid, batchNo);
      return this.#reply(request, this.#o.codes.approved, macKey, `batch ${batchNo} upload ended (${networkCode}), ${Number(text(request, 48) ?? 0)} records announced`);
    }
    const records = Number((text(request, 48) ?? '').slice(0, 2));
    if (!Number.isInteger(records) || records < 1 || records > 8) return this.#reply(request, this.#o.codes.formatError, macKey, 'upload without a record count 1–8 in field 48');
    this.#o.book.upload(tid, batchNo, records);
    return this.#reply(request, this.#o.codes.approved, macKey, `batch ${batchNo} upload: ${records} records`);
  }
}
