/**
 * An EMV card read up to the online authorisation request (EMV 4.4 Books 1–3; contactless
 * limits per the CUP AID parameters): application selection, GET PROCESSING OPTIONS with the
 * PDOL data, the AFL walk, the card data, contactless limits, offline data authentication
 * (through the runtime's `oda`), cardholder verification (simplified), GENERATE AC asking an
 * ARQC with the CDOL1 data, and field 55. Results carry the PAN for the transaction only.
 */
import { CardError } from '../errors';
import { generateAcApdu, gpoApdu, internalAuthenticateApdu, readRecordApdu, responseData, sw, swHex, SW_CONDITIONS, SW_OK, type ApduChannel } from './apdu';
import { buildDolData, parseDol, terminalData, type TerminalSale } from './dol';
import { buildField55 } from './field55';
import type { OdaInput, OdaOutcome } from './oda';
import { ApplicationSelection, MAX_APPLICATIONS, type SelectedApplication } from './select';
import { collectPrimitives, concatBytes, findTag, parseTlv, type Tlv } from './tlv';
import { applyOda, setBit, TSI, TVR } from './tvr';

/** The sale as the EMV read sees it: the inputs of the terminal's data objects (dol.ts). */
export type EmvParams = TerminalSale;

export interface EmvReadOptions {
  interface: 'contactless' | 'contact';
  params: EmvParams;
  choose?(candidates: { aid: string; label: string; priority?: number }[]): Promise<number | undefined>;
  oda?(input: OdaInput): Promise<OdaOutcome>;
}

export type EmvReadResult = {
  aid: string;
  label: string;
  pan: string;
  panSeq?: string;
  expiry: string;
  track2?: string;
  serviceCode?: string;
  cardholderName?: string;
  icc: Uint8Array;
  tvr: Uint8Array;
  tsi: Uint8Array;
  oda: OdaOutcome;
  cvm: 'online-pin' | 'signature' | 'none' | 'cdcvm';
  cryptogram: 'ARQC' | 'TC' | 'AAC';
  aip: Uint8Array;
};

/** Records one AFL may name in all (30 SFIs × 255 would be absurd; real cards read under 20). */
export const MAX_AFL_RECORDS = 64;

export interface AflEntry {
  sfi: number;
  first: number;
  last: number;
  /** Records from `first` that take part in offline data authentication. */
  oda: number;
}

/** @throws CardError 'afl-malformed' */
export function parseAfl(afl: Uint8Array): AflEntry[] {
  if (afl.length % 4 !== 0) throw new CardError('afl-malformed', `AFL of ${afl.length} bytes (a multiple of 4)`);
  const out: AflEntry[] = [];
  let total = 0;
  for (let i = 0; i < afl.length; i += 4) {
    const sfi = afl[i] >> 3;
    const first = afl[i + 1];
    const last = afl[i + 2];
    const oda = afl[i + 3];
    if ((afl[i] & 7) !== 0 || sfi < 1 || sfi > 30 || first < 1 || last < first || oda > last - first + 1)
      throw new CardError('afl-malformed', `AFL entry at offset ${i}: SFI ${sfi}, records ${first}–${last}, ${oda} for ODA`);
    total += last - first + 1;
    if (total > MAX_AFL_RECORDS) throw new CardError('afl-malformed', `AFL names more than ${MAX_AFL_RECORDS} records`);
    out.push({ sfi, first, last, oda });
  }
  return out;
}

/** GPO response: format 1 (80: AIP ‖ AFL) or format 2 (77 with 82 and 94). @throws CardError 'tlv-malformed', 'missing-tag' */
export function parseGpoResponse(data: Uint8Array): { aip: Uint8Array; afl: Uint8Array; nodes: Tlv[] } {
  const nodes = parseTlv(data);
  const top = nodes[0];
  if (!top || (top.tag !== 0x80 && top.tag !== 0x77)) throw new CardError('tlv-malformed', 'GPO response is neither template 80 nor 77 (offset 0)');
  if (top.tag === 0x80) {
    if (top.value.length < 2 || (top.value.length - 2) % 4 !== 0) throw new CardError('tlv-malformed', `GPO format 1 of ${top.value.length} bytes (offset 0)`);
    return { aip: top.value.subarray(0, 2), afl: top.value.subarray(2), nodes: [] };
  }
  const aip = findTag(nodes, 0x82);
  if (!aip || aip.value.length !== 2) throw new CardError('missing-tag', 'GPO response without AIP (82)');
  return { aip: aip.value, afl: findTag(nodes, 0x94)?.value ?? new Uint8Array(0), nodes };
}

/** GENERATE AC response: format 1 (80: 9F27 ‖ 9F36 ‖ 9F26 ‖ 9F10) or format 2 (77). */
export function parseGenerateAcResponse(data: Uint8Array): Map<number, Uint8Array> {
  const nodes = parseTlv(data);
  const top = nodes[0];
  if (!top || (top.tag !== 0x80 && top.tag !== 0x77)) throw new CardError('tlv-malformed', 'GENERATE AC response is neither template 80 nor 77 (offset 0)');
  if (top.tag === 0x80) {
    const v = top.value;
    if (v.length < 11) throw new CardError('tlv-malformed', `GENERATE AC format 1 of ${v.length} bytes (offset 0)`);
    const m = new Map<number, Uint8Array>([[0x9f27, v.subarray(0, 1)], [0x9f36, v.subarray(1, 3)], [0x9f26, v.subarray(3, 11)]]);
    if (v.length > 11) m.set(0x9f10, v.subarray(11));
    return m;
  }
  return collectPrimitives(top.children ?? []);
}

export function cryptogramType(cid: number): 'ARQC' | 'TC' | 'AAC' {
  const t = cid & 0xc0;
  return t === 0x80 ? 'ARQC' : t === 0x40 ? 'TC' : 'AAC';
}

/** Digits of BCD bytes, F nibbles dropped, D as '='. */
function nibbles(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 2 * bytes.length; i++) {
    const n = i & 1 ? bytes[i >> 1] & 15 : bytes[i >> 1] >> 4;
    if (n <= 9) s += String.fromCharCode(48 + n);
    else if (n === 0xd) s += '=';
  }
  return s;
}

/**
 * The PAN of 5A (EMV Book 3 Annex A: cn, up to 19 digits, padded with trailing F): digits 0–9,
 * then only F to the end. Anything else (a D, A–E, a digit after an F) is malformed: a PAN with a
 * dropped nibble or a separator in it must not go to the host.
 * @throws CardError 'tlv-malformed'
 */
function panDigits(bytes: Uint8Array): string {
  let s = '';
  let padded = false;
  for (let i = 0; i < 2 * bytes.length; i++) {
    const n = i & 1 ? bytes[i >> 1] & 15 : bytes[i >> 1] >> 4;
    if (n === 0xf) padded = true;
    else if (n > 9 || padded) throw new CardError('tlv-malformed', `PAN (5A) is not BCD digits with trailing F padding (nibble ${i})`);
    else s += String.fromCharCode(48 + n);
  }
  return s;
}

function text(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  let s = '';
  for (let i = 0; i < bytes.length && i < 26; i++) s += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : ' ';
  return s.trim() || undefined;
}

/** PAN, expiry (YYMM), track 2 equivalent, service code, name and PAN sequence number from the card's objects. @throws CardError 'missing-tag', 'tlv-malformed' (5A not BCD) */
export function cardData(tags: ReadonlyMap<number, Uint8Array>): { pan: string; expiry: string; track2?: string; serviceCode?: string; cardholderName?: string; panSeq?: string } {
  const t2 = tags.get(0x57);
  const track2 = t2 ? nibbles(t2) : undefined;
  const sep = track2 ? track2.indexOf('=') : -1;
  const a5 = tags.get(0x5a);
  const pan = a5 ? panDigits(a5) : track2 && sep > 0 ? track2.slice(0, sep) : '';
  if (pan.length < 8 || pan.length > 19) throw new CardError('missing-tag', 'no PAN (5A, or 57 before its separator)');
  const exp = tags.get(0x5f24);
  const expiry = exp && exp.length >= 2 ? nibbles(exp.subarray(0, 2)) : track2 && sep > 0 ? track2.slice(sep + 1, sep + 5) : '';
  if (expiry.length !== 4) throw new CardError('missing-tag', 'no expiry (5F24, or 57 after its separator)');
  const sc = tags.get(0x5f30);
  const serviceCode = sc ? nibbles(sc).slice(-3) : track2 && sep > 0 && track2.length >= sep + 8 ? track2.slice(sep + 5, sep + 8) : undefined;
  const seq = tags.get(0x5f34);
  return { pan, expiry, track2, serviceCode, cardholderName: text(tags.get(0x5f20)), panSeq: seq ? nibbles(seq).padStart(2, '0').slice(-2) : undefined };
}

/**
 * What ODA is given (OdaInput): a class, so INTERNAL AUTHENTICATE is a method, not a closure made
 * per read (docs/memory.md, issue 9).
 */
class OdaRequest implements OdaInput {
  constructor(
    private readonly channel: ApduChannel,
    readonly rid: string,
    readonly aip: Uint8Array,
    readonly tags: Map<number, Uint8Array>,
    readonly staticData: Uint8Array,
    readonly today: string,
  ) {}
  async internalAuthenticate(ddolData: Uint8Array): Promise<Uint8Array> {
    const r = await this.channel.transmit(internalAuthenticateApdu(ddolData));
    const w = sw(r);
    if (w !== SW_OK) throw new CardError('card-status', `INTERNAL AUTHENTICATE answered ${swHex(w)}`);
    return responseData(r).slice();
  }
}

/** The selected application and its data: what the read keeps once selection, GPO and the records are done. */
interface ApplicationData {
  aid: string;
  label: string;
  profileIndex: number;
  aip: Uint8Array;
  /** The card's primitive objects (FCI, GPO answer, records); the constructed trees are not kept. */
  tags: Map<number, Uint8Array>;
  /** The AFL's records for ODA (then 9F4A's AIP); dropped once ODA has them. */
  staticParts: Uint8Array[] | undefined;
  staticProblem: string | undefined;
}

/** The PDOL data (9F38 of the FCI; none when absent) from the terminal's objects. */
function pdolData(fci: readonly Tlv[], term: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const pdol = findTag(fci, 0x9f38);
  return pdol ? buildDolData(parseDol(pdol.value), term) : new Uint8Array(0);
}

/**
 * One record of the AFL walk, parsed and added to `tags` in a frame of its own (its tree dies
 * before the next READ RECORD); the part for ODA is pushed to `staticParts`.
 * @returns why the record spoils SDA/DDA (not a 70 template), if it does
 */
function addRecord(data: Uint8Array, sfi: number, rec: number, forOda: boolean, tags: Map<number, Uint8Array>, read: Set<number>, staticParts: Uint8Array[]): string | undefined {
  const nodes = parseTlv(data);
  const top = nodes[0];
  if (!top || (top.tag !== 0x70 && top.tag !== 0x77)) throw new CardError('tlv-malformed', `record SFI ${sfi} ${rec} is not a 70 template (offset 0)`);
  let problem: string | undefined;
  if (forOda) {
    if (top.tag !== 0x70) problem = `record SFI ${sfi} ${rec} for offline data authentication is not a 70 template`;
    staticParts.push(sfi <= 10 ? top.value : data);
  }
  addCardData(nodes, tags, read);
  return problem;
}

/**
 * Selection, GPO and the AFL walk in a frame of their own: the FCI and GPO trees are dropped once
 * their objects are in the tag map, each record's tree after its objects are, and the AFL and
 * the redundancy set when it returns, before ODA and GENERATE AC (XS heap, docs/memory.md).
 */
async function readApplication(channel: ApduChannel, options: EmvReadOptions, term: ReadonlyMap<number, Uint8Array>, selection: ApplicationSelection): Promise<ApplicationData> {
  const params = options.params;
  const profile = params.profile;
  const contactless = options.interface === 'contactless';
  // Final selection and GPO: 6985 to GPO drops the application (Book 1 §12.4).
  let app: SelectedApplication | undefined;
  let gpo: ReturnType<typeof parseGpoResponse> | undefined;
  for (let guard = 0; ; guard++) {
    if (guard > MAX_APPLICATIONS) throw new CardError('no-application', 'application selection did not settle');
    app = await selection.select();
    if (contactless && params.amountMinor >= profile.aids[app.profileIndex].contactless.transactionLimitMinor)
      throw new CardError('limit-exceeded', 'amount at or above the contactless transaction limit: insert or swipe the card');
    const r = await channel.transmit(gpoApdu(pdolData(app.fci, term)));
    const w = sw(r);
    if (w === SW_CONDITIONS) {
      selection.remove(app.aid);
      continue;
    }
    if (w !== SW_OK) throw new CardError('card-status', `GET PROCESSING OPTIONS for ${app.aid} answered ${swHex(w)}`);
    gpo = parseGpoResponse(responseData(r));
    break;
  }
  selection.release();
  const { aid, label, profileIndex } = app;
  const { aip, afl: aflBytes } = gpo;
  // The FCI's objects first; the GPO answer's and the records' replace them, and one of those
  // read twice ends the read (Book 3 §7.5: redundant data), so an unsigned copy never wins.
  // The trees are dropped once their objects are in the map.
  const tags = collectPrimitives(app.fci);
  app = undefined;
  const read = new Set<number>();
  addCardData(gpo.nodes, tags, read);
  gpo = undefined;
  tags.set(0x82, aip);
  // Book 3 §10.3: a record for ODA that is not a 70 template, or a 9F4A naming more than the
  // AIP, means SDA/DDA performed and failed.
  let staticProblem: string | undefined;
  // AFL walk (Book 3 §10.2): records flagged for ODA make the static data (SFI 1–10: the 70 value; 11–30: the whole record).
  const staticParts: Uint8Array[] = [];
  const afl = parseAfl(aflBytes);
  for (let e = 0; e < afl.length; e++) {
    const { sfi, first, last, oda } = afl[e];
    for (let rec = first; rec <= last; rec++) {
      const r = await channel.transmit(readRecordApdu(sfi, rec));
      const w = sw(r);
      if (w !== SW_OK) throw new CardError('card-status', `READ RECORD SFI ${sfi} record ${rec} answered ${swHex(w)}`);
      const problem = addRecord(responseData(r).slice(), sfi, rec, rec - first < oda, tags, read, staticParts);
      staticProblem ??= problem;
    }
  }
  const sdaTagList = tags.get(0x9f4a);
  if (sdaTagList && sdaTagList.length === 1 && sdaTagList[0] === 0x82) staticParts.push(aip);
  else if (sdaTagList) staticProblem ??= `the static data tag list (9F4A) names more than the AIP`;
  return { aid, label, profileIndex, aip, tags, staticParts, staticProblem };
}

/** @throws CardError (every bad card answer: card-status, tlv-*, afl-malformed, missing-tag, limit-exceeded, card-blocked, no-application, card-declined …) */
export async function readEmvCard(channel: ApduChannel, options: EmvReadOptions): Promise<EmvReadResult> {
  const params = options.params;
  const profile = params.profile;
  const contactless = options.interface === 'contactless';
  const tvr = new Uint8Array(5);
  const tsi = new Uint8Array(2);
  // The terminal's data objects, made once per read.
  let term: Map<number, Uint8Array> | undefined = terminalData(params, tvr);
  // The directory read here, not in readApplication: a call deeper on the first, synchronous run
  // from the sale down to the reader link overflows the board's XS stack (512 slots, mcsim).
  const selection = new ApplicationSelection(channel, profile, contactless, options.choose);
  await selection.build();
  const app = await readApplication(channel, options, term, selection);
  const tags = app.tags;
  // The terminal's data objects over the card's, in the one map (no copy per step): ODA's DDOL
  // signs the very unpredictable number field 55 carries, whatever 9F37 a record holds. Only
  // card objects are read from it below until then (57, 5A, 5F.., 8C, 8E, 9F6C). The map holds
  // `tvr` itself, so later bits show.
  term.forEach((v, k) => tags.set(k, v));
  term = undefined;

  if (contactless ? !tags.has(0x57) && !tags.has(0x5a) : !tags.has(0x5a) || !tags.has(0x5f24) || !tags.has(0x8c)) {
    setBit(tvr, TVR.iccDataMissing);
    throw new CardError('missing-tag', contactless ? 'neither track 2 equivalent (57) nor PAN (5A)' : `mandatory ${!tags.has(0x5a) ? '5A' : !tags.has(0x5f24) ? '5F24' : '8C'} missing`);
  }
  const card = cardData(tags);
  processingRestrictions(tags, params.date, tvr);

  // Terminal risk: the contactless floor limit; contact sales here always go online.
  const limits = profile.aids[app.profileIndex].contactless;
  if (!contactless || params.amountMinor > limits.floorLimitMinor) setBit(tvr, TVR.floorLimitExceeded);
  setBit(tsi, TSI.terminalRiskManagementPerformed);

  // Offline data authentication: the method the AIP and 9F33 byte 3 both allow (CDA > DDA > SDA).
  const aip1 = app.aip[0];
  const caps = hexByte(profile.terminal.capabilities, 2);
  const possible = ((aip1 & 0x01) && (caps & 0x08)) || ((aip1 & 0x20) && (caps & 0x40)) || ((aip1 & 0x40) && (caps & 0x80));
  let odaOutcome: OdaOutcome = { method: 'none', ok: true };
  if (possible && options.oda) {
    // The method both sides allow: the AIP's ODA bits masked by 9F33 byte 3, so a terminal
    // that supports SDA only never runs DDA on a card offering both.
    const allowed = (caps & 0x80 ? 0x40 : 0) | (caps & 0x40 ? 0x20 : 0) | (caps & 0x08 ? 0x01 : 0);
    const aip = app.aip.length === 2 ? Uint8Array.of((aip1 & ~0x61) | (aip1 & allowed), app.aip[1]) : app.aip;
    if (app.staticProblem) odaOutcome = { method: aip[0] & 0x20 ? 'dda' : 'sda', ok: false, failure: 'missing-data', detail: app.staticProblem };
    else {
      const staticData = concatBytes(app.staticParts ?? []);
      app.staticParts = undefined;
      odaOutcome = await options.oda(new OdaRequest(channel, app.aid.slice(0, 10), aip, tags, staticData, params.date));
    }
  }
  app.staticParts = undefined;
  applyOda(tvr, tsi, odaOutcome);

  // Cardholder verification (simplified).
  const cvm = chooseCvm(contactless, params.amountMinor, limits.cvmLimitMinor, tags, hexByte(profile.terminal.capabilities, 1));
  if (cvm !== 'none') setBit(tsi, TSI.cvmPerformed);
  const cvmResults = cvm === 'online-pin' ? [0x42, 0x03, 0x00] : cvm === 'signature' ? [0x1e, 0x03, 0x00] : cvm === 'cdcvm' ? [0x01, 0x00, 0x02] : contactless ? [0x3f, 0x00, 0x00] : [0x1f, 0x03, 0x02];

  // The same map gives CDOL1 and field 55 their values (the terminal's already over the card's).
  const values = tags;
  values.set(0x9f34, Uint8Array.from(cvmResults));
  values.set(0x84, hexToBytes(app.aid));
  values.set(0x9b, tsi);

  // GENERATE AC asking an ARQC (p1 80) with the CDOL1 data; a contactless card without CDOL1 gave its cryptogram already.
  const cdol1 = values.get(0x8c);
  if (cdol1) {
    setBit(tsi, TSI.cardRiskManagementPerformed);
    const r = await channel.transmit(generateAcApdu(0x80, buildDolData(parseDol(cdol1), values)));
    const w = sw(r);
    if (w !== SW_OK) throw new CardError('card-status', `GENERATE AC answered ${swHex(w)}`);
    parseGenerateAcResponse(responseData(r).slice()).forEach((v, k) => values.set(k, v));
  } else if (!values.has(0x9f26)) throw new CardError('missing-tag', 'no CDOL1 (8C) and no cryptogram (9F26)');
  const cid = values.get(0x9f27);
  const cryptogram = cid && cid.length === 1 ? cryptogramType(cid[0]) : 'ARQC';
  if (cryptogram === 'AAC') throw new CardError('card-declined', 'the card answered AAC (declined offline)');

  return {
    aid: app.aid,
    label: app.label,
    ...card,
    icc: buildField55(profile.field55, values),
    tvr,
    tsi,
    oda: odaOutcome,
    cvm,
    cryptogram,
    aip: app.aip.slice(),
  };
}

/**
 * A YYMMDD date (BCD, 3 bytes) as one comparable number, the year windowed as EMV Book 4 §6.7.3
 * does (YY 00–49 → 20YY, 50–99 → 19YY); undefined when the bytes are no date.
 */
function dayNumber(bcd: Uint8Array | undefined): number | undefined {
  if (!bcd || bcd.length !== 3) return undefined;
  let n = 0;
  for (let i = 0; i < 6; i++) {
    const d = i & 1 ? bcd[i >> 1] & 15 : bcd[i >> 1] >> 4;
    if (d > 9) return undefined;
    n = n * 10 + d;
  }
  const yy = Math.floor(n / 10000);
  const mm = Math.floor(n / 100) % 100;
  const dd = n % 100;
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return undefined;
  return (yy < 50 ? 20_000_000 : 19_000_000) + n;
}

/** The terminal's YYMMDD (9A) as dayNumber gives it. */
function todayNumber(date: string): number | undefined {
  const b = new Uint8Array(3);
  for (let i = 0; i < 3; i++) b[i] = parseInt(date.substr(2 * i, 2), 16);
  return date.length === 6 ? dayNumber(b) : undefined;
}

/**
 * Processing restrictions, the dates only (EMV Book 3 §10.5.2 / §10.5.3): an application whose
 * expiration date (5F24) is before today sets TVR byte 2 b7, one whose effective date (5F25) is
 * after today TVR byte 2 b6. The read goes on: the sale goes online and the issuer decides.
 * A date that is no date is left alone here (the issuer sees the card's bytes).
 */
function processingRestrictions(tags: ReadonlyMap<number, Uint8Array>, date: string, tvr: Uint8Array): void {
  const today = todayNumber(date);
  if (today === undefined) return;
  const expires = dayNumber(tags.get(0x5f24));
  if (expires !== undefined && expires < today) setBit(tvr, TVR.applicationExpired);
  const effective = dayNumber(tags.get(0x5f25));
  if (effective !== undefined && effective > today) setBit(tvr, TVR.applicationNotYetEffective);
}

function chooseCvm(contactless: boolean, amount: number, cvmLimit: number, tags: ReadonlyMap<number, Uint8Array>, caps2: number): EmvReadResult['cvm'] {
  if (contactless) {
    if (amount <= cvmLimit) return 'none';
    const ctq = tags.get(0x9f6c);
    if (ctq && ctq.length >= 2 && ctq[1] & 0x80) return 'cdcvm';
    if (ctq && ctq.length >= 1 && !(ctq[0] & 0x80) && ctq[0] & 0x40) return 'signature';
    return 'online-pin'; // CUP: above the CVM limit, online PIN
  }
  // Contact: CVM list 8E (X 4, Y 4, then 2-byte rules); online PIN if listed and 9F33 byte 2 b7.
  const list = tags.get(0x8e);
  if (list && list.length >= 10) {
    for (let i = 8; i + 1 < list.length; i += 2) {
      const code = list[i] & 0x3f;
      if (code === 0x02 && caps2 & 0x40) return 'online-pin';
      if (code === 0x1e && caps2 & 0x20) return 'signature';
      if (code === 0x1f) return 'none';
    }
  }
  return 'none';
}

function hexByte(hex: string, index: number): number {
  return parseInt(hex.substr(index * 2, 2), 16) || 0;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}


/** Adds the card's primitive objects to `tags` (replacing the FCI's); an object already read from the GPO answer or a record is refused. */
function addCardData(nodes: readonly Tlv[], tags: Map<number, Uint8Array>, read: Set<number>): void {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.children) addCardData(n.children, tags, read);
    else if (read.has(n.tag)) throw new CardError('tlv-malformed', `data object ${n.tag.toString(16).toUpperCase()} appears twice in the card's data (redundant data, EMV Book 3 §7.5)`);
    else {
      read.add(n.tag);
      tags.set(n.tag, n.value);
    }
  }
}
