/**
 * Text layout for the 240 px panel: line wrapping (text is wrapped, never cut) and a builder
 * of display ops. Widths come from the UI font's advances.
 */
import { PANEL_HEIGHT, PANEL_WIDTH, type Color, type DisplayList, type DisplayOp } from './displayList';
import type { UiFont } from './font';

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

/** White space wrapping would change: leading, trailing, doubled, or other than a plain space. */
const ODD_SPACE = /^\s|\s$|\s\s|[^\S ]/;

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

/**
 * Wraps `text` into lines no wider than `maxWidth`: breaks at spaces and around CJK
 * characters, and splits a word only when it alone is too wide. Nothing is ever dropped: every
 * non-space character of `text` is on some line, in order (a single glyph wider than the whole
 * line gets a line of its own).
 */
export function wrapText(font: UiFont, text: string, maxWidth: number): string[] {
  return wrapMeasured(font, text, maxWidth).lines;
}

/** Lines and the width of each: measuring is additive over code points, so a line's width is known as it is built. */
interface Wrapped {
  lines: string[];
  widths: number[];
}

/** wrapText with each line's width (what the builder draws it at); `textWidth`: font.measure(text) when the caller has it. */
function wrapMeasured(font: UiFont, text: string, maxWidth: number, textWidth?: number): Wrapped {
  // Most texts fit their line as they are (screens are redrawn every minute): skip the breaking.
  if (text !== '' && !ODD_SPACE.test(text)) {
    const whole = textWidth ?? font.measure(text);
    if (whole <= maxWidth) return { lines: [text], widths: [whole] };
  }
  const lines: string[] = [];
  const widths: number[] = [];
  const spaceWidth = font.measure(' ');
  let line = '';
  let width = 0;
  let pendingSpace = false;
  const flush = (): void => {
    lines.push(line);
    widths.push(width);
    line = '';
    width = 0;
  };
  for (const piece of breakPieces(text)) {
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
      line += ch;
      width += chWidth;
    }
  }
  if (line !== '') flush();
  return { lines, widths };
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

export interface ParagraphPlacement extends TextPlacement {
  /** Distance between line tops. */
  lineStep: number;
}

/** Collects display ops; rectangles are clipped to the panel, text is wrapped, never cut. */
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

  /** Ops made elsewhere (a QR symbol from qr/qrOps), drawn in order after those so far. */
  add(ops: readonly DisplayOp[]): void {
    for (const op of ops) this.#ops.push(op);
  }

  /** `text` wrapped to `width`, as the lines a paragraph would draw. */
  lines(text: string, width: number): string[] {
    return wrapText(this.font, text, width);
  }

  /**
   * One line of text in its box; returns the width drawn. Text wider than the box is not cut:
   * it is drawn wrapped, one line below the other (callers that expect that use paragraph()).
   */
  text(text: string, place: TextPlacement): number {
    const extra = place.bold ? 1 : 0;
    const boxWidth = place.width - extra;
    const textWidth = this.font.measure(text);
    if (textWidth <= boxWidth) return this.#line(text, place, boxWidth, textWidth);
    const { lines, widths } = wrapMeasured(this.font, text, boxWidth, textWidth);
    let widest = 0;
    let y = place.y;
    for (let i = 0; i < lines.length; i++) {
      widest = Math.max(widest, this.#line(lines[i], { ...place, y }, boxWidth, widths[i]));
      y += this.font.lineHeight + 2;
    }
    return widest;
  }

  /** Wrapped text, one op per line (two when bold); returns the y just below the last line. */
  paragraph(text: string, place: ParagraphPlacement): number {
    const extra = place.bold ? 1 : 0;
    let y = place.y;
    const { lines, widths } = wrapMeasured(this.font, text, place.width - extra);
    for (let i = 0; i < lines.length; i++) {
      this.#line(lines[i], { ...place, y }, place.width - extra, widths[i]);
      y += place.lineStep;
    }
    return y;
  }

  /** `width`: the line's measured width (the wrapping knows it). */
  #line(line: string, place: TextPlacement, boxWidth: number, width: number): number {
    if (line === '') return 0;
    const align = place.align ?? 'left';
    const slack = Math.max(0, boxWidth - width);
    const x = align === 'left' ? place.x : align === 'right' ? place.x + slack : place.x + Math.floor(slack / 2);
    this.#ops.push({ op: 'text', x, y: place.y, text: line, color: place.color });
    if (place.bold) this.#ops.push({ op: 'text', x: x + 1, y: place.y, text: line, color: place.color });
    return width + (place.bold ? 1 : 0);
  }

  build(background: Color): DisplayList {
    return { width: PANEL_WIDTH, height: PANEL_HEIGHT, background, ops: this.#ops.slice() };
  }
}
