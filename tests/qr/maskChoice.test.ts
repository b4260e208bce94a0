/**
 * The mask the encoder picks has the lowest penalty score (ISO/IEC 18004:2015 7.8.3, Table 11),
 * scored here independently, on the modules as strings: runs by regular expression, the
 * finder-like pattern by substring with the symbol padded in light modules (outside it is light).
 */
import fc from 'fast-check';
import { encodeQr, encodeQrText, type QrMatrix } from '../../firmware/core/qr/encode';

function lines(matrix: QrMatrix): { rows: string[]; columns: string[] } {
  const rows: string[] = [];
  const columns: string[] = [];
  for (let a = 0; a < matrix.size; a++) {
    let row = '';
    let column = '';
    for (let b = 0; b < matrix.size; b++) {
      row += matrix.dark(b, a) ? '1' : '0';
      column += matrix.dark(a, b) ? '1' : '0';
    }
    rows.push(row);
    columns.push(column);
  }
  return { rows, columns };
}

function score(matrix: QrMatrix): number {
  const { rows, columns } = lines(matrix);
  let total = 0;
  for (const line of [...rows, ...columns]) {
    // Feature 1: 5 + i adjacent modules of one colour in a row or column: 3 + i.
    for (const run of line.match(/0{5,}|1{5,}/g) ?? []) total += 3 + run.length - 5;
    // Feature 3: 1011101 with 0000 before or after: 40 each.
    const padded = `0000${line}0000`;
    for (let p = padded.indexOf('1011101'); p >= 0; p = padded.indexOf('1011101', p + 1))
      if (padded.slice(p - 4, p) === '0000' || padded.slice(p + 7, p + 11) === '0000') total += 40;
  }
  // Feature 2: each 2×2 block of one colour: 3.
  for (let y = 0; y + 1 < rows.length; y++)
    for (let x = 0; x + 1 < rows.length; x++) {
      const block = rows[y].slice(x, x + 2) + rows[y + 1].slice(x, x + 2);
      if (block === '0000' || block === '1111') total += 3;
    }
  // Feature 4: 10 for each full 5 % of deviation of the dark share from 50 %.
  const dark = rows.join('').split('1').length - 1;
  const percent = (100 * dark) / (rows.length * rows.length);
  return total + 10 * Math.floor(Math.abs(percent - 50) / 5);
}


describe('mask selection', () => {
  const cases: [string, (mask?: number) => QrMatrix][] = [
    ['HELLO WORLD', (mask) => encodeQrText('HELLO WORLD', mask === undefined ? undefined : { mask })],
    ['an empty byte payload', (mask) => encodeQr(new Uint8Array(0), mask === undefined ? undefined : { mask })],
    // Random payloads of every size, the same ones each run.
    ...fc.sample(fc.uint8Array({ maxLength: 213 }), { seed: 18004, numRuns: 60 }).map((bytes, i): [string, (mask?: number) => QrMatrix] => [
      `random payload ${i} (${bytes.length} bytes)`,
      (mask) => encodeQr(bytes, mask === undefined ? undefined : { mask }),
    ]),
    // Uniform payloads, where the dark share (feature 4) decides between masks.
    ...[[0x00, 40], [0x00, 155], [0xff, 42], [0xff, 65]].map(([fill, n]): [string, (mask?: number) => QrMatrix] => [
      `${n} bytes of ${fill}`,
      (mask) => encodeQr(new Uint8Array(n).fill(fill), mask === undefined ? undefined : { mask }),
    ]),
    ['a support URL', (mask) => encodeQrText('HTTPS://SUPPORT.EXAMPLE/XSPOS/7K3M-Q9TD-4', mask === undefined ? undefined : { mask })],
  ];
  test.each(cases)('%s: the chosen mask scores lowest of the eight (the first of equals)', (_, build) => {
    const chosen = build();
    const scores = Array.from({ length: 8 }, (_, mask) => score(build(mask)));
    expect(chosen.mask).toBe(scores.indexOf(Math.min(...scores)));
    expect(chosen.bits).toEqual(build(chosen.mask).bits);
  });
});
