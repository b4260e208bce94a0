/**
 * The acquirer profile: everything that differs between acquirers, as data. Response-code
 * meanings are here and not in code because they differ (one acquirer's 83 is "invalid
 * terminal"; the CUP tables use 97 for "terminal not registered").
 */
import { deepFreeze } from '../freeze';

/** What a host response code means to the terminal. */
export type ResponseMeaning =
  | 'approved'
  | 'invalid-terminal'
  | 'terminal-not-registered'
  | 'merchant-restricted'
  | 'mac-error'
  | 'key-error'
  | 'format-error'
  | 'host-unavailable'
  | 'declined';

export const RESPONSE_MEANINGS: readonly ResponseMeaning[] = deepFreeze([
  'approved',
  'invalid-terminal',
  'terminal-not-registered',
  'merchant-restricted',
  'mac-error',
  'key-error',
  'format-error',
  'host-unavailable',
  'declined',
]);

export interface HostAddress {
  host: string;
  port: number;
}

export interface AcquirerProfile {
  id: string;
  name: string;
  /** Primary first, then backup. */
  hosts: HostAddress[];
  /** ISO 8583 TPDU, 5 bytes as 10 hex digits (e.g. "6000030000"). */
  tpdu: string;
  /** Per-attempt response timeout. */
  timeoutMs: number;
  /** Retries after the first attempt, per host. */
  retries: number;
  /** Bytes of a 3DES key check value in the sign-on key block (CUP field 62 carries 4). */
  kcvLength: 3 | 4;
  mac: 'cup-ecb' | 'x9.19';
  /** ISO 9797-1 padding method for x9.19 MACs (1: zeros, 2: 0x80 then zeros). */
  macPadding: 1 | 2;
  /** Accept single-length DES working keys (legacy acquirers only; the self-test then warns). Default false. */
  legacySingleDes: boolean;
  /** Response code (2 characters) → meaning. */
  responseCodes: Record<string, ResponseMeaning>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** @param reason what is wrong with `field`, without the field's name */
  constructor(readonly code: 'config-invalid' | 'config-missing', readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
  }
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ConfigError };

const fail = (field: string, message: string): { ok: false; error: ConfigError } => ({
  ok: false,
  error: new ConfigError('config-invalid', field, message),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Validates an untrusted profile (from settings or a scenario); errors name the field. */
export function parseAcquirerProfile(input: unknown, path = 'profile'): Parsed<AcquirerProfile> {
  if (!isObject(input)) return fail(path, 'must be an object');
  const { id, name, hosts, tpdu, timeoutMs, retries, kcvLength, mac, macPadding = 1, legacySingleDes = false, responseCodes } = input;
  if (typeof id !== 'string' || !/^[a-z0-9-]{1,32}$/.test(id)) return fail(`${path}.id`, 'must be 1–32 of a-z 0-9 -');
  if (typeof name !== 'string' || name.length < 1 || name.length > 64) return fail(`${path}.name`, 'must be 1–64 characters');
  if (!Array.isArray(hosts) || hosts.length < 1 || hosts.length > 2) return fail(`${path}.hosts`, 'must list a primary and at most one backup');
  const parsedHosts: HostAddress[] = [];
  for (let i = 0; i < hosts.length; i++) {
    const h: unknown = hosts[i];
    if (!isObject(h)) return fail(`${path}.hosts[${i}]`, 'must be {host, port}');
    if (typeof h.host !== 'string' || !/^[A-Za-z0-9.-]{1,253}$/.test(h.host)) return fail(`${path}.hosts[${i}].host`, 'must be a host name or IPv4 address');
    if (!isInt(h.port, 1, 65535)) return fail(`${path}.hosts[${i}].port`, 'must be 1–65535');
    parsedHosts.push({ host: h.host, port: h.port });
  }
  if (typeof tpdu !== 'string' || !/^[0-9A-Fa-f]{10}$/.test(tpdu)) return fail(`${path}.tpdu`, 'must be 10 hex digits');
  if (!isInt(timeoutMs, 1000, 120000)) return fail(`${path}.timeoutMs`, 'must be 1000–120000');
  if (!isInt(retries, 0, 5)) return fail(`${path}.retries`, 'must be 0–5');
  if (kcvLength !== 3 && kcvLength !== 4) return fail(`${path}.kcvLength`, 'must be 3 or 4');
  if (mac !== 'cup-ecb' && mac !== 'x9.19') return fail(`${path}.mac`, 'must be "cup-ecb" or "x9.19"');
  if (macPadding !== 1 && macPadding !== 2) return fail(`${path}.macPadding`, 'must be 1 or 2');
  if (typeof legacySingleDes !== 'boolean') return fail(`${path}.legacySingleDes`, 'must be true or false');
  if (!isObject(responseCodes)) return fail(`${path}.responseCodes`, 'must map codes to meanings');
  const codes: Record<string, ResponseMeaning> = {};
  for (const [code, meaning] of Object.entries(responseCodes)) {
    if (!/^[0-9A-Z]{2}$/.test(code)) return fail(`${path}.responseCodes.${code}`, 'code must be 2 characters 0-9 A-Z');
    // Never String(meaning): an object with a non-callable toString would throw a TypeError here.
    if (typeof meaning !== 'string') return fail(`${path}.responseCodes.${code}`, `meaning must be text, not ${meaning === null ? 'null' : Array.isArray(meaning) ? 'a list' : typeof meaning}`);
    if (!RESPONSE_MEANINGS.includes(meaning as ResponseMeaning)) return fail(`${path}.responseCodes.${code}`, `unknown meaning "${meaning.slice(0, 32)}"`);
    codes[code] = meaning as ResponseMeaning;
  }
  if (!Object.values(codes).includes('approved')) return fail(`${path}.responseCodes`, 'must say which code means approved');
  return {
    ok: true,
    value: { id, name, hosts: parsedHosts, tpdu: tpdu.toUpperCase(), timeoutMs, retries, kcvLength, mac, macPadding, legacySingleDes, responseCodes: codes },
  };
}
