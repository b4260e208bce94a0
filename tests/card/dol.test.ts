/**
 * DOL building (EMV 4.4 Book 3 §5.4) on DOLs cards publish: the PDOL of devnied's Visa PPSE
 * trace and the CDOL1 of binaryfoo's Mastercard case, whose recorded GENERATE AC shows the data a
 * real terminal sent for that CDOL1.
 */
import { CardError } from '../../firmware/core/card/errors';
import { CARD_DEFAULTS } from '../../firmware/core/config/cardProfile';
import { bcd, buildDolData, parseDol, terminalData } from '../../firmware/core/card/emv/dol';
import { tagHex } from '../../firmware/core/card/emv/tlv';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const h = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describe('DOL', () => {
  it('parses the Visa PDOL of devnied VisaCardPpse', () => {
    const dol = parseDol(hex('9F66049F02069F03069F1A0295055F2A029A039C019F3704'));
    expect(dol.map((e) => `${tagHex(e.tag)}:${e.length}`)).toEqual(['9F66:4', '9F02:6', '9F03:6', '9F1A:2', '95:5', '5F2A:2', '9A:3', '9C:1', '9F37:4']);
  });

  it('rebuilds the CDOL1 data binaryfoo recorded in its GENERATE AC from the values it carries', () => {
    // 80AE5000 2B | 000000010001 000000000000 0002 0000000000 0036 120315 00 000EEC85 22 0000 0000000000000000 5E0300 | 00
    const cdol1 = parseDol(hex('9F02069F03069F090295055F2A029A039C019F37049F35019F45029F4C089F3403'));
    const values = new Map<number, Uint8Array>([
      [0x9f02, hex('010001')], // shorter numeric: leading zeros
      [0x9f03, hex('00')],
      [0x9f09, hex('0002')],
      [0x95, hex('0000000000')],
      [0x5f2a, hex('0036')],
      [0x9a, hex('120315')],
      [0x9c, hex('00')],
      [0x9f37, hex('000EEC85')],
      [0x9f35, hex('22')],
      [0x9f34, hex('5E0300')],
    ]); // 9F45 and 9F4C absent: zeros
    expect(h(buildDolData(cdol1, values))).toBe('00000001000100000000000000020000000000003612031500000EEC8522000000000000000000005E0300');
  });

  it('cuts and pads by format (§5.4): n right-aligned, cn trailing FF, b left-aligned with zeros', () => {
    const d = parseDol(hex('9F0203 9F0208 5A05 5A0A 9F6602 9F6606 DF0102 7002'));
    const v = new Map<number, Uint8Array>([[0x9f02, hex('000000123456')], [0x5a, hex('12345678')], [0x9f66, hex('36000080')], [0x70, hex('AAAA')]]);
    expect(h(buildDolData(d, v))).toBe('123456' + '0000000000123456' + '1234567800' .slice(0, 8) + 'FF' + '12345678FFFFFFFFFFFF' + '3600' + '360000800000' + '0000' + '0000');
  });

  it.each([['a cut tag', '9F'], ['a missing length', '9F02'], ['too much data', '9F02FF9F03FF'], ['a 4-byte tag', '9F818101 01']])('refuses %s', (_w, s) => {
    expect(() => parseDol(hex(s))).toThrow(expect.objectContaining({ code: 'dol-malformed' }));
    expect(() => parseDol(hex(s))).toThrow(CardError);
  });

  it('terminal data objects from a sale and the profile', () => {
    const m = terminalData({ amountMinor: 12345, currency: '0156', txnType: 0, date: '250102', time: '093000', unpredictable: hex('01020304'), profile: CARD_DEFAULTS }, new Uint8Array(5));
    expect(h(m.get(0x9f02)!)).toBe('000000012345');
    expect(h(m.get(0x9f03)!)).toBe('000000000000');
    expect(h(m.get(0x9f1a)!)).toBe('0156');
    expect(h(m.get(0x5f2a)!)).toBe('0156');
    expect(h(m.get(0x9a)!)).toBe('250102');
    expect(h(m.get(0x9c)!)).toBe('00');
    expect(h(m.get(0x9f21)!)).toBe('093000');
    expect(h(m.get(0x9f66)!)).toBe('36000080');
    expect(h(m.get(0x9f35)!)).toBe('22');
    expect(h(m.get(0x9f33)!)).toBe('E0F8C8');
    expect(h(m.get(0x9f40)!)).toBe('F000F0A001');
    expect(h(bcd('7', 2))).toBe('0007');
  });
});
