/**
 * The acquirer profile: everything that differs between acquirers, as data. Response-code
 * meanings are here and not in code because they differ (one acquirer's 83 is "invalid
 * terminal"; the CUP tables use 97 for "terminal not registered"); so are the dialect of
 * ISO 8583 the host speaks, its header, its timeouts and its retry policy.
 */
import { DIALECTS, dialectById } from '../host/dialects';
import { parseResponseCodes, type ResponseCodeTable } from './responseCodes';
import { parseCardProfile, type CardProfile } from './cardProfile';

export interface HostAddress {
  /** Host name or IPv4 address. */
  host: string;
  port: number;
  /** TLS 1.2 or later on this connection. Default false. */
  tls?: boolean;
  /** Name the server's certificate must carry (TLS only); default `host`. */
  serverName?: string;
}

/** CUP sign-on field 60.3 (network management code): which working keys the host sends. */
export type SignOnNetworkCode = '001' | '003' | '004';

export interface AcquirerProfile {
  id: string;
  name: string;
  /** Id of the ISO 8583 dialect (field table) the host speaks, e.g. "cup-pos" (host/dialects.ts). */
  dialect: string;
  /** Primary first, then backup. */
  hosts: HostAddress[];
  /** ISO 8583 TPDU, 5 bytes as 10 hex digits (e.g. "6000030000"). */
  tpdu: string;
  /** CUP application header, 6 bytes as 12 hex digits (default "603100000000": magstripe, version 31). */
  header: string;
  /** TCP connect timeout, per attempt (default 10 s). */
  connectTimeoutMs: number;
  /** Per-attempt response timeout. */
  timeoutMs: number;
  /** Retries after the first attempt, per host. */
  retries: number;
  /** Full-jitter exponential backoff between attempts: uniform [0, min(capMs, baseMs·2^attempt)]. */
  backoff: { baseMs: number; capMs: number };
  /** After failing over to the backup, try the primary again after this long. */
  failbackMs: number;
  signOn: { networkCode: SignOnNetworkCode };
  /** ISO 4217 numeric currency code (field 49), e.g. "156" for CNY. */
  currency: string;
  /** Bytes of a 3DES key check value in the sign-on key block (CUP field 62 carries 4). */
  kcvLength: 3 | 4;
  mac: 'cup-ecb' | 'x9.19';
  /** ISO 9797-1 padding method for x9.19 MACs (1: zeros, 2: 0x80 then zeros). */
  macPadding: 1 | 2;
  /** Accept single-length DES working keys (legacy acquirers only; the self-test then warns). Default false. */
  legacySingleDes: boolean;
  /** Response code (2 characters) → category and texts; held packed (config/responseCodes.ts). */
  responseCodes: ResponseCodeTable;
  /** SNTP servers the set-clock step asks, in turn (1–4 host names or IPv4 addresses; default PROFILE_DEFAULTS.ntpServers). */
  ntpServers: string[];
  /** Cards: applications, contactless limits, field 55's tags, fallback, the payment-code field (config/cardProfile.ts; defaults when absent). */
  card: CardProfile;
}

/** Defaults of the optional fields. */
export const PROFILE_DEFAULTS = Object.freeze({
  header: '603100000000',
  connectTimeoutMs: 10_000,
  backoff: Object.freeze({ baseMs: 1_000, capMs: 30_000 }),
  failbackMs: 300_000,
  signOn: Object.freeze({ networkCode: '003' as SignOnNetworkCode }),
  currency: '156',
  // The NTP Pool's China zone first (the acquirers are in China), then the global pool.
  ntpServers: Object.freeze(['cn.pool.ntp.org', 'pool.ntp.org']),
});

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

/** A dotted-quad IPv4 address (each part 0–255): needs no name resolution. */
export function isIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function parseHosts(hosts: unknown, path: string): Parsed<HostAddress[]> {
  if (!Array.isArray(hosts) || hosts.length < 1 || hosts.length > 2) return fail(path, 'must list a primary and at most one backup');
  const parsed: HostAddress[] = [];
  for (let i = 0; i < hosts.length; i++) {
    const h: unknown = hosts[i];
    const at = `${path}[${i}]`;
    if (!isObject(h)) return fail(at, 'must be {host, port}');
    const { host, port, tls = false, serverName } = h;
    if (typeof host !== 'string' || !HOST_NAME.test(host)) return fail(`${at}.host`, 'must be a host name or IPv4 address');
    if (!isInt(port, 1, 65535)) return fail(`${at}.port`, 'must be 1–65535');
    if (typeof tls !== 'boolean') return fail(`${at}.tls`, 'must be true or false');
    if (serverName !== undefined && (typeof serverName !== 'string' || !HOST_NAME.test(serverName) || isIpv4(serverName)))
      return fail(`${at}.serverName`, 'must be a host name');
    if (serverName !== undefined && !tls) return fail(`${at}.serverName`, 'is only checked over TLS: set tls to true');
    parsed.push({ host, port, ...(tls ? { tls } : {}), ...(typeof serverName === 'string' ? { serverName } : {}) });
  }
  return { ok: true, value: parsed };
}

/** Validates an untrusted profile (from settings or a scenario); errors name the field. */
export function parseAcquirerProfile(input: unknown, path = 'profile'): Parsed<AcquirerProfile> {
  if (!isObject(input)) return fail(path, 'must be an object');
  const {
    id, name, dialect, hosts, tpdu, header = PROFILE_DEFAULTS.header, connectTimeoutMs = PROFILE_DEFAULTS.connectTimeoutMs, timeoutMs, retries,
    backoff = PROFILE_DEFAULTS.backoff, failbackMs = PROFILE_DEFAULTS.failbackMs, signOn = PROFILE_DEFAULTS.signOn, currency = PROFILE_DEFAULTS.currency,
    kcvLength, mac, macPadding = 1, legacySingleDes = false, responseCodes, ntpServers = PROFILE_DEFAULTS.ntpServers, card,
  } = input;
  if (typeof id !== 'string' || !/^[a-z0-9-]{1,32}$/.test(id)) return fail(`${path}.id`, 'must be 1–32 of a-z 0-9 -');
  if (typeof name !== 'string' || name.length < 1 || name.length > 64) return fail(`${path}.name`, 'must be 1–64 characters');
  if (typeof dialect !== 'string' || !dialectById(dialect)) return fail(`${path}.dialect`, `must name a dialect the firmware has (${Object.keys(DIALECTS).join(', ')})`);
  const parsedHosts = parseHosts(hosts, `${path}.hosts`);
  if (!parsedHosts.ok) return parsedHosts;
  if (typeof tpdu !== 'string' || !/^[0-9A-Fa-f]{10}$/.test(tpdu)) return fail(`${path}.tpdu`, 'must be 10 hex digits');
  if (typeof header !== 'string' || !/^[0-9A-Fa-f]{12}$/.test(header)) return fail(`${path}.header`, 'must be 12 hex digits');
  if (!isInt(connectTimeoutMs, 500, 60_000)) return fail(`${path}.connectTimeoutMs`, 'must be 500–60000');
  if (!isInt(timeoutMs, 1000, 120_000)) return fail(`${path}.timeoutMs`, 'must be 1000–120000');
  if (!isInt(retries, 0, 5)) return fail(`${path}.retries`, 'must be 0–5');
  if (!isObject(backoff)) return fail(`${path}.backoff`, 'must be {baseMs, capMs}');
  if (!isInt(backoff.baseMs, 10, 60_000)) return fail(`${path}.backoff.baseMs`, 'must be 10–60000');
  if (!isInt(backoff.capMs, backoff.baseMs, 600_000)) return fail(`${path}.backoff.capMs`, `must be ${backoff.baseMs}–600000 (at least baseMs)`);
  if (!isInt(failbackMs, 1000, 86_400_000)) return fail(`${path}.failbackMs`, 'must be 1000–86400000');
  if (!isObject(signOn)) return fail(`${path}.signOn`, 'must be {networkCode}');
  const { networkCode } = signOn;
  if (networkCode !== '001' && networkCode !== '003' && networkCode !== '004') return fail(`${path}.signOn.networkCode`, 'must be "001", "003" or "004"');
  if (typeof currency !== 'string' || !/^\d{3}$/.test(currency)) return fail(`${path}.currency`, 'must be 3 digits (ISO 4217 numeric)');
  if (kcvLength !== 3 && kcvLength !== 4) return fail(`${path}.kcvLength`, 'must be 3 or 4');
  if (mac !== 'cup-ecb' && mac !== 'x9.19') return fail(`${path}.mac`, 'must be "cup-ecb" or "x9.19"');
  if (macPadding !== 1 && macPadding !== 2) return fail(`${path}.macPadding`, 'must be 1 or 2');
  if (typeof legacySingleDes !== 'boolean') return fail(`${path}.legacySingleDes`, 'must be true or false');
  if (!Array.isArray(ntpServers) || ntpServers.length < 1 || ntpServers.length > 4) return fail(`${path}.ntpServers`, 'must list 1–4 SNTP servers');
  const badServer = ntpServers.findIndex((h: unknown) => typeof h !== 'string' || !HOST_NAME.test(h));
  if (badServer >= 0) return fail(`${path}.ntpServers[${badServer}]`, 'must be a host name or IPv4 address');
  const codes = parseResponseCodes(responseCodes);
  if (!codes.ok) return fail(codes.field ? `${path}.responseCodes.${codes.field}` : `${path}.responseCodes`, codes.reason);
  const cards = parseCardProfile(card, `${path}.card`);
  if (!cards.ok) return cards;
  return {
    ok: true,
    value: {
      id, name, dialect, hosts: parsedHosts.value, tpdu: tpdu.toUpperCase(), header: header.toUpperCase(), connectTimeoutMs, timeoutMs, retries,
      backoff: { baseMs: backoff.baseMs, capMs: backoff.capMs }, failbackMs, signOn: { networkCode }, currency,
      kcvLength, mac, macPadding, legacySingleDes, responseCodes: codes.value, ntpServers: [...(ntpServers as string[])], card: cards.value,
    },
  };
}
