/**
 * The ISO 8583 codec with the CUP POS dialect: published frames decode and re-encode to the same
 * bytes, hand-built messages round-trip, and every class of malformed message is an
 * Iso8583Error naming the field.
 */
import { CUP_POS_DIALECT } from '../../firmware/core/host/cupDialect';
import { dialectById, DIALECTS } from '../../firmware/core/host/dialects';
import { decodeCupHeader, decodeFrame, encodeCupHeader, encodeFrame } from '../../firmware/core/host/frame';
import { packMessage, unpackMessage } from '../../firmware/core/host/iso8583';
import { Iso8583Error, type FieldValue, type Iso8583Message } from '../../firmware/core/host/types';
import { PUBLISHED_FRAMES } from './codecVectors';

const D = CUP_POS_DIALECT;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const msg = (mti: string, fields: [number, FieldValue][]): Iso8583Message => ({ mti, fields: new Map(fields) });

/** The error `fn` throws (fails the test when it throws something else or nothing). */
function caught(fn: () => unknown): Iso8583Error {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Iso8583Error);
    return e as Iso8583Error;
  }
  throw new Error('no error');
}

describe('published CUP POS frames', () => {
  it.each(PUBLISHED_FRAMES.map((f) => [f.name, f] as const))('%s: decodes and re-encodes byte for byte', (_, f) => {
    const frame = bytes(f.hex);
    expect((frame[0] << 8) | frame[1]).toBe(frame.length - 2);
    const { tpdu, header, message } = decodeFrame(frame.subarray(2), D.headerLength);
    const decoded = unpackMessage(D, message);
    const again = encodeFrame(tpdu, encodeCupHeader(decodeCupHeader(header)), packMessage(D, decoded));
    expect(hex(again)).toBe(hex(frame));
  });

  it('the sign-on response carries its values where the CUP spec puts them', () => {
    const f = PUBLISHED_FRAMES.find((p) => p.name.startsWith('0810'))!;
    const { header, message } = decodeFrame(bytes(f.hex).subarray(2), 6);
    expect(decodeCupHeader(header)).toEqual({ appType: 0x60, version: 0x31, terminalStatus: 0, processingRequest: 0, softwareVersion: '310030' });
    const m = unpackMessage(D, message);
    expect(m.mti).toBe('0810');
    expect([...m.fields.keys()]).toEqual([11, 12, 13, 37, 39, 41, 42, 60, 62]);
    expect(m.fields.get(39)).toBe('00');
    expect(m.fields.get(60)).toBe('00000006003'); // type 00, batch 000006, network code 003 (double-length keys)
    expect((m.fields.get(62) as Uint8Array).length).toBe(40);
  });

  it('the sale response: field 23 right-aligned ("00 01" is 001), 44 with spaces, 63 "CUP"', () => {
    const f = PUBLISHED_FRAMES.find((p) => p.name.startsWith('0210'))!;
    const m = unpackMessage(D, decodeFrame(bytes(f.hex).subarray(2), 6).message);
    expect(m.fields.get(23)).toBe('001');
    expect(m.fields.get(44)).toBe('01020000   48031000   ');
    expect(m.fields.get(63)).toBe('CUP');
    expect(hex(m.fields.get(55) as Uint8Array)).toBe('9f36020047');
  });

  it('the sale request: odd-length n fields left-aligned (22 "07 10" is 071), track 2 with D as "="', () => {
    const f = PUBLISHED_FRAMES.find((p) => p.name.startsWith('0200'))!;
    const m = unpackMessage(D, decodeFrame(bytes(f.hex).subarray(2), 6).message);
    expect(m.fields.get(22)).toBe('071');
    expect(m.fields.get(35)).toBe('6224242900000113=28062013949031013');
    expect(m.fields.get(60)).toBe('22000024000600');
  });
});

describe('round trips', () => {
  it('packs each format as the dialect says', () => {
    const packed = packMessage(D, msg('0200', [
      [2, '6225881234567890123'], // 19 digits: LL 19, left-aligned, pad 0
      [3, '000000'],
      [4, '000000012345'],
      [23, '001'], // right-aligned
      [22, '051'], // left-aligned
      [35, '6225881234567890123=2512'],
      [41, '12345678'],
      [52, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)],
      [55, Uint8Array.of(0x9f, 0x26)],
    ]));
    expect(hex(packed)).toBe(
      '0200' + '7000060020801200' + // 2 3 4 | 22 23 | 35 | 41 | 52 55
        '19' + '62258812345678901230' + '000000' + '000000012345' +
        '0510' + '0001' +
        '24' + '6225881234567890123d2512' + '3132333435363738' + '0102030405060708' + '0002' + '9f26',
    );
    const back = unpackMessage(D, packed);
    expect(back.fields.get(2)).toBe('6225881234567890123');
    expect(back.fields.get(23)).toBe('001');
    expect(back.fields.get(35)).toBe('6225881234567890123=2512');
  });

  it('a field above 64 adds the secondary bitmap (bit 1) in a dialect that defines it', () => {
    const wide = { ...D, id: 'wide', fields: { ...D.fields, 70: { name: 'network code', format: 'n' as const, prefix: 0 as const, length: 3 } } };
    const packed = packMessage(wide, msg('0800', [[11, '000001'], [70, '301']]));
    expect(hex(packed)).toBe('0800' + '8020000000000000' + '0400000000000000' + '000001' + '3010'); // n3 left-aligned like every CUP n field
    expect(unpackMessage(wide, packed).fields.get(70)).toBe('301');
  });

  it('the empty LLVAR round-trips', () => {
    const packed = packMessage(D, msg('0800', [[44, '']]));
    expect(hex(packed)).toBe('0800' + '0000000000100000' + '00');
    expect(unpackMessage(D, packed).fields.get(44)).toBe('');
  });

  it('ans keeps GBK bytes (issuer names in field 63) byte for byte', () => {
    const packed = packMessage(D, msg('0210', [[63, 'CUP\u00d6\u00d0\u00b9\u00fa']]));
    expect(hex(packed).endsWith('0007435550d6d0b9fa')).toBe(true);
    expect(unpackMessage(D, packed).fields.get(63)).toBe('CUP\u00d6\u00d0\u00b9\u00fa');
  });

  it('dialects are found by id', () => {
    expect(dialectById('cup-pos')).toBe(D);
    expect(dialectById('toString')).toBeUndefined();
    expect(Object.keys(DIALECTS)).toEqual(['cup-pos']);
    expect(Object.isFrozen(D.fields[2])).toBe(true);
  });
});

describe('packing refuses values that do not fit, naming the field', () => {
  it.each([
    ['a bad MTI', msg('200', []), 0],
    ['an undefined field', msg('0200', [[5, '1']]), 5],
    ['field 1', msg('0200', [[1, new Uint8Array(8)]]), 1],
    ['a fixed field of the wrong length', msg('0200', [[3, '00000']]), 3],
    ['a var field past its maximum', msg('0200', [[2, '1'.repeat(20)]]), 2],
    ['a letter in n', msg('0200', [[4, '00000000001A']]), 4],
    ['"=" outside z', msg('0200', [[2, '1234=5']]), 2],
    ['text in a b field', msg('0200', [[52, '12345678']]), 52],
    ['bytes in an n field', msg('0200', [[3, new Uint8Array(3)]]), 3],
    ['a control character in ans', msg('0200', [[41, '1234567\n']]), 41],
    ['a non-ASCII character in an', msg('0200', [[39, '0\u00e9']]), 39],
    ['a character past 0xFF in ans', msg('0200', [[63, '\u4e2d']]), 63],
  ])('%s', (_, m, field) => {
    const e = caught(() => packMessage(D, m));
    expect(e.code).toBe('iso-bad-value');
    expect(e.field).toBe(field);
  });
});

describe('every malformed message is a typed error naming the field', () => {
  const good = packMessage(D, msg('0200', [[3, '000000'], [4, '000000000100'], [11, '000123'], [35, '123=45'], [41, 'T0000001'], [55, Uint8Array.of(0x9f, 0x26, 0x01, 0x00)]]));
  const cases: [string, string, string, number][] = [
    ['empty', '', 'iso-short', 0],
    ['shorter than MTI and bitmap', '0200 30200000', 'iso-short', 0],
    ['an MTI nibble that is not a digit', '02a0 0000000000000000', 'iso-bad-digit', 0],
    ['a secondary bitmap cut short', '0200 8000000000000000 0000', 'iso-short', 1],
    ['a secondary bitmap that names no field', '0200 8000000000000000 0000000000000000', 'iso-undefined-field', 1],
    ['a secondary bitmap naming an undefined field', '0200 8000000000000000 4000000000000000', 'iso-undefined-field', 66],
    ['a bitmap naming an undefined field', '0200 0800000000000000 00', 'iso-undefined-field', 5],
    ['a fixed field cut short', '0200 2000000000000000 0000', 'iso-short', 3],
    ['a bad BCD digit', '0200 2000000000000000 00f000', 'iso-bad-digit', 3],
    ['a pad nibble that is not 0 (left-aligned)', '0200 0000040000000000 0511', 'iso-bad-digit', 22],
    ['a pad nibble that is not 0 (right-aligned)', '0200 0000020000000000 1001', 'iso-bad-digit', 23],
    ['a length prefix past the maximum', '0200 4000000000000000 20 1234567890123456789012', 'iso-bad-length', 2],
    ['a length prefix that is not BCD', '0200 4000000000000000 1a 11111111111111111111', 'iso-bad-length', 2],
    ['a length prefix past the end', '0200 4000000000000000 16 1234', 'iso-short', 2],
    ['the bytes end in the length prefix', '0200 0000000000000200 00', 'iso-short', 55],
    ['D in an n field', '0200 4000000000000000 02 1d', 'iso-bad-digit', 2],
    ['a control byte in ans', '0200 0000000000800000 3132333435363700', 'iso-bad-char', 41],
    ['trailing bytes after an empty bitmap', '0200 0000000000000000 00', 'iso-trailing', 0],
    ['a non-ASCII byte in an', '0200 0000000002000000 3080', 'iso-bad-char', 39],
    ['trailing bytes', `${hex(good)} 00`, 'iso-trailing', 55],
  ];
  it.each(cases)('%s', (_, h, code, field) => {
    const e = caught(() => unpackMessage(D, bytes(h)));
    expect([e.code, e.field]).toEqual([code, field]);
    expect(e.name).toBe('Iso8583Error');
    if (field > 0) expect(e.message).toContain(`field ${field}`);
  });

  it('the good message itself decodes', () => {
    expect(unpackMessage(D, good).fields.get(35)).toBe('123=45');
  });
});
