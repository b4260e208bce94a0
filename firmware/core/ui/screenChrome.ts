/**
 * The frame every screen shares: a dark header bar with the title, a light footer bar with
 * key hints, and the metrics the screens lay out with. Both bars grow rather than cut a text
 * that does not fit.
 */
import { PANEL_HEIGHT, PANEL_WIDTH, type Color } from './displayList';
import type { UiFont } from './font';
import type { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS, type FamilyStatus } from './palette';
import { STRINGS, UI_SYMBOLS, type Lang } from './strings';
import type { KeypadLayout } from '../ports';

/** What every screen needs besides its own data. */
export interface ScreenView {
  lang: Lang;
  font: UiFont;
  /** The keys the board has: hints name only those. */
  keys: KeypadLayout;
  terminalId?: string;
  firmwareVersion: string;
}

export const MARGIN = 8;
export const CONTENT_WIDTH = PANEL_WIDTH - 2 * MARGIN;
/** Line top to line top for body text: the 16 px font plus 2 px leading. */
export const LINE_STEP = 18;
export const HEADER_HEIGHT = 28;
export const FOOTER_HEIGHT = 24;
export const FOOTER_TOP = PANEL_HEIGHT - FOOTER_HEIGHT;
/** Vertical offset that centres a line of text in a bar of `height` px. */
export function textInset(screen: ScreenBuilder, height: number): number {
  return Math.floor((height - screen.font.lineHeight) / 2);
}

interface HeaderLayout {
  titleLines: string[];
  /** The note's lines when it has a line of its own; empty when it sits beside the title. */
  noteLines: string[];
  height: number;
}

function headerLayout(screen: ScreenBuilder, title: string, note: string | undefined): HeaderLayout {
  const noteWidth = note ? screen.font.measure(note) : 0;
  const besideNote = note ? CONTENT_WIDTH - noteWidth - MARGIN : CONTENT_WIDTH;
  // Bold text is drawn twice, 1 px apart: it takes one pixel more than it measures.
  const oneLine = screen.font.measure(title) + 1 <= besideNote;
  const titleLines = oneLine ? [title] : screen.lines(title, CONTENT_WIDTH - 1);
  const lastWidth = screen.font.measure(titleLines[titleLines.length - 1] ?? '') + 1;
  const ownLine = note !== undefined && !oneLine && lastWidth + MARGIN + noteWidth > CONTENT_WIDTH;
  const noteLines = ownLine ? screen.lines(note, CONTENT_WIDTH) : [];
  return { titleLines, noteLines, height: HEADER_HEIGHT + (Math.max(1, titleLines.length) + noteLines.length - 1) * LINE_STEP };
}

/** The height header() will take for this title and note. */
export function headerHeight(screen: ScreenBuilder, title: string, note?: string): number {
  return headerLayout(screen, title, note).height;
}

/**
 * Dark header bar: bold title left, optional note right; returns its bottom edge. A title too
 * long to share the line with its note wraps, and the bar grows to hold it; the note then sits
 * right of the last title line, or below it when there is no room.
 */
export function header(screen: ScreenBuilder, title: string, note?: string, fill: Color = PALETTE.headerBar): number {
  const { titleLines, noteLines, height } = headerLayout(screen, title, note);
  screen.rect(0, 0, PANEL_WIDTH, height, fill);
  let y = textInset(screen, HEADER_HEIGHT);
  for (const line of titleLines) {
    screen.text(line, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.headerText, bold: true });
    y += LINE_STEP;
  }
  if (note !== undefined && noteLines.length === 0) screen.text(note, { x: MARGIN, width: CONTENT_WIDTH, y: y - LINE_STEP, color: PALETTE.headerMuted, align: 'right' });
  for (const line of noteLines) {
    screen.text(line, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.headerMuted, align: 'right' });
    y += LINE_STEP;
  }
  return height;
}

interface FooterLayout {
  /** Both texts on one line. */
  oneLine: boolean;
  leftLines: string[];
  rightLines: string[];
  top: number;
}

function footerLayout(screen: ScreenBuilder, left: string, right: string | undefined): FooterLayout {
  const rightWidth = right ? screen.font.measure(right) : 0;
  const oneLine = screen.font.measure(left) + (right ? MARGIN + rightWidth : 0) <= CONTENT_WIDTH;
  const leftLines = left === '' ? [] : oneLine ? [left] : screen.lines(left, CONTENT_WIDTH);
  const rightLines = !right ? [] : oneLine ? [right] : screen.lines(right, CONTENT_WIDTH);
  const rows = oneLine ? 1 : leftLines.length + rightLines.length;
  return { oneLine, leftLines, rightLines, top: FOOTER_TOP - Math.max(0, rows - 1) * LINE_STEP };
}

/** Where footer() will put the top of its bar. */
export function footerTop(screen: ScreenBuilder, left: string, right?: string): number {
  return footerLayout(screen, left, right).top;
}

/**
 * Light footer bar: `left` (key hints, terminal ID) and `right` (page number, version) on one
 * line when both fit, else each wrapped on lines of its own, the bar growing upwards. Returns
 * its top edge, which is where the screen's content must end.
 */
export function footer(screen: ScreenBuilder, left: string, right?: string): number {
  const { oneLine, leftLines, rightLines, top } = footerLayout(screen, left, right);
  screen.rect(0, top, PANEL_WIDTH, PANEL_HEIGHT - top, PALETTE.footerBar);
  let y = top + textInset(screen, FOOTER_HEIGHT);
  for (const line of leftLines) {
    screen.text(line, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text });
    if (!oneLine) y += LINE_STEP;
  }
  for (const line of rightLines) {
    screen.text(line, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted, align: 'right' });
    y += LINE_STEP;
  }
  return top;
}

/** Mark and word, e.g. "✘ FAIL" / "✘ 失败": the status is never told by colour alone. */
export function statusLabel(lang: Lang, status: FamilyStatus): string {
  const word = STRINGS[lang][`status.${status}`];
  return status === 'notTested' ? word : `${UI_SYMBOLS[status]} ${word}`;
}

/** The note's lines beside the status label of a band. */
function bandNoteLines(screen: ScreenBuilder, lang: Lang, status: FamilyStatus, note: string | undefined): { labelWidth: number; lines: string[] } {
  const labelWidth = screen.font.measure(statusLabel(lang, status)) + 1;
  return { labelWidth, lines: note ? screen.lines(note, CONTENT_WIDTH - labelWidth - MARGIN) : [] };
}

/** The height statusBand() will take. */
export function statusBandHeight(screen: ScreenBuilder, lang: Lang, status: FamilyStatus, height: number, note?: string): number {
  return height + Math.max(0, bandNoteLines(screen, lang, status, note).lines.length - 1) * LINE_STEP;
}

/** A full-width coloured band with a bold status label and a short note right; returns its bottom edge. */
export function statusBand(screen: ScreenBuilder, lang: Lang, status: FamilyStatus, top: number, height: number, note?: string): number {
  const look = STATUS_LOOKS[status];
  const y = top + textInset(screen, height);
  const { labelWidth, lines } = bandNoteLines(screen, lang, status, note);
  const bottom = top + statusBandHeight(screen, lang, status, height, note);
  screen.rect(0, top, PANEL_WIDTH, bottom - top, look.fill);
  screen.text(statusLabel(lang, status), { x: MARGIN, width: CONTENT_WIDTH, y, color: look.onFill, bold: true });
  lines.forEach((line, row) =>
    screen.text(line, { x: MARGIN + labelWidth + MARGIN, width: CONTENT_WIDTH - labelWidth - MARGIN, y: y + row * LINE_STEP, color: look.onFill, align: 'right' }),
  );
  return bottom;
}
