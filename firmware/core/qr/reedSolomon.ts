/**
 * Reed–Solomon error correction codewords (ISO/IEC 18004:2015 7.5.2) over GF(2⁸) with the
 * field's prime polynomial x⁸+x⁴+x³+x²+1 (0x11D), generator g(x) = ∏ (x − αⁱ), i = 0…n−1, α = 2.
 * The generator is computed per call (a few dozen bytes) rather than pasted from Annex A.
 */

/** GF(2⁸) product by shift-and-add: no log/antilog tables to hold. */
export function gfMultiply(a: number, b: number): number {
  let product = 0;
  for (let bit = 7; bit >= 0; bit--) {
    product = (product << 1) ^ ((product >>> 7) * 0x11d);
    product ^= ((b >>> bit) & 1) * a;
  }
  return product;
}

/**
 * Coefficients of the degree-`degree` generator polynomial, highest power first with the
 * leading 1 left out (it is monic): `degree` bytes.
 */
export function generatorPolynomial(degree: number): Uint8Array {
  const g = new Uint8Array(degree);
  g[degree - 1] = 1; // g(x) = 1, stored as its constant term
  let root = 1; // α⁰
  for (let i = 0; i < degree; i++) {
    // g(x) ← g(x)·(x + αⁱ): shift one power up, add αⁱ times the old coefficients.
    for (let j = 0; j < degree; j++) {
      g[j] = gfMultiply(g[j], root);
      if (j + 1 < degree) g[j] ^= g[j + 1];
    }
    root = gfMultiply(root, 2);
  }
  return g;
}

/**
 * The remainder of data(x)·xⁿ divided by the generator: the block's `generator.length` error
 * correction codewords, written to `out` from `at`.
 */
export function remainder(data: Uint8Array, start: number, end: number, generator: Uint8Array, out: Uint8Array, at: number): void {
  const n = generator.length;
  out.fill(0, at, at + n);
  for (let i = start; i < end; i++) {
    const factor = data[i] ^ out[at];
    out.copyWithin(at, at + 1, at + n);
    out[at + n - 1] = 0;
    for (let j = 0; j < n; j++) out[at + j] ^= gfMultiply(generator[j], factor);
  }
}
