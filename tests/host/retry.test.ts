/**
 * The one retry policy: exponential backoff with full jitter, wait uniform in
 * [0, min(cap, base·2^attempt)] (the "Full Jitter" of AWS's "Exponential Backoff and Jitter").
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { backoffDelay } from '../../firmware/core/host/retry';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';

/** Hands out the given bytes, then fails the test if asked for more. */
function fixed(bytes: number[]): (n: number) => Uint8Array {
  let used = false;
  return (n) => {
    if (used || n !== 4) throw new Error(`asked for ${n} bytes (again: ${used})`);
    used = true;
    return Uint8Array.from(bytes);
  };
}

/** An independent seeded stream: SHA-256 of a counter. */
function hashStream(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => new Uint8Array(createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, n));
}

describe('backoffDelay (full jitter)', () => {
  it('gives 0 for the smallest random value and the whole ceiling for the largest', () => {
    expect(backoffDelay(0, 100, 10_000, fixed([0, 0, 0, 0]))).toBe(0);
    expect(backoffDelay(0, 100, 10_000, fixed([0xff, 0xff, 0xff, 0xff]))).toBe(100);
    expect(backoffDelay(3, 100, 10_000, fixed([0xff, 0xff, 0xff, 0xff]))).toBe(800);
    // Half of the range of 32-bit values: half of the ceiling+1 values lie below.
    expect(backoffDelay(1, 100, 10_000, fixed([0x80, 0, 0, 0]))).toBe(100);
  });

  it('stops growing at the cap, however many attempts failed', () => {
    expect(backoffDelay(7, 100, 5_000, fixed([0xff, 0xff, 0xff, 0xff]))).toBe(5_000);
    expect(backoffDelay(2000, 100, 5_000, fixed([0xff, 0xff, 0xff, 0xff]))).toBe(5_000);
  });

  it('never waits a negative or NaN time, and asks for no randomness when there is nothing to jitter', () => {
    const none = () => {
      throw new Error('no randomness needed');
    };
    expect(backoffDelay(0, 0, 1000, none)).toBe(0);
    expect(backoffDelay(0, -5, 1000, none)).toBe(0);
    expect(backoffDelay(0, NaN, 1000, none)).toBe(0);
    expect(backoffDelay(3, 100, -1, none)).toBe(0);
  });

  it('stays an integer within [0, min(cap, base·2^attempt)] and grows with the random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (attempt, base, cap, a, b) => {
          const ceiling = Math.min(cap, base * 2 ** attempt);
          const da = backoffDelay(attempt, base, cap, fixed([...a]));
          const db = backoffDelay(attempt, base, cap, fixed([...b]));
          expect(Number.isInteger(da)).toBe(true);
          expect(da).toBeGreaterThanOrEqual(0);
          expect(da).toBeLessThanOrEqual(ceiling);
          const ua = Buffer.from(a).readUInt32BE(0);
          const ub = Buffer.from(b).readUInt32BE(0);
          if (ua <= ub) expect(da).toBeLessThanOrEqual(db);
        },
      ),
    );
  });

  it('is uniform over [0, ceiling]: chi-square of 100,000 waits from a seeded stream, 10 values', () => {
    const random = hashStream('xspos-retry');
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[backoffDelay(0, 9, 1000, random)]++;
    const expected = n / 10;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(χ² > 27.88) = 0.001. The stream is seeded, so this never flakes.
    expect(chi2).toBeLessThan(27.88);
  });

  it('repeats its waits with the simulator seeded crypto port, and differs between seeds', () => {
    const waits = (seed: number) => {
      const crypto = new NodeCrypto(seed);
      return Array.from({ length: 8 }, (_, k) => backoffDelay(k, 250, 30_000, (n) => crypto.randomBytes(n)));
    };
    expect(waits(7)).toEqual(waits(7));
    expect(waits(7)).not.toEqual(waits(8));
  });
});
