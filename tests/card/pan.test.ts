/**
 * card/pan: the Luhn check against card numbers published as valid test PANs (the card schemes'
 * and payment processors' test cards, the Luhn example of ISO/IEC 7812-1 as Wikipedia quotes it),
 * and the one masking every output uses: first six, last four (PCI DSS 3.4).
 */
import { luhnValid, maskPan } from '../../firmware/core/card/pan';

describe('luhnValid', () => {
  // Published test cards: Visa 4111…, Mastercard 5555…4444 and Amex 378282246310005 (PayPal/Braintree
  // and Stripe test card lists), Discover 6011111111111117, JCB 3530111333300000, Diners 30569309025904,
  // UnionPay 6200000000000005 and 19-digit 6205500000000000004 (Stripe's UnionPay test cards),
  // 6224242900000113 (the PAN of the published CUP 0200 in tests/host/codecVectors), and
  // 79927398713 (the worked example of the Luhn algorithm, ISO/IEC 7812-1 annex B, Wikipedia).
  test.each([
    '4111111111111111',
    '5555555555554444',
    '378282246310005',
    '6011111111111117',
    '3530111333300000',
    '30569309025904',
    '6200000000000005',
    '6205500000000000004',
    '6224242900000113',
    '79927398713',
  ])('%s passes', (pan) => expect(luhnValid(pan)).toBe(true));

  // Each published number with its last digit changed, two adjacent digits swapped, or one digit changed.
  test.each([
    '4111111111111112',
    '5555555555554445',
    '378282246310006',
    '6205500000000000005',
    '79927398710',
    '79927398731', // 13 → 31: the swap Luhn catches
    '4111111111112111',
  ])('%s fails', (pan) => expect(luhnValid(pan)).toBe(false));

  test.each(['', '4111 1111 1111 1111', '411111111111111a', '-4111111111111111', '0'.repeat(20), '٤١١١١١١١١١١١١١١١'])(
    'not a PAN (%j): false, no exception',
    (text) => expect(luhnValid(text)).toBe(false),
  );

  it('a non-string is false, not a TypeError', () => {
    expect(luhnValid(undefined as unknown as string)).toBe(false);
    expect(luhnValid(4111111111111111 as unknown as string)).toBe(false);
  });
});

describe('maskPan', () => {
  test.each([
    ['4111111111111111', '411111******1111'],
    ['378282246310005', '378282*****0005'],
    ['6205500000000000004', '620550*********0004'],
    ['6222 0212 3456 7890', '622202******7890'],
    ['6222-0212-3456-7890', '622202******7890'],
    ['4761739001010', '476173***1010'], // 13 digits: the shortest shown at all
    ['476173900101', '************'], // 12: nothing shown
    ['12345678', '********'],
    ['', ''],
  ])('%j → %j', (pan, masked) => expect(maskPan(pan)).toBe(masked));

  it('never shows more than 10 digits, whatever the input', () => {
    for (const input of ['1'.repeat(19), '9'.repeat(64), '9'.repeat(65), `${'1'.repeat(40)} ${'2'.repeat(40)}`]) {
      const shown = maskPan(input).replace(/\*/g, '');
      expect(shown.length).toBeLessThanOrEqual(10);
    }
    expect(maskPan(undefined as unknown as string)).toBe('');
  });
});
