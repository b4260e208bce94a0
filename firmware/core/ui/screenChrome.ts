/**
 * The frame every screen shares: a dark header bar with the title, a light footer bar with
 * key hints, and the metrics the screens lay out with.
 */
import { PANEL_HEIGHT, PANEL_WIDTH, type Color } from './displayList';
import type { UiFont } from './font';
import type { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS, type FamilyStatus } from './palette';
import { STRINGS, UI_SYMBOLS, type Lang } from './strings';

/** What every screen needs besides its own data. */
export interface ScreenView {
  lang: Lang;
  font: UiFont;
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

/** Dark header bar: bold title left, optional note right (the note yields room to the title). */
export function header(screen: ScreenBuilder, title: string, note?: string, fill: Color = PALETTE.headerBar): void {
  screen.rect(0, 0, PANEL_WIDTH, HEADER_HEIGHT, fill);
  const y = textInset(screen, HEADER_HEIGHT);
  const noteWidth = note ? screen.font.measure(note) : 0;
  const titleRoom = note ? CONTENT_WIDTH - Math.min(noteWidth, CONTENT_WIDTH / 2) - MARGIN : CONTENT_WIDTH;
  const titleWidth = screen.text(title, { x: MARGIN, width: titleRoom, y, color: PALETTE.headerText, bold: true });
  if (note) {
    const left = MARGIN + titleWidth + MARGIN;
    screen.text(note, { x: left, width: PANEL_WIDTH - MARGIN - left, y, color: PALETTE.headerMuted, align: 'right' });
  }
}

/** Light footer bar: key hints left, `right` (page number, version) right; the left side yields. */
export function footer(screen: ScreenBuilder, left: string, right?: string): void {
  screen.rect(0, FOOTER_TOP, PANEL_WIDTH, FOOTER_HEIGHT, PALETTE.footerBar);
  const y = FOOTER_TOP + textInset(screen, FOOTER_HEIGHT);
  const rightWidth = right ? screen.text(right, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted, align: 'right' }) : 0;
  const room = CONTENT_WIDTH - (rightWidth > 0 ? rightWidth + MARGIN : 0);
  if (left !== '') screen.text(left, { x: MARGIN, width: room, y, color: PALETTE.text });
}

/** Mark and word, e.g. "✘ FAIL" / "✘ 失败": the status is never told by colour alone. */
export function statusLabel(lang: Lang, status: FamilyStatus): string {
  const word = STRINGS[lang][`status.${status}`];
  return status === 'notTested' ? word : `${UI_SYMBOLS[status]} ${word}`;
}

/** A full-width coloured band with a bold status label; returns its bottom edge. */
export function statusBand(screen: ScreenBuilder, lang: Lang, status: FamilyStatus, top: number, height: number, note?: string): number {
  const look = STATUS_LOOKS[status];
  screen.rect(0, top, PANEL_WIDTH, height, look.fill);
  const y = top + textInset(screen, height);
  const width = screen.text(statusLabel(lang, status), { x: MARGIN, width: CONTENT_WIDTH, y, color: look.onFill, bold: true });
  if (note) screen.text(note, { x: MARGIN + width + MARGIN, width: CONTENT_WIDTH - width - MARGIN, y, color: look.onFill, align: 'right' });
  return top + height;
}
