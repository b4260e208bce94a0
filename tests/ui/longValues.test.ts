/**
 * A value too long for its line wraps; none is cut. Given a probe with a long title, a long
 * code and a long detail, and a terminal with long IDs and version, every character of each
 * value is drawn, in order, on the screens that show it, and every screen stays legible.
 */
import fc from 'fast-check';
import type { KeypadLayout } from '../../firmware/core/ports';
import type { ProbeResult, SelfTestReport } from '../../firmware/core/selftest/types';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { renderSelfTestPage, selfTestPageCount } from '../../firmware/core/ui/selfTestScreens';
import { statusLabel } from '../../firmware/core/ui/screenChrome';
import { LANGS, localize, type Lang } from '../../firmware/core/ui/strings';
import { renderFaultScreen, renderReadyScreen } from '../../firmware/core/ui/terminalScreens';
import { screenProblems, textOps } from './screenChecks';
import { committedFont } from './uiFont';

const font = committedFont();

/** Text runs in drawing order, without the second run a bold line is drawn with. */
function runs(list: DisplayList): { text: string; y: number }[] {
  const ops = textOps(list);
  return ops.filter((op, i) => !ops.slice(0, i).some((o) => o.text === op.text && o.y === op.y && o.x === op.x - 1));
}

const noSpace = (text: string) => text.replace(/\s/g, '');
/** Everything a screen says, in drawing order, white space aside: a wrapped value reads whole in it. */
const said = (list: DisplayList) => noSpace(runs(list).map((r) => r.text).join(''));

/**
 * What a probe's pages say below the status band and above the footer, page after page: the
 * code, finding, remedy and detail, however many pages they take. (The footer is drawn first;
 * the band's status label marks where the body starts.)
 */
function body(pages: DisplayList[], statusLabel: string): string {
  return pages
    .map((page) => {
      const all = runs(page);
      const footerY = all[0].y;
      const bandY = all.find((r) => r.text === statusLabel)?.y ?? 0;
      return noSpace(all.filter((r) => r.y > bandY && r.y < footerY).map((r) => r.text).join(''));
    })
    .join('');
}

const TITLE = 'probe.qq-with-a-title-nobody-translated-because-it-is-newer-than-the-tables';
const CODE = 'qk.a-result-code-far-longer-than-any-line-of-the-panel-can-hold-0123456789';
const WORDS = Array.from({ length: 40 }, (_, i) => `qd${String(i).padStart(2, '0')}`);
const DETAIL = `${WORDS.join(' ')} qdONEWORDLONGERTHANALINEOFTHEPANELCANHOLDATALLqd 终端号qd终端号`;

const result: ProbeResult = { id: TITLE, family: 'network', status: 'fail', code: CODE, detail: DETAIL, durationMs: 1234567 };
const report: SelfTestReport = { seq: 1, trigger: 'boot', startedUptimeMs: 0, startedWallMs: 0, durationMs: 1234567, verdict: 'fail', results: [result] };

/** IDs and version as long as a scenario allows (32 characters). */
const view = (lang: Lang, keys: KeypadLayout) => ({
  lang,
  font,
  keys,
  terminalId: 'qt-TERMINAL-ID-32-CHARACTERS-LON',
  firmwareVersion: 'qv0.1.0-rc.1+build.20250314.3ea6',
});

describe.each(LANGS)('long values (%s)', (lang) => {
  const v = view(lang, 'one-button');
  const pages = Array.from({ length: selfTestPageCount(report, v) }, (_, page) => renderSelfTestPage(report, page, v));
  const detailPages = pages.slice(1);

  test('every page stays inside the panel with no text over another', () => {
    expect(detailPages.length).toBeGreaterThan(1);
    for (const page of pages) expect(screenProblems(page, font)).toEqual([]);
  });

  test("the probe's title, its code and (on English screens) its detail are drawn whole", () => {
    const label = statusLabel(lang, 'fail');
    expect(said(detailPages[0])).toContain(noSpace(TITLE));
    expect(body(detailPages, label)).toContain(noSpace(CODE));
    expect(said(pages[0])).toContain(noSpace(CODE));
    if (lang === 'en') expect(body(detailPages, label)).toContain(noSpace(DETAIL));
  });

  test('the ready and fault screens draw long IDs, version, title and code whole', () => {
    const merchantId = 'qm-MERCHANT-ID-32-CHARACTERS-LON';
    const ready = renderReadyScreen({ ...v, merchantId, wallMs: 0, lastVerdict: 'fail' });
    expect(screenProblems(ready, font)).toEqual([]);
    for (const value of [v.terminalId, merchantId, v.firmwareVersion]) expect(said(ready)).toContain(noSpace(value));
    // A failure whose title and code take two lines each is listed whole; one too long for the
    // list is counted, and its details pages show it whole (above).
    const title = 'probe.qq-a-newer-probe-long-id';
    const code = 'qk.a-long-result-code-of-forty-characters';
    const fault = renderFaultScreen({ ...report, results: [{ ...result, id: title, code }] }, { ...v, terminalId: '10240001', firmwareVersion: '0.1.0' });
    expect(screenProblems(fault, font)).toEqual([]);
    for (const value of [title, code]) expect(said(fault)).toContain(noSpace(value));
    const tooLong = renderFaultScreen(report, v);
    expect(screenProblems(tooLong, font)).toEqual([]);
    for (const value of [v.terminalId, v.firmwareVersion, localize(lang, 'fault.count', { count: 1 })]) expect(said(tooLong)).toContain(noSpace(value));
  });
});

describe('any long value', () => {
  const value = fc.oneof(
    fc.string({ minLength: 1, maxLength: 160 }),
    fc.array(fc.constantFrom('时钟', '电池', 'word', 'averyveryverylongwordindeedyes', ' ', '，', '(', ')', 'x', '0123456789ABCDEF'), { maxLength: 50 }).map((a) => a.join('')),
  );

  test('a detail page draws every non-space character of code and detail, on as many pages as it takes', () => {
    fc.assert(
      fc.property(value, value, fc.constantFrom<KeypadLayout>('one-button', 'pin-pad'), (code, detail, keys) => {
        const r: SelfTestReport = { ...report, results: [{ ...result, code, detail }] };
        const v = view('en', keys);
        const lists = Array.from({ length: selfTestPageCount(r, v) }, (_, page) => renderSelfTestPage(r, page, v));
        for (const list of lists) expect(screenProblems(list, font)).toEqual([]);
        const text = body(lists.slice(1), statusLabel('en', 'fail'));
        // Both values are on the pages, whole and in order (the detail below the code).
        const at = text.indexOf(noSpace(code));
        expect(at).toBeGreaterThanOrEqual(0);
        expect(text.indexOf(noSpace(detail), at + noSpace(code).length)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 150 },
    );
  });
});
