/**
 * The rows the diagnosis and activation pages are fitted with (ui/pageRows.ts): a text cut to a
 * number of lines keeps its beginning and ends in "…", every line within its width; sections of
 * any size drawn into any room never leave it, and a section's items are all there or counted
 * in "+n more".
 */
import fc from 'fast-check';
import { ScreenBuilder } from '../../firmware/core/ui/layout';
import { clampLines, drawRows, type RowSection } from '../../firmware/core/ui/pageRows';
import { screenProblems, textOps } from './screenChecks';
import { committedFont } from './uiFont';

const font = committedFont();
const WORDS = ['主机', '域名', '无法解析', 'Host', 'answered', '83:', 'terminal', 'not', 'accepted', '，', '。', 'pos.acquirer.example', '1970-01-01T00:00:05Z', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const textArb = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 30 }).map((w) => w.join(' '));

describe('clampLines', () => {
  test('at most max lines, each within the width; cut text keeps its start and ends in …', () => {
    fc.assert(
      fc.property(textArb, fc.integer({ min: 40, max: 224 }), fc.integer({ min: 1, max: 4 }), (text, width, max) => {
        const screen = new ScreenBuilder(font);
        const whole = screen.lines(text, width);
        const lines = clampLines(screen, text, width, max);
        expect(lines.length).toBe(Math.min(max, whole.length));
        for (const line of lines) expect(font.measure(line)).toBeLessThanOrEqual(width);
        if (whole.length <= max) expect(lines).toEqual(whole);
        else {
          expect(lines[lines.length - 1].endsWith('…')).toBe(true);
          expect(whole.join('').startsWith(lines.join('').slice(0, -1))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('drawRows', () => {
  const itemArb = fc.record({ text: textArb, sub: fc.option(textArb, { nil: undefined }), facts: fc.option(textArb, { nil: undefined }), lead: fc.option(fc.constantFrom('1.', '12.', '✘', '✔'), { nil: undefined }) });
  const sectionsArb = fc.array(fc.record({ title: fc.option(fc.constantFrom('Evidence for', '不支持的依据'), { nil: undefined }), items: fc.array(itemArb, { maxLength: 12 }) }), { minLength: 1, maxLength: 3 });

  test('nothing past the bottom, nothing overlapping, every item shown or counted', () => {
    fc.assert(
      fc.property(sectionsArb, fc.integer({ min: 40, max: 260 }), (raw, top) => {
        const bottom = 292;
        const screen = new ScreenBuilder(font);
        const sections: RowSection[] = raw.map((s, si) => ({ ...s, items: s.items.map((i, k) => ({ ...i, text: `#${si}.${k}# ${i.text}`, color: 0 })), empty: 'None' }));
        const y = drawRows(screen, 'en', sections, top, bottom);
        const list = screen.build(0xffffff);
        expect(y).toBeLessThanOrEqual(bottom + 20);
        expect(screenProblems(list, font)).toEqual([]);
        for (const op of textOps(list)) expect(op.y + font.lineHeight).toBeLessThanOrEqual(bottom);
        // When even the tersest form fits (one item or "+n more" a section), each section shows its
        // first items in order and counts the rest.
        const tersest = sections.reduce((h, s) => h + (s.title ? 26 : 0) + 38, 0);
        if (tersest > bottom - top) return;
        const shown = textOps(list).map((op) => op.text).join(' ');
        sections.forEach((section, si) => {
          const count = section.items.filter((_, k) => shown.includes(`#${si}.${k}#`)).length;
          section.items.forEach((_, k) => expect([si, k, shown.includes(`#${si}.${k}#`)]).toEqual([si, k, k < count]));
          if (count < section.items.length) expect(shown).toContain(`+${section.items.length - count} more`);
        });
      }),
      { numRuns: 300 },
    );
  });

  test('a section with more items than fit shows the first ones and "+n more" for the rest', () => {
    const screen = new ScreenBuilder(font);
    const items = Array.from({ length: 12 }, (_, i) => ({ lead: `${i + 1}.`, text: `Step number ${i + 1}`, color: 0 }));
    drawRows(screen, 'en', [{ title: 'Steps', items }], 40, 200);
    const texts = textOps(screen.build(0xffffff)).map((op) => op.text);
    const shown = texts.filter((t) => t.startsWith('Step number')).length;
    expect(shown).toBeGreaterThan(0);
    expect(texts).toContain(`+${12 - shown} more`);
    expect(texts.slice(1, 1 + 2 * shown).filter((t) => t.startsWith('Step')).map((t) => Number(t.split(' ')[2]))).toEqual(Array.from({ length: shown }, (_, i) => i + 1));
  });
});
