/**
 * The CUP POS wire frame: 2-byte big-endian length of what follows ‖ TPDU (5 bytes: 60 ‖
 * destination address ‖ source address, the addresses swapped in the response) ‖ application
 * header (CUP: 6 bytes) ‖ ISO 8583 message. Published CUP traces show the shape, e.g.
 * https://www.codetd.com/article/5053461: "01 AA | 60 00 06 00 00 | 60 31 00 31 10 03 | 02 00 …".
 *
 * The CUP header (报文头): application type (60 magstripe / 61 IC), version (31), one byte of
 * terminal status (high nibble) and processing request (low nibble: the host sets 3 = "sign on
 * again"), then the terminal's software version as 6 BCD digits.
 */
import { readBcd, writeBcd } from './bcd';
import { Iso8583Error } from './types';

export const TPDU_BYTES = 5;
export const LENGTH_BYTES = 2;
export const CUP_HEADER_BYTES = 6;
/** MTI (2) + primary bitmap (8): the least a message can be. */
const MIN_MESSAGE_BYTES = 10;

export interface CupHeader {
  /** 0x60 magstripe, 0x61 IC. */
  appType: number;
  /** 0x31. */
  version: number;
  /** 0–9. */
  terminalStatus: number;
  /** 0–9; 3 = the host asks for a new sign-on. */
  processingRequest: number;
  /** 6 digits. */
  softwareVersion: string;
}

const isByte = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xff;
const isDigit = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 9;

/** @throws Iso8583Error('iso-bad-value', 0) when a part does not fit */
export function encodeCupHeader(h: CupHeader): Uint8Array {
  if (!isByte(h.appType) || !isByte(h.version)) throw new Iso8583Error('iso-bad-value', 0, 'header: application type and version are one byte each');
  if (!isDigit(h.terminalStatus) || !isDigit(h.processingRequest)) throw new Iso8583Error('iso-bad-value', 0, 'header: terminal status and processing request are 0–9');
  if (h.softwareVersion.length !== 6) throw new Iso8583Error('iso-bad-value', 0, 'header: the software version is 6 digits');
  const out = new Uint8Array(CUP_HEADER_BYTES);
  out[0] = h.appType;
  out[1] = h.version;
  out[2] = (h.terminalStatus << 4) | h.processingRequest;
  writeBcd(out, 3, h.softwareVersion, false, false, 0);
  return out;
}

/** @throws Iso8583Error('iso-frame-short' | 'iso-bad-digit', 0) */
export function decodeCupHeader(b: Uint8Array): CupHeader {
  if (b.length !== CUP_HEADER_BYTES) throw new Iso8583Error('iso-frame-short', 0, `a CUP header is ${CUP_HEADER_BYTES} bytes, not ${b.length}`);
  const terminalStatus = b[2] >> 4;
  const processingRequest = b[2] & 15;
  if (terminalStatus > 9 || processingRequest > 9) throw new Iso8583Error('iso-bad-digit', 0, 'header: terminal status or processing request is not a digit');
  return { appType: b[0], version: b[1], terminalStatus, processingRequest, softwareVersion: readBcd(b, 3, 6, false, false, 0) };
}

/**
 * length(2, big-endian) ‖ tpdu ‖ header ‖ message, in one buffer.
 * @throws Iso8583Error('iso-bad-value', 0) for a TPDU that is not 5 bytes; ('iso-frame-overlong', 0) past 65535 bytes
 */
export function encodeFrame(tpdu: Uint8Array, header: Uint8Array, message: Uint8Array): Uint8Array {
  if (tpdu.length !== TPDU_BYTES) throw new Iso8583Error('iso-bad-value', 0, `a TPDU is ${TPDU_BYTES} bytes, not ${tpdu.length}`);
  const body = TPDU_BYTES + header.length + message.length;
  if (body > 0xffff) throw new Iso8583Error('iso-frame-overlong', 0, `${body} bytes do not fit a 2-byte length`);
  const out = new Uint8Array(LENGTH_BYTES + body);
  out[0] = body >> 8;
  out[1] = body & 0xff;
  out.set(tpdu, LENGTH_BYTES);
  out.set(header, LENGTH_BYTES + TPDU_BYTES);
  out.set(message, LENGTH_BYTES + TPDU_BYTES + header.length);
  return out;
}

/**
 * Splits a frame body (the frame without its length prefix). The parts are views into `body`.
 * @throws Iso8583Error('iso-frame-short', 0) when the body cannot hold TPDU, header, MTI and bitmap
 */
export function decodeFrame(body: Uint8Array, headerLength: number): { tpdu: Uint8Array; header: Uint8Array; message: Uint8Array } {
  const start = TPDU_BYTES + headerLength;
  if (body.length < start + MIN_MESSAGE_BYTES) throw new Iso8583Error('iso-frame-short', 0, `${body.length} bytes cannot hold TPDU, header, MTI and bitmap`);
  return { tpdu: body.subarray(0, TPDU_BYTES), header: body.subarray(TPDU_BYTES, start), message: body.subarray(start) };
}

/** The response's TPDU: 60 DDDD SSSS → 60 SSSS DDDD. @throws Iso8583Error('iso-bad-value', 0) */
export function swapTpdu(tpdu: Uint8Array): Uint8Array {
  if (tpdu.length !== TPDU_BYTES) throw new Iso8583Error('iso-bad-value', 0, `a TPDU is ${TPDU_BYTES} bytes, not ${tpdu.length}`);
  return Uint8Array.of(tpdu[0], tpdu[3], tpdu[4], tpdu[1], tpdu[2]);
}
