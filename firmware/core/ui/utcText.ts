/**
 * Wall-clock text for screens: ISO-style UTC ("2024-05-01 14:03"), built from the UTC
 * getters so no locale or time-zone data is involved (the device has none).
 */

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "YYYY-MM-DD HH:MM" in UTC, or dashes when `wallMs` is not a representable time. */
export function formatUtcDateTime(wallMs: number): string {
  const when = new Date(wallMs);
  const year = when.getUTCFullYear();
  if (!Number.isFinite(year) || year < 0 || year > 9999) return '---------- --:--';
  const date = `${String(year).padStart(4, '0')}-${two(when.getUTCMonth() + 1)}-${two(when.getUTCDate())}`;
  return `${date} ${two(when.getUTCHours())}:${two(when.getUTCMinutes())}`;
}
