/**
 * The profile's card section (config/cardProfile.ts): absent, it is the defaults (the UnionPay
 * debit/credit/quasi-credit AIDs, then Visa and Mastercard; CUP's contactless limits; China's
 * UTC+8); every wrong field is a ConfigError naming the field, never a TypeError, whatever the
 * input (fast-check); a parsed section is a copy, upper-cased where hex.
 */
import fc from 'fast-check';
import { ConfigError, parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { CARD_DEFAULTS, parseCardProfile } from '../../firmware/core/config/cardProfile';
import { PROFILE } from '../runtime/world';

const errorOf = (input: unknown): ConfigError => {
  const r = parseCardProfile(input);
  if (r.ok) throw new Error(`expected a ConfigError for ${JSON.stringify(input)}`);
  expect(r.error).toBeInstanceOf(ConfigError);
  return r.error;
};

describe('profile.card', () => {
  it('is the defaults when absent, in the profile too', () => {
    const r = parseAcquirerProfile(PROFILE);
    expect(r.ok && r.value.card).toEqual(CARD_DEFAULTS);
    expect(CARD_DEFAULTS.aids.map((a) => a.aid)).toEqual(['A000000333010101', 'A000000333010102', 'A000000333010103', 'A0000000031010', 'A0000000041010']);
    expect(CARD_DEFAULTS.utcOffsetMinutes).toBe(480);
  });

  it('takes its own defaults written out in full (each default passes its own checks)', () => {
    expect(parseCardProfile(JSON.parse(JSON.stringify(CARD_DEFAULTS)))).toEqual({ ok: true, value: CARD_DEFAULTS });
  });

  it('reads a full section, upper-casing hex and keeping the order', () => {
    const r = parseCardProfile({
      aids: [{ aid: 'a000000333010101', label: 'UP', contactless: { floorLimitMinor: 0, transactionLimitMinor: 500000, cvmLimitMinor: 30000 } }],
      terminal: { ttq: '26000080' },
      field55: ['9f26', '9F27'],
      fallback: 'never',
      paymentCodeField: 62,
      revoked: [{ rid: 'a000000333', index: 225, serial: 'c0ffee' }],
      utcOffsetMinutes: -300,
    });
    expect(r).toEqual({
      ok: true,
      value: {
        aids: [{ aid: 'A000000333010101', label: 'UP', partialMatch: true, contactless: { floorLimitMinor: 0, transactionLimitMinor: 500000, cvmLimitMinor: 30000 } }],
        terminal: { ...CARD_DEFAULTS.terminal, ttq: '26000080' },
        field55: ['9F26', '9F27'],
        fallback: 'never',
        paymentCodeField: 62,
        revoked: [{ rid: 'A000000333', index: 225, serial: 'C0FFEE' }],
        utcOffsetMinutes: -300,
      },
    });
  });

  it.each([
    [{ aids: [] }, 'profile.card.aids'],
    [{ aids: [{ aid: 'A0000003', label: 'x' }] }, 'profile.card.aids[0].aid'],
    [{ aids: [{ aid: 'A000000333010101', label: '' }] }, 'profile.card.aids[0].label'],
    [{ aids: [{ aid: 'A000000333010101', label: 'x', contactless: { floorLimitMinor: -1, transactionLimitMinor: 1, cvmLimitMinor: 1 } }] }, 'profile.card.aids[0].contactless.floorLimitMinor'],
    [{ terminal: { capabilities: 'E0F8' } }, 'profile.card.terminal.capabilities'],
    [{ terminal: { country: '156' } }, 'profile.card.terminal.country'],
    [{ field55: ['9F26', 'XYZ'] }, 'profile.card.field55[1]'],
    [{ fallback: 'always' }, 'profile.card.fallback'],
    [{ paymentCodeField: 1 }, 'profile.card.paymentCodeField'],
    [{ revoked: [{ rid: 'A000000333', index: 300, serial: 'C0FFEE' }] }, 'profile.card.revoked[0]'],
    [{ utcOffsetMinutes: 900 }, 'profile.card.utcOffsetMinutes'],
    [{ utcOffsetMinutes: 480.5 }, 'profile.card.utcOffsetMinutes'],
    ['cards', 'profile.card'],
  ])('refuses %j naming %s', (input, field) => {
    expect(errorOf(input).field).toBe(field);
  });

  it('never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.constantFrom('aids', 'terminal', 'field55', 'fallback', 'paymentCodeField', 'revoked', 'utcOffsetMinutes'), fc.jsonValue()), (v, d) => {
        for (const input of [v, d]) {
          const r = parseCardProfile(input);
          if (!r.ok) expect(r.error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
