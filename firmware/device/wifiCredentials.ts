/**
 * The Wi-Fi network the terminal joins, from the settings port (NVS on the board): domain
 * "wifi", keys "ssid" and "password", written at provisioning. Not from the build's
 * `config.ssid`: the SDK's setup/network joins that one before `main` runs and waits for an
 * address, so a board without its access point would never start (firmware/device/README.md).
 *
 * Checked before use, because the SDK throws on what it cannot take and a stored value may be
 * anything: the SSID is 1–32 bytes (IEEE 802.11 SSID element), the password is absent or empty
 * (an open network), a WPA passphrase of 8–63 printable ASCII characters (IEEE 802.11i annex
 * H.4), or a 64-hex-digit PSK. Reasons name the fault, never the password.
 */
import type { SettingsPort } from '../core/ports';
import { utf8Length } from './utf8Length';
import type { WifiCredentials } from './wifiJoin';

export const WIFI_SETTINGS_DOMAIN = 'wifi';

export type WifiCredentialsRead =
  | { ok: true; value: WifiCredentials }
  | { ok: false; code: 'wifi.no-ssid' | 'wifi.bad-ssid' | 'wifi.bad-password'; reason: string };

const MAX_SSID_BYTES = 32;
const PASSPHRASE = /^[\x20-\x7e]{8,63}$/;
const PSK = /^[0-9A-Fa-f]{64}$/;

export function readWifiCredentials(settings: SettingsPort): WifiCredentialsRead {
  const ssid = settings.get(WIFI_SETTINGS_DOMAIN, 'ssid');
  const password = settings.get(WIFI_SETTINGS_DOMAIN, 'password');
  if (ssid === undefined) return { ok: false, code: 'wifi.no-ssid', reason: `no network provisioned (settings ${WIFI_SETTINGS_DOMAIN}.ssid)` };
  if (typeof ssid !== 'string' || ssid.length === 0 || utf8Length(ssid) > MAX_SSID_BYTES)
    return { ok: false, code: 'wifi.bad-ssid', reason: `${WIFI_SETTINGS_DOMAIN}.ssid must be a string of 1–${MAX_SSID_BYTES} bytes` };
  if (password === undefined || password === '') return { ok: true, value: { ssid } };
  if (typeof password !== 'string' || !(PASSPHRASE.test(password) || PSK.test(password)))
    return { ok: false, code: 'wifi.bad-password', reason: `${WIFI_SETTINGS_DOMAIN}.password must be 8–63 printable ASCII characters or 64 hex digits` };
  return { ok: true, value: { ssid, password } };
}
