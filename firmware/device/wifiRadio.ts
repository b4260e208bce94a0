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
import type { ClockPort, NetworkPort, SettingsPort, TracePort } from '../core/ports';
import { readWifiCredentials } from './wifiCredentials';
import { WifiJoin, type WifiCredentials, type WifiRadio } from './wifiJoin';

type Link = ReturnType<NetworkPort['link']>;

/** A board with no network provisioned: nothing joins, nothing is kept on the heap. */
function linkDown(): Link {
  return { up: false };
}

/** The station interface on the SDK. A class, so its code stays in flash with the preloaded module. */
class SdkStation implements WifiRadio {
  #monitor: WiFi | undefined;
  #join: WifiJoin | undefined;

  listen(join: WifiJoin) {
    this.#join = join;
  }

  connect(credentials: WifiCredentials): void {
    if (!this.#monitor) {
      WiFi.mode = WiFi.Mode.station;
      // Created without a network so that every attempt, the first included, is one WiFi.connect.
      this.#monitor = new WiFi(undefined, (message: string, reason?: number) => this.#join?.onMessage(message, reason));
    }
    WiFi.connect(credentials.password ? { ssid: credentials.ssid, password: credentials.password } : { ssid: credentials.ssid });
  }

  disconnect(): void {
    WiFi.disconnect();
  }

  address(): string | undefined {
    const address: unknown = Net.get('IP');
    return typeof address === 'string' && address.length > 0 ? address : undefined;
  }
}

/** Starts joining the provisioned network, if any; returns the link for the network port. */
export function startWifi(clock: ClockPort, settings: SettingsPort, trace: TracePort): () => Link {
  const credentials = readWifiCredentials(settings);
  if (!credentials.ok) {
    trace(`wifi: not joining: ${credentials.code}: ${credentials.reason}`);
    return linkDown;
  }
  const station = new SdkStation();
  const join = new WifiJoin(clock, station, trace);
  station.listen(join);
  join.start(credentials.value);
  return () => join.link();
}
