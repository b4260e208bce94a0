/**
 * Starts the background Wi-Fi join on the SDK's `wifi` module (documentation/network/network.md,
 * "class WiFi"): station mode, one monitor whose callback feeds the join's state machine
 * (wifiJoin.ts), and `WiFi.connect` for every attempt. Returns at once, whatever the radio does.
 *
 * The simulator's `wifi` (modules/network/wifi/sim) plays the same messages on a 1 s timer:
 * "connect", then "gotIP"; a password of "invalid!" makes it answer "disconnect" instead, which
 * is how mcsim shows a network that cannot be joined. Its address is the host's.
 */
import Net from 'net';
import WiFi from 'wifi';
import type { ClockPort, SettingsPort, TracePort } from '../core/ports';
import { readWifiCredentials } from './wifiCredentials';
import { WifiJoin, type WifiCredentials, type WifiRadio } from './wifiJoin';

export function startWifi(clock: ClockPort, settings: SettingsPort, trace: TracePort): WifiJoin {
  let monitor: WiFi | undefined;
  const radio: WifiRadio = {
    connect(credentials: WifiCredentials) {
      if (!monitor) {
        WiFi.mode = WiFi.Mode.station;
        // Created without a network so that every attempt, the first included, is one WiFi.connect.
        monitor = new WiFi(undefined, (message: string, reason?: number) => join.onMessage(message, reason));
      }
      WiFi.connect(credentials.password ? { ssid: credentials.ssid, password: credentials.password } : { ssid: credentials.ssid });
    },
    disconnect() {
      WiFi.disconnect();
    },
    address() {
      const address: unknown = Net.get('IP');
      return typeof address === 'string' && address.length > 0 ? address : undefined;
    },
  };
  const join = new WifiJoin(clock, radio, trace);
  const credentials = readWifiCredentials(settings);
  if (credentials.ok) join.start(credentials.value);
  else trace(`wifi: not joining: ${credentials.code}: ${credentials.reason}`);
  return join;
}
