/**
 * The activation screens in both languages and on both keypads: on the panel, no overlap, every
 * glyph in the font; the code shown as typed (large, read back from the rendered pixels against
 * the font's own glyphs), the three stages in order, each refusal with its own words and remedy.
 */
import type { ActivationOutcome } from '../../firmware/core/activation/activate';
import type { KeypadLayout } from '../../firmware/core/ports';
import { ACTIVATION_STAGES, REFUSAL_TEXTS, type ActivationRefusal } from '../../firmware/core/ui/activationTexts';
import { activationScreens, CODE_DELETE, CODE_SUBMIT, codeChoiceOffered, groupedCode, nextCodeChoice } from '../../firmware/core/ui/activationScreens';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { LANGS, type Lang } from '../../firmware/core/ui/strings';
import { readFileSync } from 'node:fs';
import { rasterize } from '../../host-sim/render/raster';
import type { FakeScreen } from './devicePanel';
import { shownWords } from './diagnosisFixtures';
import { screenProblems, textOps } from './screenChecks';
import { committedFont, FONT_ASSET } from './uiFont';

const font = committedFont();
const KEYPADS: KeypadLayout[] = ['pin-pad', 'one-button'];
const REASONS: ActivationRefusal[] = ['code-wrong', 'code-expired', 'tid-disabled', 'bound-elsewhere', 'kcv-mismatch', 'unreachable', 'malformed'];
const context = (lang: Lang) => ({ lang, terminalId: '10240001', firmwareVersion: '0.7.0' });
const words = shownWords;
const expectShown = (list: DisplayList, parts: string[]): void => {
  for (const part of parts) expect(words(list)).toContain(part.replace(/\s+/g, ''));
};

function everyScreen(lang: Lang, keys: KeypadLayout): [string, DisplayList][] {
  const screens = activationScreens(font, keys);
  const c = context(lang);
  // What activation/activate.ts returns is what the screen takes.
  const outcomes: [string, ActivationOutcome][] = [
    ['activated', { kind: 'activated', tid: '10240001', mid: '898440154110001' }],
    ...REASONS.map((reason): [string, ActivationOutcome] => [reason, { kind: 'refused', reason, detail: 'response code 83, reason 1' }]),
  ];
  return [
    ['not activated', screens.notActivated({ ...c, serialNumber: 'XSPOS-24A1B2C3D4E5' })],
    ['not activated, no TID yet', screens.notActivated({ ...c, terminalId: undefined })],
    ...['', '1', '1234', '12345678', '123456789012'].map((digits): [string, DisplayList] => [`code "${digits}"`, screens.codeEntry(digits, c)]),
    // The one-button board's choices: a digit, ✓ and ⌫ (with no digit typed: leave).
    ...([['', 7], ['', CODE_DELETE], ['12345678', CODE_SUBMIT], ['123456789012', CODE_DELETE]] as const).map(
      ([digits, choice]): [string, DisplayList] => [`code "${digits}", choice ${choice}`, screens.codeEntry(digits, c, choice)],
    ),
    ...ACTIVATION_STAGES.map((stage): [string, DisplayList] => [`stage ${stage}`, screens.activating({ ...c, stage })]),
    ...outcomes.map(([name, outcome]): [string, DisplayList] => [`result ${name}`, screens.activationResult(outcome, c)]),
  ];
}

describe.each(LANGS)('activation screens (%s)', (lang) => {
  describe.each(KEYPADS)('%s', (keys) => {
    test.each(everyScreen(lang, keys))('%s: on the panel, no overlap, every glyph in the font', (_, list) => {
      expect(screenProblems(list, font)).toEqual([]);
      expect(textOps(list).flatMap((op) => font.missing(op.text))).toEqual([]);
    });
  });
});

describe('what the activation screens say', () => {
  const pad = activationScreens(font, 'pin-pad');
  const one = activationScreens(font, 'one-button');

  test('not activated: what it means, what to do, the IDs the acquirer asks for, the key to press', () => {
    expectShown(pad.notActivated({ ...context('zh'), serialNumber: 'XSPOS-24A1B2C3D4E5' }), ['终端未激活', '⚠ 未激活', '不能受理交易', '请向收单机构申请激活码', '终端号', '10240001', '序列号', 'XSPOS-24A1B2C3D4E5', '按确认键输入激活码']);
    expectShown(pad.notActivated(context('en')), ['ENTER: type the code']);
    expectShown(one.notActivated({ ...context('en'), terminalId: undefined }), ['Terminal not activated', 'Terminal ID', 'not set', 'Hold 1.5 s: enter the code']);
    expectShown(one.notActivated(context('zh')), ['长按 1.5 秒：输入激活码']);
  });

  test('code entry: grouped by four with a cursor, the count, shown as typed (activation codes are not secret)', () => {
    expect(['', '1234', '12345', '123456789012'].map(groupedCode)).toEqual(['_', '1234 _', '1234 5_', '1234 5678 9012']);
    expectShown(pad.codeEntry('12345', context('en')), ['5 digits (8–12)', 'ENTER activate', 'CLEAR delete', 'CANCEL back']);
    expectShown(one.codeEntry('12345', context('zh')), ['按键：切换选项（0–9、✓ 激活、⌫ 删除）', '长按 1.5 秒：输入 0']);
    expectShown(one.codeEntry('12345', context('en'), 4), ['Press: next choice (0–9, ✓ activate, ⌫ delete)', 'Hold 1.5 s: enter 4']);
    expectShown(pad.codeEntry('12345', context('zh')), ['已输入 5 位（8–12 位）']);
  });

  test('one button: a press steps 0–9, then ✓ once 8 digits are typed, then ⌫, round to the start; no digit past 12', () => {
    const walk = (digits: string) => {
      const seen: number[] = [];
      for (let c = nextCodeChoice(digits, -1); seen.length < 13; c = nextCodeChoice(digits, c)) seen.push(c);
      return seen;
    };
    expect(walk('1234567')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, CODE_DELETE, 0, 1]);
    expect(walk('12345678')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, CODE_SUBMIT, CODE_DELETE, 0]);
    expect(walk('123456789012')).toEqual([CODE_SUBMIT, CODE_DELETE, CODE_SUBMIT, CODE_DELETE, CODE_SUBMIT, CODE_DELETE, CODE_SUBMIT, CODE_DELETE, CODE_SUBMIT, CODE_DELETE, CODE_SUBMIT, CODE_DELETE, CODE_SUBMIT]);
    expect([codeChoiceOffered('', CODE_SUBMIT), codeChoiceOffered('', CODE_DELETE), codeChoiceOffered('', 12), codeChoiceOffered('', -1)]).toEqual([false, true, false, false]);
  });

  test('one button: the row of choices, the current one drawn light on a dark cell, what a hold does', () => {
    const cells = (list: DisplayList) => textOps(list).filter((op) => /^[0-9✓⌫]$/.test(op.text));
    const list = one.codeEntry('12345678', context('en'), CODE_SUBMIT);
    const row = cells(list);
    expect(row.map((op) => op.text).join('')).toBe('0123456789✓⌫');
    const dark = list.ops.filter((op) => op.op === 'rect' && op.color === 0x111827);
    expect(dark).toHaveLength(1);
    const lit = row.filter((op) => op.color === 0xffffff);
    expect(lit.map((op) => op.text)).toEqual(['✓']);
    const cell = dark[0];
    if (cell.op !== 'rect') throw new Error('no cell');
    expect(lit[0].x).toBeGreaterThanOrEqual(cell.x);
    expect(lit[0].x + font.measure('✓')).toBeLessThanOrEqual(cell.x + cell.w);
    expectShown(list, ['Hold 1.5 s: activate']);
    expectShown(one.codeEntry('1', context('en'), CODE_DELETE), ['Hold 1.5 s: delete the last digit']);
    expectShown(one.codeEntry('', context('zh'), CODE_DELETE), ['长按 1.5 秒：退出']);
    // ✓ is not offered before 8 digits: a choice of it shows the first offered instead, ✓ drawn faint.
    const early = one.codeEntry('1234', context('en'), CODE_SUBMIT);
    expect(cells(early).filter((op) => op.color === 0xffffff).map((op) => op.text)).toEqual(['0']);
    expect(cells(early).find((op) => op.text === '✓')!.color).not.toBe(0x111827);
    // A PIN pad has digits: no row of choices.
    expect(cells(pad.codeEntry('1234', context('en')))).toEqual([]);
  });

  test.each(['1234', '987654321', '123456789012'])('code entry: the pixels of "%s" are the font\'s glyphs at twice their size', (digits) => {
    const list = pad.codeEntry(digits, context('en'));
    const bits = list.ops.find((op) => op.op === 'bits');
    if (!bits || bits.op !== 'bits') throw new Error('no large code drawn');
    expect(bits.scale).toBe(2);
    const big = rasterize(list, font);
    const text = groupedCode(digits);
    const small = rasterize({ width: 240, height: 320, background: 0xffffff, ops: [{ op: 'text', x: 0, y: 0, text, color: 0x000000 }] }, font);
    const dark = (image: { width: number; rgb: Uint8Array }, x: number, y: number) => image.rgb[(y * image.width + x) * 3] < 128;
    for (let y = 0; y < font.lineHeight; y++)
      for (let x = 0; x < font.measure(text); x++)
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]])
          expect([x, y, dark(big, bits.x + 2 * x + dx, bits.y + 2 * y + dy)]).toEqual([x, y, dark(small, x, y)]);
  });

  test('activating: 申请 → 审核 → 发放 in order, the stages done marked, the current one shown', () => {
    const zh = words(pad.activating({ ...context('zh'), stage: 'review' }));
    expect(zh.indexOf('✔申请')).toBeGreaterThanOrEqual(0);
    expect(zh.indexOf('▶审核')).toBeGreaterThan(zh.indexOf('✔申请'));
    expect(zh.indexOf('·发放')).toBeGreaterThan(zh.indexOf('▶审核'));
    expectShown(pad.activating(context('en')), ['Activating', '▶', 'Apply: request sent', 'Please wait. Do not switch off.']);
  });

  test('activated: the TID and MID the host bound, and that the terminal signs on', () => {
    expectShown(pad.activationResult({ kind: 'activated', tid: '10240001', mid: '898440154110001' }, context('en')), ['✔ Activated', '10240001', '898440154110001', 'signs on now']);
  });

  test.each(REASONS)('refused (%s): its own words and remedy, in both languages', (reason) => {
    for (const lang of LANGS) {
      const list = pad.activationResult({ kind: 'refused', reason, detail: 'D5=01' }, context(lang));
      const text = REFUSAL_TEXTS[lang][reason];
      expectShown(list, [lang === 'zh' ? '✘ 激活未成功' : '✘ Activation refused', text.message, text.remedy]);
    }
    const messages = new Set(REASONS.map((r) => REFUSAL_TEXTS.en[r].message));
    expect(messages.size).toBe(REASONS.length);
  });
});

jest.mock('commodetto/Bitmap', () => require('./devicePanel').bitmapModule, { virtual: true });
jest.mock('commodetto/Poco', () => require('./devicePanel').pocoModule, { virtual: true });

describe('device: the Poco display draws the activation screens as host-sim does', () => {
  // Required, not imported: the device adapter's Moddable types are not part of the host type check.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { PocoDisplay } = require('../../firmware/device/display/pocoDisplay') as {
    PocoDisplay: new (options: { screen: FakeScreen; font: Uint8Array; controller: string; displayListBytes: number }) => { draw(list: DisplayList): void };
  };

  const codeScreens = KEYPADS.flatMap((keys) => everyScreen('zh', keys).filter(([name]) => name.startsWith('code')).map(([name, list]): [string, DisplayList] => [`${keys} ${name}`, list]));
  test.each(codeScreens)('%s: within the display list (4,096 B, 32 B a record), the code pixel for pixel', (_, list) => {
    const screen: FakeScreen = { width: 240, height: 320, rgb: new Uint8Array(240 * 320 * 3), bands: [] };
    new PocoDisplay({ screen, font: new Uint8Array(readFileSync(FONT_ASSET)), controller: 'fake', displayListBytes: 4096 }).draw(list);
    expect(Math.max(...screen.bands)).toBeLessThanOrEqual(4096 / 32);
    // The recording Poco paints rectangles, not glyphs: compare the large code's rows, drawn as rectangles.
    const big = list.ops.find((op) => op.op === 'bits');
    if (!big || big.op !== 'bits') throw new Error('no large code drawn');
    const rows = (rgb: Uint8Array) => Buffer.from(rgb.subarray(big.y * 720, (big.y + big.h * big.scale) * 720));
    expect(rows(screen.rgb).equals(rows(rasterize(list, font).rgb))).toBe(true);
  });
});
