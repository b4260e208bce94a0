/**
 * Deterministic bytes from a seed (SHA-256 in counter mode): working keys, authorization codes
 * and garbage frames repeat exactly from run to run, so a scenario's report does too.
 * Not a key generator for anything real.
 */
import { createHash } from 'node:crypto';

export class SeededBytes {
  readonly #seed: number;
  #counter = 0;

  constructor(seed: number) {
    this.#seed = seed;
  }

  next(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) {
      const block = createHash('sha256').update(`xspos-acquirer:${this.#seed}:${this.#counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, n - at)), at);
    }
    return out;
  }

  /** `n` decimal digits. */
  digits(n: number): string {
    return Array.from(this.next(n), (b) => String(b % 10)).join('');
  }
}
