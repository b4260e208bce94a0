/**
 * Offline data authentication (EMV 4.4 Book 2): SDA (§5) and DDA (§6) with the terminal's CA
 * public key table. The issuer public key certificate (90) is recovered with the CA key the
 * card names (8F) under its RID, the ICC public key certificate (9F46) with the issuer key, and
 * the signatures (93, or the SDAD of INTERNAL AUTHENTICATE) with the key above them; every
 * recovered block is checked field by field and by its SHA-1 hash. A failure is a typed result
 * (the sale's TVR and the reader evidence take it), never a throw: only a card that stops
 * answering during INTERNAL AUTHENTICATE throws (CardError card-removed).
 *
 * CDA (§6.6) runs with GENERATE AC and is not performed here: a card offering it alone is
 * read without offline data authentication (method 'none').
 */
import type { CryptoPort } from '../../ports';
import type { CaPublicKey } from '../../security/caPublicKeys';
import type { CardProfile } from '../../config/cardProfile';
import { capkName } from '../../security/caPublicKeys';
import { constantTimeEqual } from '../../security/blocks';
import { RsaError, rsaRecover } from '../../security/rsaPublic';
import { toHex } from '../../bytes';
import { CardError } from '../errors';
import { findTag, parseTlv, tagHex } from './tlv';
import { type DolEntry, buildDolData, parseDol } from './dol';

export type OdaMethod = 'sda' | 'dda' | 'cda' | 'none';
export type OdaFailure =
  | 'unknown-ca-key'
  | 'issuer-cert-invalid'
  | 'issuer-cert-expired'
  | 'issuer-cert-revoked'
  | 'icc-cert-invalid'
  | 'icc-cert-expired'
  | 'ssad-invalid'
  | 'hash-mismatch'
  | 'sdad-invalid'
  | 'missing-data';
export type OdaOutcome = { method: OdaMethod; ok: true } | { method: OdaMethod; ok: false; failure: OdaFailure; detail: string };

export interface OdaInput {
  /** RID of the selected application (its AID's first 5 bytes) as 10 hex digits. */
  rid: string;
  /** Application Interchange Profile (82), 2 bytes. */
  aip: Uint8Array;
  /** Every primitive data object read so far (the terminal's own, 9F37 among them, may be there too). */
  tags: Map<number, Uint8Array>;
  /** The records flagged for ODA by the AFL, then the values of the tags 9F4A lists (EMV Book 3 §10.3). */
  staticData: Uint8Array;
  /** The terminal's date, YYMMDD (9A). */
  today: string;
  /** Sends INTERNAL AUTHENTICATE with the DDOL data; the card's response data (template 80 or 77, without SW1 SW2). */
  internalAuthenticate(ddolData: Uint8Array): Promise<Uint8Array>;
  /** The terminal's default DDOL, used when the card has no 9F49 (EMV Book 2 §6.5.1); 9F37 04 when absent. */
  ddolDefault?: Uint8Array;
}

// AIP byte 1 (EMV Book 3, Annex C1).
const AIP_SDA = 0x40;
const AIP_DDA = 0x20;

/** How a step fails; performOda turns it into the outcome (internal, never leaves this module). */
class OdaStop extends Error {
  constructor(readonly failure: OdaFailure, readonly detail: string) {
    super(detail);
  }
}

/** A recovered public key: modulus and exponent. */
interface RecoveredKey {
  modulus: Uint8Array;
  exponent: Uint8Array;
}

/** Year and month as months since year 0; YY windowed 00–49 → 20YY, 50–99 → 19YY (EMV Book 4 §6.7.3). */
function monthIndex(yy: number, mm: number): number {
  return (yy < 50 ? 2000 + yy : 1900 + yy) * 12 + (mm - 1);
}

function bcd(byte: number): number {
  const hi = byte >> 4;
  const lo = byte & 15;
  return hi > 9 || lo > 9 ? -1 : hi * 10 + lo;
}

class Today {
  readonly month: number;
  readonly startMs: number;
  constructor(yymmdd: string) {
    let ok = yymmdd.length === 6;
    for (let i = 0; ok && i < 6; i++) ok = yymmdd.charCodeAt(i) >= 48 && yymmdd.charCodeAt(i) <= 57;
    const yy = ok ? Number(yymmdd.slice(0, 2)) : 0;
    const mm = ok ? Number(yymmdd.slice(2, 4)) : 0;
    const dd = ok ? Number(yymmdd.slice(4, 6)) : 0;
    if (!ok || mm < 1 || mm > 12 || dd < 1 || dd > 31) throw new OdaStop('missing-data', "the terminal's date is not YYMMDD");
    this.month = monthIndex(yy, mm);
    this.startMs = Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, mm - 1, dd);
  }
}

/** Whether a certificate's MMYY (BCD) is still valid this month; throws `invalid` when it is no date. */
function certificateCurrent(mmyy: Uint8Array, today: Today, invalid: OdaFailure, what: string): boolean {
  const mm = bcd(mmyy[0]);
  const yy = bcd(mmyy[1]);
  if (mm < 1 || mm > 12 || yy < 0) throw new OdaStop(invalid, `${what}: expiry date ${toHex(mmyy)} is no MMYY`);
  return monthIndex(yy, mm) >= today.month;
}

/** Digits of a BCD number padded on the right with F (PAN 5A, issuer identifier, application PAN). */
function paddedDigits(bytes: Uint8Array): string | undefined {
  let out = '';
  let ended = false;
  for (let i = 0; i < bytes.length * 2; i++) {
    const d = i % 2 ? bytes[i >> 1] & 15 : bytes[i >> 1] >> 4;
    if (d === 15) ended = true;
    else if (ended || d > 9) return undefined;
    else out += String.fromCharCode(48 + d);
  }
  return out;
}

/** The PAN the certificates must name: 5A, or the digits of the track 2 equivalent (57) before its separator D. */
function cardPan(tags: Map<number, Uint8Array>): string | undefined {
  const pan = tags.get(0x5a);
  if (pan && pan.length) return paddedDigits(pan);
  const track2 = tags.get(0x57);
  if (!track2 || !track2.length) throw new OdaStop('missing-data', 'PAN (5A) missing');
  let out = '';
  for (let i = 0; i < track2.length * 2 && i < 20; i++) {
    const d = i % 2 ? track2[i >> 1] & 15 : track2[i >> 1] >> 4;
    if (d === 13) return out;
    if (d > 9) return undefined;
    out += String.fromCharCode(48 + d);
  }
  return undefined;
}

function need(tags: Map<number, Uint8Array>, tag: number, what: string): Uint8Array {
  const v = tags.get(tag);
  if (!v || v.length === 0) throw new OdaStop('missing-data', `${what} (${tagHex(tag)}) missing`);
  return v;
}

function recover(key: RecoveredKey, data: Uint8Array, invalid: OdaFailure, what: string): Uint8Array {
  if (data.length !== key.modulus.length) throw new OdaStop(invalid, `${what} is ${data.length} bytes; the key's modulus is ${key.modulus.length}`);
  try {
    return rsaRecover(key.modulus, key.exponent, data);
  } catch (e) {
    if (e instanceof RsaError) throw new OdaStop(invalid, `${what}: ${e.message}`);
    throw e;
  }
}

/** SHA-1 of a, b, c, d in a row, given to the port as one buffer: each call through the crypto port costs. */
function sha1(crypto: CryptoPort, a: Uint8Array, b?: Uint8Array, c?: Uint8Array, d?: Uint8Array): Uint8Array {
  const data = new Uint8Array(a.length + (b ? b.length : 0) + (c ? c.length : 0) + (d ? d.length : 0));
  data.set(a);
  let at = a.length;
  if (b) data.set(b, at);
  at += b ? b.length : 0;
  if (c) data.set(c, at);
  at += c ? c.length : 0;
  if (d) data.set(d, at);
  const digest = crypto.digest('SHA-1');
  digest.update(data);
  return digest.close();
}

/** Checks header 6A, format, trailer BC and the hash algorithm byte at `hashAlgoAt` of a recovered block. */
function checkFrame(rec: Uint8Array, format: number, hashAlgoAt: number, invalid: OdaFailure, what: string): void {
  if (rec[0] !== 0x6a) throw new OdaStop(invalid, `${what}: recovered header ${toHex(rec.subarray(0, 1))}, not 6a`);
  if (rec[rec.length - 1] !== 0xbc) throw new OdaStop(invalid, `${what}: recovered trailer ${toHex(rec.subarray(rec.length - 1))}, not bc`);
  if (rec[1] !== format) throw new OdaStop(invalid, `${what}: format ${toHex(rec.subarray(1, 2))}, not ${format.toString(16).padStart(2, '0')}`);
  if (rec[hashAlgoAt] !== 0x01) throw new OdaStop(invalid, `${what}: hash algorithm ${toHex(rec.subarray(hashAlgoAt, hashAlgoAt + 1))}, not 01 (SHA-1)`);
}

function allPadding(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0xbb) return false;
  return true;
}

/**
 * The public key a recovered certificate carries (EMV Book 2 Tables 13 and 14): the algorithm
 * byte before `lengthsAt`, the key and exponent lengths at it, then the key's first bytes (`room`
 * bytes in the certificate, BB-padded when the key is shorter, the rest in the remainder).
 */
function certifiedKey(rec: Uint8Array, lengthsAt: number, room: number, remainder: Uint8Array | undefined, exponent: Uint8Array, invalid: OdaFailure, what: string): RecoveredKey {
  if (rec[lengthsAt - 1] !== 0x01) throw new OdaStop(invalid, `${what}: public key algorithm ${toHex(rec.subarray(lengthsAt - 1, lengthsAt))}, not 01 (RSA)`);
  const keyLength = rec[lengthsAt];
  const exponentLength = rec[lengthsAt + 1];
  const keyAt = lengthsAt + 2;
  if (exponentLength !== exponent.length) throw new OdaStop(invalid, `${what}: exponent of ${exponentLength} bytes certified, the card gave ${exponent.length}`);
  if (!(exponent.length === 1 && exponent[0] === 3) && !(exponent.length === 3 && exponent[0] === 1 && exponent[1] === 0 && exponent[2] === 1))
    throw new OdaStop(invalid, `${what}: exponent ${toHex(exponent)} is neither 3 nor 65537`);
  const modulus = new Uint8Array(keyLength);
  if (keyLength <= room) {
    if (!allPadding(rec.subarray(keyAt + keyLength, keyAt + room))) throw new OdaStop(invalid, `${what}: padding after the key is not BB`);
    modulus.set(rec.subarray(keyAt, keyAt + keyLength));
  } else {
    if (!remainder) throw new OdaStop('missing-data', `${what}: a ${keyLength}-byte key needs its remainder`);
    if (remainder.length !== keyLength - room) throw new OdaStop(invalid, `${what}: remainder of ${remainder.length} bytes, ${keyLength - room} expected`);
    modulus.set(rec.subarray(keyAt, keyAt + room));
    modulus.set(remainder, room);
  }
  if (keyLength < 64 || modulus[0] === 0) throw new OdaStop(invalid, `${what}: certified key of ${keyLength} bytes is no RSA modulus`);
  return { modulus, exponent };
}

/** EMV Book 2 §5.3: the issuer public key from 90 with the CA key `ca`. */
function issuerKey(crypto: CryptoPort, ca: CaPublicKey, revoked: CardProfile['revoked'], input: OdaInput, today: Today, pan: string): RecoveredKey {
  const certificate = need(input.tags, 0x90, 'issuer public key certificate');
  const exponent = need(input.tags, 0x9f32, 'issuer public key exponent');
  const remainder = input.tags.get(0x92);
  const what = 'issuer certificate';
  const rec = recover(ca, certificate, 'issuer-cert-invalid', what);
  const n = rec.length;
  if (n < 64) throw new OdaStop('issuer-cert-invalid', `${what}: ${n} bytes is too short`);
  checkFrame(rec, 0x02, 11, 'issuer-cert-invalid', what);
  const key = certifiedKey(rec, 13, n - 36, remainder, exponent, 'issuer-cert-invalid', what);
  const hash = sha1(crypto, rec.subarray(1, n - 21), remainder, exponent);
  if (!constantTimeEqual(hash, rec.subarray(n - 21, n - 1))) throw new OdaStop('issuer-cert-invalid', `${what}: hash does not match`);
  const issuerId = paddedDigits(rec.subarray(2, 6));
  if (issuerId === undefined || issuerId.length < 3 || !pan.startsWith(issuerId)) throw new OdaStop('issuer-cert-invalid', `${what}: issuer identifier does not match the PAN`);
  if (!certificateCurrent(rec.subarray(6, 8), today, 'issuer-cert-invalid', what)) throw new OdaStop('issuer-cert-expired', `${what} expired (MMYY ${toHex(rec.subarray(6, 8))})`);
  const serial = toHex(rec.subarray(8, 11)).toUpperCase();
  const rid = ca.rid.toUpperCase();
  for (let i = 0; i < revoked.length; i++) {
    const r = revoked[i];
    if (r.rid.toUpperCase() === rid && r.index === ca.index && r.serial.toUpperCase() === serial)
      throw new OdaStop('issuer-cert-revoked', `${what} ${capkName(ca.rid, ca.index)} serial ${serial} is revoked`);
  }
  return key;
}

/** The CA keys that may have signed 90: RID + index (8F), not expired by their own date. */
function caCandidates(capks: readonly CaPublicKey[], input: OdaInput, today: Today): CaPublicKey[] {
  const index = need(input.tags, 0x8f, 'CA public key index');
  if (index.length !== 1) throw new OdaStop('missing-data', `CA public key index (8F) of ${index.length} bytes`);
  const rid = input.rid.toUpperCase();
  const name = capkName(rid, index[0]);
  const slot = capks.filter((k) => k.rid.toUpperCase() === rid && k.index === index[0]);
  if (slot.length === 0) throw new OdaStop('unknown-ca-key', `the terminal has no CA key ${name}`);
  const current = slot.filter((k) => k.expiresMs === undefined || today.startMs <= k.expiresMs);
  if (current.length === 0) throw new OdaStop('unknown-ca-key', `CA key ${name} has expired`);
  return current;
}

/** The issuer key under the first CA key of the slot whose recovery holds (a slot may hold more than one key). */
function issuerKeyFromTable(crypto: CryptoPort, capks: readonly CaPublicKey[], revoked: CardProfile['revoked'], input: OdaInput, today: Today, pan: string): RecoveredKey {
  const candidates = caCandidates(capks, input, today);
  let first: OdaStop | undefined;
  for (let i = 0; i < candidates.length; i++) {
    try {
      return issuerKey(crypto, candidates[i], revoked, input, today, pan);
    } catch (e) {
      if (!(e instanceof OdaStop) || e.failure !== 'issuer-cert-invalid') throw e;
      first ??= e;
    }
  }
  throw first as OdaStop;
}

/** EMV Book 2 §5.4: Signed Static Application Data (93) under the issuer key. */
function verifySsad(crypto: CryptoPort, issuer: RecoveredKey, input: OdaInput): void {
  const ssad = need(input.tags, 0x93, 'signed static application data');
  const what = 'signed static application data';
  const rec = recover(issuer, ssad, 'ssad-invalid', what);
  const n = rec.length;
  checkFrame(rec, 0x03, 2, 'ssad-invalid', what);
  if (!allPadding(rec.subarray(5, n - 21))) throw new OdaStop('ssad-invalid', `${what}: padding is not BB`);
  const hash = sha1(crypto, rec.subarray(1, n - 21), input.staticData);
  if (!constantTimeEqual(hash, rec.subarray(n - 21, n - 1))) throw new OdaStop('hash-mismatch', 'static data to authenticate does not match the hash the issuer signed');
}

/** EMV Book 2 §6.4: the ICC public key from 9F46 with the issuer key. */
function iccKey(crypto: CryptoPort, issuer: RecoveredKey, input: OdaInput, today: Today, pan: string): RecoveredKey {
  const certificate = need(input.tags, 0x9f46, 'ICC public key certificate');
  const exponent = need(input.tags, 0x9f47, 'ICC public key exponent');
  const remainder = input.tags.get(0x9f48);
  const what = 'ICC certificate';
  const rec = recover(issuer, certificate, 'icc-cert-invalid', what);
  const n = rec.length;
  checkFrame(rec, 0x04, 17, 'icc-cert-invalid', what);
  const key = certifiedKey(rec, 19, n - 42, remainder, exponent, 'icc-cert-invalid', what);
  const hash = sha1(crypto, rec.subarray(1, n - 21), remainder, exponent, input.staticData);
  if (!constantTimeEqual(hash, rec.subarray(n - 21, n - 1))) throw new OdaStop('icc-cert-invalid', `${what}: hash does not match (certificate or static data to authenticate changed)`);
  if (paddedDigits(rec.subarray(2, 12)) !== pan) throw new OdaStop('icc-cert-invalid', `${what}: application PAN does not match the PAN`);
  if (!certificateCurrent(rec.subarray(12, 14), today, 'icc-cert-invalid', what)) throw new OdaStop('icc-cert-expired', `${what} expired (MMYY ${toHex(rec.subarray(12, 14))})`);
  return key;
}

/**
 * DDOL data (EMV Book 3 §5.4, card/emv/dol.ts): each named object's value from `tags`; the
 * unpredictable number fresh random bytes when the terminal has none there yet.
 */
function ddolData(crypto: CryptoPort, ddol: Uint8Array, tags: Map<number, Uint8Array>): Uint8Array {
  let entries: DolEntry[];
  try {
    entries = parseDol(ddol);
  } catch (e) {
    if (e instanceof CardError) throw new OdaStop('sdad-invalid', `DDOL: ${e.message}`);
    throw e;
  }
  let unpredictable: DolEntry | undefined;
  for (let i = 0; i < entries.length; i++) if (entries[i].tag === 0x9f37) unpredictable = entries[i];
  // Book 2 §6.5.1: DDA needs the terminal's unpredictable number in the signed data.
  if (!unpredictable) throw new OdaStop('missing-data', 'the DDOL does not name the unpredictable number (9F37)');
  if (tags.has(0x9f37)) return buildDolData(entries, tags);
  const values = new Map(tags);
  values.set(0x9f37, crypto.randomBytes(unpredictable.length));
  return buildDolData(entries, values);
}

/** The SDAD from INTERNAL AUTHENTICATE's answer: format 1 (80: the SDAD) or format 2 (77 holding 9F4B). */
function signedDynamicData(response: Uint8Array): Uint8Array {
  let nodes;
  try {
    nodes = parseTlv(response);
  } catch (e) {
    if (e instanceof CardError) throw new OdaStop('sdad-invalid', `INTERNAL AUTHENTICATE answer: ${e.message}`);
    throw e;
  }
  const first = nodes[0];
  if (first?.tag === 0x80) return first.value;
  if (first?.tag === 0x77) {
    const sdad = findTag(first.children ?? [], 0x9f4b);
    if (sdad) return sdad.value;
    throw new OdaStop('sdad-invalid', 'INTERNAL AUTHENTICATE answer (77) holds no 9F4B');
  }
  throw new OdaStop('sdad-invalid', `INTERNAL AUTHENTICATE answer is ${first ? `tag ${tagHex(first.tag)}` : 'empty'}, not 80 or 77`);
}

/**
 * EMV Book 2 §6.5: INTERNAL AUTHENTICATE and the Signed Dynamic Application Data under the ICC
 * key; OdaStop becomes the outcome here. Only the ICC key and the input live across the card's
 * answer: the CA keys, the issuer key and the certificates stay with performOda's synchronous part.
 */
async function dynamicOutcome(crypto: CryptoPort, icc: RecoveredKey, input: OdaInput): Promise<OdaOutcome> {
  try {
    const ddol = input.tags.get(0x9f49) ?? input.ddolDefault ?? Uint8Array.of(0x9f, 0x37, 0x04);
    const data = ddolData(crypto, ddol, input.tags);
    let response: Uint8Array;
    try {
      response = await input.internalAuthenticate(data);
    } catch (e) {
      // A card that refuses the command (a status word, Book 3 §6.5.9) has failed DDA; the sale goes on.
      if (e instanceof CardError && e.code === 'card-status') throw new OdaStop('sdad-invalid', `INTERNAL AUTHENTICATE refused: ${e.message}`);
      if (e instanceof CardError) throw e;
      throw new CardError('card-removed', `INTERNAL AUTHENTICATE got no answer: ${e instanceof Error ? e.message : String(e)}`);
    }
    const what = 'signed dynamic application data';
    const rec = recover(icc, signedDynamicData(response), 'sdad-invalid', what);
    const n = rec.length;
    checkFrame(rec, 0x05, 2, 'sdad-invalid', what);
    const ldd = rec[3];
    if (ldd < 3 || 4 + ldd > n - 21) throw new OdaStop('sdad-invalid', `${what}: dynamic data length ${ldd} does not fit`);
    const numberLength = rec[4];
    if (numberLength < 2 || numberLength > 8 || numberLength > ldd - 1) throw new OdaStop('sdad-invalid', `${what}: ICC dynamic number of ${numberLength} bytes`);
    if (!allPadding(rec.subarray(4 + ldd, n - 21))) throw new OdaStop('sdad-invalid', `${what}: padding is not BB`);
    const hash = sha1(crypto, rec.subarray(1, n - 21), data);
    if (!constantTimeEqual(hash, rec.subarray(n - 21, n - 1))) throw new OdaStop('sdad-invalid', `${what}: hash does not match`);
    return { method: 'dda', ok: true };
  } catch (e) {
    if (e instanceof OdaStop) return { method: 'dda', ok: false, failure: e.failure, detail: e.detail };
    throw e;
  }
}

/**
 * Performs SDA or DDA as the card's AIP offers (DDA when both): recovers the issuer key with the
 * CA key 8F names under `capks` (`revoked`: the profile's revoked issuer certificates), then
 * verifies the signed static data, or the ICC key and a fresh dynamic signature. Not an async
 * function: its synchronous part (certificates, keys) ends before INTERNAL AUTHENTICATE is awaited,
 * so nothing of it is held across the card's answer (XS heap, docs/memory.md issue 9).
 * @throws CardError card-removed when the card stops answering INTERNAL AUTHENTICATE (a CardError
 * the exchange throws is passed on as it is, but card-status, a refusal, is the outcome sdad-invalid)
 */
export function performOda(crypto: CryptoPort, capks: readonly CaPublicKey[], revoked: CardProfile['revoked'], input: OdaInput): Promise<OdaOutcome> {
  let method: OdaMethod = 'none';
  let icc: RecoveredKey;
  try {
    const aip = input.aip[0] ?? 0;
    method = aip & AIP_DDA ? 'dda' : aip & AIP_SDA ? 'sda' : 'none';
    if (method === 'none') return Promise.resolve({ method, ok: true });
    if (input.aip.length !== 2) throw new OdaStop('missing-data', `AIP (82) of ${input.aip.length} bytes`);
    const today = new Today(input.today);
    const pan = cardPan(input.tags);
    if (pan === undefined || pan.length < 12 || pan.length > 19) throw new OdaStop('missing-data', 'PAN (5A, or 57 before its separator) is not 12–19 BCD digits');
    const issuer = issuerKeyFromTable(crypto, capks, revoked, input, today, pan);
    if (method === 'sda') {
      verifySsad(crypto, issuer, input);
      return Promise.resolve({ method, ok: true });
    }
    icc = iccKey(crypto, issuer, input, today, pan);
  } catch (e) {
    if (e instanceof OdaStop) return Promise.resolve({ method, ok: false, failure: e.failure, detail: e.detail });
    return Promise.reject(e);
  }
  return dynamicOutcome(crypto, icc, input);
}
