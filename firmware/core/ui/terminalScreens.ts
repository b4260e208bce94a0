/**
 * The screens around the self-test: "running" while it runs, the idle (ready) screen, and
 * the out-of-service screen a failed run leaves the terminal on.
 */
import type { ProbeResult, SelfTestReport } from '../selftest/types';
import { PANEL_WIDTH, type DisplayList } from './displayList';
import { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS } from './palette';
import { probeTitle } from './probeStrings';
import {
  CONTENT_WIDTH,
  FOOTER_TOP,
  HEADER_HEIGHT,
  LINE_STEP,
  MARGIN,
  footer,
  header,
  statusLabel,
  type ScreenView,
} from './screenChrome';
import { localize, STRINGS, UI_SYMBOLS, type Lang } from './strings';
import { formatUtcDateTime } from './utcText';

/** Terminal ID and firmware version, the two facts support asks for first. */
function identityFooter(screen: ScreenBuilder, view: ScreenView): void {
  const version = localize(view.lang, 'firmware.version', { version: view.firmwareVersion });
  footer(screen, view.terminalId ?? '', version);
}

export function renderBootScreen(view: ScreenView): DisplayList {
  const strings = STRINGS[view.lang];
  const screen = new ScreenBuilder(view.font);
  header(screen, strings['selftest.title']);
  const middle = 132;
  screen.text(strings['selftest.running'], { x: MARGIN, width: CONTENT_WIDTH, y: middle, color: PALETTE.text, align: 'center', bold: true });
  screen.text(strings['selftest.wait'], { x: MARGIN, width: CONTENT_WIDTH, y: middle + LINE_STEP + 4, color: PALETTE.muted, align: 'center' });
  identityFooter(screen, view);
  return screen.build(PALETTE.background);
}

export interface ReadyView extends ScreenView {
  merchantId?: string;
  /** The RTC, ms since 1970; shown in UTC. */
  wallMs: number;
  /** Verdict of the newest self-test, if any ran. */
  lastVerdict?: SelfTestReport['verdict'];
}

const FIELD_TOP = 66;
const FIELD_STEP = 44;

export function renderReadyScreen(view: ReadyView): DisplayList {
  const { lang } = view;
  const strings = STRINGS[lang];
  const screen = new ScreenBuilder(view.font);
  header(screen, strings['ready.title']);
  screen.text(strings['ready.waiting'], { x: MARGIN, width: CONTENT_WIDTH, y: HEADER_HEIGHT + 12, color: PALETTE.text, align: 'center', bold: true });

  const unset = strings['label.unset'];
  const fields: [string, string][] = [
    [strings['label.dateTime'], formatUtcDateTime(view.wallMs)],
    [strings['label.terminalId'], view.terminalId || unset],
    [strings['label.merchantId'], view.merchantId || unset],
  ];
  fields.forEach(([label, value], row) => {
    const y = FIELD_TOP + row * FIELD_STEP;
    screen.text(label, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted });
    screen.text(value, { x: MARGIN, width: CONTENT_WIDTH, y: y + LINE_STEP, color: PALETTE.text, bold: true });
  });

  // Last self-test: word, mark and colour in a tinted box.
  const verdictTop = FIELD_TOP + fields.length * FIELD_STEP;
  screen.text(strings['ready.lastSelftest'], { x: MARGIN, width: CONTENT_WIDTH, y: verdictTop, color: PALETTE.muted });
  const boxTop = verdictTop + LINE_STEP;
  if (view.lastVerdict) {
    const look = STATUS_LOOKS[view.lastVerdict];
    screen.rect(MARGIN, boxTop, CONTENT_WIDTH, 24, look.tint);
    screen.rect(MARGIN, boxTop, 4, 24, look.fill);
    screen.text(statusLabel(lang, view.lastVerdict), { x: MARGIN + 10, width: CONTENT_WIDTH - 14, y: boxTop + 4, color: look.ink, bold: true });
  } else screen.text(strings['ready.noSelftest'], { x: MARGIN, width: CONTENT_WIDTH, y: boxTop + 4, color: PALETTE.text });

  const hintY = FOOTER_TOP - LINE_STEP - 6;
  screen.text(strings['hint.runSelftest'], { x: MARGIN, width: CONTENT_WIDTH, y: hintY, color: PALETTE.text, align: 'center' });
  identityFooter(screen, view);
  return screen.build(PALETTE.background);
}

const FAULT_BAR_HEIGHT = 50;
/** Failed checks listed by title and code; beyond this many, "+N more". */
const FAULT_ROWS = 3;

/** Out of service: what failed (title and code), what to do in which order, where the details are. */
export function renderFaultScreen(report: SelfTestReport, view: ScreenView): DisplayList {
  const { lang } = view;
  const strings = STRINGS[lang];
  const look = STATUS_LOOKS.fail;
  const screen = new ScreenBuilder(view.font);
  screen.rect(0, 0, PANEL_WIDTH, FAULT_BAR_HEIGHT, look.fill);
  screen.text(`${UI_SYMBOLS.fail} ${strings['fault.title']}`, { x: MARGIN, width: CONTENT_WIDTH, y: 6, color: look.onFill, bold: true });
  screen.text(strings['fault.reason'], { x: MARGIN, width: CONTENT_WIDTH, y: 6 + LINE_STEP + 2, color: look.onFill });

  let y = FAULT_BAR_HEIGHT + 6;
  screen.text(strings['fault.failing'], { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted });
  y += LINE_STEP + 2;
  const failures = report.results.filter((r) => r.status === 'fail');
  const shown = failures.length > FAULT_ROWS ? FAULT_ROWS - 1 : failures.length;
  for (const result of failures.slice(0, shown)) y = failureRow(screen, lang, result, y);
  if (failures.length > shown)
    screen.text(localize(lang, 'fault.more', { count: failures.length - shown }), { x: MARGIN + 10, width: CONTENT_WIDTH - 10, y, color: look.ink });
  y = FAULT_BAR_HEIGHT + 6 + LINE_STEP + 2 + FAULT_ROWS * FAILURE_ROW;

  screen.rect(MARGIN, y + 2, CONTENT_WIDTH, 1, PALETTE.rule);
  const detailsY = FOOTER_TOP - screen.font.lineHeight - 4;
  const adviceLines = Math.floor((detailsY - 6 - screen.font.lineHeight - (y + 7)) / LINE_STEP) + 1;
  screen.paragraph(strings['fault.supportOrder'], { x: MARGIN, width: CONTENT_WIDTH, y: y + 7, color: PALETTE.text, maxLines: adviceLines, lineStep: LINE_STEP });
  screen.text(strings['hint.details'], { x: MARGIN, width: CONTENT_WIDTH, y: detailsY, color: PALETTE.text, align: 'center', bold: true });
  identityFooter(screen, view);
  return screen.build(PALETTE.background);
}

const FAILURE_ROW = 2 * LINE_STEP + 2;

/** Red stripe, probe title, and the code to quote beneath it. */
function failureRow(screen: ScreenBuilder, lang: Lang, result: ProbeResult, y: number): number {
  const look = STATUS_LOOKS.fail;
  screen.rect(MARGIN, y + 1, 4, LINE_STEP + screen.font.lineHeight - 2, look.fill);
  const label = statusLabel(lang, 'fail');
  const labelWidth = screen.font.measure(label) + 1;
  screen.text(label, { x: MARGIN, width: CONTENT_WIDTH, y, color: look.ink, align: 'right', bold: true });
  screen.text(probeTitle(lang, result.id), { x: MARGIN + 10, width: CONTENT_WIDTH - 10 - labelWidth - MARGIN, y, color: PALETTE.text, bold: true });
  screen.text(result.code, { x: MARGIN + 10, width: CONTENT_WIDTH - 10, y: y + LINE_STEP, color: look.ink });
  return y + FAILURE_ROW;
}
