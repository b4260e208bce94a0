/**
 * Field activation, the host's side (issue-8 contract §6: 0800 with 60.3 = 370). The request's
 * field 62 carries C1 serial number, C2 device public key (SPKI), C3 activation code; the host
 * checks, in this order, the code (wrong → reason 1, expired → 2), the slot's TID (disabled →
 * 3), its binding (activated by another serial → 4), then issues a new master key sealed for
 * the device (D1 ephemeral point, D2 wrapped key, D3 check value, D4 algorithm; D5 the reason).
 * A device that activates its slot again with a valid code gets a new master key.
 */
import { ACTIVATION_CODE_RULE, isActivationCode } from '../../firmware/core/activation/activationCode';
import { readNode } from '../../firmware/core/security/der';
import { SERIAL_NUMBER, type MasterKeyAlgorithm } from './config';
import { ALGORITHM_CODE, devicePoint, EnvelopeError, newMasterKey, sealMasterKey, type RandomSource } from './activationEnvelope';
import { masterCheckValue } from './hostCrypto';
import type { TerminalBook } from './terminalBook';

export const ACTIVATION_NETWORK_CODE = '370';

/** D5 values. */
export const REFUSAL = { 'code-wrong': 1, 'code-expired': 2, 'tid-disabled': 3, 'bound-elsewhere': 4 } as const;
export type RefusalReason = keyof typeof REFUSAL;

/** Field 44 texts (an..25, printable ASCII) that go with each refusal. */
const REFUSAL_TEXT: Readonly<Record<RefusalReason, string>> = {
  'code-wrong': 'activation code wrong',
  'code-expired': 'activation code expired',
  'tid-disabled': 'TID disabled',
  'bound-elsewhere': 'bound to another device',
};

const CHECK_VALUE_BYTES = 4;

export interface ActivationRequest {
  serial: string;
  publicKey: Uint8Array;
  code: string;
}

export type ActivationResult =
  | { ok: true; tid: string; mid: string; field62: Uint8Array; note: string }
  | { ok: false; reason: RefusalReason; field62: Uint8Array; text: string; note: string }
  | { ok: false; reason: 'malformed'; text: string; note: string };

/** One TLV with a one-byte tag; lengths in BER definite form (short, 81 xx, 82 xx xx). */
function tlv(tag: number, value: Uint8Array): Buffer {
  const n = value.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.of(tag, ...length), value]);
}

/** The request's C1 / C2 / C3 (other tags are skipped), or why they cannot be read. */
export function readActivationRequest(field62: unknown): ActivationRequest | string {
  if (!(field62 instanceof Uint8Array)) return 'no field 62';
  const found = new Map<number, Uint8Array>();
  try {
    for (let at = 0; at < field62.length; ) {
      const node = readNode(field62, at);
      // As the terminal's reader does (activationMessages.ts readTlvs): a tag twice is no request.
      if (found.has(node.tag)) return `field 62: tag ${node.tag.toString(16).toUpperCase()} appears twice`;
      found.set(node.tag, field62.subarray(node.contentStart, node.end));
      at = node.end;
    }
  } catch (error) {
    return `field 62: ${(error as Error).message}`;
  }
  const ascii = (tag: number) => (found.has(tag) ? Buffer.from(found.get(tag) as Uint8Array).toString('latin1') : undefined);
  const serial = ascii(0xc1);
  const code = ascii(0xc3);
  const publicKey = found.get(0xc2);
  if (serial === undefined || !SERIAL_NUMBER.test(serial)) return 'C1 serial number missing or not printable';
  if (!publicKey) return 'C2 public key missing';
  if (!isActivationCode(code)) return `C3 activation code missing or not ${ACTIVATION_CODE_RULE}`;
  return { serial, publicKey, code };
}

export interface ActivationContext {
  book: TerminalBook;
  /** Wall-clock ms, against the code's expiry. */
  now: number;
  random: RandomSource;
  /** Test-only: D3 does not match the key (a scenario's kcv-mismatch). */
  breakCheckValue?: boolean;
}

function refuse(reason: RefusalReason, note: string): ActivationResult {
  return { ok: false, reason, field62: new Uint8Array(tlv(0xd5, Uint8Array.of(REFUSAL[reason]))), text: REFUSAL_TEXT[reason], note };
}

/** Checks the request against the registry and, when it passes, binds the slot and seals its new master key. */
export function activate(field62: unknown, requestTid: string | undefined, ctx: ActivationContext): ActivationResult {
  const request = readActivationRequest(field62);
  if (typeof request === 'string') return { ok: false, reason: 'malformed', text: 'activation request bad', note: `activation refused: ${request}` };
  const who = `serial ${request.serial}`;
  const named = requestTid && !/^[0 ]{8}$/.test(requestTid) ? ` for TID ${requestTid}` : '';
  const slot = ctx.book.slotByCode(request.code, requestTid, request.serial);
  // D5 has no "locked": a locked slot refuses every code as wrong (the note says why).
  if (slot === 'locked') return refuse('code-wrong', `activation by ${who}: too many wrong codes${named || ` from ${who}`}, locked`);
  if (!slot) return refuse('code-wrong', `activation by ${who}: no slot has that code${named}`);
  const { tid, mid, activation } = slot;
  if (activation.expiresMs !== undefined && ctx.now > activation.expiresMs) return refuse('code-expired', `activation of ${tid} by ${who}: code expired ${new Date(activation.expiresMs).toISOString()}`);
  if (slot.status === 'disabled') return refuse('tid-disabled', `activation of ${tid} by ${who}: TID disabled`);
  if (activation.boundSerial !== undefined && activation.boundSerial !== request.serial) return refuse('bound-elsewhere', `activation of ${tid} by ${who}: bound to serial ${activation.boundSerial}`);
  let point: Uint8Array;
  try {
    point = devicePoint(request.publicKey);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return { ok: false, reason: 'malformed', text: 'activation request bad', note: `activation of ${tid} by ${who}: ${error.message}` };
  }
  const algorithm: MasterKeyAlgorithm = activation.algorithm;
  const key = newMasterKey(algorithm, ctx.random);
  try {
    const { ephemeralPoint, wrapped } = sealMasterKey(point, request.serial, key, ctx.random);
    const check = masterCheckValue({ key, algorithm }).slice(0, CHECK_VALUE_BYTES);
    if (ctx.breakCheckValue) check[CHECK_VALUE_BYTES - 1] ^= 0x01;
    const field62Out = Buffer.concat([tlv(0xd5, Uint8Array.of(0)), tlv(0xd1, ephemeralPoint), tlv(0xd2, wrapped), tlv(0xd3, check), tlv(0xd4, Uint8Array.of(ALGORITHM_CODE[algorithm]))]);
    const again = activation.boundSerial === request.serial ? ' again (new master key)' : '';
    ctx.book.bind(tid, request.serial, Buffer.from(key).toString('hex').toUpperCase(), algorithm);
    const kcvText = `${Buffer.from(check).toString('hex').toUpperCase()}${ctx.breakCheckValue ? ' (broken on purpose)' : ''}`;
    return { ok: true, tid, mid, field62: new Uint8Array(field62Out), note: `${tid} activated${again} by ${who}: ${algorithm} master key, check value ${kcvText}` };
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return { ok: false, reason: 'malformed', text: 'activation request bad', note: `activation of ${tid} by ${who}: ${error.message}` };
  } finally {
    key.fill(0);
  }
}
