/** A finished QR symbol: its modules packed one bit each, and what it was built with. */

export class QrMatrix {
  /**
   * @param size modules per side (17 + 4 × version), quiet zone not included
   * @param bits size × size modules, row-major, packed MSB first across row ends (module (x, y)
   *   is bit 7 − (n & 7) of byte n >> 3 with n = y × size + x); a set bit is a dark module
   */
  constructor(
    readonly size: number,
    readonly version: number,
    readonly mask: number,
    readonly bits: Uint8Array,
  ) {}

  /** Whether the module in column x, row y is dark; outside the symbol (the quiet zone) it is light. */
  dark(x: number, y: number): boolean {
    if (x < 0 || y < 0 || x >= this.size || y >= this.size) return false;
    const n = y * this.size + x;
    return ((this.bits[n >> 3] >>> (7 - (n & 7))) & 1) === 1;
  }
}
