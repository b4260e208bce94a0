/**
 * The screens around the self-test: "running" while it runs, the idle (ready) screen, and
 * the out-of-service screen a failed run leaves the terminal on. Values (IDs, codes, titles)
 * wrap, never cut; key hints name the board's own keys and yield their line to a value.
 */
import type { ProbeResult, SelfTestReport } from '../selftest/types';
import { PANEL_WIDTH, type DisplayList } from './displayList';
import { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS } from './palette';
import { probeTitle } from './probeStrings';
import { keyHint } from './keyHints';
import { CONTENT_WIDTH, HEADER_HEIGHT, LINE_STEP, MARGIN, footer, header, statusLabel, type ScreenView } from './screenChrome';
import { localize, STRINGS, UI_SYMBOLS, type Lang } from './strings';
import { formatUtcDateTime } from './utcText';

/**
 * Terminal ID and firmware version, the two facts support asks for first; returns the footer's
 * top. The ready screen shows the ID in its body, so its footer leaves it out (long values then
 * still fit).
 */
function identityFooter(screen: ScreenBuilder, view: ScreenView, withTerminalId = true): number {
  const version = localize(view.lang, 'firmware.version', { version: view.firmwareVersion });
  return footer(screen, withTerminalId ? (view.terminalId ?? '') : '', version);
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
  /** STAN of a reversal the host has not acknowledged: flagged in place of "waiting for a sale". */
  pendingReversalStan?: string;
}

const FIELD_TOP = 66;
/** Below a field's value, before the next label. */
const FIELD_GAP = 8;
/** The clock, the ready screen's first value: one line (a fixed format that never wraps). */
const CLOCK_Y = FIELD_TOP + LINE_STEP;

/**
 * Only the ready screen's clock, for the once-a-minute refresh: the same pixels a whole ready
 * screen drawn at that time has there, at a fraction of the work.
 */
export function renderReadyClock(view: ReadyView): DisplayList {
  const screen = new ScreenBuilder(view.font);
  screen.paragraph(formatUtcDateTime(view.wallMs), { x: MARGIN, width: CONTENT_WIDTH, y: CLOCK_Y, color: PALETTE.text, bold: true, lineStep: LINE_STEP });
  return { ...screen.build(PALETTE.background), area: { x: MARGIN, y: CLOCK_Y, w: CONTENT_WIDTH, h: view.font.lineHeight } };
}

/**
 * Key hints centred above `bottom`, as many as fit below `above` (the earlier ones yield
 * first: the last is the one a technician needs most). Hints are advice; values keep their room.
 */
function hintsAbove(screen: ScreenBuilder, hints: string[], above: number, bottom: number): void {
  for (let first = 0; first < hints.length; first++) {
    const lines = hints.slice(first).reduce((n, hint) => n + screen.lines(hint, CONTENT_WIDTH).length, 0);
    const top = bottom - 6 - screen.font.lineHeight - (lines - 1) * LINE_STEP;
    if (top < above) continue;
    let y = top;
    for (const hint of hints.slice(first)) y = screen.paragraph(hint, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, align: 'center', lineStep: LINE_STEP });
    return;
  }
}

export function renderReadyScreen(view: ReadyView): DisplayList {
  const { lang } = view;
  const strings = STRINGS[lang];
  const screen = new ScreenBuilder(view.font);
  header(screen, strings['ready.title']);
  const bottom = identityFooter(screen, view, false);
  if (view.pendingReversalStan === undefined)
    screen.text(strings['ready.waiting'], { x: MARGIN, width: CONTENT_WIDTH, y: HEADER_HEIGHT + 12, color: PALETTE.text, align: 'center', bold: true });
  else {
    // Mark, word and colour, between the header and the first field (one line fits there).
    const look = STATUS_LOOKS.warn;
    screen.rect(0, HEADER_HEIGHT + 6, PANEL_WIDTH, FIELD_TOP - HEADER_HEIGHT - 10, look.fill);
    const flag = `${UI_SYMBOLS.warn} ${localize(lang, 'ready.reversalPending', { stan: view.pendingReversalStan })}`;
    screen.text(flag, { x: MARGIN, width: CONTENT_WIDTH, y: HEADER_HEIGHT + 12, color: look.onFill, align: 'center', bold: true });
  }

  const unset = strings['label.unset'];
  const fields: [string, string][] = [
    [strings['label.dateTime'], formatUtcDateTime(view.wallMs)],
    [strings['label.terminalId'], view.terminalId || unset],
    [strings['label.merchantId'], view.merchantId || unset],
  ];
  let y = FIELD_TOP;
  for (const [label, value] of fields) {
    screen.text(label, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted });
    y = screen.paragraph(value, { x: MARGIN, width: CONTENT_WIDTH, y: y + LINE_STEP, color: PALETTE.text, bold: true, lineStep: LINE_STEP }) + FIELD_GAP;
  }

  // Last self-test: word, mark and colour in a tinted box.
  screen.text(strings['ready.lastSelftest'], { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted });
  const boxTop = y + LINE_STEP;
  if (view.lastVerdict) {
    const look = STATUS_LOOKS[view.lastVerdict];
    screen.rect(MARGIN, boxTop, CONTENT_WIDTH, 24, look.tint);
    screen.rect(MARGIN, boxTop, 4, 24, look.fill);
    screen.text(statusLabel(lang, view.lastVerdict), { x: MARGIN + 10, width: CONTENT_WIDTH - 14, y: boxTop + 4, color: look.ink, bold: true });
  } else screen.text(strings['ready.noSelftest'], { x: MARGIN, width: CONTENT_WIDTH, y: boxTop + 4, color: PALETTE.text });

  const hints = view.lastVerdict ? [keyHint(view, 'report'), keyHint(view, 'selftest')] : [keyHint(view, 'selftest')];
  hintsAbove(screen, hints, boxTop + 24 + 6, bottom);
  return screen.build(PALETTE.background);
}

const FAULT_BAR_HEIGHT = 50;
const LIST_TOP = FAULT_BAR_HEIGHT + 6 + LINE_STEP + 2;

/** Out of service: what failed (title and code), what to do in which order, and which key does what. */
export function renderFaultScreen(report: SelfTestReport, view: ScreenView): DisplayList {
  const { lang } = view;
  const strings = STRINGS[lang];
  const look = STATUS_LOOKS.fail;
  const screen = new ScreenBuilder(view.font);
  screen.rect(0, 0, PANEL_WIDTH, FAULT_BAR_HEIGHT, look.fill);
  screen.text(`${UI_SYMBOLS.fail} ${strings['fault.title']}`, { x: MARGIN, width: CONTENT_WIDTH, y: 6, color: look.onFill, bold: true });
  screen.text(strings['fault.reason'], { x: MARGIN, width: CONTENT_WIDTH, y: 6 + LINE_STEP + 2, color: look.onFill });
  const bottom = identityFooter(screen, view);

  // From the bottom up: the keys, the support order, a rule; the failures get what is left.
  const hints = [keyHint(view, 'details'), keyHint(view, 'selftest')];
  const hintLines = hints.reduce((n, hint) => n + screen.lines(hint, CONTENT_WIDTH).length, 0);
  const hintsTop = bottom - 4 - screen.font.lineHeight - (hintLines - 1) * LINE_STEP;
  let y = hintsTop;
  hints.forEach((hint, i) => {
    y = screen.paragraph(hint, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, align: 'center', bold: i === 0, lineStep: LINE_STEP });
  });
  const advice = screen.lines(strings['fault.supportOrder'], CONTENT_WIDTH);
  const adviceTop = hintsTop - 6 - advice.length * LINE_STEP;
  screen.paragraph(strings['fault.supportOrder'], { x: MARGIN, width: CONTENT_WIDTH, y: adviceTop, color: PALETTE.text, lineStep: LINE_STEP });
  screen.rect(MARGIN, adviceTop - 5, CONTENT_WIDTH, 1, PALETTE.rule);

  screen.text(strings['fault.failing'], { x: MARGIN, width: CONTENT_WIDTH, y: FAULT_BAR_HEIGHT + 6, color: PALETTE.muted });
  failureList(screen, lang, report.results.filter((r) => r.status === 'fail'), LIST_TOP, adviceTop - 7);
  return screen.build(PALETTE.background);
}

interface FailureRow {
  result: ProbeResult;
  titleLines: string[];
  codeLines: string[];
  height: number;
}

/** Failed checks from `top`, as many as end above `bottom`; the rest counted as "+N more". */
function failureList(screen: ScreenBuilder, lang: Lang, failures: ProbeResult[], top: number, bottom: number): void {
  const label = statusLabel(lang, 'fail');
  const labelWidth = screen.font.measure(label) + 1;
  const rows: FailureRow[] = failures.map((result) => {
    const titleLines = screen.lines(probeTitle(lang, result.id), CONTENT_WIDTH - 10 - labelWidth - MARGIN - 1);
    const codeLines = screen.lines(result.code, CONTENT_WIDTH - 10);
    return { result, titleLines, codeLines, height: (Math.max(1, titleLines.length) + codeLines.length) * LINE_STEP + 2 };
  });
  // Rows that fit, leaving a line for "+N more" while some are still left out.
  const belowLastLine = LINE_STEP - screen.font.lineHeight + 2;
  let shown = 0;
  let used = 0;
  while (shown < rows.length) {
    const end = top + used + rows[shown].height;
    const fits = shown + 1 === rows.length ? end - belowLastLine <= bottom : end + screen.font.lineHeight <= bottom;
    if (!fits) break;
    used += rows[shown].height;
    shown++;
  }
  let y = top;
  for (const row of rows.slice(0, shown)) y = failureRow(screen, lang, row, labelWidth, y);
  // None fits (long titles and codes): say how many failed; the details pages show each whole.
  const rest = shown === 0 ? localize(lang, 'fault.count', { count: rows.length }) : localize(lang, 'fault.more', { count: rows.length - shown });
  if (shown < rows.length) screen.paragraph(rest, { x: MARGIN + 10, width: CONTENT_WIDTH - 10, y, color: STATUS_LOOKS.fail.ink, lineStep: LINE_STEP });
}

/** Red stripe, probe title with the FAIL word, and the code to quote beneath it. */
function failureRow(screen: ScreenBuilder, lang: Lang, row: FailureRow, labelWidth: number, y: number): number {
  const look = STATUS_LOOKS.fail;
  screen.rect(MARGIN, y + 1, 4, row.height - 2 - (LINE_STEP - screen.font.lineHeight), look.fill);
  screen.text(statusLabel(lang, 'fail'), { x: MARGIN, width: CONTENT_WIDTH, y, color: look.ink, align: 'right', bold: true });
  let lineY = y;
  for (const line of row.titleLines) {
    screen.text(line, { x: MARGIN + 10, width: CONTENT_WIDTH - 10 - labelWidth - MARGIN, y: lineY, color: PALETTE.text, bold: true });
    lineY += LINE_STEP;
  }
  if (row.titleLines.length === 0) lineY += LINE_STEP;
  for (const line of row.codeLines) {
    screen.text(line, { x: MARGIN + 10, width: CONTENT_WIDTH - 10, y: lineY, color: look.ink });
    lineY += LINE_STEP;
  }
  return y + row.height;
}
