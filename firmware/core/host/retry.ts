/**
 * The one retry policy of the acquirer link: exponential backoff with full jitter (the wait
 * before retry n+1 is uniform in [0, min(cap, base·2ⁿ)]). Full jitter spreads the terminals
 * of a shop, or of a whole acquirer's fleet after an outage, instead of having them retry in
 * step. Randomness comes from the caller (the crypto port's randomBytes: seeded in the
 * simulator, so a scenario's waits are the same on every run and on both engines).
 */

export interface Backoff {
  /** The ceiling of the first wait (attempt 0). */
  baseMs: number;
  /** No ceiling grows past this. */
  capMs: number;
}

const TWO_POW_32 = 4294967296;

/**
 * The wait before the retry that follows failed attempt `attempt` (0 = after the first try):
 * a whole number of ms, uniform in [0, min(cap, base·2^attempt)] from 4 random bytes (the bias
 * of scaling 2³² values is below (ceiling+1)/2³², i.e. nil for waits of minutes). Bad inputs
 * (negative, NaN) count as 0, so a wait is never negative or NaN.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: (n: number) => Uint8Array): number {
  const grown = baseMs * 2 ** Math.max(0, attempt);
  const ceiling = Math.floor(Math.min(capMs, grown));
  if (!(ceiling > 0)) return 0;
  const r = random(4);
  const u = ((r[0] << 24) >>> 0) + (r[1] << 16) + (r[2] << 8) + r[3];
  return Math.floor((u / TWO_POW_32) * (ceiling + 1));
}
