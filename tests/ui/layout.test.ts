/** Wrapping on a 16 px font: Chinese per character, English per word, nothing lost, nothing cut. */
import fc from 'fast-check';
import { ScreenBuilder, wrapText } from '../../firmware/core/ui/layout';
import { formatUtcDateTime } from '../../firmware/core/ui/utcText';
import { committedFont } from './uiFont';

const font = committedFont();

describe('wrapText', () => {
  test('English breaks between words', () => {
    expect(wrapText(font, 'Set the clock. If it resets, replace the RTC battery.', 120)).toEqual([
      'Set the clock.',
      'If it resets,',
      'replace the RTC',
      'battery.',
    ]);
  });

  test('Chinese breaks between characters but never puts closing punctuation first on a line', () => {
    expect(wrapText(font, '请设置日期和时间；如断电后复位', 96)).toEqual(['请设置日期和', '时间；如断电', '后复位']);
    expect(wrapText(font, '设置日期时间，请', 96)).toEqual(['设置日期时', '间，请']);
  });

  test('Chinese and Latin mixed: a Latin word stays whole beside CJK characters', () => {
    expect(wrapText(font, '时钟 2026-11-26T09:00:00Z，固件构建于 2026-11-20T08:00:00Z', 224)).toEqual([
      '时钟 2026-11-26T09:00:00Z，',
      '固件构建于',
      '2026-11-20T08:00:00Z',
    ]);
  });

  test('a word wider than the line is split by characters', () => {
    expect(wrapText(font, 'sha256 3f9a0c1d22e47b10ab', 64)).toEqual(['sha256', '3f9a0c1d', '22e47b10', 'ab']);
  });

  test('nothing is cut: a long value takes as many lines as it needs, even on a line narrower than a glyph', () => {
    expect(wrapText(font, 'one two three four', 40)).toEqual(['one', 'two', 'three', 'four']);
    expect(wrapText(font, '时时', 12)).toEqual(['时', '时']);
    expect(wrapText(font, '', 40)).toEqual([]);
  });

  test('any text, any width: every non-space character survives in order, and lines fit unless one glyph alone is wider', () => {
    const pieces = fc.constantFrom('时', '钟', '，', '。', 'word', 'x', ' ', '  ', 'averyveryverylongword', '(', ')', '\n', '…', '“', '”');
    const text = fc.oneof(fc.array(pieces, { maxLength: 50 }).map((a) => a.join('')), fc.string({ unit: 'binary', maxLength: 100 }));
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 240 }), (t, width) => {
        const lines = wrapText(font, t, width);
        for (const line of lines) expect(font.measure(line) <= width || [...line].length === 1).toBe(true);
        expect(lines.join('').replace(/\s/g, '')).toBe(t.replace(/\s/g, ''));
      }),
      { numRuns: 500 },
    );
  });
});

describe('ScreenBuilder', () => {
  const drawn = (list: ReturnType<ScreenBuilder['build']>) => list.ops.flatMap((op) => (op.op === 'text' ? [op] : []));

  test('text too wide for its box is drawn whole on the lines below, never cut', () => {
    const screen = new ScreenBuilder(font);
    const value = '898440154110001-898440154110001-8984401541';
    const width = screen.text(value, { x: 8, width: 100, y: 40, color: 0 });
    const ops = drawn(screen.build(0xffffff));
    expect(ops.map((op) => op.text).join('')).toBe(value);
    expect(ops.map((op) => op.y)).toEqual([40, 58, 76, 94]);
    expect(width).toBeLessThanOrEqual(100);
  });

  test('a paragraph returns where the next line starts', () => {
    const screen = new ScreenBuilder(font);
    expect(screen.paragraph('one two three four', { x: 0, width: 40, y: 10, color: 0, lineStep: 18 })).toBe(10 + 4 * 18);
  });
});

describe('formatUtcDateTime', () => {
  test('matches the ISO form of the same instant, in UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        expect(formatUtcDateTime(ms)).toBe(new Date(ms).toISOString().slice(0, 16).replace('T', ' '));
      }),
    );
  });

  test('an unusable clock shows dashes, not "NaN"', () => {
    expect(formatUtcDateTime(Number.NaN)).toMatch(/^-+ +--:--$/);
    expect(formatUtcDateTime(1e20)).toMatch(/^-+/);
  });
});
