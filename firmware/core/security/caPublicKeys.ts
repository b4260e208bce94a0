/**
 * EMV certification-authority public keys (EMV Book 2, 6.1; Annex A2): the table a terminal
 * uses to recover issuer certificates. Each key is keyed by RID + index and carries the SHA-1
 * checksum over RID ‖ index ‖ modulus ‖ exponent; a key whose checksum fails, or that has
 * expired, is refused and reported. RID + index is not unique across published sources (the
 * same slot can hold a test key and a live key), so a slot may hold more than one key.
 */
import type { CryptoPort } from '../ports';
import { fromHex, toHex } from '../bytes';
import { constantTimeEqual } from './blocks';
import { deepFreeze } from '../freeze';

/** The table never holds more keys than this (a scheme publishes a handful per RID). */
export const CAPK_TABLE_LIMIT = 128;
/** The public exponents EMV allows, as hex. */
const EXPONENTS: readonly string[] = deepFreeze(['03', '010001']);

export interface CaPublicKey {
  /** Registered application provider ID, 5 bytes as 10 hex digits (A000000003 = Visa). */
  rid: string;
  index: number;
  modulus: Uint8Array;
  exponent: Uint8Array;
  checksum: Uint8Array;
  /** End of the key's last valid day (UTC), if the table says. */
  expiresMs: number | undefined;
  label: string;
}

export type CapkFinding =
  | { key: string; status: 'valid'; modulusBits: number }
  | { key: string; status: 'refused'; code: 'capk.checksum' | 'capk.expired' | 'capk.malformed'; detail: string }
  | { key: string; status: 'undecided'; code: 'capk.clock-untrusted'; detail: string };

export class CapkError extends Error {
  override readonly name = 'CapkError';
  readonly code = 'capk-table';
  /** @param reason what is wrong with `field`, without the field's name */
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
  }
}

/** "A000000003/07" — how screens, logs and findings name a key. */
export function capkName(rid: string, index: number): string {
  return `${rid.toUpperCase()}/${index.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** SHA-1 over RID ‖ index ‖ modulus ‖ exponent, as EMV tables publish it. */
export function capkChecksum(crypto: CryptoPort, key: Pick<CaPublicKey, 'rid' | 'index' | 'modulus' | 'exponent'>): Uint8Array {
  const digest = crypto.digest('SHA-1');
  digest.update(fromHex(key.rid));
  digest.update(Uint8Array.of(key.index));
  digest.update(key.modulus);
  digest.update(key.exponent);
  return digest.close();
}

function hexField(entry: Record<string, unknown>, name: string, at: string, min: number, max: number): Uint8Array {
  const value = entry[name];
  if (typeof value !== 'string' || !/^([0-9A-Fa-f]{2})+$/.test(value) || value.length / 2 < min || value.length / 2 > max)
    throw new CapkError(`${at}.${name}`, `must be ${min}–${max} bytes of hex`);
  return fromHex(value);
}

/**
 * Reads a CA key table (JSON: a list of {rid, index, modulus, exponent, checksum, expiry?, label?},
 * or an object with such a list in `keys` or `cases`). Shape errors name the entry and field;
 * whether each key is good is judged by `judgeKeys`.
 * @throws CapkError
 */
export function parseCapkTable(input: unknown): CaPublicKey[] {
  const list = Array.isArray(input) ? input : typeof input === 'object' && input !== null ? ((input as Record<string, unknown>).keys ?? (input as Record<string, unknown>).cases) : undefined;
  if (!Array.isArray(list)) throw new CapkError('(table)', 'must be a list of keys, or an object with one in "keys"');
  if (list.length > CAPK_TABLE_LIMIT) throw new CapkError('(table)', `holds ${list.length} keys; at most ${CAPK_TABLE_LIMIT}`);
  return list.map((raw: unknown, i) => {
    const at = `[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new CapkError(at, 'must be an object');
    const entry = raw as Record<string, unknown>;
    const rid = hexField(entry, 'rid', at, 5, 5);
    const index = hexField(entry, 'index', at, 1, 1)[0];
    let expiresMs: number | undefined;
    if (entry.expiry !== undefined) {
      const m = typeof entry.expiry === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(entry.expiry) : null;
      const end = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1) - 1 : NaN;
      const last = new Date(end);
      if (!m || !Number.isFinite(end) || last.getUTCFullYear() !== Number(m[1]) || last.getUTCMonth() !== Number(m[2]) - 1 || last.getUTCDate() !== Number(m[3]))
        throw new CapkError(`${at}.expiry`, 'must be a date YYYY-MM-DD');
      expiresMs = end;
    }
    // EMV Book 2, 5.1 and Annex A2: moduli of 64 to 248 bytes (1984 bits); exponent 3 or 2^16 + 1.
    const modulus = hexField(entry, 'modulus', at, 64, 248);
    const exponent = hexField(entry, 'exponent', at, 1, 3);
    if (!EXPONENTS.includes(toHex(exponent))) throw new CapkError(`${at}.exponent`, 'must be 03 or 010001');
    if (entry.label !== undefined && (typeof entry.label !== 'string' || entry.label.length > 64)) throw new CapkError(`${at}.label`, 'must be text of at most 64 characters');
    return {
      rid: toHex(rid).toUpperCase(),
      index,
      modulus,
      exponent,
      checksum: hexField(entry, 'checksum', at, 20, 20),
      expiresMs,
      label: entry.label ?? '',
    };
  });
}

/**
 * Judges each key: checksum, expiry against the RTC (`nowMs`), or "undecided" for expiry when
 * the RTC is not trusted (a clock at 1970 must not make every key look valid, nor expired).
 */
export function judgeKeys(crypto: CryptoPort, keys: readonly CaPublicKey[], nowMs: number, clockTrusted: boolean): CapkFinding[] {
  return keys.map((k) => judgeKey(crypto, k, nowMs, clockTrusted));
}

/** One key, as judgeKeys judges each (the CA key probe reads and judges the table one key at a time). */
export function judgeKey(crypto: CryptoPort, k: CaPublicKey, nowMs: number, clockTrusted: boolean): CapkFinding {
  const key = capkName(k.rid, k.index);
  if (!constantTimeEqual(capkChecksum(crypto, k), k.checksum))
    return { key, status: 'refused', code: 'capk.checksum', detail: `SHA-1 differs from the table's ${toHex(k.checksum).slice(0, 8)}…` };
  if (k.modulus[0] === 0) return { key, status: 'refused', code: 'capk.malformed', detail: 'modulus has a leading zero byte' };
  if (k.expiresMs !== undefined) {
    if (!clockTrusted) return { key, status: 'undecided', code: 'capk.clock-untrusted', detail: 'expiry not judged: the clock is not trusted' };
    if (nowMs > k.expiresMs) return { key, status: 'refused', code: 'capk.expired', detail: `expired ${new Date(k.expiresMs).toISOString().slice(0, 10)}` };
  }
  return { key, status: 'valid', modulusBits: k.modulus.length * 8 };
}
