/**
 * Splits a screen into horizontal bands that each fit Poco's display list.
 *
 * Poco records every draw call between begin() and end() in a fixed display list and renders
 * it at end(); a full list makes end() throw "display list overflow" after the panel driver's
 * begin() already ran, leaving the transfer open. So the list is budgeted before drawing: a
 * band is drawn in one begin/end when the ops that touch it fit, else it is halved. A plain
 * screen is one band; a dense self-test page a few.
 */
import type { DisplayList } from '../../core/ui/displayList';

export interface Band {
  top: number;
  /** Exclusive. */
  bottom: number;
}

/** An op's vertical extent and how many display-list records it can cost at most. */
interface Span {
  top: number;
  bottom: number;
  records: number;
}

export class BandError extends Error {
  readonly code = 'display-dense';
  // A class field, not `this.name =`: XS freezes Error.prototype, where assigning name throws.
  override readonly name = 'BandError';
}

/**
 * @param maxRecords display-list records one band may use (the background fill included)
 * @param lineHeight height of a text op, px
 * @throws BandError when a single pixel row needs more records than `maxRecords`
 */
export function planBands(list: DisplayList, lineHeight: number, maxRecords: number): Band[] {
  const spans: Span[] = [];
  for (const op of list.ops) {
    const top = Math.floor(op.y);
    const bottom = op.op === 'rect' ? Math.floor(op.y + op.h) : top + lineHeight;
    // A text op costs one record per glyph at most; UTF-16 length bounds the glyph count.
    if (bottom > top) spans.push({ top, bottom, records: op.op === 'rect' ? 1 : op.text.length });
  }
  const bands: Band[] = [];
  split(spans, 0, list.height, maxRecords, bands);
  return bands;
}

/** Depth is bounded by log2(panel height): each level halves the band. */
function split(spans: readonly Span[], top: number, bottom: number, maxRecords: number, out: Band[]) {
  let records = 1; // the background fill
  for (const s of spans) if (s.top < bottom && s.bottom > top) records += s.records;
  if (records <= maxRecords) {
    out.push({ top, bottom });
    return;
  }
  if (bottom - top <= 1) throw new BandError(`row ${top} needs ${records} display-list records, at most ${maxRecords} fit`);
  const middle = (top + bottom) >> 1;
  split(spans, top, middle, maxRecords, out);
  split(spans, middle, bottom, maxRecords, out);
}
