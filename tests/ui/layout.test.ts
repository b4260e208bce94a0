/** Wrapping on a 16 px font: Chinese per character, English per word, nothing lost, nothing too wide. */
import fc from 'fast-check';
import { fitText, wrapText } from '../../firmware/core/ui/layout';
import { formatUtcDateTime } from '../../firmware/core/ui/utcText';
import { committedFont } from './uiFont';

const font = committedFont();

describe('wrapText', () => {
  test('English breaks between words', () => {
    expect(wrapText(font, 'Set the clock. If it resets, replace the RTC battery.', 120, 10)).toEqual([
      'Set the clock.',
      'If it resets,',
      'replace the RTC',
      'battery.',
    ]);
  });

  test('Chinese breaks between characters but never puts closing punctuation first on a line', () => {
    expect(wrapText(font, '请设置日期和时间；如断电后复位', 96, 10)).toEqual(['请设置日期和', '时间；如断电', '后复位']);
    expect(wrapText(font, '设置日期时间，请', 96, 10)).toEqual(['设置日期时', '间，请']);
  });

  test('a word wider than the line is split by characters', () => {
    expect(wrapText(font, 'sha256 3f9a0c1d22e47b10ab', 64, 10)).toEqual(['sha256', '3f9a0c1d', '22e47b10', 'ab']);
  });

  test('text beyond the last line ends the last line with an ellipsis', () => {
    expect(wrapText(font, 'one two three four', 64, 2)).toEqual(['one two', 'three…']);
    expect(wrapText(font, 'one two three four', 40, 2)).toEqual(['one', 'two…']);
    expect(wrapText(font, '时时', 12, 3)).toEqual([]);
    expect(wrapText(font, 'anything', 40, 0)).toEqual([]);
  });

  test('any text: lines fit, and with room enough every non-space character survives in order', () => {
    const pieces = fc.constantFrom('时', '钟', '，', '。', 'word', 'x', ' ', '  ', 'averyveryverylongword', '(', ')', '\n', '…');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 50 }).map((a) => a.join('')), fc.integer({ min: 16, max: 224 }), (text, width) => {
        const lines = wrapText(font, text, width, 1000);
        for (const line of lines) expect(font.measure(line)).toBeLessThanOrEqual(width);
        expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      }),
    );
  });

  test('any text and any line limit: never more lines than allowed, none too wide', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), fc.integer({ min: 0, max: 240 }), fc.nat({ max: 6 }), (text, width, maxLines) => {
        const lines = wrapText(font, text, width, maxLines);
        expect(lines.length).toBeLessThanOrEqual(maxLines);
        for (const line of lines) expect(font.measure(line)).toBeLessThanOrEqual(width);
      }),
    );
  });
});

describe('fitText', () => {
  test('keeps what fits, otherwise cuts and adds an ellipsis', () => {
    expect(fitText(font, 'Terminal auth', 200)).toBe('Terminal auth');
    expect(fitText(font, 'Terminal auth', 64)).toBe('Termina…');
    expect(fitText(font, '终端认证', 40)).toBe('终端…');
    expect(fitText(font, 'x', 4)).toBe('');
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
