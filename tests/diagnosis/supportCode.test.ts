/**
 * The support code a merchant reads over the phone: its bits against a reference built from
 * strings, a check character that catches every single misread character and every swap of
 * two neighbours (tried exhaustively on a sample of codes), and reading back what people type.
 */
import fc from 'fast-check';
import { decodeSupportCode, encodeSupportCode, hourStamp, supportCode } from '../../firmware/core/diagnosis/supportCode';
import { cause, CROCKFORD, DAMM, diagnosis, errorOf, referenceCode, WALL_MS } from './supportFixtures';

const SHAPE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/;

const content = fc.record({
  version: fc.constant(1),
  causes: fc.array(fc.integer({ min: 1, max: 127 }), { maxLength: 3 }),
  hourStamp: fc.integer({ min: 0, max: 0xffff }),
});

/** A deterministic sample of codes: every cause field width and stamps across the range. */
const SAMPLE = fc.sample(content, { seed: 8, numRuns: 120 }).map((c) => encodeSupportCode(c));

describe('support code', () => {
  it('the reference quasigroup is one: every row and column a permutation, weakly totally anti-symmetric', () => {
    // Guards the reference itself: a table without these properties would prove nothing below.
    for (let x = 0; x < 32; x++) {
      expect(new Set(DAMM[x]).size).toBe(32);
      expect(new Set(DAMM.map((row) => row[x])).size).toBe(32);
    }
    let collisions = 0;
    for (let c = 0; c < 32; c++) for (let x = 0; x < 32; x++) for (let y = 0; y < 32; y++) if (x !== y && DAMM[DAMM[c][x]][y] === DAMM[DAMM[c][y]][x]) collisions++;
    expect(collisions).toBe(0);
  });

  it('a diagnosis gives version 1, its first three causes not ruled out, and the RTC hour since 2020', () => {
    const d = diagnosis([cause('auth.tid-mismatch', 48, 'confirmed'), cause('net.dns', 2, 'ruled-out'), cause('sys.clock', 20, 'likely'), cause('auth.certificate', 47, 'likely'), cause('auth.working-keys', 46, 'likely')]);
    const hours = Math.floor((WALL_MS - Date.UTC(2020, 0, 1)) / 3_600_000); // 2,527 days and 7 hours
    expect(hours).toBe(60_655);
    const code = supportCode(d, { firmwareVersion: '1.0.0' });
    expect(code).toBe(referenceCode(1, [48, 20, 47], hours));
    expect(code).toMatch(SHAPE);
    expect(decodeSupportCode(code)).toEqual({ code, version: 1, causes: [48, 20, 47], hourStamp: hours });
  });

  it('a healthy diagnosis (nothing open) still gives a code: no causes, the hour', () => {
    const code = supportCode(diagnosis([cause('net.dns', 2, 'ruled-out')]));
    expect(decodeSupportCode(code)).toMatchObject({ causes: [], hourStamp: hourStamp(WALL_MS) });
  });

  it('the hour stamp wraps every 2¹⁶ hours and before 2020 (a clock at 1970)', () => {
    expect(hourStamp(Date.UTC(2020, 0, 1))).toBe(0);
    expect(hourStamp(Date.UTC(2020, 0, 1) + 65_536 * 3_600_000)).toBe(0);
    expect(hourStamp(Date.UTC(2019, 11, 31, 23))).toBe(65_535);
    expect(hourStamp(0)).toBe(((-438_288 % 65_536) + 65_536) % 65_536); // 1970 is 438,288 hours before 2020
  });

  it('the reader places the hour: the latest it can be, at most a day after the reference', () => {
    const code = supportCode(diagnosis([cause('net.dns', 2, 'likely')]));
    const hourStart = Math.floor(WALL_MS / 3_600_000) * 3_600_000;
    expect(decodeSupportCode(code, WALL_MS + 3 * 86_400_000).hourMs).toBe(hourStart);
    expect(decodeSupportCode(code, WALL_MS - 12 * 3_600_000).hourMs).toBe(hourStart); // the terminal's clock a little ahead
    expect(decodeSupportCode(code, WALL_MS - 2 * 86_400_000).hourMs).toBe(hourStart - 65_536 * 3_600_000);
    expect(new Date(decodeSupportCode(code, Date.UTC(2027, 5, 1)).hourMs!).toISOString()).toBe('2026-12-02T07:00:00.000Z');
  });

  it(`catches every single substituted character (${SAMPLE.length} codes × 9 places × 31 symbols)`, () => {
    let tried = 0;
    for (const code of SAMPLE) {
      const chars = code.replace(/-/g, '').split('');
      for (let at = 0; at < chars.length; at++)
        for (const symbol of CROCKFORD) {
          if (symbol === chars[at]) continue;
          const bad = chars.map((c, i) => (i === at ? symbol : c)).join('');
          expect({ bad, code: errorOf(() => decodeSupportCode(bad)).code }).toEqual({ bad, code: 'support-code-check' });
          tried++;
        }
    }
    expect(tried).toBe(SAMPLE.length * 9 * 31);
  });

  it('catches every swap of two neighbouring characters, the check character included', () => {
    let tried = 0;
    for (const code of SAMPLE) {
      const chars = code.replace(/-/g, '').split('');
      for (let at = 0; at + 1 < chars.length; at++) {
        if (chars[at] === chars[at + 1]) continue;
        const swapped = [...chars];
        [swapped[at], swapped[at + 1]] = [swapped[at + 1], swapped[at]];
        expect(errorOf(() => decodeSupportCode(swapped.join(''))).code).toBe('support-code-check');
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(SAMPLE.length * 6);
  });

  it('round-trips any content, as typed by a person: lower case, spaces, no hyphens, O for 0, I or L for 1', () => {
    fc.assert(
      fc.property(content, fc.constantFrom('I', 'L', 'i', 'l'), fc.boolean(), (c, one, spaced) => {
        const code = encodeSupportCode(c);
        expect(code).toBe(referenceCode(c.version, c.causes, c.hourStamp));
        let typed = code.toLowerCase().replace(/0/g, 'o').replace(/1/g, one);
        typed = spaced ? ` ${typed.replace(/-/g, ' ')} ` : typed.replace(/-/g, '');
        expect(decodeSupportCode(typed)).toEqual({ code, ...c });
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['a U (Crockford keeps it for its own check)', '4V2E-U000-1', 'support-code-malformed'],
    ['a stray symbol', '4V2E-*000-1', 'support-code-malformed'],
    ['eight characters', '4V2E-0000', 'support-code-malformed'],
    ['ten characters', '4V2E-0000-11', 'support-code-malformed'],
    ['version 2', referenceCode(2, [1], 5), 'support-code-version'],
    ['a cause after an empty field', referenceCode(1, [0, 5], 5), 'support-code-malformed'],
  ])('refuses %s', (_, text, code) => {
    expect(errorOf(() => decodeSupportCode(text)).code).toBe(code);
  });

  it('refuses what the code cannot carry: a cause number past 127, four causes', () => {
    expect(errorOf(() => encodeSupportCode({ version: 1, causes: [128], hourStamp: 0 })).code).toBe('diagnosis-range');
    expect(errorOf(() => encodeSupportCode({ version: 1, causes: [1, 2, 3, 4], hourStamp: 0 })).code).toBe('diagnosis-range');
    expect(errorOf(() => supportCode(diagnosis([cause('x.future', 200, 'likely')]))).code).toBe('diagnosis-range');
  });
});
