/**
 * An acquirer profile read back from settings is validated before use: every field of the new
 * shape (dialect, header, timeouts, backoff, failback, sign-on, currency, TLS per host, the
 * response-code table) is a ConfigError naming the field when wrong, never a TypeError; a
 * terminal provisioned with a bad one boots into fault with the configuration check failing.
 */
import fc from 'fast-check';
import { ConfigError, PROFILE_DEFAULTS, parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
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

const withEntry = (entry: unknown) => ({ ...PROFILE, responseCodes: { '00': ['approved', '承兑', 'Approved'], '83': entry } });
const withCategory = (category: unknown) => withEntry({ category, zh: '无效终端', en: 'Invalid terminal' });
const errorOf = (input: unknown) => {
  const result = parseAcquirerProfile(input);
  if (result.ok) throw new Error('expected a ConfigError');
  expect(result.error).toBeInstanceOf(ConfigError);
  return result.error;
};

describe('acquirer profile: response-code entries', () => {
  it.each(NOT_TEXT)('refuses %s as a category with a ConfigError naming the field', (_, category) => {
    expect(errorOf(withCategory(category))).toMatchObject({ code: 'config-invalid', field: 'profile.responseCodes.83.category', reason: expect.stringMatching(/^must be text, not /) });
  });

  it.each([
    ['a number', 83],
    ['null', null],
    ['text', 'terminal-invalid'],
    ['a list of two', ['terminal-invalid', '无效终端']],
  ])('refuses %s as an entry, naming the code', (_, entry) => {
    expect(errorOf(withEntry(entry))).toMatchObject({ field: 'profile.responseCodes.83', reason: expect.stringMatching(/^must be \{category, zh, en\} or \[category, zh, en\]/) });
  });

  it('refuses an unknown category, quoting at most 32 characters of it', () => {
    expect(errorOf(withCategory('x'.repeat(500))).reason).toBe(`unknown category "${'x'.repeat(32)}"`);
    // The old meanings are gone: 'invalid-terminal' is now the category 'terminal-invalid'.
    expect(errorOf(withCategory('invalid-terminal')).field).toBe('profile.responseCodes.83.category');
  });

  it.each([
    ['zh of 25 characters', ['terminal-invalid', '终'.repeat(25), 'Invalid terminal'], 'zh', /^must be 1–24 characters/],
    ['empty zh', ['terminal-invalid', '', 'Invalid terminal'], 'zh', /^must be 1–24/],
    ['en of 41 characters', ['terminal-invalid', '无效终端', 'x'.repeat(41)], 'en', /^must be 1–40/],
    ['en that is not ASCII', ['terminal-invalid', '无效终端', 'Terminal ungültig'], 'en', /printable ASCII/],
    ['a control character', ['terminal-invalid', '无效\n终端', 'Invalid terminal'], 'zh', /control characters/],
    ['a trailing space', ['terminal-invalid', '无效终端', 'Invalid terminal '], 'en', /spaces at either end/],
    ['a number as zh', ['terminal-invalid', 83, 'Invalid terminal'], 'zh', /^must be text, not number/],
  ])('refuses %s', (_, entry, field, reason) => {
    expect(errorOf(withEntry(entry))).toMatchObject({ field: `profile.responseCodes.83.${field}`, reason: expect.stringMatching(reason) });
  });

  it('accepts 24 Chinese characters (counted as characters, not UTF-16 units or bytes) and 40 ASCII ones', () => {
    expect(parseAcquirerProfile(withEntry(['terminal-invalid', '终'.repeat(23) + '𠀀', 'x'.repeat(40)])).ok).toBe(true);
  });

  it('refuses a code that is not 2 characters 0-9 A-Z, and a table without an approved code', () => {
    expect(errorOf({ ...PROFILE, responseCodes: { '00': ['approved', '成功', 'Approved'], a0: ['re-sign-on', '重新签到', 'Sign on'] } }).field).toBe('profile.responseCodes.a0');
    expect(errorOf({ ...PROFILE, responseCodes: { '83': ['terminal-invalid', '无效终端', 'Invalid terminal'] } })).toMatchObject({
      field: 'profile.responseCodes',
      reason: 'must say which code means approved',
    });
  });

  it('gives a profile or a ConfigError naming the entry for any JSON value as an entry or as any of its parts', () => {
    const hostile = fc.dictionary(fc.constantFrom('toString', 'valueOf', '__proto__', 'constructor', 'length', 'category', 'zh', 'en'), fc.jsonValue({ maxDepth: 2 }));
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostile);
    fc.assert(
      fc.property(fc.oneof(value, fc.tuple(value, value, value), fc.record({ category: value, zh: value, en: value })), (entry) => {
        const result = parseAcquirerProfile(withEntry(entry));
        if (!result.ok) expect(result.error.field.startsWith('profile.responseCodes.83')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('acquirer profile: link fields', () => {
  const base = { ...PROFILE };
  for (const key of ['header', 'connectTimeoutMs', 'backoff', 'failbackMs', 'signOn', 'currency']) delete (base as Record<string, unknown>)[key];

  it('fills the defaults of the optional fields', () => {
    const result = parseAcquirerProfile(base);
    expect(result).toMatchObject({
      ok: true,
      value: { header: '603100000000', connectTimeoutMs: 10_000, backoff: { baseMs: 1000, capMs: 30_000 }, failbackMs: 300_000, signOn: { networkCode: '003' }, currency: '156' },
    });
    expect(PROFILE_DEFAULTS.header).toBe('603100000000');
  });

  it('keeps what the profile says, header and TPDU in upper case', () => {
    const result = parseAcquirerProfile({ ...PROFILE, header: '61310000abcd', signOn: { networkCode: '004' }, hosts: [{ host: 'pos.example.cn', port: 443, tls: true, serverName: 'host.example.cn' }] });
    expect(result).toMatchObject({ ok: true, value: { header: '61310000ABCD', signOn: { networkCode: '004' }, hosts: [{ host: 'pos.example.cn', port: 443, tls: true, serverName: 'host.example.cn' }] } });
  });

  it.each([
    ['no dialect', { dialect: undefined }, 'profile.dialect'],
    ['a dialect with capitals', { dialect: 'CUP-POS' }, 'profile.dialect'],
    ['a dialect the firmware does not have', { dialect: 'iso-1993' }, 'profile.dialect'],
    ['a dialect named like an Object.prototype member', { dialect: 'toString' }, 'profile.dialect'],
    ['a header of 11 digits', { header: '60310000000' }, 'profile.header'],
    ['a header that is not hex', { header: '60310000000G' }, 'profile.header'],
    ['a connect timeout of 0', { connectTimeoutMs: 0 }, 'profile.connectTimeoutMs'],
    ['a connect timeout of 2 minutes', { connectTimeoutMs: 120_000 }, 'profile.connectTimeoutMs'],
    ['a response timeout of 0.5 s', { timeoutMs: 500 }, 'profile.timeoutMs'],
    ['6 retries', { retries: 6 }, 'profile.retries'],
    ['a backoff that is a number', { backoff: 1000 }, 'profile.backoff'],
    ['a backoff base of 1.5 ms', { backoff: { baseMs: 1.5, capMs: 100 } }, 'profile.backoff.baseMs'],
    ['a backoff cap below its base', { backoff: { baseMs: 2000, capMs: 1000 } }, 'profile.backoff.capMs'],
    ['a failback of 10 ms', { failbackMs: 10 }, 'profile.failbackMs'],
    ['network code 002', { signOn: { networkCode: '002' } }, 'profile.signOn.networkCode'],
    ['network code as a number', { signOn: { networkCode: 3 } }, 'profile.signOn.networkCode'],
    ['sign-on as text', { signOn: '003' }, 'profile.signOn'],
    ['currency CNY', { currency: 'CNY' }, 'profile.currency'],
    ['currency as a number', { currency: 156 }, 'profile.currency'],
    ['tls "yes"', { hosts: [{ host: '127.0.0.1', port: 1, tls: 'yes' }] }, 'profile.hosts[0].tls'],
    ['a server name without TLS', { hosts: [{ host: '127.0.0.1', port: 1 }, { host: '127.0.0.1', port: 2, serverName: 'a.example' }] }, 'profile.hosts[1].serverName'],
    ['an IP address as server name', { hosts: [{ host: '127.0.0.1', port: 1, tls: true, serverName: '127.0.0.1' }] }, 'profile.hosts[0].serverName'],
    ['a host name with a space', { hosts: [{ host: 'pos example', port: 1 }] }, 'profile.hosts[0].host'],
    ['a host name label starting with a hyphen', { hosts: [{ host: '-pos.example', port: 1 }] }, 'profile.hosts[0].host'],
  ])('refuses %s, naming the field', (_, change, field) => {
    expect(errorOf({ ...PROFILE, ...change }).field).toBe(field);
  });
});

describe('a terminal provisioned with such a profile', () => {
  it.each(NOT_TEXT)('boots into fault with the configuration check failing (%s as a category), never rejecting boot()', async (_, category) => {
    const world = worldWith({ lang: 'en', terminal: { tid: '10240001', mid: '898440154110001', profile: withCategory(category) } });
    const terminal = createTerminal(world.ports);
    await expect(terminal.boot()).resolves.toBeUndefined();
    expect(terminal.state).toBe('fault');
    expect(terminal.lastReport?.results.find((r) => r.id === 'system.config')).toMatchObject({
      status: 'fail',
      code: 'config.profile-invalid',
      detail: expect.stringMatching(/^profile\.responseCodes\.83\.category: must be text/),
    });
  });
});
