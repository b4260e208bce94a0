/**
 * Footers and hints name the keys the board has. Given a Moddable Two (one button: press to
 * page, hold for the self-test), no screen mentions ▲, CANCEL or MENU; given a PIN pad, the
 * screens name its keys. Either way the last report page says the next press goes home, and
 * on the terminal it does.
 */
import { createTerminal } from '../../firmware/core/runtime/terminal';
import type { KeypadLayout } from '../../firmware/core/ports';
import type { SelfTestReport } from '../../firmware/core/selftest/types';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { keyHint, pageFooterTexts } from '../../firmware/core/ui/keyHints';
import { renderSelfTestPage, selfTestPageCount } from '../../firmware/core/ui/selfTestScreens';
import { LANGS, STRINGS, type Lang } from '../../firmware/core/ui/strings';
import { renderFaultScreen, renderReadyScreen } from '../../firmware/core/ui/terminalScreens';
import { worldWith } from '../runtime/world';
import { textOps } from './screenChecks';
import { committedFont } from './uiFont';

const font = committedFont();

const report: SelfTestReport = {
  seq: 3,
  trigger: 'boot',
  startedUptimeMs: 0,
  startedWallMs: Date.UTC(2026, 10, 26, 9),
  durationMs: 40,
  verdict: 'fail',
  results: [
    { id: 'system.rtc', family: 'system', status: 'fail', code: 'rtc.before-build', detail: 'rtc 1970-01-01T00:00:05Z, build 2026-11-20T08:00:00Z', durationMs: 2 },
    { id: 'device.keypad', family: 'device', status: 'pass', code: 'keypad.ok', detail: 'no key held', durationMs: 1 },
  ],
};

/** Every screen a technician can reach: ready, fault and each report page. */
function everyScreen(lang: Lang, keys: KeypadLayout): DisplayList[] {
  const view = { lang, font, keys, terminalId: '10240001', firmwareVersion: '0.1.0' };
  const pages = Array.from({ length: selfTestPageCount(report, view) }, (_, page) => renderSelfTestPage(report, page, view));
  return [renderReadyScreen({ ...view, merchantId: '898440154110001', wallMs: report.startedWallMs, lastVerdict: 'fail' }), renderFaultScreen(report, view), ...pages];
}

const said = (list: DisplayList) => textOps(list).map((op) => op.text).join(' ');

/** Words for keys a one-button board does not have, in both languages. */
const PIN_PAD_WORDS = /▲|CANCEL|MENU|取消|菜单/;

describe.each(LANGS)('key hints (%s)', (lang) => {
  const strings = STRINGS[lang];

  test('one button: no screen names a key the board lacks; each says what a press and a hold do', () => {
    const screens = everyScreen(lang, 'one-button');
    for (const list of screens) expect(said(list)).not.toMatch(PIN_PAD_WORDS);
    const [ready, fault] = screens.map(said);
    expect(ready).toContain(strings['keys.one.report']);
    expect(ready).toContain(strings['keys.one.selftest']);
    expect(fault).toContain(strings['keys.one.details']);
    expect(fault).toContain(strings['keys.one.selftest']);
  });

  test('PIN pad: the screens name its keys', () => {
    const [ready, fault, summary] = everyScreen(lang, 'pin-pad').map(said);
    expect(ready).toContain(strings['keys.pad.selftest']);
    expect(fault).toContain(strings['keys.pad.details']);
    expect(summary).toContain(strings['keys.pad.back']);
  });

  test.each(['one-button', 'pin-pad'] as const)('%s: only the last page says the next press goes home', (keys) => {
    const pages = everyScreen(lang, keys).slice(2).map(said);
    const home = strings[keys === 'one-button' ? 'keys.one.home' : 'keys.pad.home'];
    expect(pages[pages.length - 1]).toContain(home);
    for (const page of pages.slice(0, -1)) expect(page).not.toContain(home);
    expect(pageFooterTexts({ lang, keys }, pages.length, pages.length).right).toBe(home);
    expect(keyHint({ lang, keys }, 'selftest')).toBe(strings[keys === 'one-button' ? 'keys.one.selftest' : 'keys.pad.selftest']);
  });
});

describe('paging on the terminal', () => {
  test.each(['one-button', 'pin-pad'] as const)('%s: ▼ on the last page returns to the home screen', async (keypad) => {
    const world = worldWith({ lang: 'en', device: { keypad } });
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    const home = said(world.display.current!);
    const seen: string[] = [];
    for (let press = 0; press < 40; press++) {
      world.keypad.press('down');
      const now = said(world.display.current!);
      if (now === home) break;
      seen.push(now);
    }
    terminal.stop();
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[0]).toContain(`1/${seen.length}`);
    expect(seen[seen.length - 1]).toContain(`${seen.length}/${seen.length}`);
    expect(said(world.display.current!)).toBe(home);
  });
});
