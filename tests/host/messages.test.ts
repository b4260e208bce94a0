/** Message contents the session tests do not reach: the reversal's ICC subset, field 22, field 48 parsing. */
import { entryMode, reconciliation, reversalIcc, settlementTotals } from '../../firmware/core/host/messages';

const tlv = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/ /g, ''), 'hex'));

describe('CUP message parts', () => {
  it('the reversal keeps tags 95, 9F1E, 9F10 and 9F36 of field 55, in order, and nothing else', () => {
    const icc = tlv('9F26 08 1122334455667788  9F27 01 80  9F10 07 07010103A0A802  9F37 04 AABBCCDD  9F36 02 0123  95 05 0000000000  9A 03 250101  9F1E 08 3132333435363738');
    expect(Buffer.from(reversalIcc(icc)!).toString('hex').toUpperCase()).toBe('9F100707010103A0A802' + '9F36020123' + '95050000000000' + '9F1E083132333435363738');
    expect(reversalIcc(tlv('9F26 08 1122334455667788'))).toBeUndefined();
    // Truncated data: no field 55 rather than a wrong one.
    expect(reversalIcc(tlv('9F10 07 0701'))).toBeUndefined();
    expect(reversalIcc(tlv('9F'))).toBeUndefined();
  });

  it('field 22: entry mode then the PIN digit', () => {
    expect(['contact', 'contactless', 'magstripe', 'qr', 'manual'].map((e) => entryMode(e as never, true))).toEqual(['051', '071', '021', '031', '011']);
    expect(entryMode('contactless', false)).toBe('072');
  });

  it('field 48: 62 digits, domestic totals first; the 0510 reconciliation code is the 31st digit', () => {
    const f48 = settlementTotals({ count: 12, amountMinor: 345678 });
    expect(f48).toHaveLength(62);
    expect(f48.slice(0, 15)).toBe('000000345678012');
    expect([f48.slice(0, 30) + '1' + f48.slice(31), f48.slice(0, 30) + '2' + f48.slice(31), f48.slice(0, 30) + '3' + f48.slice(31)].map(reconciliation)).toEqual(['balanced', 'unbalanced', 'error']);
    expect(reconciliation(undefined)).toBe('error');
    expect(reconciliation('0001')).toBe('error');
  });
});
