/**
 * The activation request and answer against the CUP field layouts taken apart by hand
 * (referenceHost.ts: hex slicing and concatenation, not the codec), every refusal reason, and
 * every malformed answer a typed ActivationError naming its field.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { activationRequest, parseActivationAnswer, ActivationError, UNSET_MERCHANT_ID, UNSET_TERMINAL_ID } from '../../firmware/core/activation/activationMessages';
import { CUP_POS_DIALECT } from '../../firmware/core/host/cupDialect';
import { encodeFrame } from '../../firmware/core/host/frame';
import { packMessage, unpackMessage } from '../../firmware/core/host/iso8583';
import { answerBody, decodeRequest, grant62, tlv, type AnswerParts, type DecodedRequest } from './referenceHost';

const SPKI = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }));
const TPDU = Uint8Array.of(0x60, 0x00, 0x03, 0x00, 0x00);
const HEADER = Uint8Array.of(0x60, 0x31, 0x00, 0x00, 0x00, 0x00);

function requestBody(parts: Partial<Parameters<typeof activationRequest>[0]> = {}): Buffer {
  const message = activationRequest({ stan: '000123', batch: 7, serial: 'A1B2C3D4E5F6', publicKey: SPKI, code: '20261126', ...parts });
  const frame = encodeFrame(TPDU, HEADER, packMessage(CUP_POS_DIALECT, message));
  return Buffer.from(frame.subarray(2));
}

describe('activation request (0800, 60.3 = 370)', () => {
  it('lays out fields 11, 41, 42, 60 and 62 as the CUP table says, with C1 serial, C2 SPKI, C3 code', () => {
    const r = decodeRequest(requestBody({ terminalId: '12345678', merchantId: '123456789012345' }));
    expect(r).toMatchObject({ tpdu: '6000030000', header: '603100000000', mti: '0800', stan: '000123', tid: '12345678', mid: '123456789012345' });
    // 60.1 management "00" ‖ 60.2 batch 000007 ‖ 60.3 "370".
    expect(r.field60).toBe('00000007370');
    expect(r.serial).toBe('A1B2C3D4E5F6');
    expect(r.code).toBe('20261126');
    expect(r.publicKey.equals(Buffer.from(SPKI))).toBe(true);
    const key = createPublicKey({ key: r.publicKey, format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // C2 is 91 bytes: its length takes the short form; the block starts C1 0C "A1B2…".
    expect(r.field62.subarray(0, 2).toString('hex')).toBe('c10c');
    expect(r.field62.subarray(14, 16).toString('hex')).toBe('c25b');
  });

  it('sends the unset IDs when none (or a malformed one) is configured', () => {
    expect(decodeRequest(requestBody())).toMatchObject({ tid: '00000000', mid: ' '.repeat(15) });
    expect(decodeRequest(requestBody({ terminalId: 'short', merchantId: 'x' }))).toMatchObject({ tid: UNSET_TERMINAL_ID, mid: UNSET_MERCHANT_ID });
  });

  it('uses a two-byte BER length for a long value (C2 past 127 bytes)', () => {
    const long = new Uint8Array(150).fill(7);
    const r = decodeRequest(requestBody({ publicKey: long }));
    expect(r.field62.subarray(14, 17).toString('hex')).toBe('c28196');
    expect(r.publicKey.equals(Buffer.from(long))).toBe(true);
  });

  it.each([
    ['', '62.C3'],
    ['1234a678', '62.C3'],
    // The one range (activation/activationCode.ts): 8 to 12 digits, so 7 and 13 are out.
    ['1234567', '62.C3'],
    ['1234567890123', '62.C3'],
    ['１２３４５６７８', '62.C3'],
  ])('refuses the code %j (ActivationError naming %s)', (code, field) => {
    expect(() => activationRequest({ stan: '000001', batch: 0, serial: 'S1', publicKey: SPKI, code })).toThrow(expect.objectContaining({ name: 'ActivationError', code: 'activation-request', field }));
  });

  it.each(['12345678', '123456789012'])('sends the code %s (the range\'s ends) as C3', (code) => {
    expect(decodeRequest(requestBody({ code })).code).toBe(code);
  });

  it('refuses a serial number that is not printable ASCII', () => {
    expect(() => activationRequest({ stan: '000001', batch: 0, serial: 'bad serial', publicKey: SPKI, code: '12345678' })).toThrow(expect.objectContaining({ field: '62.C1' }));
  });
});

/** The request these answers go back to, decoded by hand. */
const REQUEST: DecodedRequest = decodeRequest(requestBody());
const POINT = Buffer.concat([Buffer.of(4), Buffer.alloc(64, 0x11)]);
const GOOD: AnswerParts = { code39: '00', tid: '87654321', mid: '898100000000001', field62: grant62(POINT, Buffer.alloc(16, 0x22), Buffer.from('a1b2c3d4', 'hex'), 'tdes2') };

function parse(parts: AnswerParts) {
  const body = answerBody(REQUEST, parts);
  return parseActivationAnswer(unpackMessage(CUP_POS_DIALECT, new Uint8Array(body.subarray(11))));
}

function fieldOf(parts: AnswerParts): string {
  try {
    parse(parts);
  } catch (error) {
    expect(error).toBeInstanceOf(ActivationError);
    expect((error as ActivationError).code).toBe('activation-answer');
    return (error as ActivationError).field;
  }
  throw new Error('parsed');
}

describe('activation answer (0810)', () => {
  it('reads a grant: the bound IDs, the sealed key, its check value and algorithm', () => {
    const answer = parse({ ...GOOD, text44: 'welcome' });
    expect(answer).toMatchObject({ kind: 'granted', responseCode: '00', terminalId: '87654321', merchantId: '898100000000001', algorithm: 'tdes2', hostText: 'welcome' });
    if (answer.kind !== 'granted') throw new Error('not granted');
    expect(Buffer.from(answer.ephemeralPoint).equals(POINT)).toBe(true);
    expect(Buffer.from(answer.checkValue).toString('hex')).toBe('a1b2c3d4');
  });

  it.each([
    ['tdes3', 32],
    ['aes128', 16],
  ] as const)('reads a %s grant (wrapped key %i bytes)', (algorithm, bytes) => {
    expect(parse({ ...GOOD, field62: grant62(POINT, Buffer.alloc(bytes), Buffer.alloc(4), algorithm) })).toMatchObject({ kind: 'granted', algorithm });
  });

  it.each([
    [1, 'code-wrong'],
    [2, 'code-expired'],
    [3, 'tid-disabled'],
    [4, 'bound-elsewhere'],
  ])('D5 = %i is the refusal %s, whatever field 39 says', (d5, reason) => {
    const field62 = tlv(0xd5, Buffer.of(d5));
    expect(parse({ code39: '83', field62, text44: 'TID disabled' })).toEqual({ kind: 'refused', responseCode: '83', reason, hostText: 'TID disabled' });
    expect(parse({ code39: '00', field62 })).toMatchObject({ kind: 'refused', reason });
  });

  it.each<[string, string, AnswerParts]>([
    ['no response code', '39', { ...GOOD, code39: undefined }],
    ['no field 62', '62', { code39: '96' }],
    ['no D5', '62.D5', { ...GOOD, field62: tlv(0xd1, POINT) }],
    ['D5 of two bytes', '62.D5', { ...GOOD, field62: tlv(0xd5, Buffer.of(0, 0)) }],
    ['D5 = 9', '62.D5', { ...GOOD, field62: tlv(0xd5, Buffer.of(9)) }],
    ['a grant with response code 05', '39', { ...GOOD, code39: '05' }],
    ['a grant without field 41', '41', { ...GOOD, tid: undefined }],
    ['a grant with a MID of spaces', '42', { ...GOOD, mid: ' '.repeat(15) }],
    ['no D4', '62.D4', { ...GOOD, field62: GOOD.field62!.subarray(0, GOOD.field62!.length - 3) }],
    ['D4 = 7', '62.D4', { ...GOOD, field62: Buffer.concat([grant62(POINT, Buffer.alloc(16), Buffer.alloc(4), 'tdes2').subarray(0, -3), tlv(0xd4, Buffer.of(7))]) }],
    ['D1 of 64 bytes', '62.D1', { ...GOOD, field62: grant62(POINT.subarray(1), Buffer.alloc(16), Buffer.alloc(4), 'tdes2') }],
    ['D1 compressed (02 first)', '62.D1', { ...GOOD, field62: grant62(Buffer.concat([Buffer.of(2), POINT.subarray(1)]), Buffer.alloc(16), Buffer.alloc(4), 'tdes2') }],
    ['D2 of 16 bytes for tdes3', '62.D2', { ...GOOD, field62: grant62(POINT, Buffer.alloc(16), Buffer.alloc(4), 'tdes3') }],
    ['D3 of 3 bytes', '62.D3', { ...GOOD, field62: grant62(POINT, Buffer.alloc(16), Buffer.alloc(3), 'tdes2') }],
    ['D5 twice', '62.D5', { ...GOOD, field62: Buffer.concat([tlv(0xd5, Buffer.of(1)), tlv(0xd5, Buffer.of(1))]) }],
    ['a TLV cut short', '62', { ...GOOD, field62: Buffer.from('d50100d141', 'hex') }],
  ])('%s: ActivationError naming field %s', (_what, field, parts) => {
    expect(fieldOf(parts)).toBe(field);
  });

  it('names the MTI when the message is not an 0810', () => {
    const message = unpackMessage(CUP_POS_DIALECT, new Uint8Array(answerBody(REQUEST, GOOD).subarray(11)));
    expect(() => parseActivationAnswer({ ...message, mti: '0830' })).toThrow(expect.objectContaining({ field: '0' }));
  });
});
