/**
 * The provisioned Wi-Fi network as read from settings: what the SDK can take is accepted, the
 * rest is refused with a code before it reaches WiFi.connect (which throws on an SSID over 32
 * bytes or a password over 64), and no reason ever quotes the password.
 */
import { SimSettings } from '../../host-sim/ports/simDevices';
import type { SettingValue } from '../../firmware/core/ports';
import { readWifiCredentials } from '../../firmware/device/wifiCredentials';

function stored(ssid?: SettingValue, password?: SettingValue) {
  const settings = new SimSettings();
  if (ssid !== undefined) settings.set('wifi', 'ssid', ssid);
  if (password !== undefined) settings.set('wifi', 'password', password);
  return readWifiCredentials(settings);
}

describe('Wi-Fi credentials from settings', () => {
  it('accepts a WPA passphrase, a 64-hex-digit PSK and an open network', () => {
    expect(stored('shop-floor', 'eight ch')).toEqual({ ok: true, value: { ssid: 'shop-floor', password: 'eight ch' } });
    const psk = 'a1'.repeat(32);
    expect(stored('shop-floor', psk)).toEqual({ ok: true, value: { ssid: 'shop-floor', password: psk } });
    expect(stored('shop-floor')).toEqual({ ok: true, value: { ssid: 'shop-floor' } });
    expect(stored('shop-floor', '')).toEqual({ ok: true, value: { ssid: 'shop-floor' } });
  });

  it('counts the SSID in UTF-8 bytes: 32 fit, 33 do not', () => {
    // '门' is 3 bytes in UTF-8 (E9 97 A8).
    expect(Buffer.byteLength('门'.repeat(10) + 'ab')).toBe(32);
    expect(stored('门'.repeat(10) + 'ab').ok).toBe(true);
    expect(stored('门'.repeat(11))).toMatchObject({ ok: false, code: 'wifi.bad-ssid' });
    expect(stored('x'.repeat(33))).toMatchObject({ ok: false, code: 'wifi.bad-ssid' });
  });

  it('says when no network is provisioned', () => {
    expect(stored()).toMatchObject({ ok: false, code: 'wifi.no-ssid' });
  });

  it.each([
    ['an empty SSID', '', undefined, 'wifi.bad-ssid'],
    ['a numeric SSID', 42, undefined, 'wifi.bad-ssid'],
    ['a byte SSID', new Uint8Array([0x41]), undefined, 'wifi.bad-ssid'],
    ['a 7-character passphrase', 'shop', 'seven c', 'wifi.bad-password'],
    ['a 64-character passphrase that is not hex', 'shop', 'g'.repeat(64), 'wifi.bad-password'],
    ['a 65-digit PSK', 'shop', 'a'.repeat(65), 'wifi.bad-password'],
    ['a passphrase with a control character', 'shop', 'password\n1', 'wifi.bad-password'],
    ['a non-ASCII passphrase', 'shop', 'pässwörter', 'wifi.bad-password'],
    ['a numeric password', 'shop', 12345678, 'wifi.bad-password'],
  ])('refuses %s', (_what, ssid, password, code) => {
    const read = stored(ssid, password);
    expect(read).toMatchObject({ ok: false, code });
    if (!read.ok && typeof password === 'string') expect(read.reason).not.toContain(password);
  });
});
