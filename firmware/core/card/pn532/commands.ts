/**
 * The PN532 commands the terminal uses (UM0701-02 §7), their parameters and their answers.
 * Each answer comes back as the bytes after the answer's command code (command + 1); parsers
 * here judge them and throw typed errors.
 */
import { CardError } from '../errors';

export const CMD_DIAGNOSE = 0x00;
export const CMD_GET_FIRMWARE_VERSION = 0x02;
export const CMD_SAM_CONFIGURATION = 0x14;
export const CMD_RF_CONFIGURATION = 0x32;
export const CMD_IN_DATA_EXCHANGE = 0x40;
export const CMD_IN_LIST_PASSIVE_TARGET = 0x4a;
export const CMD_IN_RELEASE = 0x52;

/** Diagnose NumTst (§7.2.1). */
export const TEST_LINE = 0x00;
export const TEST_ROM = 0x01;
export const TEST_RAM = 0x02;
export const TEST_ANTENNA = 0x07;

/** RFConfiguration items (§7.3.1). */
export const RF_ITEM_FIELD = 0x01;
export const RF_ITEM_MAX_RETRIES = 0x05;

/** InListPassiveTarget BrTy (§7.3.5). */
export const BRTY_106_A = 0x00;
export const BRTY_106_B = 0x03;

/** GetFirmwareVersion's Support byte (§7.2.2). */
export const SUPPORT_ISO14443A = 0x01;
export const SUPPORT_ISO14443B = 0x02;

/** Status byte (§7.1): bits 5…0 error code, bit 6 MI (more information), bit 7 NAD present. */
export const STATUS_MI = 0x40;
const STATUS_ERROR_MASK = 0x3f;
/** Data bytes InDataExchange carries in one frame (§7.3.8). */
export const MAX_EXCHANGE_DATA = 262;

/** The error codes of the status byte (UM0701-02 §7.1, table "Error code list"). */
export function statusMeaning(code: number): string {
  switch (code & STATUS_ERROR_MASK) {
    case 0x01: return 'time out, the target has not answered';
    case 0x02: return 'CRC error detected by the CIU';
    case 0x03: return 'parity error detected by the CIU';
    case 0x04: return 'erroneous bit count during anticollision/select';
    case 0x05: return 'framing error during a MIFARE operation';
    case 0x06: return 'abnormal bit collision during bitwise anticollision at 106 kbps';
    case 0x07: return 'communication buffer size insufficient';
    case 0x09: return 'RF buffer overflow detected by the CIU';
    case 0x0a: return 'the RF field was not switched on in time by the counterpart';
    case 0x0b: return 'RF protocol error';
    case 0x0d: return 'temperature error: antenna drivers switched off';
    case 0x0e: return 'internal buffer overflow';
    case 0x10: return 'invalid parameter';
    case 0x12: return 'DEP: command not supported by the target';
    case 0x13: return 'DEP, MIFARE or ISO/IEC 14443-4: data format not as specified';
    case 0x14: return 'MIFARE: authentication error';
    case 0x23: return 'ISO/IEC 14443-3: UID check byte is wrong';
    case 0x25: return 'DEP: invalid device state';
    case 0x26: return 'operation not allowed in this configuration';
    case 0x27: return 'command not acceptable in the current context (unknown target, wrong state)';
    case 0x29: return 'the PN532 as target was released by its initiator';
    case 0x2a: return 'ISO/IEC 14443-3B: the card ID does not match (card exchanged)';
    case 0x2b: return 'ISO/IEC 14443-3B: the activated card has disappeared';
    case 0x2c: return 'NFCID3 mismatch between initiator and target';
    case 0x2d: return 'over-current event detected';
    case 0x2e: return 'NAD missing in DEP frame';
    default: return 'unknown error';
  }
}

/** @throws CardError pn532-status when the status byte carries an error code */
export function checkStatus(command: string, status: number): void {
  const code = status & STATUS_ERROR_MASK;
  if (code !== 0) throw new CardError('pn532-status', `${command}: status 0x${hex2(code)}: ${statusMeaning(code)}`);
}

export function hex2(n: number): string {
  return (n < 16 ? '0' : '') + (n & 0xff).toString(16);
}

/** @throws CardError pn532-truncated when an answer is shorter than its command's answer */
export function need(command: string, answer: Uint8Array, length: number): void {
  if (answer.length < length) throw new CardError('pn532-truncated', `${command} answer of ${answer.length} bytes, ${length} due`);
}

export interface FirmwareVersion {
  /** 0x32 for the PN532. */
  ic: number;
  ver: number;
  rev: number;
  /** SUPPORT_ISO14443A | SUPPORT_ISO14443B | 0x04 (ISO 18092). */
  support: number;
}

/** D5 03 IC Ver Rev Support (§7.2.2). */
export function parseFirmwareVersion(answer: Uint8Array): FirmwareVersion {
  need('GetFirmwareVersion', answer, 4);
  return { ic: answer[0], ver: answer[1], rev: answer[2], support: answer[3] };
}

/** A target found by InListPassiveTarget (§7.3.5), as the terminal needs it. */
export interface PassiveTarget {
  tg: number;
  /** NFCID1 (type A) or the PUPI of the ATQB (type B). */
  uid: Uint8Array;
  /** SENS_RES, type A. */
  atqa?: Uint8Array;
  /** SEL_RES, type A. */
  sak?: number;
  /** The ATS (its TL length byte first), type A ISO/IEC 14443-4 cards. */
  ats?: Uint8Array;
  /** ATQB (12 bytes), type B. */
  atqb?: Uint8Array;
}

/**
 * D5 4B NbTg [TargetData] for one target (MaxTg 1).
 * Type A: Tg SENS_RES(2) SEL_RES NFCIDLength NFCID1 [ATS, its first byte its length].
 * Type B: Tg ATQB(12) ATTRIB_RES length ATTRIB_RES.
 * @throws CardError pn532-truncated | pn532-length
 */
export function parseListPassiveTarget(answer: Uint8Array, brty: number): PassiveTarget | undefined {
  need('InListPassiveTarget', answer, 1);
  if (answer[0] === 0) return undefined;
  if (answer[0] > 2) throw new CardError('pn532-length', `InListPassiveTarget reports ${answer[0]} targets, at most 2`);
  if (brty === BRTY_106_B) {
    need('InListPassiveTarget', answer, 14);
    const atqb = answer.slice(2, 14);
    return { tg: answer[1], uid: atqb.slice(1, 5), atqb };
  }
  need('InListPassiveTarget', answer, 6);
  const uidLength = answer[5];
  if (uidLength !== 4 && uidLength !== 7 && uidLength !== 10)
    throw new CardError('pn532-length', `NFCID1 of ${uidLength} bytes (4, 7 or 10 due)`);
  need('InListPassiveTarget', answer, 6 + uidLength);
  const target: PassiveTarget = { tg: answer[1], atqa: answer.slice(2, 4), sak: answer[4], uid: answer.slice(6, 6 + uidLength) };
  const atsAt = 6 + uidLength;
  if (answer.length > atsAt) {
    const tl = answer[atsAt];
    if (tl < 1 || atsAt + tl > answer.length) throw new CardError('pn532-length', `ATS length ${tl} past the answer's end`);
    target.ats = answer.slice(atsAt, atsAt + tl);
  }
  return target;
}

/** Diagnose answers (§7.2.1): line test echoes NumTst and the data; ROM, RAM and antenna give one result byte, 00 = good. */
export function parseDiagnose(test: number, answer: Uint8Array): Uint8Array {
  if (test === TEST_LINE) {
    need('Diagnose', answer, 1);
    if (answer[0] !== TEST_LINE) throw new CardError('pn532-unexpected', `Diagnose line test answer starts 0x${hex2(answer[0])}, not 00`);
    return answer.slice(1);
  }
  need('Diagnose', answer, 1);
  return answer.slice(0, 1);
}

/** Bytes equal, for the line test's echo. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
