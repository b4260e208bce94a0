/**
 * Given a terminal whose boot self-test found a clock set to 2000, a bad merchant ID and a
 * stuck key, the screens show it in both languages, legibly and inside the panel.
 */
import fc from 'fast-check';
import { CAUSE_FAMILIES, type CauseFamily, type ProbeResult, type SelfTestReport } from '../../firmware/core/selftest/types';
import { probeTitle } from '../../firmware/core/ui/probeStrings';
import { detailOrder, diagnosticResult, familyStatus, renderSelfTestPage, selfTestPageCount } from '../../firmware/core/ui/selfTestScreens';
import { familyName, LANGS, LIST_SEPARATORS, localize, STRINGS, type Lang } from '../../firmware/core/ui/strings';
import { renderBootScreen, renderFaultScreen, renderReadyScreen } from '../../firmware/core/ui/terminalScreens';
import { keyHint } from '../../firmware/core/ui/keyHints';
import type { KeypadLayout } from '../../firmware/core/ports';
import { screenProblems, textOps } from './screenChecks';
import { committedFont } from './uiFont';

const font = committedFont();
const WALL = Date.UTC(2025, 2, 14, 9, 26, 41);

const result = (id: string, status: ProbeResult['status'], code: string, detail: string, family: ProbeResult['family'] = 'system'): ProbeResult => ({
  id,
  family,
  status,
  code,
  detail,
  durationMs: 3,
});

const failing: SelfTestReport = {
  seq: 7,
  trigger: 'boot',
  startedUptimeMs: 1200,
  startedWallMs: WALL,
  durationMs: 420,
  verdict: 'fail',
  results: [
    result('system.image', 'pass', 'image.ok', 'sha256 3f9a0c1d22e47b10…, 917504 bytes'),
    result('system.rtc', 'fail', 'rtc.before-build', 'rtc 2000-01-01T00:03:10Z, build 2025-03-01T08:00:00Z'),
    result('system.flash', 'warn', 'flash.torn-record', '16×4096 B, 41 records at boot, 1 torn, 0 CRC errors, 0 bad sectors'),
    result('system.memory', 'pass', 'memory.ok', 'chunks 41210/77824 B free, slots 2910/4928 free'),
    result('system.config', 'fail', 'config.mid-invalid', 'mid: merchant ID must be 15 characters'),
    result('device.display', 'pass', 'display.ok', 'ILI9341, 240×320', 'device'),
    result('device.keypad', 'fail', 'keypad.stuck', 'held: 5', 'device'),
  ],
};

const healthy: SelfTestReport = {
  ...failing,
  verdict: 'pass',
  results: failing.results.map((r) => ({ ...r, status: 'pass', code: r.code.replace(/\..*$/, '.ok') })),
};

/** Every cause family checked, every check passed. */
const complete: SelfTestReport = {
  ...healthy,
  results: [
    ...healthy.results,
    result('network.link', 'pass', 'link.ok', 'up', 'network'),
    result('account.status', 'pass', 'account.ok', 'open', 'account'),
    result('auth.mac', 'pass', 'mac.ok', 'MAC of the check message matches the one recorded at sign-on', 'authentication'),
  ],
};

const view = (lang: Lang, keys: KeypadLayout = 'one-button') => ({ lang, font, keys, terminalId: '10293847', firmwareVersion: '0.1.0' });
const texts = (list: ReturnType<typeof renderBootScreen>) => textOps(list).map((op) => op.text);

describe.each(LANGS)('self-test report pages (%s)', (lang) => {
  const strings = STRINGS[lang];
  const count = selfTestPageCount(failing, view(lang));
  const pages = Array.from({ length: count }, (_, page) => renderSelfTestPage(failing, page, view(lang)));

  test('one summary page, then each probe on its pages, in detail order', () => {
    expect(count).toBeGreaterThanOrEqual(1 + failing.results.length);
    // The header's title is the first text at the header's top line.
    const titles = pages.slice(1).map((page) => textOps(page).find((op) => op.y === 6)?.text);
    const order = detailOrder(failing).map((r) => probeTitle(lang, r.id));
    expect(titles.filter((t, i) => t !== titles[i - 1])).toEqual(order);
  });

  test('every page stays inside the panel, every text run fits, none overlaps another', () => {
    for (const page of pages) expect(screenProblems(page, font)).toEqual([]);
  });

  test('every glyph on the pages is in the font (no fallback boxes)', () => {
    for (const page of pages) for (const text of texts(page)) expect([text, font.missing(text)]).toEqual([text, []]);
  });

  test('the summary shows the verdict word, each family, and the first failure as the code to quote', () => {
    const shown = texts(pages[0]);
    expect(shown).toContainEqual(expect.stringContaining(strings['status.fail']));
    for (const family of CAUSE_FAMILIES) expect(shown).toContain(strings[`family.${family}`]);
    expect(shown).toContain('rtc.before-build');
    expect(shown).toContain(strings['status.notTested']);
    expect(shown).toContainEqual(expect.stringContaining(`1/${count}`));
  });

  test("a failing family's status word sits on the family's row", () => {
    const ops = textOps(pages[0]);
    const device = ops.find((op) => op.text === strings['family.device']);
    const deviceStatus = ops.filter((op) => op.y === device?.y && op !== device).map((op) => op.text);
    expect(deviceStatus).toContainEqual(expect.stringContaining(strings['status.fail']));
  });

  test('detail pages list failures first, then warnings, then passes', () => {
    expect(detailOrder(failing).map((r) => r.status)).toEqual(['fail', 'fail', 'fail', 'warn', 'pass', 'pass', 'pass']);
    expect(detailOrder(failing).map((r) => r.id).slice(0, 3)).toEqual(['system.rtc', 'system.config', 'device.keypad']);
  });

  test("the failing clock's page puts the status word right under its title, with code and remedy", () => {
    const ops = textOps(pages[1]);
    const title = ops.find((op) => op.text === (lang === 'zh' ? '时钟' : 'Clock'));
    const status = ops.find((op) => op.text.includes(strings['status.fail']));
    expect(title).toBeDefined();
    expect(status).toBeDefined();
    expect((status?.y ?? 0) - (title?.y ?? 0)).toBeGreaterThan(0);
    expect((status?.y ?? 0) - (title?.y ?? 0)).toBeLessThanOrEqual(32);
    const shown = texts(pages[1]).join(lang === 'zh' ? '' : ' ');
    expect(shown).toContain('rtc.before-build');
    expect(shown).toContain(lang === 'zh' ? '时钟电池' : 'RTC battery');
    expect(shown).toContain('2000-01-01T00:03:10Z');
  });

  test('a page number past either end shows the nearest page', () => {
    expect(renderSelfTestPage(failing, 99, view(lang))).toEqual(pages[pages.length - 1]);
    expect(renderSelfTestPage(failing, -1, view(lang))).toEqual(pages[0]);
    expect(renderSelfTestPage(failing, Number.NaN, view(lang))).toEqual(pages[0]);
  });

  test('rendering is a pure function of the report', () => {
    expect(renderSelfTestPage(failing, 3, view(lang))).toEqual(pages[3]);
  });

  test('a report where every family was checked and passed says "all checks passed" and names no code', () => {
    const summary = renderSelfTestPage(complete, 0, view(lang));
    expect(screenProblems(summary, font)).toEqual([]);
    expect(texts(summary)).toContain(strings['summary.allPassed']);
    expect(texts(summary)).not.toContain(strings['summary.diagnosticCode']);
  });

  test('a passing report with families not checked says what ran passed and names what was not checked', () => {
    const summary = renderSelfTestPage(healthy, 0, view(lang));
    expect(screenProblems(summary, font)).toEqual([]);
    const shown = texts(summary);
    expect(shown).not.toContain(strings['summary.allPassed']);
    expect(shown).toContain(strings['summary.ranPassed']);
    const said = shown.join(lang === 'zh' ? '' : ' ');
    const names = ['network', 'account', 'authentication'].map((f) => familyName(lang, f as CauseFamily)).join(LIST_SEPARATORS[lang]);
    expect(said).toContain(localize(lang, 'summary.notChecked', { families: names }));
  });

  test('a skipped check keeps "all checks passed" off the summary, and is counted', () => {
    const skipped = { ...complete, results: [...complete.results, result('device.keypad', 'skip', 'keypad.not-judged', 'not judged when started from the keypad', 'device')] };
    const shown = texts(renderSelfTestPage(skipped, 0, view(lang))).join(lang === 'zh' ? '' : ' ');
    expect(shown).not.toContain(strings['summary.allPassed']);
    expect(shown).toContain(localize(lang, 'summary.skipped', { count: 1 }));
  });

  test('a run with no results does not say anything passed', () => {
    const shown = texts(renderSelfTestPage({ ...healthy, results: [] }, 0, view(lang)));
    expect(shown).toContain(strings['summary.nothingRan']);
    expect(shown).not.toContain(strings['summary.ranPassed']);
  });
});

describe('report facts behind the pages', () => {
  test('the diagnostic code is the first failure, else the first warning', () => {
    expect(diagnosticResult(failing)?.code).toBe('rtc.before-build');
    const warnOnly = { ...healthy, verdict: 'warn' as const, results: [...healthy.results.slice(0, 2), failing.results[2]] };
    expect(diagnosticResult(warnOnly)?.code).toBe('flash.torn-record');
    expect(diagnosticResult(healthy)).toBeUndefined();
  });

  test('a family is as bad as its worst probe, and "not tested" when none of its probes ran', () => {
    expect(familyStatus(failing, 'system')).toBe('fail');
    expect(familyStatus(healthy, 'device')).toBe('pass');
    expect(familyStatus(failing, 'network')).toBe('notTested');
    const skipped = { ...healthy, results: [result('device.keypad', 'skip', 'keypad.not-judged', 'started from the keypad', 'device')] };
    expect(familyStatus(skipped, 'device')).toBe('skip');
  });
});

describe.each(LANGS)('terminal screens (%s)', (lang) => {
  const strings = STRINGS[lang];

  test('boot: self-test running, with terminal ID and firmware version', () => {
    const list = renderBootScreen(view(lang));
    expect(screenProblems(list, font)).toEqual([]);
    expect(texts(list)).toEqual(expect.arrayContaining([strings['selftest.running'], '10293847']));
  });

  test.each(['one-button', 'pin-pad'] as const)('ready (%s): UTC date and time, IDs, last verdict as a word, and the keys for the report and a self-test', (keys) => {
    const list = renderReadyScreen({ ...view(lang, keys), merchantId: '898310048161234', wallMs: WALL, lastVerdict: 'fail' });
    expect(screenProblems(list, font)).toEqual([]);
    expect(texts(list)).toEqual(
      expect.arrayContaining(['2025-03-14 09:26', '10293847', '898310048161234', keyHint({ lang, keys }, 'report'), keyHint({ lang, keys }, 'selftest')]),
    );
    expect(texts(list)).toContainEqual(expect.stringContaining(strings['status.fail']));
  });

  test('ready without configuration or a self-test says so instead of drawing blanks', () => {
    const list = renderReadyScreen({ lang, font, keys: 'one-button', firmwareVersion: '0.1.0', wallMs: Number.NaN });
    expect(screenProblems(list, font)).toEqual([]);
    expect(texts(list)).toEqual(expect.arrayContaining([strings['label.unset'], strings['ready.noSelftest']]));
  });

  test('fault: out of service, each failing check with its status word and code, and where the details are', () => {
    const two = { ...failing, results: failing.results.filter((r) => r.id !== 'device.keypad') };
    const list = renderFaultScreen(two, view(lang));
    expect(screenProblems(list, font)).toEqual([]);
    const ops = textOps(list);
    for (const code of ['rtc.before-build', 'config.mid-invalid']) expect(texts(list)).toContain(code);
    expect(texts(list)).not.toContainEqual(expect.stringContaining(localize(lang, 'fault.more', { count: 1 })));
    const clock = ops.find((op) => op.text === (lang === 'zh' ? '时钟' : 'Clock'));
    expect(ops.filter((op) => op.y === clock?.y).map((op) => op.text)).toContainEqual(expect.stringContaining(strings['status.fail']));
    expect(texts(list)).toEqual(expect.arrayContaining([keyHint(view(lang), 'details'), keyHint(view(lang), 'selftest')]));
    expect(texts(list)).toContainEqual(expect.stringContaining(strings['fault.title']));
  });

  test('fault with more failures than rows ends the list with "+N more"', () => {
    const many = { ...failing, results: failing.results.map((r) => ({ ...r, status: 'fail' as const })) };
    const list = renderFaultScreen(many, view(lang));
    expect(screenProblems(list, font)).toEqual([]);
    expect(texts(list)).toContain(localize(lang, 'fault.more', { count: 5 }));
  });
});

describe('the screen checks themselves', () => {
  test('catch a run past the edge, a rect off the panel and overlapping text', () => {
    const list = {
      width: 240,
      height: 320,
      background: 0,
      ops: [
        { op: 'text' as const, x: 200, y: 0, text: 'too wide', color: 0 },
        { op: 'rect' as const, x: 0, y: 310, w: 10, h: 11, color: 0 },
        { op: 'text' as const, x: 0, y: 100, text: 'one', color: 0 },
        { op: 'text' as const, x: 16, y: 108, text: 'two', color: 0 },
      ],
    };
    expect(screenProblems(list, font)).toHaveLength(3);
  });
});

describe('any report, any text', () => {
  const statusArb = fc.constantFrom('pass', 'warn', 'fail', 'skip') as fc.Arbitrary<ProbeResult['status']>;
  const textArb = fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.array(fc.constantFrom('时', '钟', '电', '池', 'word', 'verylongwordwithoutanyspaces', ' ', '，', '。', '(', 'x'), { maxLength: 60 }).map((a) => a.join('')),
  );
  const resultArb = fc.record({
    id: fc.oneof(fc.constantFrom('system.rtc', 'system.flash', 'device.keypad'), fc.string({ maxLength: 40 })),
    family: fc.constantFrom(...CAUSE_FAMILIES),
    status: statusArb,
    code: fc.oneof(fc.constantFrom('rtc.ok', 'probe.timeout', 'flash.corrupt'), fc.string({ maxLength: 60 })),
    detail: textArb,
    durationMs: fc.nat({ max: 10_000_000 }),
  });
  const reportArb = fc.record({
    seq: fc.nat({ max: 1_000_000_000 }),
    trigger: fc.constantFrom('boot', 'periodic', 'demand', 'host-83') as fc.Arbitrary<SelfTestReport['trigger']>,
    startedUptimeMs: fc.nat(),
    startedWallMs: fc.nat(),
    durationMs: fc.nat(),
    results: fc.array(resultArb, { maxLength: 12 }),
    verdict: fc.constantFrom('pass', 'warn', 'fail') as fc.Arbitrary<SelfTestReport['verdict']>,
  });

  test('every page and the fault screen stay inside the panel with no overlapping text', () => {
    fc.assert(
      fc.property(reportArb, fc.constantFrom(...LANGS), fc.constantFrom<KeypadLayout>('one-button', 'pin-pad'), fc.option(fc.string({ maxLength: 32 }), { nil: undefined }), (report, lang, keys, terminalId) => {
        const v = { lang, font, keys, terminalId, firmwareVersion: '0.1.0-rc.1+build.20250314' };
        const count = selfTestPageCount(report, v);
        expect(count).toBeGreaterThanOrEqual(1 + report.results.length);
        for (let page = 0; page < count; page++) expect(screenProblems(renderSelfTestPage(report, page, v), font)).toEqual([]);
        expect(screenProblems(renderFaultScreen(report, v), font)).toEqual([]);
        expect(screenProblems(renderReadyScreen({ ...v, merchantId: terminalId, wallMs: report.startedWallMs, lastVerdict: report.verdict }), font)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
