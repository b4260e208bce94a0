/**
 * An acquirer profile read back from settings is validated before use: a response-code meaning
 * that is not text is a ConfigError naming the field, and a terminal provisioned with one boots
 * into fault with the configuration check failing (it used to reject boot() with a TypeError).
 */
import fc from 'fast-check';
import { ConfigError, parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { PROFILE, worldWith } from '../runtime/world';

/** Values JSON or CBOR can carry that are not text, including objects String() cannot convert. */
const NOT_TEXT: [string, unknown][] = [
  ['a number', 83],
  ['null', null],
  ['true', true],
  ['a list', ['approved']],
  ['an empty object', {}],
  ['an object whose toString is not a function', JSON.parse('{"toString": 1}')],
  ['an object whose toString and valueOf are not functions', JSON.parse('{"toString": {}, "valueOf": []}')],
];

const withMeaning = (meaning: unknown) => ({ ...PROFILE, responseCodes: { '00': 'approved', '83': meaning } });

describe('acquirer profile: response-code meanings', () => {
  it.each(NOT_TEXT)('refuses %s as a meaning with a ConfigError naming the field', (_, meaning) => {
    const result = parseAcquirerProfile(withMeaning(meaning));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ConfigError);
    expect(result.error).toMatchObject({ code: 'config-invalid', field: 'profile.responseCodes.83', reason: expect.stringMatching(/^meaning must be text, not /) });
  });

  it('refuses unknown text, quoting at most 32 characters of it', () => {
    const result = parseAcquirerProfile(withMeaning('x'.repeat(500)));
    expect(!result.ok && result.error.reason).toBe(`unknown meaning "${'x'.repeat(32)}"`);
  });

  it('gives a profile or a ConfigError for any JSON value as a meaning, including objects with toString or valueOf keys', () => {
    const hostile = fc.dictionary(fc.constantFrom('toString', 'valueOf', '__proto__', 'constructor', 'length'), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostile), (meaning) => {
        const result = parseAcquirerProfile(withMeaning(meaning));
        if (!result.ok) expect(result.error.field).toBe('profile.responseCodes.83');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('a terminal provisioned with such a profile', () => {
  it.each(NOT_TEXT)('boots into fault with the configuration check failing (%s), never rejecting boot()', async (_, meaning) => {
    const world = worldWith({ lang: 'en', terminal: { tid: '10240001', mid: '898440154110001', profile: withMeaning(meaning) } });
    const terminal = createTerminal(world.ports);
    await expect(terminal.boot()).resolves.toBeUndefined();
    expect(terminal.state).toBe('fault');
    expect(terminal.lastReport?.results.find((r) => r.id === 'system.config')).toMatchObject({
      status: 'fail',
      code: 'config.profile-invalid',
      detail: expect.stringMatching(/^profile\.responseCodes\.83: meaning must be text/),
    });
  });
});
