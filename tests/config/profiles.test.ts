/**
 * The shipped acquirer profiles: valid, small enough for one NVS value, and saying what the
 * CUP POS response-code appendix says (host-sim/scenarios/profiles/README.md). The packed table
 * is checked against the JSON file itself, read independently of the parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAcquirerProfile, type AcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { parseResponseCodes, RESPONSE_CATEGORIES, UNLISTED_RESPONSE } from '../../firmware/core/config/responseCodes';
import { createCborCodec } from '../../firmware/core/store/cbor';

const DIR = join(__dirname, '../../host-sim/scenarios/profiles');
const raw = (name: string) => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
const parsed = (name: string): AcquirerProfile => {
  const result = parseAcquirerProfile(raw(name));
  if (!result.ok) throw result.error;
  return result.value;
};
const SHIPPED = ['demo-acquirer', 'cup-style', 'lakala-style'];
/** The NVS blob limit of firmware/device/settings.ts: a profile is one value. */
const NVS_VALUE_BYTES = 4000;

describe('shipped profiles', () => {
  it.each(SHIPPED)('%s is valid, fits one NVS value as CBOR, and its table reads back entry for entry', (name) => {
    const json = raw(name);
    const profile = parsed(name);
    expect(createCborCodec().encode(json).length).toBeLessThanOrEqual(NVS_VALUE_BYTES);
    const expected = Object.entries(json.responseCodes as Record<string, [string, string, string]>).map(([code, [category, zh, en]]) => [code, { category, zh, en }]);
    expect(profile.responseCodes.codes().map((code) => [code, profile.responseCodes.get(code)])).toEqual(expected);
    expect(profile.responseCodes.size).toBe(expected.length);
    expect(profile.responseCodes.toJSON()).toEqual(Object.fromEntries(expected));
    expect(profile.dialect).toBe('cup-pos');
    expect(profile.currency).toBe('156');
  });

  it('the CUP-style table has every code a terminal meets, with the categories of the CUP appendix', () => {
    const codes = parsed('cup-style').responseCodes;
    const wanted = '00 01 03 04 05 06 12 13 14 19 22 25 30 31 33 34 36 38 39 40 41 43 45 51 54 55 57 58 59 61 62 63 64 65 66 67 75 90 91 92 93 94 95 96 97 98 99 A0'.split(' ');
    expect(wanted.filter((c) => !codes.get(c))).toEqual([]);
    const category = (code: string) => codes.get(code)?.category;
    expect(['00', '97', '03', 'A0', '99', '96', '98', '51', '55', '14'].map((c) => [c, category(c)])).toEqual([
      ['00', 'approved'],
      ['97', 'terminal-invalid'],
      ['03', 'merchant-restricted'],
      ['A0', 're-sign-on'],
      ['99', 're-sign-on'],
      ['96', 'host-problem'],
      ['98', 'host-problem'],
      ['51', 'declined'],
      ['55', 'declined'],
      ['14', 'card-problem'],
    ]);
    expect(codes.get('97')?.zh).toMatch(/终端未登记|无此终端/);
    expect(codes.get('03')?.zh).toBe('无效商户');
    expect(codes.get('A0')?.zh).toMatch(/请重新签到$/);
    expect(codes.get('99')?.zh).toMatch(/请重新签到$/);
    expect(codes.codeOf('terminal-invalid')).toBe('97');
    // Only 00 approves: anything else is never reported as a sale approved.
    expect(codes.codes().filter((c) => category(c) === 'approved')).toEqual(['00']);
  });

  it('the Lakala-style table says 83 is an invalid terminal, and lists no 97', () => {
    const codes = parsed('lakala-style').responseCodes;
    expect(codes.get('83')).toEqual({ category: 'terminal-invalid', zh: '无效终端', en: 'Invalid terminal' });
    expect(codes.get('97')).toBeUndefined();
    expect(codes.lookup('97')).toBe(UNLISTED_RESPONSE);
    expect(codes.codeOf('terminal-invalid')).toBe('83');
  });
});

describe('the packed table', () => {
  const table = (input: unknown) => {
    const result = parseResponseCodes(input);
    if (!result.ok) throw new Error(result.reason);
    return result.value;
  };

  it('finds no entry for codes it does not list, malformed codes, or codes hidden inside texts', () => {
    const codes = table({ '00': { category: 'approved', zh: '成功 A0', en: 'Approved 83' }, '83': ['terminal-invalid', '无效终端', 'Invalid terminal'] });
    expect(codes.get('A0')).toBeUndefined();
    expect(codes.get('8')).toBeUndefined();
    expect(codes.get('830')).toBeUndefined();
    expect(codes.get('3\x1f')).toBeUndefined();
    expect(codes.get('83')).toEqual({ category: 'terminal-invalid', zh: '无效终端', en: 'Invalid terminal' });
    expect(codes.get('00')).toEqual({ category: 'approved', zh: '成功 A0', en: 'Approved 83' });
    expect(UNLISTED_RESPONSE).toEqual({ category: 'declined', zh: '交易失败', en: 'Transaction failed' });
  });

  it('round-trips every category', () => {
    const input = Object.fromEntries(RESPONSE_CATEGORIES.map((category, i) => [`C${i}`, [category, `类别${i}`, `category ${i}`]]));
    input['00'] = ['approved', '成功', 'Approved'];
    const codes = table(input);
    for (const [i, category] of RESPONSE_CATEGORIES.entries()) {
      expect(codes.get(`C${i}`)).toEqual({ category, zh: `类别${i}`, en: `category ${i}` });
      expect(codes.codeOf(category)).toBe(`C${i}`);
    }
  });
});
