/**
 * Text layout for the 240 px panel: line wrapping, truncation with an ellipsis, and a
 * builder that only emits ops inside the panel. Widths come from the UI font's advances.
 */
import { PANEL_HEIGHT, PANEL_WIDTH, type Color, type DisplayList, type DisplayOp } from './displayList';
import type { UiFont } from './font';
import { UI_SYMBOLS } from './strings';

/**
 * Ideographs, kana, hangul and full-width forms: a line may break before or after each one,
 * which is how Chinese wraps (per character) while Latin words stay whole.
 */
function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x2e80 && codePoint <= 0x9fff) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7af) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xffef)
  );
}

/** Punctuation that must not start a line (GB/T 15834 practice, also Latin closers). */
const NO_LINE_START = '，。、：；！？）】》」』”’…,.;:!?)]}%';
/** Openers that must not end a line. */
const NO_LINE_END = '（【《「『“‘([{';

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\t';
}

/** Splits text into unbreakable pieces; ' ' stands for any run of white space. */
function breakPieces(text: string): string[] {
  const pieces: string[] = [];
  let current = '';
  let previous = '';
  for (const ch of text) {
    if (isSpace(ch)) {
      if (current !== '') pieces.push(current);
      if (pieces.length > 0 && pieces[pieces.length - 1] !== ' ') pieces.push(' ');
      current = '';
      previous = ch;
      continue;
    }
    const codePoint = ch.codePointAt(0) as number;
    const previousCodePoint = previous === '' ? 0 : (previous.codePointAt(0) as number);
    const breakBefore =
      current !== '' &&
      (isWide(codePoint) || isWide(previousCodePoint)) &&
      NO_LINE_START.indexOf(ch) < 0 &&
      NO_LINE_END.indexOf(previous) < 0;
    if (breakBefore) {
      pieces.push(current);
      current = ch;
    } else current += ch;
    previous = ch;
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** `text` if it fits in `maxWidth`, else its longest prefix that fits followed by '…'. */
export function fitText(font: UiFont, text: string, maxWidth: number): string {
  if (font.measure(text) <= maxWidth) return text;
  return withEllipsis(font, text, maxWidth);
}

/** The longest prefix of `text` that fits in `maxWidth` together with a trailing '…'. */
function withEllipsis(font: UiFont, text: string, maxWidth: number): string {
  const ellipsis = UI_SYMBOLS.ellipsis;
  let room = maxWidth - font.measure(ellipsis);
  if (room < 0) return '';
  let kept = '';
  for (const ch of text) {
    const width = font.measure(ch);
    if (width > room) break;
    kept += ch;
    room -= width;
  }
  return kept.trimEnd() + ellipsis;
}

/**
 * Wraps `text` into at most `maxLines` lines no wider than `maxWidth`: breaks at spaces and
 * around CJK characters, splits a word only when it alone is too wide, and ends the last
 * line with '…' when text was left over.
 */
export function wrapText(font: UiFont, text: string, maxWidth: number, maxLines: number): string[] {
  const lines: string[] = [];
  const spaceWidth = font.measure(' ');
  let line = '';
  let width = 0;
  let pendingSpace = false;
  let overflow = false;
  const flush = (): void => {
    if (lines.length === maxLines) overflow = true;
    else lines.push(line);
    line = '';
    width = 0;
  };
  for (const piece of breakPieces(text)) {
    if (overflow) break;
    if (piece === ' ') {
      pendingSpace = line !== '';
      continue;
    }
    const pieceWidth = font.measure(piece);
    const gap = pendingSpace ? spaceWidth : 0;
    pendingSpace = false;
    if (line !== '' && width + gap + pieceWidth <= maxWidth) {
      line += (gap > 0 ? ' ' : '') + piece;
      width += gap + pieceWidth;
      continue;
    }
    if (line !== '') flush();
    if (pieceWidth <= maxWidth) {
      line = piece;
      width = pieceWidth;
      continue;
    }
    for (const ch of piece) {
      const chWidth = font.measure(ch);
      if (line !== '' && width + chWidth > maxWidth) flush();
      // A character wider than the whole line cannot be shown: the text is cut there.
      if (chWidth > maxWidth) overflow = true;
      if (overflow) break;
      line += ch;
      width += chWidth;
    }
  }
  if (line !== '' && !overflow) flush();
  if (overflow && lines.length > 0) {
    const last = withEllipsis(font, lines[lines.length - 1], maxWidth);
    if (last === '') lines.pop();
    else lines[lines.length - 1] = last;
  }
  return lines;
}

export type Align = 'left' | 'center' | 'right';

export interface TextPlacement {
  /** Left edge of the box the text is placed in, and its width. */
  x: number;
  width: number;
  y: number;
  color: Color;
  align?: Align;
  /** Drawn twice, 1 px apart: the panel has one font, this is its heavy weight. */
  bold?: boolean;
}

export interface ParagraphPlacement {
  x: number;
  width: number;
  y: number;
  color: Color;
  maxLines: number;
  /** Distance between line tops. */
  lineStep: number;
}

/** Collects display ops, keeping every rectangle and text run inside the panel. */
export class ScreenBuilder {
  readonly font: UiFont;
  readonly #ops: DisplayOp[] = [];

  constructor(font: UiFont) {
    this.font = font;
  }

  /** A filled rectangle, clipped to the panel. */
  rect(x: number, y: number, w: number, h: number, color: Color): void {
    const left = Math.max(0, x);
    const top = Math.max(0, y);
    const right = Math.min(PANEL_WIDTH, x + w);
    const bottom = Math.min(PANEL_HEIGHT, y + h);
    if (right > left && bottom > top) this.#ops.push({ op: 'rect', x: left, y: top, w: right - left, h: bottom - top, color });
  }

  /** One line of text fitted to its box (ellipsis when too long); returns the width drawn. */
  text(text: string, place: TextPlacement): number {
    const extra = place.bold ? 1 : 0;
    const left = Math.max(0, place.x);
    const boxWidth = Math.min(place.width, PANEL_WIDTH - left) - extra;
    if (boxWidth <= 0 || place.y < 0 || place.y + this.font.lineHeight > PANEL_HEIGHT) return 0;
    const shown = fitText(this.font, text, boxWidth);
    if (shown === '') return 0;
    const width = this.font.measure(shown);
    const align = place.align ?? 'left';
    const x = align === 'left' ? left : align === 'right' ? left + boxWidth - width : left + Math.floor((boxWidth - width) / 2);
    this.#ops.push({ op: 'text', x, y: place.y, text: shown, color: place.color });
    if (place.bold) this.#ops.push({ op: 'text', x: x + 1, y: place.y, text: shown, color: place.color });
    return width + extra;
  }

  /** Wrapped text, one op per line; returns the y just below the last line drawn. */
  paragraph(text: string, place: ParagraphPlacement): number {
    const room = Math.floor((PANEL_HEIGHT - place.y - this.font.lineHeight) / place.lineStep) + 1;
    const lines = wrapText(this.font, text, place.width, Math.max(0, Math.min(place.maxLines, room)));
    let y = place.y;
    for (const line of lines) {
      this.text(line, { x: place.x, width: place.width, y, color: place.color });
      y += place.lineStep;
    }
    return y;
  }

  build(background: Color): DisplayList {
    return { width: PANEL_WIDTH, height: PANEL_HEIGHT, background, ops: this.#ops.slice() };
  }
}
