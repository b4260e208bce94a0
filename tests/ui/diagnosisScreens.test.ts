/**
 * The diagnosis pages in both languages and on both keypads: every page on the panel with no
 * overlap and every glyph in the committed font, however many causes, steps and how long the
 * evidence; and what a merchant reads on them: the top cause, its family and standing, a line
 * of evidence, the first step; the steps with what was tried and who must act; no cause found
 * with what the self-test said.
 */
import type { KeypadLayout } from '../../firmware/core/ports';
import { encodeQr } from '../../firmware/core/qr/encode';
import { createDiagnosisScreens, diagnosisPage, diagnosisPageCount, diagnosisStepsPage, qrScale, type SupportContext } from '../../firmware/core/ui/diagnosisScreens';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { LANGS, type Lang } from '../../firmware/core/ui/strings';
import { DNS_FAILURE, HOST_NOT_REGISTERED, NOTHING_FOUND, shownWords, worstCase } from './diagnosisFixtures';
import { screenProblems, textOps } from './screenChecks';
import { committedFont } from './uiFont';

const font = committedFont();
const KEYPADS: KeypadLayout[] = ['pin-pad', 'one-button'];
const qr = encodeQr(new Uint8Array(200).map((_, i) => (i * 37) & 0xff));
const context = (lang: Lang): SupportContext => ({ lang, terminalId: '10240001', firmwareVersion: '0.7.0', supportCode: '4K7Q-2M9X-R', qr });
/** The screen's words, white space taken out (wrapping moves it). */
const words = shownWords;
const expectShown = (list: DisplayList, parts: string[]): void => {
  for (const part of parts) expect(words(list)).toContain(part.replace(/\s+/g, ''));
};

const CASES = { 'DNS failure': DNS_FAILURE, 'host does not know the terminal': HOST_NOT_REGISTERED, 'nothing found': NOTHING_FOUND, 'worst case': worstCase() };

describe.each(LANGS)('diagnosis pages (%s)', (lang) => {
  describe.each(KEYPADS)('%s', (keys) => {
    const screens = createDiagnosisScreens(font, keys);
    test.each(Object.entries(CASES))('%s: every page on the panel, no overlap, every glyph in the font', (_, d) => {
      const count = screens.pageCount(d);
      for (let n = 0; n < count; n++) {
        const list = screens.page(d, n, context(lang), n === count - 2 ? 'sign-on' : undefined);
        expect({ n, problems: screenProblems(list, font) }).toEqual({ n, problems: [] });
        expect({ n, missing: textOps(list).flatMap((op) => font.missing(op.text)) }).toEqual({ n, missing: [] });
      }
    });
  });
});

describe('page plan', () => {
  test('summary, a page per cause not ruled out, the ruled-out list, steps, support', () => {
    expect(diagnosisPageCount(DNS_FAILURE)).toBe(1 + 2 + 1 + 2);
    expect([0, 1, 2, 3, 4, 5].map((n) => diagnosisPage(DNS_FAILURE, n))).toEqual([
      { kind: 'summary' }, { kind: 'cause', index: 0 }, { kind: 'cause', index: 1 }, { kind: 'ruledOut' }, { kind: 'steps', part: 0 }, { kind: 'support' },
    ]);
    // 26 steps: five a page, the digits still the steps' own numbers; 29 causes, 20 of them not ruled out.
    const worst = worstCase();
    const count = diagnosisPageCount(worst);
    expect(count).toBe(1 + 20 + 1 + 6 + 1);
    expect([count - 8, count - 7, count - 2].map((n) => diagnosisPage(worst, n))).toEqual([{ kind: 'ruledOut' }, { kind: 'steps', part: 0 }, { kind: 'steps', part: 5 }]);
    // Where an action's progress shows: the part with the running step, else with the next step (12, the self-test).
    expect([diagnosisStepsPage(worst, 'restart'), diagnosisStepsPage(worst), diagnosisStepsPage(DNS_FAILURE, 'network-test')]).toEqual([count - 5, count - 5, 4]);
    expect(diagnosisPageCount(NOTHING_FOUND)).toBe(1 + 0 + 1 + 2);
    expect([diagnosisPage(DNS_FAILURE, -3), diagnosisPage(DNS_FAILURE, 99), diagnosisPage(DNS_FAILURE, NaN)]).toEqual([{ kind: 'summary' }, { kind: 'support' }, { kind: 'summary' }]);
  });

  test('pages other than support are drawn without a support code or QR (the runtime encodes the QR only for that page)', () => {
    const screens = createDiagnosisScreens(font, 'one-button');
    const bare = { lang: 'en' as const, terminalId: '10240001', firmwareVersion: '0.7.0' };
    const count = screens.pageCount(DNS_FAILURE);
    for (let n = 0; n < count - 1; n++) expect(words(screens.page(DNS_FAILURE, n, bare))).toBe(words(screens.page(DNS_FAILURE, n, context('en'))));
    const support = screens.page(DNS_FAILURE, count - 1, bare);
    expect(screenProblems(support, font)).toEqual([]);
    expect(support.ops.some((op) => op.op === 'bits')).toBe(false);
    expectShown(support, ['Call support', '10240001', '2026-12-02 07:40 UTC']);
  });

  test('the footer counts the pages', () => {
    const screens = createDiagnosisScreens(font, 'pin-pad');
    expectShown(screens.page(DNS_FAILURE, 2, context('en')), ['▲▼ Page 3/6']);
    expectShown(screens.page(DNS_FAILURE, 4, context('zh')), ['▲▼ 第 5/6 页']);
  });
});

describe('what the pages say', () => {
  const pad = createDiagnosisScreens(font, 'pin-pad');
  const one = createDiagnosisScreens(font, 'one-button');

  test('summary: the top cause, its family and standing, its evidence, the first step', () => {
    expectShown(pad.summary(DNS_FAILURE, context('zh')), ['终端诊断', '✘ 已确认', '网络', '主机域名无法解析', '依据', '收单主机域名无法解析为地址。', '第一步', '1.', '重新测试网络', '按 1 执行']);
    expectShown(pad.summary(DNS_FAILURE, context('en')), ['Terminal diagnosis', '✘ Confirmed', 'Network', 'Host names do not resolve', 'First step', 'Test the network again', 'Press 1 to run']);
    expectShown(pad.summary(HOST_NOT_REGISTERED, context('en')), ['⚠ Likely', 'Terminal auth', 'Host rejects this terminal', 'Host answered 83: Terminal not accepted']);
    // Sign-on was tried and failed: the summary's step is the next one.
    expectShown(pad.summary(HOST_NOT_REGISTERED, context('zh')), ['下一步', '2.', '携诊断码联系客服', '需由客服处理']);
    expect(words(pad.summary(HOST_NOT_REGISTERED, context('en')))).not.toContain('Signonagain');
  });

  test('summary without a cause: "no cause found", what the self-test said, and to call support', () => {
    expectShown(pad.summary(NOTHING_FOUND, context('en')), ['✔ No cause found', 'Self-test: 0 fail, 1 warn, 3 pass', 'Call support with the code on the last page.', 'Call support with code']);
    expectShown(pad.summary(NOTHING_FOUND, context('zh')), ['✔ 未找到原因', '自检：失败 0，警告 1，通过 3', '请携最后一页的诊断码联系客服。']);
  });

  test("a cause page: evidence for and against, with the host's own words, and its steps by number", () => {
    expectShown(pad.causePage(HOST_NOT_REGISTERED, 0, context('en')), [
      'Host rejects this terminal', 'Terminal auth', 'Evidence for', '✘', 'Host answered 83: Terminal not accepted', 'TERMINAL 10240001 NOT',
      'Evidence against', 'None', 'What to do', '1.', 'Sign on again', '2.', 'Call support with code',
    ]);
    expectShown(pad.causePage(DNS_FAILURE, 0, context('zh')), ['主机域名无法解析', '支持的依据', '无法解析：pos.acquirer.example', '不支持的依据', '终端已联网并获得地址。', '处理方法', '2.', '检查 DNS 设置']);
  });

  test('every cause page has a one-line title, its family beside its standing', () => {
    const worst = worstCase();
    for (const lang of LANGS)
      worst.causes.forEach((c, i) => {
        const list = pad.causePage(worst, i, context(lang));
        const heights = list.ops.filter((op) => op.op === 'rect' && op.x === 0 && op.w === 240).map((op) => (op.op === 'rect' ? op.h : 0));
        expect([lang, c.id, heights.slice(1, 3)]).toEqual([lang, c.id, [28, 28]]);
      });
  });

  test('the ruled-out page lists each ruled-out cause with what rules it out', () => {
    expectShown(pad.ruledOut(DNS_FAILURE, context('en')), ['Causes ruled out', '✔', 'Network link down', 'The terminal is on the network with an address.', 'Clock cannot be trusted', 'The clock is plausible.']);
  });

  test('steps: numbered, tried ones marked, the running one says so, people named plainly', () => {
    const zh = pad.steps(HOST_NOT_REGISTERED, context('zh'));
    expectShown(zh, ['处理步骤', '1.', '重新签到', '✘ 未成功', '2.', '携诊断码联系客服', '需由客服处理', '按 1–9 执行对应步骤']);
    const running = pad.steps(HOST_NOT_REGISTERED, context('en'), 'sign-on');
    expectShown(running, ['Sign on again', 'Running…', 'Needs the support']);
    expect(words(running)).not.toContain('Failed');
    expectShown(pad.steps(DNS_FAILURE, context('en')), ['1.', 'Test the network again', 'Press 1 to run', '2.', 'Check the DNS settings', 'Needs the technician', '3.', 'Check host and port']);
    const worst = worstCase();
    expectShown(pad.steps(worst, context('en'), undefined, 0), ['1–5/26', '✔ Done']);
    expectShown(pad.steps(worst, context('en'), undefined, 1), ['6–10/26', '9.', 'Check the power supply', '10.', 'Set the clock', '✘ Failed']);
    expectShown(pad.steps(worst, context('en'), undefined, 2), ['11–15/26', '11.', 'Restart the terminal', '✘ Not possible now']);
    // By default, the five with the next step to run (12: the self-test), or with the one running.
    expectShown(pad.steps(worst, context('en')), ['11–15/26', '12.', 'Run the self-test again']);
    expectShown(pad.steps(worst, context('en'), 'restart'), ['11–15/26', 'Running…']);
    expectShown(one.steps(DNS_FAILURE, context('en')), ['The terminal does this', 'Hold 1.5 s: run the next step']);
    expect(words(one.steps(DNS_FAILURE, context('en')))).not.toContain('Press1');
  });

  test('a long diagnosis is cut with "…" and "+n more", never past the panel', () => {
    const list = pad.causePage(worstCase(), 0, context('en'));
    expect(words(list)).toMatch(/…/);
    expect(words(list)).toMatch(/\+\d+more/);
  });

  test('support: the QR at an integer scale that fits a version-10 symbol on the 240 px panel', () => {
    expect(qr.version).toBeGreaterThanOrEqual(9);
    expect(qrScale(57, 240, 200)).toBe(3);
    const list = pad.support(DNS_FAILURE, { ...context('en'), qr: encodeQr(new Uint8Array(213)) });
    const bits = list.ops.filter((op) => op.op === 'bits');
    const qrOp = bits.find((op) => op.op === 'bits' && op.w === 57);
    expect(qrOp && qrOp.op === 'bits' ? qrOp.scale : 0).toBe(3);
    expectShown(list, ['Call support', '10240001', 'Firmware 0.7.0', '2026-12-02 07:40 UTC']);
  });
});
