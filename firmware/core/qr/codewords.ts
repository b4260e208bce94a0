/** The final codeword sequence of a level-M symbol: data and error correction, block by block, interleaved. */
import { ReedSolomon } from './reedSolomon';
import { LEVEL_M_BLOCKS } from './tables';

/**
 * 7.5, 7.6: splits the data codewords into the version's blocks, computes each block's error
 * correction codewords, and interleaves: data codeword i of every block in turn, then EC
 * codeword i of every block in turn.
 */
export function interleavedCodewords(data: Uint8Array, version: number): Uint8Array {
  const [ecPerBlock, blocks1, data1, blocks2, data2] = LEVEL_M_BLOCKS[version - 1];
  const blocks = blocks1 + blocks2;
  const rs = new ReedSolomon(ecPerBlock);
  const out = new Uint8Array(data.length + blocks * ecPerBlock);
  const ecStart = data.length;
  let at = 0;
  for (let i = 0; i < Math.max(data1, data2); i++)
    for (let b = 0; b < blocks; b++) {
      const length = b < blocks1 ? data1 : data2;
      if (i < length) out[at++] = data[blockStart(b, blocks1, data1, data2) + i];
    }
  // The EC codewords of block b go to ecStart + i × blocks + b; computed into a scratch block first.
  const ec = new Uint8Array(ecPerBlock);
  for (let b = 0; b < blocks; b++) {
    const start = blockStart(b, blocks1, data1, data2);
    rs.remainder(data, start, start + (b < blocks1 ? data1 : data2), ec, 0);
    for (let i = 0; i < ecPerBlock; i++) out[ecStart + i * blocks + b] = ec[i];
  }
  return out;
}

/** Where block b's data codewords start (first-group blocks come first). */
function blockStart(b: number, blocks1: number, data1: number, data2: number): number {
  return b < blocks1 ? b * data1 : blocks1 * data1 + (b - blocks1) * data2;
}
