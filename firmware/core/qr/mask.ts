/**
 * Data masking (ISO/IEC 18004:2015 7.8): the eight mask patterns, and the choice among them by
 * the penalty score of each masked symbol (7.8.3, Table 11), evaluated over the whole symbol,
 * function patterns and that mask's format information included.
 *
 * The scoring works on the symbol packed into 32-bit words, 32 lines at a time, masked and
 * scored word by word: the module bytes are read once per encode, not once per mask (a scan
 * per module and mask cost two thirds of an encode on XS).
 */
import { deepFreeze } from '../freeze';
import { DARK, drawFormat, FORMAT_LINE, FUNCTION } from './symbol';

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

/** Set bits of a 32-bit word (SWAR: no table, no multiply past 2^53). */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  x += x >>> 8;
  x += x >>> 16;
  return x & 0x3f;
}

/** The low `n` bits of lane `lane` (bits 0–31, then 32–63) of a line of `n` modules. */
function laneBits(n: number, lane: number): number {
  const inLane = n - 32 * lane;
  return inLane <= 0 ? 0 : inLane >= 32 ? -1 : (1 << inLane) - 1;
}

/** Word pair k, lane `lane`, of a packing; outside the symbol every module is light. */
function wordAt(words: Int32Array, size: number, k: number, lane: number): number {
  return k >= 0 && k < size ? words[2 * k + lane] : 0;
}

/**
 * Features 1 and 3 for every line at once. `words` holds the symbol as lines across the lines
 * the features run along: two 32-bit lanes per line, bit b of lane l of word pair k the module
 * at position k of line 32·l + b. Stepping k from 0 to size − 1 walks every line in parallel.
 * Runs of five or more same-coloured modules cost N1 + run − 5 each: that is one per uniform
 * window of five (run − 4 of them) plus N1 − 1 per run (a uniform window not preceded by one).
 * The finder-like 1:1:3:1:1 dark:light:dark:light:dark pattern with four light modules before
 * or after it costs N3 (once even when both sides are light, as ZXing counts it); outside the
 * symbol is light. Set bits are counted by clearing the lowest one (x &= x − 1): these words are sparse.
 */
function lineFeatures(words: Int32Array, size: number): number {
  let score = 0;
  for (let lane = 0; lane < 2; lane++) {
    const valid = laneBits(size, lane);
    if (valid === 0) continue;
    // w0…w6: word pairs k…k + 6 of this lane (0 past the end), shifted along as k moves.
    let w1 = words[lane];
    let w2 = words[2 + lane];
    let w3 = words[4 + lane];
    let w4 = words[6 + lane];
    let w5 = words[8 + lane];
    let w6 = words[10 + lane];
    let uniformBefore = 0;
    for (let k = 0; k + 4 < size; k++) {
      const w0 = w1;
      w1 = w2;
      w2 = w3;
      w3 = w4;
      w4 = w5;
      w5 = w6;
      w6 = k + 6 < size ? words[2 * k + 12 + lane] : 0;
      const uniform = ~((w0 ^ w1) | (w1 ^ w2) | (w2 ^ w3) | (w3 ^ w4)) & valid;
      if (uniform !== 0) {
        for (let x = uniform; x !== 0; x &= x - 1) score++;
        for (let x = uniform & ~uniformBefore; x !== 0; x &= x - 1) score += N1 - 1;
      }
      uniformBefore = uniform;
      // A pattern reaching past the end needs a dark module there: w6 = 0 rules it out.
      const finder = w0 & ~w1 & w2 & w3 & w4 & ~w5 & w6 & valid;
      if (finder === 0) continue;
      const lightBefore = ~(wordAt(words, size, k - 4, lane) | wordAt(words, size, k - 3, lane) | wordAt(words, size, k - 2, lane) | wordAt(words, size, k - 1, lane));
      const lightAfter = ~(wordAt(words, size, k + 7, lane) | wordAt(words, size, k + 8, lane) | wordAt(words, size, k + 9, lane) | wordAt(words, size, k + 10, lane));
      for (let x = finder & (lightBefore | lightAfter); x !== 0; x &= x - 1) score += N3;
    }
  }
  return score;
}

/**
 * The penalty score of a packed symbol (see chooseMask for the layout): features 1 and 3 along
 * the rows and along the columns, then 2 and 4.
 */
function penalty(alongRows: Int32Array, alongColumns: Int32Array, size: number): number {
  let score = lineFeatures(alongRows, size) + lineFeatures(alongColumns, size);
  // Feature 2: every 2×2 block of one colour (blocks may overlap), N2 each: modules (i, j) and
  // (i, j + 1) equal, the same one row down (the equality shifted a bit across the lanes), and (i, j) = (i + 1, j).
  const validLo = laneBits(size - 1, 0);
  const validHi = laneBits(size - 1, 1);
  let dark = 0;
  for (let j = 0; j < size; j++) {
    const lo = alongRows[2 * j];
    const hi = alongRows[2 * j + 1];
    dark += popcount(lo) + popcount(hi);
    if (j + 1 === size) break;
    const sameLo = ~(lo ^ alongRows[2 * j + 2]);
    const sameHi = ~(hi ^ alongRows[2 * j + 3]);
    const blockLo = sameLo & ((sameLo >>> 1) | (sameHi << 31)) & ~(lo ^ ((lo >>> 1) | (hi << 31))) & validLo;
    const blockHi = sameHi & (sameHi >>> 1) & ~(hi ^ (hi >>> 1)) & validHi;
    for (let x = blockLo; x !== 0; x &= x - 1) score += N2;
    for (let x = blockHi; x !== 0; x &= x - 1) score += N2;
  }
  // Feature 4: N4 for every full 5 % the dark proportion departs from 50 %.
  const total = size * size;
  return score + N4 * Math.floor((Math.abs(dark * 2 - total) * 10) / total);
}

/**
 * Each mask's 12×6 tile as bits: `rows[i]` bit j and `columns[j]` bit i set where the mask
 * inverts module (i, j), i < 12, j < 6. Computed from Table 10 once, when the module loads
 * (on the device, at preload: it sits in ROM).
 */
const MASK_TILES = deepFreeze(
  Array.from({ length: 8 }, (_, mask) => ({
    rows: Array.from({ length: PERIOD_ROWS }, (_, i) => {
      let bits = 0;
      for (let j = 0; j < PERIOD_COLUMNS; j++) if (masks(mask, i, j)) bits |= 1 << j;
      return bits;
    }),
    columns: Array.from({ length: PERIOD_COLUMNS }, (_, j) => {
      let bits = 0;
      for (let i = 0; i < PERIOD_ROWS; i++) if (masks(mask, i, j)) bits |= 1 << i;
      return bits;
    }),
  })),
);

/** A 6-bit pattern repeated across a word (bit b = bit b mod 6). */
const repeat6 = (p: number): number => p | (p << 6) | (p << 12) | (p << 18) | (p << 24) | (p << 30);
/** A 12-bit pattern repeated across a word (bit b = bit b mod 12). */
const repeat12 = (p: number): number => p | (p << 12) | (p << 24);

/**
 * Mask `mask`'s pattern as word pairs: `alongRows[2j + lane]` bit b set where the mask inverts
 * (32·lane + b, j), `alongColumns[2i + lane]` bit b where it inverts (i, 32·lane + b); bits
 * past the symbol are left as the pattern goes on (the caller ANDs them away). Lane 1 starts at
 * module 32, which is phase 32 mod 12 = 8 of the rows' period and 32 mod 6 = 2 of the columns'.
 */
function maskWords(mask: number, size: number, alongRows: Int32Array, alongColumns: Int32Array): void {
  const tile = MASK_TILES[mask];
  for (let j = 0; j < size; j++) {
    const q = tile.columns[j % PERIOD_COLUMNS];
    alongRows[2 * j] = repeat12(q);
    alongRows[2 * j + 1] = repeat12(((q >>> 8) | (q << 4)) & 0xfff);
  }
  for (let i = 0; i < size; i++) {
    const p = tile.rows[i % PERIOD_ROWS];
    alongColumns[2 * i] = repeat6(p);
    alongColumns[2 * i + 1] = repeat6(((p >>> 2) | (p << 4)) & 0x3f);
  }
}

/** Module (i, j) as it stands in `cells` into both packings (`rows`: pair j bit i, `columns`: pair i bit j), light clearing the bit. */
function packModule(cells: Uint8Array, size: number, i: number, j: number, rows: Int32Array, columns: Int32Array): void {
  const dark = (cells[i * size + j] & DARK) !== 0;
  const rowAt = 2 * j + (i >> 5);
  const columnAt = 2 * i + (j >> 5);
  if (dark) {
    rows[rowAt] |= 1 << (i & 31);
    columns[columnAt] |= 1 << (j & 31);
  } else {
    rows[rowAt] &= ~(1 << (i & 31));
    columns[columnAt] &= ~(1 << (j & 31));
  }
}

/**
 * 7.8.3: the mask (0–7) whose masked symbol, with its own format information, scores lowest;
 * the first of equals. `cells` holds the unmasked symbol (function patterns, codewords) and is
 * left unmasked, with mask 7's format information drawn (the caller draws the chosen one's).
 *
 * Packing: `alongRows` has one word pair per column j, bit b of word 2j + lane the module
 * (32·lane + b, j), so stepping j walks along all rows at once; `alongColumns` one pair per row.
 * Each mask's symbol is data XOR (pattern AND not-function), word by word.
 */
export function chooseMask(cells: Uint8Array, size: number): number {
  const words = 2 * size;
  const dataRows = new Int32Array(words);
  const dataColumns = new Int32Array(words);
  const openRows = new Int32Array(words); // set where no function pattern is: the mask applies there
  const openColumns = new Int32Array(words);
  for (let i = 0, at = 0; i < size; i++) {
    const rowBit = 1 << (i & 31);
    const rowLane = i >> 5;
    for (let j = 0; j < size; j++, at++) {
      const module = cells[at];
      const columnAt = 2 * i + (j >> 5);
      const columnBit = 1 << (j & 31);
      if (module & DARK) {
        dataRows[2 * j + rowLane] |= rowBit;
        dataColumns[columnAt] |= columnBit;
      }
      if (!(module & FUNCTION)) {
        openRows[2 * j + rowLane] |= rowBit;
        openColumns[columnAt] |= columnBit;
      }
    }
  }
  // Each mask's pattern, then (in place) its masked symbol: six arrays of 2·size words in all
  // (2.7 KB at version 10), beside the module bytes.
  const maskedRows = new Int32Array(words);
  const maskedColumns = new Int32Array(words);
  let best = Infinity;
  let chosen = 0;
  for (let mask = 0; mask < 8; mask++) {
    // The format information differs per mask: draw it, and read its row and column back in.
    drawFormat(cells, size, mask);
    for (let k = 0; k < size; k++) {
      packModule(cells, size, FORMAT_LINE, k, dataRows, dataColumns);
      packModule(cells, size, k, FORMAT_LINE, dataRows, dataColumns);
    }
    maskWords(mask, size, maskedRows, maskedColumns);
    for (let k = 0; k < words; k++) {
      maskedRows[k] = dataRows[k] ^ (maskedRows[k] & openRows[k]);
      maskedColumns[k] = dataColumns[k] ^ (maskedColumns[k] & openColumns[k]);
    }
    const score = penalty(maskedRows, maskedColumns, size);
    if (score < best) {
      best = score;
      chosen = mask;
    }
  }
  return chosen;
}
