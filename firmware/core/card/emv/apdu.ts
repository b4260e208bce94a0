/**
 * Command APDUs of an EMV read (EMV 4.4 Book 3 §6.5, ISO/IEC 7816-4 short form) and status
 * words. A response APDU is data ‖ SW1 SW2.
 */
import { CardError } from '../errors';
import { concatBytes, encodeTlv } from './tlv';

/** Sends a command APDU, resolves with the response APDU. */
export interface ApduChannel {
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
}

function caseFour(header: readonly number[], data: Uint8Array): Uint8Array {
  if (data.length < 1 || data.length > 255) throw new CardError('dol-malformed', `command data of ${data.length} bytes (a short APDU carries 1–255)`);
  const out = new Uint8Array(4 + 1 + data.length + 1);
  out.set(header);
  out[4] = data.length;
  out.set(data, 5);
  out[5 + data.length] = 0x00;
  return out;
}

/** SELECT by DF name: 00 A4 04 00 Lc name 00; `next` = P2 02 (the next application with this name prefix). */
export function selectApdu(name: Uint8Array, next = false): Uint8Array {
  return caseFour([0x00, 0xa4, 0x04, next ? 0x02 : 0x00], name);
}

/** GET PROCESSING OPTIONS: 80 A8 00 00 Lc 83 len pdolData 00. */
export function gpoApdu(pdolData: Uint8Array): Uint8Array {
  return caseFour([0x80, 0xa8, 0x00, 0x00], encodeTlv(0x83, pdolData));
}

/** READ RECORD: 00 B2 rec (sfi << 3 | 4) 00. */
export function readRecordApdu(sfi: number, record: number): Uint8Array {
  return Uint8Array.of(0x00, 0xb2, record & 0xff, ((sfi & 0x1f) << 3) | 4, 0x00);
}

/** GET DATA: 80 CA tag(2) 00. */
export function getDataApdu(tag: number): Uint8Array {
  return Uint8Array.of(0x80, 0xca, (tag >> 8) & 0xff, tag & 0xff, 0x00);
}

/** GENERATE AC: 80 AE p1 00 Lc cdolData 00 (p1 b8-b7: 00 AAC, 40 TC, 80 ARQC; b5 CDA). */
export function generateAcApdu(p1: number, cdolData: Uint8Array): Uint8Array {
  return caseFour([0x80, 0xae, p1 & 0xff, 0x00], cdolData);
}

/** INTERNAL AUTHENTICATE: 00 88 00 00 Lc ddolData 00. */
export function internalAuthenticateApdu(ddolData: Uint8Array): Uint8Array {
  return caseFour([0x00, 0x88, 0x00, 0x00], ddolData);
}

/** GET RESPONSE: 00 C0 00 00 le. */
export function getResponseApdu(le: number): Uint8Array {
  return Uint8Array.of(0x00, 0xc0, 0x00, 0x00, le & 0xff);
}

/**
 * The status word of a response APDU.
 * @throws CardError 'card-status' when the response is shorter than a status word
 */
export function sw(rapdu: Uint8Array): number {
  if (rapdu.length < 2) throw new CardError('card-status', `response of ${rapdu.length} bytes has no status word`);
  return (rapdu[rapdu.length - 2] << 8) | rapdu[rapdu.length - 1];
}

/** The data of a response APDU (a view, without SW1 SW2). */
export function responseData(rapdu: Uint8Array): Uint8Array {
  return rapdu.subarray(0, Math.max(0, rapdu.length - 2));
}

/** '6A82'. */
export function swHex(word: number): string {
  return (word + 0x10000).toString(16).slice(1).toUpperCase();
}

export const SW_OK = 0x9000;
export const SW_BLOCKED_APP = 0x6283; // selected file deactivated (application blocked)
export const SW_CONDITIONS = 0x6985; // conditions of use not satisfied
export const SW_FUNCTION_NOT_SUPPORTED = 0x6a81; // on SELECT: card blocked
export const SW_FILE_NOT_FOUND = 0x6a82;
export const SW_RECORD_NOT_FOUND = 0x6a83;

/** A command APDU with Le set (replaced when present, appended for a command without one: ISO 7816-4 cases 1–4). */
export function withLe(apdu: Uint8Array, le: number): Uint8Array {
  if (apdu.length < 4) throw new CardError('card-status', `command of ${apdu.length} bytes`);
  const lcCase = apdu.length > 5 && apdu.length >= 5 + apdu[4];
  const hasLe = apdu.length === 5 || (lcCase && apdu.length === 6 + apdu[4]);
  const body = hasLe ? apdu.subarray(0, apdu.length - 1) : apdu;
  return concatBytes([body, Uint8Array.of(le & 0xff)]);
}
