/**
 * The update's settings (settings port, domain "update"), provisioned like the terminal's own:
 * - url: the update server's base, "http(s)://host[:port]/path/" (update/httpGet.ts parses it);
 *   the terminal GETs {url}{board}/latest.seal and {url}{board}/{version}.bin;
 * - hour: the local hour (0–23) of the daily scheduled check, default 3 (local = UTC + the
 *   acquirer profile's card.utcOffsetMinutes, default 480);
 * - enabled: the scheduled check runs (a demand check always may), default true;
 * - root: the trust anchor (DER) of an https server; without it the acquirer's TLS anchor
 *   (runtime/acquirerLink.ts hostTrustAnchor) is used.
 */
import { deepFreeze } from '../freeze';
import type { SettingsPort } from '../ports';

export const UPDATE_SETTINGS = deepFreeze({
  domain: 'update',
  url: 'url',
  hour: 'hour',
  enabled: 'enabled',
  root: 'root',
  defaults: { hour: 3, enabled: true, utcOffsetMinutes: 480 },
} as const);

export interface UpdateSettings {
  /** The base URL as stored (unparsed), or undefined when none is provisioned. */
  readonly url: string | undefined;
  readonly hour: number;
  readonly enabled: boolean;
  readonly root: Uint8Array | undefined;
  /** Stored values of the wrong type or range, named for the trace (their defaults are used). */
  readonly problems: readonly string[];
}

export function readUpdateSettings(settings: SettingsPort): UpdateSettings {
  const { domain, defaults } = UPDATE_SETTINGS;
  const problems: string[] = [];
  const url = settings.get(domain, UPDATE_SETTINGS.url);
  const hour = settings.get(domain, UPDATE_SETTINGS.hour);
  const enabled = settings.get(domain, UPDATE_SETTINGS.enabled);
  const root = settings.get(domain, UPDATE_SETTINGS.root);
  if (url !== undefined && (typeof url !== 'string' || url === '')) problems.push('update.url is not text');
  const hourOk = typeof hour === 'number' && Number.isInteger(hour) && hour >= 0 && hour <= 23;
  if (hour !== undefined && !hourOk) problems.push('update.hour is not 0-23');
  if (enabled !== undefined && typeof enabled !== 'boolean') problems.push('update.enabled is not true/false');
  if (root !== undefined && !(root instanceof Uint8Array)) problems.push('update.root is not DER bytes');
  return {
    url: typeof url === 'string' && url !== '' ? url : undefined,
    hour: hourOk ? hour : defaults.hour,
    enabled: typeof enabled === 'boolean' ? enabled : defaults.enabled,
    root: root instanceof Uint8Array ? root : undefined,
    problems,
  };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Milliseconds from `wallMs` (UTC) to the next local `hour`:00 (local = UTC + offsetMinutes),
 * in (0, 24 h]: at the hour exactly, the next day's.
 */
export function msUntilLocalHour(wallMs: number, hour: number, offsetMinutes: number): number {
  const local = wallMs + offsetMinutes * 60_000;
  const intoDay = ((local % DAY_MS) + DAY_MS) % DAY_MS;
  const wait = (hour * HOUR_MS - intoDay + DAY_MS) % DAY_MS;
  return wait === 0 ? DAY_MS : wait;
}
