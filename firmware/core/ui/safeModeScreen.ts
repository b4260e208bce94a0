/**
 * The safe mode's screen, in zh and en (runtime/resetHistory.ts): crashes came too fast, the
 * acquirer link is off, and what to do: leave the terminal on for the window, then restart it (the
 * safe mode ends at the first restart 10 minutes after the last crash, or after 10 minutes of
 * running); if it crashes again, call support with the diagnosis's code (a PIN pad's ENTER opens
 * the diagnosis; the one-button board's press shows the last report and its code). It replaces the
 * fault home screen while the safe mode holds (runtime/views.ts).
 */
import { PANEL_WIDTH, type DisplayList } from './displayList';
import { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS } from './palette';
import { keyHint } from './keyHints';
import { CONTENT_WIDTH, LINE_STEP, MARGIN, footer, type ScreenView } from './screenChrome';
import { localize, STRINGS, UI_SYMBOLS } from './strings';
import { formatUtcDateTime } from './utcText';

export interface SafeModeFacts {
  /** Panics and watchdog resets within the window (or in a row, when the RTC could not date them). */
  readonly crashes: number;
  readonly windowMinutes: number;
  /** Whether the RTC dated the crashes (false: counted as crash boots in a row with no stable run). */
  readonly byClock?: boolean;
  /** The newest crash's RTC, ms since 1970 (when dated). */
  readonly lastCrashWallMs?: number;
}

const BAR_HEIGHT = 50;

export function renderSafeMode(view: ScreenView, facts: SafeModeFacts): DisplayList {
  const { lang } = view;
  const strings = STRINGS[lang];
  const look = STATUS_LOOKS.fail;
  const screen = new ScreenBuilder(view.font);
  const params = { crashes: facts.crashes, minutes: facts.windowMinutes };
  screen.rect(0, 0, PANEL_WIDTH, BAR_HEIGHT, look.fill);
  screen.text(`${UI_SYMBOLS.fail} ${strings['safe.title']}`, { x: MARGIN, width: CONTENT_WIDTH, y: 6, color: look.onFill, bold: true });
  screen.text(localize(lang, facts.byClock === false ? 'safe.reasonStreak' : 'safe.reason', params), { x: MARGIN, width: CONTENT_WIDTH, y: 6 + LINE_STEP + 2, color: look.onFill });

  const version = localize(lang, 'firmware.version', { version: view.firmwareVersion });
  const bottom = footer(screen, view.terminalId ?? '', version);
  const hint = view.keys === 'one-button' ? keyHint(view, 'report') : strings['safe.keys.pad'];
  const hintTop = bottom - 4 - screen.font.lineHeight - (screen.lines(hint, CONTENT_WIDTH).length - 1) * LINE_STEP;
  screen.paragraph(hint, { x: MARGIN, width: CONTENT_WIDTH, y: hintTop, color: PALETTE.text, align: 'center', bold: true, lineStep: LINE_STEP });

  let y = BAR_HEIGHT + 6;
  if (facts.byClock !== false && facts.lastCrashWallMs !== undefined) {
    y = screen.paragraph(localize(lang, 'safe.lastCrash', { time: formatUtcDateTime(facts.lastCrashWallMs) }), { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted, lineStep: LINE_STEP }) + 4;
  }
  y = screen.paragraph(strings['safe.linkOff'], { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, bold: true, lineStep: LINE_STEP }) + 4;
  screen.rect(MARGIN, y, CONTENT_WIDTH, 1, PALETTE.rule);
  y += 6;
  y = screen.paragraph(localize(lang, 'safe.restart', params), { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, lineStep: LINE_STEP }) + 4;
  screen.paragraph(strings['safe.support'], { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, lineStep: LINE_STEP });
  return screen.build(PALETTE.background);
}
