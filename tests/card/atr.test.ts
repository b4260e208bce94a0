/**
 * ATR parsing (ISO/IEC 7816-3 §8.2) on ATRs published in the smartcard_list (Ludovic Rousseau's
 * list, quoted in public code) and the PC/SC Part 3 contactless storage-card ATR.
 */
import { CardError } from '../../firmware/core/card/errors';
import { parseAtr } from '../../firmware/core/card/emv/atr';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const h = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describe('ATR', () => {
  it('3B 02 14 50 (Schlumberger Multiflex 3k): no interface bytes, 2 historical bytes, T=0 implied, no TCK', () => {
    const a = parseAtr(hex('3B 02 14 50'));
    expect(a).toMatchObject({ ts: 0x3b, convention: 'direct', interfaceBytes: [], protocols: [0] });
    expect(a.tck).toBeUndefined();
    expect(h(a.historical)).toBe('1450');
  });

  it('3B 6E 00 00 80 31 80 66 B0 84 0C 01 6E 01 83 00 90 00 (an EMV payment card): TB1 TC1, 14 historical bytes ending 90 00', () => {
    const a = parseAtr(hex('3B 6E 00 00 80 31 80 66 B0 84 0C 01 6E 01 83 00 90 00'));
    expect(a.interfaceBytes).toEqual([{ tb: 0, tc: 0 }]);
    expect(a.protocols).toEqual([0]);
    expect(h(a.historical)).toBe('80318066B0840C016E01830090 00'.replace(' ', ''));
  });

  it('3B 68 00 00 00 73 C8 40 12 00 90 00 (Visa contact card in published test data)', () => {
    const a = parseAtr(hex('3B 68 00 00 00 73 C8 40 12 00 90 00'));
    expect(a.historical.length).toBe(8);
    expect(a.protocols).toEqual([0]);
  });

  it('3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A (PC/SC Part 3, MIFARE Classic 1K): TD1 T=0, TD2 T=1, TCK checked', () => {
    const a = parseAtr(hex('3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A'));
    expect(a.interfaceBytes).toEqual([{ td: 0x80 }, { td: 0x01 }]);
    expect(a.protocols).toEqual([0, 1]);
    expect(a.historical.length).toBe(15);
    expect(a.tck).toBe(0x6a);
  });

  it('inverse convention TS 3F is told apart', () => {
    expect(parseAtr(hex('3F 00')).convention).toBe('inverse');
  });

  it.each([
    ['a bad TCK', '3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6B'],
    ['a missing TCK', '3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00'],
    ['a bad TS', '3C 02 14 50'],
    ['historical bytes past the end', '3B 6E 00 00 80 31'],
    ['interface bytes past the end', '3B F0 11'],
    ['trailing bytes', '3B 02 14 50 00'],
    ['one byte', '3B'],
    ['34 bytes', '3B 0F' + ' 00'.repeat(32)],
  ])('refuses %s', (_w, s) => {
    expect(() => parseAtr(hex(s))).toThrow(CardError);
    try {
      parseAtr(hex(s));
    } catch (e) {
      expect((e as CardError).code).toBe('atr-malformed');
      expect((e as CardError).message).toMatch(/offset \d+/);
    }
  });

  it('random bytes: an Atr or atr-malformed, nothing else', () => {
    let s = 12345;
    for (let i = 0; i < 20000; i++) {
      const b = new Uint8Array(1 + (i % 34));
      for (let k = 0; k < b.length; k++) b[k] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
      if (i % 2) b[0] = 0x3b;
      try {
        parseAtr(b);
      } catch (e) {
        expect((e as CardError).code).toBe('atr-malformed');
      }
    }
  });
});
