/**
 * The encoder's pieces against values published outside this code: ISO/IEC 18004:2015 Annex A
 * (generator polynomials), Annex C (format information), Annex D (version information),
 * Annex E (alignment pattern centres), Annex I (the "01234567" 1-M example), and the
 * "HELLO WORLD" 1-M codewords of the thonky.com QR tutorial.
 */
import { interleavedCodewords } from '../../firmware/core/qr/codewords';
import { encodeQr, encodeQrText, type QrMatrix } from '../../firmware/core/qr/encode';
import { ReedSolomon } from '../../firmware/core/qr/reedSolomon';
import { dataCodewords } from '../../firmware/core/qr/segment';
import { formatBits, versionBits } from '../../firmware/core/qr/symbol';

/** Annex C, Table C.1: the format information of level M with masks 000–111 (after the XOR mask). */
const FORMAT_M = [
  '101010000010010',
  '101000100100101',
  '101111001111100',
  '101101101001011',
  '100010111111001',
  '100000011001110',
  '100111110010111',
  '100101010100000',
];

/** Annex D, Table D.1: the version information of versions 7–10. */
const VERSION_INFO: Record<number, string> = {
  7: '000111110010010100',
  8: '001000010110111100',
  9: '001001101010011001',
  10: '001010010011010011',
};

/** Annex E, Table E.1: alignment pattern centre coordinates, versions 2–10. */
const ALIGNMENT: Record<number, number[]> = {
  2: [6, 18],
  3: [6, 22],
  4: [6, 26],
  5: [6, 30],
  6: [6, 34],
  7: [6, 22, 38],
  8: [6, 24, 42],
  9: [6, 26, 46],
  10: [6, 28, 50],
};

const bin = (value: number, width: number) => value.toString(2).padStart(width, '0');
const at = (m: QrMatrix, x: number, y: number) => (m.dark(x, y) ? '1' : '0');

describe('Reed–Solomon', () => {
  test('HELLO WORLD at 1-M: the tutorial\'s 16 data codewords, then its 10 error correction codewords', () => {
    const data = dataCodewords({ mode: 'alphanumeric', text: 'HELLO WORLD' }, 1);
    expect([...data]).toEqual([32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]);
    expect([...interleavedCodewords(data, 1)].slice(16)).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });

  test('Annex I, "01234567" at 1-M: the error correction codewords of its data codewords', () => {
    const data = Uint8Array.from([16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17]);
    expect([...interleavedCodewords(data, 1)].slice(16)).toEqual([165, 36, 212, 193, 237, 54, 199, 135, 44, 85]);
  });

  test('Annex A generator polynomials for 7 and 10 codewords (exponents of α), the leading 1 left out', () => {
    // α^e as bytes: repeated doubling in GF(256) modulo x⁸+x⁴+x³+x²+1.
    const antilog: number[] = [1];
    for (let e = 1; e < 255; e++) antilog.push(antilog[e - 1] & 0x80 ? ((antilog[e - 1] << 1) ^ 0x11d) & 0xff : antilog[e - 1] << 1);
    const published: Record<number, number[]> = {
      7: [87, 229, 146, 149, 238, 102, 21],
      10: [251, 67, 46, 61, 118, 70, 64, 94, 32, 45],
    };
    for (const [degree, exponents] of Object.entries(published))
      expect([...new ReedSolomon(Number(degree)).generator]).toEqual(exponents.map((e) => antilog[e]));
  });
});

describe('format and version information', () => {
  test('BCH(15,5) with the 101010000010010 mask gives Annex C\'s level-M strings', () => {
    expect(FORMAT_M.map((_, mask) => bin(formatBits(mask), 15))).toEqual(FORMAT_M);
  });

  test('BCH(18,6) gives Annex D\'s version 7–10 strings', () => {
    for (const [version, bits] of Object.entries(VERSION_INFO)) expect(bin(versionBits(Number(version)), 18)).toBe(bits);
  });

  test('both copies of the format information sit where Figure 25 puts them, and the dark module at (8, 4V+9)', () => {
    for (let mask = 0; mask < 8; mask++)
      for (const matrix of [encodeQrText('HELLO WORLD', { mask }), encodeQr(new Uint8Array(150).fill(0x5a), { mask })]) {
        const s = matrix.size;
        // Bit 14 first. Around the top-left finder: row 8 left to right (skipping column 6), then column 8 upwards (skipping row 6).
        const first = [[0, 8], [1, 8], [2, 8], [3, 8], [4, 8], [5, 8], [7, 8], [8, 8], [8, 7], [8, 5], [8, 4], [8, 3], [8, 2], [8, 1], [8, 0]];
        // Column 8 from the bottom up (bits 14–8), then row 8 across the top-right finder (bits 7–0).
        const second = [[8, s - 1], [8, s - 2], [8, s - 3], [8, s - 4], [8, s - 5], [8, s - 6], [8, s - 7],
          [s - 8, 8], [s - 7, 8], [s - 6, 8], [s - 5, 8], [s - 4, 8], [s - 3, 8], [s - 2, 8], [s - 1, 8]];
        expect(first.map(([x, y]) => at(matrix, x, y)).join('')).toBe(FORMAT_M[mask]);
        expect(second.map(([x, y]) => at(matrix, x, y)).join('')).toBe(FORMAT_M[mask]);
        expect(matrix.dark(8, 4 * matrix.version + 9)).toBe(true);
      }
  });

  test('versions 7–10 carry the version information in both 6×3 blocks of Figure 27', () => {
    for (const [version, bits] of Object.entries(VERSION_INFO)) {
      const bytes = new Uint8Array([0, 0, 106, 122, 152, 180][Number(version) - 5] + 1).fill(0xa5);
      const matrix = encodeQr(bytes);
      expect(matrix.version).toBe(Number(version));
      const s = matrix.size;
      // Bit 17 first: the bottom-left block read column by column from the right, each column bottom to top;
      // the top-right block is its transpose.
      let bottomLeft = '';
      let topRight = '';
      for (let col = 5; col >= 0; col--)
        for (let row = s - 9; row >= s - 11; row--) {
          bottomLeft += at(matrix, col, row);
          topRight += at(matrix, row, col);
        }
      expect(bottomLeft).toBe(bits);
      expect(topRight).toBe(bits);
    }
  });
});

describe('function patterns', () => {
  test('alignment patterns at Annex E\'s centres, except where a finder is: dark centre, light ring, dark ring', () => {
    for (const [version, centres] of Object.entries(ALIGNMENT)) {
      const bytes = new Uint8Array([0, 14, 26, 42, 62, 84, 106, 122, 152, 180][Number(version) - 1] + 1).fill(0x3c);
      const matrix = encodeQr(bytes);
      expect(matrix.version).toBe(Number(version));
      const last = centres.length - 1;
      for (const [i, cy] of centres.entries())
        for (const [j, cx] of centres.entries()) {
          if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
          for (let dy = -2; dy <= 2; dy++)
            for (let dx = -2; dx <= 2; dx++)
              expect(`${version}:${cx + dx},${cy + dy} ${matrix.dark(cx + dx, cy + dy)}`).toBe(`${version}:${cx + dx},${cy + dy} ${Math.max(Math.abs(dx), Math.abs(dy)) !== 1}`);
        }
    }
  });

  test('timing patterns alternate along row 6 and column 6 between the finders', () => {
    const matrix = encodeQr(new Uint8Array(200).fill(0xff));
    for (let k = 8; k < matrix.size - 8; k++) {
      expect(matrix.dark(k, 6)).toBe(k % 2 === 0);
      expect(matrix.dark(6, k)).toBe(k % 2 === 0);
    }
  });
});
