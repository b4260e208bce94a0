/**
 * The safe mode on the screen and in the terminal:
 * - ui/safeModeScreen.ts in zh and en, on both keypads, dated by the clock or not: every glyph in
 *   the committed font, nothing off the panel or overlapping (screenChecks.ts), and it says the
 *   title, how many crashes in what window, that the link is off and what to do;
 * - a terminal whose boot is the third crash within 10 minutes (the record of the two before in
 *   flash, as the reset history wrote it): safe mode, out of service ('fault') whatever the
 *   self-test says, the safe mode's screen at home, and no acquirer link opened.
 */
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { DurableKey, RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { encodeResetCounts } from '../../firmware/core/runtime/resetHistory';
import { renderSafeMode, type SafeModeFacts } from '../../firmware/core/ui/safeModeScreen';
import { LANGS } from '../../firmware/core/ui/strings';
import type { KeypadLayout } from '../../firmware/core/ports';
import { committedFont } from '../ui/uiFont';
import { screenProblems, textOps } from '../ui/screenChecks';
import { screenText, worldWith } from './world';

const font = committedFont();
const KEYS: KeypadLayout[] = ['pin-pad', 'one-button'];
const DATED: SafeModeFacts = { crashes: 3, windowMinutes: 10, byClock: true, lastCrashWallMs: Date.UTC(2026, 11, 2, 9, 8, 0) };
const STREAK: SafeModeFacts = { crashes: 4, windowMinutes: 10, byClock: false };
const squash = (s: string) => s.replace(/\s+/g, '');

describe('the safe mode screen', () => {
  const cases = LANGS.flatMap((lang) => KEYS.flatMap((keys) => [DATED, STREAK].map((facts) => [lang, keys, facts] as const)));
  it.each(cases)('%s, %s, %j: every glyph in the font, nothing off the panel or overlapping', (lang, keys, facts) => {
    const list = renderSafeMode({ lang, font, keys, terminalId: '10240001', firmwareVersion: '1.8.0' }, facts);
    expect(screenProblems(list, font)).toEqual([]);
    const text = textOps(list).map((op) => op.text).join('');
    expect([...new Set(font.missing(text))].map((c) => String.fromCodePoint(c))).toEqual([]);
    const words = squash(text);
    if (lang === 'zh') {
      expect(words).toContain('安全模式');
      expect(words).toContain(facts.byClock ? '10分钟内故障重启3次' : '连续故障重启4次');
      expect(words).toContain('已断开收单连接');
      expect(words).toContain('请保持开机10分钟，然后重启终端');
      expect(words).toContain('诊断代码联系客服');
    } else {
      expect(words).toContain('Safemode');
      expect(words).toContain(facts.byClock ? '3crasheswithin10minutes' : '4crashesinarow');
      expect(words).toContain('acquirerlinkisoff');
      expect(words).toContain('onfor10minutes,thenrestartit');
      expect(words).toContain('callsupportwiththediagnosiscode');
    }
    if (facts.byClock) expect(words).toContain('2026-12-0209:08');
    expect(words).toContain('10240001');
  });
});

describe('a terminal in its crash loop', () => {
  it('boots into safe mode at the third crash within 10 minutes: out of service, the safe mode screen, no acquirer link', async () => {
    const world = worldWith({ device: { resetReason: 'panic' }, lang: 'en' });
    const nowS = Math.floor(world.ports.clock.wallMs() / 1000);
    // What the two boots before left: a panic 6 and a watchdog reset 3 minutes ago.
    RecordLog.open(world.flash).put(DurableKey.resets, RecordType.resets, encodeResetCounts(createCborCodec(), { counts: [1, 0, 1, 1, 0, 0, 0], streak: 2, crashTimes: [nowS - 360, nowS - 180] }));
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    try {
      expect(terminal.safeMode).toMatchObject({ crashes: 3, windowMinutes: 10, byClock: true });
      expect(terminal.state).toBe('fault');
      expect(terminal.view).toBe('home');
      expect(squash(screenText(world))).toContain('Safemode');
      expect(squash(screenText(world))).toContain('3crasheswithin10minutes');
      const facts = terminal.events().filter((e) => e.kind === 'fact').map((e) => (e.kind === 'fact' ? `${e.code}:${e.status}` : ''));
      expect(facts).toContain('reset.crash-loop:fail');
    } finally {
      terminal.stop();
    }
  });
});
