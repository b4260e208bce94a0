/**
 * The activation request (0800, network management code 370) and its answer (0810), as ISO 8583
 * field maps in the CUP POS dialect (issue 8 contract §6). No MAC: the terminal has no key yet.
 *
 * Request: 11 STAN, 41 TID (the configured one, or "00000000"), 42 MID (or 15 spaces), 60 =
 * 60.1 "00" ‖ 60.2 batch n6 ‖ 60.3 "370", 62 = BER-TLV C1 serial number (ASCII), C2 device
 * public key (SPKI DER, EC P-256), C3 activation code (ASCII digits).
 * Answer: 39 response code, 41 / 42 the IDs the host bound, 44 optional text, 62 = BER-TLV D5
 * reason (1 byte: 0 ok, 1 code wrong, 2 code expired, 3 TID disabled, 4 bound elsewhere) and on
 * success D1 ephemeral point (65 bytes), D2 wrapped master key, D3 check value (4 bytes), D4
 * key algorithm (1 tdes2, 2 tdes3, 3 aes128).
 *
 * Tags are one byte of the private class (ISO/IEC 8825-1 §8.1.2: bits 8-7 = 11), primitive;
 * lengths are BER definite (short form, 81 xx, 82 xx xx). The answer's TLVs are read with the
 * one DER reader (security/der.ts): DER's minimal lengths are BER's, and a host writes them.
 */
import type { KeyAlgorithm } from '../ports';
import { ascii, concatBytes } from '../bytes';
import { errorText } from '../errorText';
import { deepFreeze } from '../freeze';
import { pad } from '../host/messages';
import type { FieldValue, Iso8583Message } from '../host/types';
import { content, readNode } from '../security/der';
import { envelopeLength, ENVELOPE_POINT_BYTES } from '../security/keyEnvelope';
import { ACTIVATION_CODE_RULE, isActivationCode } from './activationCode';

/** CUP 60.3 for activation (the contract's number; sign-on is 001/003/004, echo 301). */
export const ACTIVATION_NETWORK_CODE = '370';
/** Field 41 and 42 of a terminal that has no IDs yet. */
export const UNSET_TERMINAL_ID = '00000000';
export const UNSET_MERCHANT_ID = ' '.repeat(15);
/** Bytes of the check value D3 carries. */
export const ACTIVATION_KCV_BYTES = 4;

export const ActivationTag = deepFreeze({
  serial: 0xc1,
  publicKey: 0xc2,
  code: 0xc3,
  ephemeralPoint: 0xd1,
  wrappedKey: 0xd2,
  checkValue: 0xd3,
  algorithm: 0xd4,
  reason: 0xd5,
} as const);

/** The host's refusals, by their D5 value (1–4). */
export type HostRefusalReason = 'code-wrong' | 'code-expired' | 'tid-disabled' | 'bound-elsewhere';
const REASON_BY_CODE: readonly (HostRefusalReason | undefined)[] = deepFreeze([undefined, 'code-wrong', 'code-expired', 'tid-disabled', 'bound-elsewhere']);
/** D4 → the master key's algorithm. */
const ALGORITHM_BY_CODE: readonly (KeyAlgorithm | undefined)[] = deepFreeze([undefined, 'tdes2', 'tdes3', 'aes128']);

export type ActivationErrorCode =
  | 'activation-request' // a request part that cannot be sent (the code is not digits, …)
  | 'activation-answer'; // the 0810 is missing a field or a tag, or one is malformed

/** A request that cannot be built or an answer that cannot be read. `field` names it: "39", "62.D3". */
export class ActivationError extends Error {
  override readonly name = 'ActivationError';
  constructor(readonly code: ActivationErrorCode, readonly field: string, message: string) {
    super(`field ${field}: ${message}`);
  }
}

export interface ActivationRequestParts {
  stan: string;
  batch: number;
  /** The configured IDs; absent or not of the field's form: the unset ones. */
  terminalId?: string;
  merchantId?: string;
  serial: string;
  /** SubjectPublicKeyInfo DER of the device key (CryptoPort.createDeviceKey). */
  publicKey: Uint8Array;
  code: string;
}

const SERIAL = /^[\x21-\x7e]{1,32}$/;
const TERMINAL_ID = /^[\x21-\x7e]{8}$/;
const MERCHANT_ID = /^[\x21-\x7e]{15}$/;

/** One TLV with a one-byte tag and a BER definite length. */
function tlv(tag: number, value: Uint8Array): Uint8Array {
  const n = value.length;
  const head = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : [tag, 0x82, n >> 8, n & 0xff];
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(value, head.length);
  return out;
}


/**
 * The 0800 activation request.
 * @throws ActivationError('activation-request') naming the part that cannot be sent
 */
export function activationRequest(parts: ActivationRequestParts): Iso8583Message {
  if (!isActivationCode(parts.code)) throw new ActivationError('activation-request', '62.C3', `the activation code must be ${ACTIVATION_CODE_RULE}`);
  if (!SERIAL.test(parts.serial)) throw new ActivationError('activation-request', '62.C1', 'the serial number must be 1–32 printable characters');
  if (parts.publicKey.length === 0 || parts.publicKey.length > 200) throw new ActivationError('activation-request', '62.C2', 'no device public key');
  const fields = new Map<number, FieldValue>();
  fields.set(11, parts.stan);
  fields.set(41, parts.terminalId !== undefined && TERMINAL_ID.test(parts.terminalId) ? parts.terminalId : UNSET_TERMINAL_ID);
  fields.set(42, parts.merchantId !== undefined && MERCHANT_ID.test(parts.merchantId) ? parts.merchantId : UNSET_MERCHANT_ID);
  fields.set(60, '00' + pad(parts.batch, 6) + ACTIVATION_NETWORK_CODE);
  fields.set(62, concatBytes([tlv(ActivationTag.serial, ascii(parts.serial)), tlv(ActivationTag.publicKey, parts.publicKey), tlv(ActivationTag.code, ascii(parts.code))]));
  return { mti: '0800', fields };
}

/** What the host answered, read and checked; the key material stays sealed for the crypto port. */
export type ActivationAnswer =
  | {
      kind: 'granted';
      responseCode: string;
      terminalId: string;
      merchantId: string;
      ephemeralPoint: Uint8Array;
      wrappedKey: Uint8Array;
      checkValue: Uint8Array;
      algorithm: KeyAlgorithm;
      hostText?: string;
    }
  | { kind: 'refused'; responseCode: string; reason: HostRefusalReason; hostText?: string };

const tagName = (tag: number): string => tag.toString(16).toUpperCase();
const malformed = (field: string, message: string) => new ActivationError('activation-answer', field, message);

/** Field 62's TLVs by tag; unknown tags are kept too (and ignored), a repeated tag is malformed. */
function readTlvs(block: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (let at = 0; at < block.length; ) {
    let node;
    try {
      node = readNode(block, at);
    } catch (error) {
      throw malformed('62', `BER-TLV unreadable at byte ${at}: ${errorText(error)}`);
    }
    if (out.has(node.tag)) throw malformed(`62.${tagName(node.tag)}`, 'the tag appears twice');
    out.set(node.tag, content(block, node));
    at = node.end;
  }
  return out;
}

function one(tlvs: Map<number, Uint8Array>, tag: number, length?: number): Uint8Array {
  const value = tlvs.get(tag);
  if (value === undefined) throw malformed(`62.${tagName(tag)}`, 'missing');
  if (length !== undefined && value.length !== length) throw malformed(`62.${tagName(tag)}`, `${value.length} bytes, not ${length}`);
  return value;
}

/**
 * Reads a 0810 to an activation request. D5 decides: 1–4 are the host's refusals whatever field
 * 39 says; 0 needs response code "00", the bound IDs and D1–D4 of the right shapes.
 * @throws ActivationError('activation-answer') naming the missing or malformed field or tag
 */
export function parseActivationAnswer(message: Iso8583Message): ActivationAnswer {
  const f = message.fields;
  if (message.mti !== '0810') throw malformed('0', `MTI ${message.mti}, not 0810`);
  const responseCode = f.get(39);
  if (typeof responseCode !== 'string') throw malformed('39', 'no response code');
  const note = f.get(44);
  const hostText = typeof note === 'string' ? { hostText: note.trim() } : {};
  const block = f.get(62);
  if (!(block instanceof Uint8Array)) throw malformed('62', `no activation data (response code ${responseCode})`);
  const tlvs = readTlvs(block);
  const reasonCode = one(tlvs, ActivationTag.reason, 1)[0];
  if (reasonCode !== 0) {
    const reason = REASON_BY_CODE[reasonCode];
    if (!reason) throw malformed('62.D5', `reason ${reasonCode} is not 0–4`);
    return { kind: 'refused', responseCode, reason, ...hostText };
  }
  if (responseCode !== '00') throw malformed('39', `response code ${responseCode} with reason 0 (activated)`);
  const terminalId = f.get(41);
  if (typeof terminalId !== 'string' || !TERMINAL_ID.test(terminalId)) throw malformed('41', 'the bound terminal ID must be 8 printable characters');
  const merchantId = f.get(42);
  if (typeof merchantId !== 'string' || !MERCHANT_ID.test(merchantId)) throw malformed('42', 'the bound merchant ID must be 15 printable characters');
  const algorithmCode = one(tlvs, ActivationTag.algorithm, 1)[0];
  const algorithm = ALGORITHM_BY_CODE[algorithmCode];
  if (!algorithm) throw malformed('62.D4', `key algorithm ${algorithmCode} is not 1–3`);
  const ephemeralPoint = one(tlvs, ActivationTag.ephemeralPoint, ENVELOPE_POINT_BYTES);
  if (ephemeralPoint[0] !== 0x04) throw malformed('62.D1', 'not an uncompressed point (04 first)');
  return {
    kind: 'granted',
    responseCode,
    terminalId,
    merchantId,
    ephemeralPoint,
    wrappedKey: one(tlvs, ActivationTag.wrappedKey, envelopeLength(algorithm)),
    checkValue: one(tlvs, ActivationTag.checkValue, ACTIVATION_KCV_BYTES),
    algorithm,
    ...hostText,
  };
}
