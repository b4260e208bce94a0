/**
 * The terminal's identity and settings, read from the settings port (domain "terminal").
 * Provisioning writes them; the configuration probe judges them.
 */
import type { SettingsPort } from '../ports';
import type { CborCodec } from '../store/cbor';
import { ConfigError, parseAcquirerProfile, type AcquirerProfile, type Parsed } from './acquirerProfile';
import type { Lang } from '../ui/strings';

export const SETTINGS_DOMAIN = 'terminal';


export interface TerminalConfig {
  /** ISO 8583 field 41: 8 characters. */
  terminalId: string;
  /** ISO 8583 field 42: 15 characters. */
  merchantId: string;
  profile: AcquirerProfile;
  lang: Lang;
}

/** The screen language; zh-CN unless the setting says "en". */
export function readLang(settings: SettingsPort): Lang {
  return settings.get(SETTINGS_DOMAIN, 'lang') === 'en' ? 'en' : 'zh';
}

/** The terminal ID as stored, if it is a string (for screens, even when invalid). */
export function readTerminalId(settings: SettingsPort): string | undefined {
  const tid = settings.get(SETTINGS_DOMAIN, 'tid');
  return typeof tid === 'string' ? tid : undefined;
}

/**
 * Reads and validates the whole configuration. The first problem found is returned, naming
 * its field: "tid", "mid", "profile" (missing) or "profile.<field>".
 */
export function readTerminalConfig(settings: SettingsPort, cbor: CborCodec): Parsed<TerminalConfig> {
  const tid = settings.get(SETTINGS_DOMAIN, 'tid');
  if (typeof tid !== 'string' || !/^[\x21-\x7e]{8}$/.test(tid))
    return { ok: false, error: new ConfigError('config-invalid', 'tid', 'terminal ID must be 8 printable characters') };
  const mid = settings.get(SETTINGS_DOMAIN, 'mid');
  if (typeof mid !== 'string' || !/^[\x21-\x7e]{15}$/.test(mid))
    return { ok: false, error: new ConfigError('config-invalid', 'mid', 'merchant ID must be 15 printable characters') };
  const stored = settings.get(SETTINGS_DOMAIN, 'profile');
  if (!(stored instanceof Uint8Array)) return { ok: false, error: new ConfigError('config-missing', 'profile', 'no acquirer profile provisioned') };
  let decoded: unknown;
  try {
    decoded = cbor.decode(stored);
  } catch {
    return { ok: false, error: new ConfigError('config-invalid', 'profile', 'stored profile is not valid CBOR') };
  }
  const profile = parseAcquirerProfile(decoded);
  if (!profile.ok) return profile;
  return { ok: true, value: { terminalId: tid, merchantId: mid, profile: profile.value, lang: readLang(settings) } };
}
