/**
 * The symbol's modules while it is built (ISO/IEC 18004:2015 6.3, 7.7–7.10): one byte per
 * module in a size×size row-major Uint8Array, bit 0 dark, bit 1 set where a function pattern
 * or format/version information sits (masking and codeword placement skip those).
 */
import { ALIGNMENT_CENTRES } from './tables';

export const DARK = 1;
export const FUNCTION = 2;

/** 6.3.1: 21×21 at version 1, 4 modules more per version. */
export function symbolSize(version: number): number {
  return 17 + 4 * version;
}

function setFunction(cells: Uint8Array, size: number, x: number, y: number, dark: boolean): void {
  cells[y * size + x] = FUNCTION | (dark ? DARK : 0);
}

/** 6.3.3, 6.3.4: a finder pattern (7×7 centred on cx, cy) and its light separator, clipped to the symbol. */
function drawFinder(cells: Uint8Array, size: number, cx: number, cy: number): void {
  for (let dy = -4; dy <= 4; dy++)
    for (let dx = -4; dx <= 4; dx++) {
      const x = cx + dx;
      const y = cy + dy;
      const ring = Math.max(Math.abs(dx), Math.abs(dy));
      if (x >= 0 && x < size && y >= 0 && y < size) setFunction(cells, size, x, y, ring !== 2 && ring !== 4);
    }
}

/** 6.3.6: an alignment pattern, 5×5 dark ring, light ring, dark centre. */
function drawAlignment(cells: Uint8Array, size: number, cx: number, cy: number): void {
  for (let dy = -2; dy <= 2; dy++)
    for (let dx = -2; dx <= 2; dx++) setFunction(cells, size, cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
}

/** A fresh grid with every function pattern drawn and the format information reserved (mask 0 drawn there for now). */
export function drawFunctionPatterns(version: number): Uint8Array {
  const size = symbolSize(version);
  const cells = new Uint8Array(size * size);
  // 6.3.5: timing patterns along row 6 and column 6, dark on even coordinates.
  for (let i = 0; i < size; i++) {
    setFunction(cells, size, 6, i, i % 2 === 0);
    setFunction(cells, size, i, 6, i % 2 === 0);
  }
  drawFinder(cells, size, 3, 3);
  drawFinder(cells, size, size - 4, 3);
  drawFinder(cells, size, 3, size - 4);
  // Alignment patterns at every pair of centres except the three that would overlap a finder.
  const centres = ALIGNMENT_CENTRES[version - 1];
  const last = centres.length - 1;
  for (let i = 0; i <= last; i++)
    for (let j = 0; j <= last; j++) {
      const onFinder = (i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0);
      if (!onFinder) drawAlignment(cells, size, centres[i], centres[j]);
    }
  drawFormat(cells, size, 0);
  if (version >= 7) drawVersion(cells, size, version);
  return cells;
}

/**
 * 7.9.1: the 15-bit format information of level M (indicator 00) and `mask`: 5 data bits,
 * 10 bits of BCH(15,5) with generator x¹⁰+x⁸+x⁵+x⁴+x²+x+1 (0x537), XOR 101010000010010.
 */
export function formatBits(mask: number): number {
  const data = (0b00 << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

/**
 * 7.10: the 18-bit version information: 6 data bits, 12 bits of BCH(18,6) with generator
 * x¹²+x¹¹+x¹⁰+x⁹+x⁸+x⁵+x²+1 (0x1F25), no mask.
 */
export function versionBits(version: number): number {
  let rem = version;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (version << 12) | rem;
}

/** Figure 25: the row and the column (index 8 both) that hold every format information module and the dark module. */
export const FORMAT_LINE = 8;

/** Figure 25: both copies of the format information, bit 0 the least significant, and the dark module. */
export function drawFormat(cells: Uint8Array, size: number, mask: number): void {
  const bits = formatBits(mask);
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  // Around the top-left finder: column 8 downwards (skipping the timing row), then row 8 leftwards.
  for (let i = 0; i <= 5; i++) setFunction(cells, size, 8, i, bit(i));
  setFunction(cells, size, 8, 7, bit(6));
  setFunction(cells, size, 8, 8, bit(7));
  setFunction(cells, size, 7, 8, bit(8));
  for (let i = 9; i < 15; i++) setFunction(cells, size, 14 - i, 8, bit(i));
  // Beside the top-right finder (row 8) and the bottom-left one (column 8).
  for (let i = 0; i < 8; i++) setFunction(cells, size, size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) setFunction(cells, size, 8, size - 15 + i, bit(i));
  // 7.9.1: the module at (8, 4V + 9) is always dark.
  setFunction(cells, size, 8, size - 8, true);
}

/** Figure 27: the two 6×3 copies of the version information, versions 7 and up. */
function drawVersion(cells: Uint8Array, size: number, version: number): void {
  const bits = versionBits(version);
  for (let i = 0; i < 18; i++) {
    const dark = ((bits >>> i) & 1) === 1;
    const a = size - 11 + (i % 3);
    const b = Math.floor(i / 3);
    setFunction(cells, size, a, b, dark);
    setFunction(cells, size, b, a, dark);
  }
}

/**
 * 7.7.3: codeword bits, MSB first, in two-module columns from the bottom right, upwards then
 * downwards, skipping the vertical timing column and every function module. Modules left over
 * (the remainder bits of versions 2–6) stay light.
 */
export function placeCodewords(cells: Uint8Array, size: number, codewords: Uint8Array): void {
  const total = codewords.length * 8;
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < size; vert++)
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = upward ? size - 1 - vert : vert;
        const at = y * size + x;
        if (cells[at] & FUNCTION || i >= total) continue;
        cells[at] = (codewords[i >> 3] >>> (7 - (i & 7))) & 1;
        i++;
      }
  }
}
