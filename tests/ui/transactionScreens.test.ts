/**
 * The transaction screens in both languages: every text drawable and on the panel, no overlap,
 * the host's code and the profile's own text on a decline, a PAN never shown whole, the
 * host-refusal screen showing what the host said, and the ready screen's reversal flag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskPan } from '../../firmware/core/card/pan';
import { parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { LANGS, type Lang } from '../../firmware/core/ui/strings';
import { renderReadyScreen } from '../../firmware/core/ui/terminalScreens';
import {
  answerText, formatAmount, renderApproved, renderDeclined, renderHostRefusal, renderNoAnswer, renderSaleProgress, renderSettlement, type AnswerView,
} from '../../firmware/core/ui/transactionScreens';
import { screenProblems, textOps } from './screenChecks';
import { committedFont } from './uiFont';

const font = committedFont();
const view = (lang: Lang) => ({ lang, font, keys: 'one-button' as const, terminalId: '10240001', firmwareVersion: '0.7.0' });
/** The screen's words, white space and line breaks taken out (wrapping moves them). */
const text = (list: DisplayList) => textOps(list).map((op) => op.text).join('').replace(/\s+/g, '');
const expectShown = (list: DisplayList, parts: string[]) => {
  for (const part of parts) expect(text(list)).toContain(part.replace(/\s+/g, ''));
};
const codes = (name: string) => {
  const result = parseAcquirerProfile(JSON.parse(readFileSync(join(__dirname, '../../host-sim/scenarios/profiles', `${name}.json`), 'utf8')));
  if (!result.ok) throw result.error;
  return result.value.responseCodes;
};
const answerOf = (profile: string, code: string, hostText?: string): AnswerView => {
  const e = codes(profile).lookup(code);
  return { code, category: e.category, text: { zh: e.zh, en: e.en }, ...(hostText ? { hostText } : {}) };
};
const PAN = '6222021234567890123';

function screens(lang: Lang): [string, DisplayList][] {
  const v = view(lang);
  return [
    ['progress', renderSaleProgress(v, { amountMinor: 12345 })],
    ['approved', renderApproved(v, { amountMinor: 12345, pan: PAN, authCode: 'A1B2C3', stan: '000042' })],
    ['declined 51', renderDeclined(v, { amountMinor: 12345, answer: answerOf('cup-style', '51') })],
    ['declined with a host message', renderDeclined(v, { amountMinor: 99, answer: answerOf('cup-style', '61', 'Daily limit 5000.00 reached for this card, try tomorrow') })],
    ['no answer', renderNoAnswer(v, { amountMinor: 12345, stan: '000043' })],
    ['host 83', renderHostRefusal(v, answerOf('lakala-style', '83', 'TERMINAL 10240001 NOT ACTIVATED'))],
    ['host 97', renderHostRefusal(v, answerOf('cup-style', '97'))],
    ['settled', renderSettlement(v, { batch: '000007', count: 20, amountMinor: 246_800, outcome: 'balanced' })],
    ['uploaded', renderSettlement(v, { batch: '000007', count: 20, amountMinor: 246_800, outcome: 'uploaded', uploaded: 20 })],
    ['settlement failed', renderSettlement(v, { batch: '000007', count: 20, amountMinor: 246_800, outcome: 'failed', answer: answerOf('cup-style', '95') })],
    ['ready, reversal pending', renderReadyScreen({ ...v, merchantId: '898440154110001', wallMs: Date.UTC(2026, 10, 26, 9), lastVerdict: 'pass', pendingReversalStan: '000043' })],
  ];
}

describe.each(LANGS)('transaction screens (%s)', (lang) => {
  test.each(screens(lang))('%s: on the panel, no overlap, every glyph in the font, no PAN whole', (_, list) => {
    expect(screenProblems(list, font)).toEqual([]);
    expect(textOps(list).flatMap((op) => font.missing(op.text))).toEqual([]);
    expect(text(list)).not.toContain(PAN);
  });
});

describe('what the screens say', () => {
  test('approved: amount, masked PAN, auth code and STAN', () => {
    expectShown(renderApproved(view('en'), { amountMinor: 12345, pan: PAN, authCode: 'A1B2C3', stan: '000042' }), ['✔ Approved', '¥123.45', '622202*********0123', 'A1B2C3', '000042']);
  });

  test("declined: the host's code with the profile's text, in the screen's language", () => {
    expectShown(renderDeclined(view('zh'), { amountMinor: 100, answer: answerOf('cup-style', '51') }), ['51 余额不足']);
    expectShown(renderDeclined(view('en'), { amountMinor: 100, answer: answerOf('cup-style', '51') }), ['51 Insufficient funds']);
  });

  test('the host refusing the terminal: its code, text and message, and that the self-test follows', () => {
    expectShown(renderHostRefusal(view('zh'), answerOf('lakala-style', '83', 'TERMINAL 10240001 NOT ACTIVATED')), [
      '主机拒绝本终端', '主机返回应答码 83：', '无效终端', '主机附言', 'TERMINAL 10240001 NOT ACTIVATED', '现在进行自检以查找原因。',
    ]);
    expectShown(renderHostRefusal(view('en'), answerOf('cup-style', '97')), ['The host answered 97:', 'Terminal not registered', 'A self-test runs now']);
  });

  test('no answer says a reversal follows', () => {
    expectShown(renderNoAnswer(view('en'), { amountMinor: 100, stan: '000043' }), ['A reversal is sent before the next transaction.', '000043']);
  });

  test('a profile text the font cannot draw gives way to the category text', () => {
    const odd: AnswerView = { code: '83', category: 'terminal-invalid', text: { zh: '終端無效𪚥', en: 'Invalid terminal' } };
    expect(font.missing(odd.text.zh).length).toBeGreaterThan(0);
    expect(answerText(font, 'zh', odd)).toBe('终端不被接受');
    expect(answerText(font, 'en', odd)).toBe('Invalid terminal');
  });

  test('the ready screen flags a pending reversal with mark, words and colour', () => {
    const list = renderReadyScreen({ ...view('zh'), merchantId: '898440154110001', wallMs: Date.UTC(2026, 10, 26, 9), pendingReversalStan: '000043' });
    expectShown(list, ['⚠ 待发冲正 凭证号 000043']);
    expect(text(list)).not.toContain('等待交易');
    expectShown(renderReadyScreen({ ...view('en'), wallMs: 0, pendingReversalStan: '000043' }), ['⚠ Reversal pending 000043']);
  });
});

describe('amounts and PANs', () => {
  test.each([
    [0, '156', '¥0.00'],
    [5, '156', '¥0.05'],
    [12345, '156', '¥123.45'],
    [100_000_000, '156', '¥1000000.00'],
    [-250, '156', '-¥2.50'],
    [12345, '840', '840 123.45'],
  ])('%i minor units in %s: %s', (minor, currency, shown) => expect(formatAmount(minor, currency)).toBe(shown));

  test.each([
    ['6222021234567890123', '622202*********0123'],
    ['4761739001010119', '476173******0119'],
    ['12345678', '********'], // under 13 digits nothing is shown (card/pan)
    ['6222 0212 3456 7890', '622202******7890'],
  ])('%s → %s', (pan, masked) => expect(maskPan(pan)).toBe(masked));
});
