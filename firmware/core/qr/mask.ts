/**
 * Data masking (ISO/IEC 18004:2015 7.8): the eight mask patterns and the penalty score of a
 * masked symbol (7.8.3, Table 11), evaluated over the whole symbol, function patterns included.
 */
import { DARK, FUNCTION } from './symbol';

/** Table 10: whether mask `mask` inverts the module in row i, column j. */
function masks(mask: number, i: number, j: number): boolean {
  switch (mask) {
    case 0: return (i + j) % 2 === 0;
    case 1: return i % 2 === 0;
    case 2: return j % 3 === 0;
    case 3: return (i + j) % 3 === 0;
    case 4: return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0;
    case 5: return ((i * j) % 2) + ((i * j) % 3) === 0;
    case 6: return (((i * j) % 2) + ((i * j) % 3)) % 2 === 0;
    default: return (((i + j) % 2) + ((i * j) % 3)) % 2 === 0;
  }
}

/** Every mask repeats every 12 rows and 6 columns (periods 2, 3 and, for mask 4, 4 rows). */
const PERIOD_ROWS = 12;
const PERIOD_COLUMNS = 6;

/**
 * Changes the symbol from mask `from` (−1: unmasked) to mask `to` (−1: unmasked) in one pass,
 * XORing the modules where the two differ, function patterns excepted. The 12×6 tile of that
 * difference is laid out first in `tile` (MASK_TILE_BYTES, the caller's scratch).
 */
export function changeMask(cells: Uint8Array, size: number, from: number, to: number, tile: Uint8Array): void {
  for (let i = 0; i < PERIOD_ROWS; i++)
    for (let j = 0; j < PERIOD_COLUMNS; j++) tile[i * PERIOD_COLUMNS + j] = (from >= 0 && masks(from, i, j)) !== (to >= 0 && masks(to, i, j)) ? DARK : 0;
  let at = 0;
  for (let i = 0, row = 0; i < size; i++, row = row === (PERIOD_ROWS - 1) * PERIOD_COLUMNS ? 0 : row + PERIOD_COLUMNS)
    for (let j = 0, column = 0; j < size; j++, at++, column = column === PERIOD_COLUMNS - 1 ? 0 : column + 1)
      if (!(cells[at] & FUNCTION)) cells[at] ^= tile[row + column];
}

/** Bytes of the scratch tile changeMask needs. */
export const MASK_TILE_BYTES = PERIOD_ROWS * PERIOD_COLUMNS;

/** Table 11 weights. */
const N1 = 3;
const N2 = 3;
const N3 = 40;
const N4 = 10;

/**
 * Features 1 and 3 along one row or column (`size` modules from `at`, `step` apart): runs of
 * five or more same-coloured modules (N1 + run − 5 each), and the finder-like 1:1:3:1:1
 * dark:light:dark:light:dark pattern with four light modules before or after it (N3 per
 * occurrence, once even when both sides are light, as ZXing counts it; outside the symbol is
 * light). A 15-module window slides along the line and 4 light modules past its end.
 */
function linePenalty(cells: Uint8Array, at: number, step: number, size: number): number {
  let score = 0;
  let run = 0;
  let colour = -1;
  let window = 0; // the last 15 modules, newest in bit 0; light before the line
  for (let k = 0; k < size; k++, at += step) {
    const m = cells[at] & DARK;
    if (m === colour) run++;
    else {
      if (run >= 5) score += N1 + run - 5;
      colour = m;
      run = 1;
    }
    window = ((window << 1) | m) & 0x7fff;
    // Bits 14–11: the four modules before; 10–4: the pattern 1011101; 3–0: the four after.
    if ((window & 0x7f0) === 0x5d0 && ((window & 0x7800) === 0 || (window & 0xf) === 0)) score += N3;
  }
  if (run >= 5) score += N1 + run - 5;
  for (let k = 0; k < 4; k++) {
    window = (window << 1) & 0x7fff;
    if ((window & 0x7f0) === 0x5d0 && ((window & 0x7800) === 0 || (window & 0xf) === 0)) score += N3;
  }
  return score;
}

/** The penalty score of the symbol as it stands: lower is better. */
export function penalty(cells: Uint8Array, size: number): number {
  let score = 0;
  for (let line = 0; line < size; line++) score += linePenalty(cells, line * size, 1, size) + linePenalty(cells, line, size, size);
  // Feature 2: every 2×2 block of one colour (blocks may overlap), N2 each; the left column is carried along.
  let dark = 0;
  for (let at = 0; at < size * (size - 1); at += size) {
    let top = cells[at] & DARK;
    let bottom = cells[at + size] & DARK;
    dark += top;
    for (let j = 1; j < size; j++) {
      const nextTop = cells[at + j] & DARK;
      const nextBottom = cells[at + size + j] & DARK;
      if (top === bottom && nextTop === top && nextBottom === top) score += N2;
      top = nextTop;
      bottom = nextBottom;
      dark += top;
    }
  }
  for (let at = size * (size - 1); at < size * size; at++) dark += cells[at] & DARK;
  // Feature 4: N4 for every full 5 % the dark proportion departs from 50 %.
  const total = size * size;
  return score + N4 * Math.floor((Math.abs(dark * 2 - total) * 10) / total);
}
