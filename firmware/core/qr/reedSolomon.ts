/**
 * Reed–Solomon error correction codewords (ISO/IEC 18004:2015 7.5.2) over GF(2⁸) with the
 * field's prime polynomial x⁸+x⁴+x³+x²+1 (0x11D), generator g(x) = ∏ (x − αⁱ), i = 0…n−1, α = 2.
 * The log/antilog tables and the generator are computed per encoder (under 1 KB, freed with
 * it) rather than pasted from Annex A or held at module level.
 */
export class ReedSolomon {
  /** αᵏ for k = 0…509: twice round the field, so the sum of two logarithms needs no reduction. */
  readonly #exp = new Uint8Array(510);
  /** log_α(x) for x = 1…255 (index 0 unused: 0 has no logarithm). */
  readonly #log = new Uint8Array(256);
  /** Coefficients of the generator, highest power first, its leading 1 left out (it is monic). */
  readonly generator: Uint8Array;

  constructor(degree: number) {
    const exp = this.#exp;
    const log = this.#log;
    for (let k = 0, x = 1; k < 510; k++) {
      exp[k] = x;
      if (k < 255) log[x] = k;
      x = x & 0x80 ? ((x << 1) ^ 0x11d) & 0xff : x << 1;
    }
    // g(x) ← g(x)·(x + αⁱ), one root at a time, starting from g(x) = 1 (stored as its constant term).
    const g = new Uint8Array(degree);
    g[degree - 1] = 1;
    for (let i = 0; i < degree; i++)
      for (let j = 0; j < degree; j++) {
        g[j] = this.#multiply(g[j], exp[i]);
        if (j + 1 < degree) g[j] ^= g[j + 1];
      }
    this.generator = g;
  }

  #multiply(a: number, b: number): number {
    return a === 0 || b === 0 ? 0 : this.#exp[this.#log[a] + this.#log[b]];
  }

  /**
   * The remainder of data(x)·xⁿ divided by the generator, for data[start..end): the block's n
   * error correction codewords, written to `out` from `at`.
   */
  remainder(data: Uint8Array, start: number, end: number, out: Uint8Array, at: number): void {
    const g = this.generator;
    const n = g.length;
    const exp = this.#exp;
    const log = this.#log;
    out.fill(0, at, at + n);
    for (let i = start; i < end; i++) {
      const factor = data[i] ^ out[at];
      out.copyWithin(at, at + 1, at + n);
      out[at + n - 1] = 0;
      if (factor === 0) continue;
      const logFactor = log[factor];
      for (let j = 0; j < n; j++) if (g[j] !== 0) out[at + j] ^= exp[log[g[j]] + logFactor];
    }
  }
}
