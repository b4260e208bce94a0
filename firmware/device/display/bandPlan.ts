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
  /** A bits op's cell height, px: its `records` are per cell row, counted for each row a band touches. */
  rowHeight?: number;
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
    if (op.op === 'bits') {
      // One fillRectangle per run of set bits in a cell row (pocoDisplay.ts): the busiest row bounds each row.
      const top = Math.floor(op.y);
      if (op.h > 0 && op.scale > 0) spans.push({ top, bottom: top + op.h * op.scale, records: mostRuns(op.bits, op.w, op.h), rowHeight: op.scale });
      continue;
    }
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
  for (const s of spans) if (s.top < bottom && s.bottom > top) records += s.rowHeight ? s.records * cellRows(s, s.rowHeight, top, bottom) : s.records;
  if (records <= maxRecords) {
    out.push({ top, bottom });
    return;
  }
  if (bottom - top <= 1) throw new BandError(`row ${top} needs ${records} display-list records, at most ${maxRecords} fit`);
  const middle = (top + bottom) >> 1;
  split(spans, top, middle, maxRecords, out);
  split(spans, middle, bottom, maxRecords, out);
}

/** How many cell rows of a bits span lie (partly) within top..bottom. */
function cellRows(s: Span, rowHeight: number, top: number, bottom: number): number {
  const first = Math.floor((Math.max(top, s.top) - s.top) / rowHeight);
  const last = Math.floor((Math.min(bottom, s.bottom) - 1 - s.top) / rowHeight);
  return last - first + 1;
}

/** The most runs of set bits in any row of a w×h bit grid (row-major, MSB first, as displayList.ts packs it). */
function mostRuns(bits: Uint8Array, w: number, h: number): number {
  let most = 0;
  for (let r = 0; r < h; r++) {
    let runs = 0;
    for (let c = 0, previous = 0; c < w; c++) {
      const n = r * w + c;
      const bit = (bits[n >> 3] >> (7 - (n & 7))) & 1;
      if (bit && !previous) runs++;
      previous = bit;
    }
    most = Math.max(most, runs);
  }
  return most;
}
