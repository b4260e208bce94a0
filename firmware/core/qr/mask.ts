/**
 * Data masking (ISO/IEC 18004:2015 7.8): the eight mask patterns and the penalty score of a
 * masked symbol (7.8.3, Table 11), evaluated over the whole symbol, function patterns included.
 */
import { DARK, FUNCTION } from './symbol';

/** Table 10: whether mask `mask` inverts the module in row i, column j. */
export function masks(mask: number, i: number, j: number): boolean {
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

/** XORs the mask onto every module outside the function patterns (applying it twice undoes it). */
export function applyMask(cells: Uint8Array, size: number, mask: number): void {
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) {
      const at = i * size + j;
      if (!(cells[at] & FUNCTION) && masks(mask, i, j)) cells[at] ^= DARK;
    }
}

/** Table 11 weights. */
const N1 = 3;
const N2 = 3;
const N3 = 40;
const N4 = 10;

/** Module k of row (rows) or column (columns) `line`: 1 dark, 0 light; light outside the symbol. */
function moduleAt(cells: Uint8Array, size: number, rows: boolean, line: number, k: number): number {
  if (k < 0 || k >= size) return 0;
  return cells[rows ? line * size + k : k * size + line] & DARK;
}

/** True when modules from..to−1 of the line are all light (outside counts as light). */
function lightRun(cells: Uint8Array, size: number, rows: boolean, line: number, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (moduleAt(cells, size, rows, line, k)) return false;
  return true;
}

/**
 * Features 1 and 3 along every row or every column: runs of five or more same-coloured modules
 * (N1 + run − 5 each) and the finder-like 1:1:3:1:1 dark:light:dark:light:dark pattern with
 * four light modules before or after it (N3 per occurrence).
 */
function linePenalty(cells: Uint8Array, size: number, rows: boolean): number {
  let score = 0;
  for (let line = 0; line < size; line++) {
    let run = 0;
    let colour = -1;
    for (let k = 0; k < size; k++) {
      const m = moduleAt(cells, size, rows, line, k);
      if (m === colour) run++;
      else {
        if (run >= 5) score += N1 + run - 5;
        colour = m;
        run = 1;
      }
      const finderLike =
        k + 6 < size &&
        m === 1 &&
        moduleAt(cells, size, rows, line, k + 1) === 0 &&
        moduleAt(cells, size, rows, line, k + 2) === 1 &&
        moduleAt(cells, size, rows, line, k + 3) === 1 &&
        moduleAt(cells, size, rows, line, k + 4) === 1 &&
        moduleAt(cells, size, rows, line, k + 5) === 0 &&
        moduleAt(cells, size, rows, line, k + 6) === 1;
      if (finderLike && (lightRun(cells, size, rows, line, k - 4, k) || lightRun(cells, size, rows, line, k + 7, k + 11))) score += N3;
    }
    if (run >= 5) score += N1 + run - 5;
  }
  return score;
}

/** The penalty score of the symbol as it stands: lower is better. */
export function penalty(cells: Uint8Array, size: number): number {
  let score = linePenalty(cells, size, true) + linePenalty(cells, size, false);
  // Feature 2: every 2×2 block of one colour (blocks may overlap), N2 each.
  let dark = 0;
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) {
      const m = cells[i * size + j] & DARK;
      dark += m;
      if (i + 1 < size && j + 1 < size) {
        const same = (cells[i * size + j + 1] & DARK) === m && (cells[(i + 1) * size + j] & DARK) === m && (cells[(i + 1) * size + j + 1] & DARK) === m;
        if (same) score += N2;
      }
    }
  // Feature 4: N4 for every full 5 % the dark proportion departs from 50 %.
  const total = size * size;
  return score + N4 * Math.floor((Math.abs(dark * 2 - total) * 10) / total);
}
