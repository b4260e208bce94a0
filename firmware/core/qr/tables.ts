/**
 * The constants of QR Code model 2 (ISO/IEC 18004:2015) this encoder needs: versions 1–10,
 * error correction level M. Data only; the encoder derives everything else (generator
 * polynomials, format and version information) from the spec's rules.
 */
import { deepFreeze } from '../freeze';

/** The highest version this encoder draws (57×57 modules). */
export const MAX_VERSION = 10;

/**
 * Table 9, level M, versions 1–10: error correction codewords per block, then the blocks of
 * the first group and their data codewords each, then the same for the second group (whose
 * blocks hold one data codeword more). Version 10: 4 blocks of 43 + 1 block of 44 = 216.
 */
export const LEVEL_M_BLOCKS: readonly (readonly number[])[] = deepFreeze([
  [10, 1, 16, 0, 0],
  [16, 1, 28, 0, 0],
  [26, 1, 44, 0, 0],
  [18, 2, 32, 0, 0],
  [24, 2, 43, 0, 0],
  [16, 4, 27, 0, 0],
  [18, 4, 31, 0, 0],
  [22, 2, 38, 2, 39],
  [22, 3, 36, 2, 37],
  [26, 4, 43, 1, 44],
]);

/** Annex E, Table E.1: row/column coordinates of the alignment pattern centres, versions 1–10. */
export const ALIGNMENT_CENTRES: readonly (readonly number[])[] = deepFreeze([
  [],
  [6, 18],
  [6, 22],
  [6, 26],
  [6, 30],
  [6, 34],
  [6, 22, 38],
  [6, 24, 42],
  [6, 26, 46],
  [6, 28, 50],
]);

/** 7.3.1, Table 2: mode indicators. */
export const MODE_INDICATOR = deepFreeze({ alphanumeric: 0b0010, byte: 0b0100 });

/** 7.4.3 Table 3: bits of the character count indicator, versions 1–9 and 10–26. */
export const COUNT_BITS = deepFreeze({ alphanumeric: [9, 11], byte: [8, 16] });

/** 7.4.5, Table 5: the 45 characters of alphanumeric mode, in value order (0–44). */
export const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** 7.4.10: pad codewords, alternating, after the terminator fills the data capacity. */
export const PAD_CODEWORDS = deepFreeze([0xec, 0x11]);

/** Data codewords of `version` at level M (Table 7). */
export function dataCapacity(version: number): number {
  const [, blocks1, data1, blocks2, data2] = LEVEL_M_BLOCKS[version - 1];
  return blocks1 * data1 + blocks2 * data2;
}
