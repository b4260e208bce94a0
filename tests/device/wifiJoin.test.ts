/**
 * The background Wi-Fi join (firmware/device/wifiJoin.ts) against a fake station that answers
 * as the SDK's ESP32 `wifi` module does (modules/network/wifi/esp32/xs6wifi.c): "connect" on
 * association, "gotIP" with an address, "disconnect" (reason -1 for a failed handshake) when its
 * own retries are spent, and a "disconnect" echo of every WiFi.disconnect(). Time is virtual.
 */
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { WIFI_POLICY, WifiJoin, type WifiCredentials, type WifiRadio } from '../../firmware/device/wifiJoin';

const NETWORK: WifiCredentials = { ssid: 'shop-floor', password: 'correct horse battery' };
/** How long the fake takes to give up on a missing access point (five scans of about 3 s). */
const GIVE_UP_MS = 15_000;
const JOIN_MS = 1_500;

/** The access point as the station sees it: there, absent, rejecting the password, or silent. */
type Air = 'present' | 'absent' | 'wrong-password' | 'silent';

class FakeStation implements WifiRadio {
  air: Air = 'absent';
  connects: number[] = [];
  disconnects = 0;
  refuse: Error | undefined;
  #address: string | undefined;
  #join: WifiJoin | undefined;
  #pending: unknown[] = [];

  constructor(readonly clock: VirtualClock) {}

  attach(join: WifiJoin) {
    this.#join = join;
  }

  connect(credentials: WifiCredentials): void {
    if (this.refuse) throw this.refuse;
    expect(credentials).toEqual(NETWORK);
    this.connects.push(this.clock.uptimeMs());
    this.#cancel();
    if (this.air === 'present') {
      this.#later(JOIN_MS - 500, () => this.#join?.onMessage('connect'));
      this.#later(JOIN_MS, () => {
        this.#address = '192.168.7.23';
        this.#join?.onMessage('gotIP');
      });
    } else if (this.air === 'absent') this.#later(GIVE_UP_MS, () => this.#join?.onMessage('disconnect', 201));
    else if (this.air === 'wrong-password') this.#later(GIVE_UP_MS, () => this.#join?.onMessage('disconnect', -1));
  }

  disconnect(): void {
    this.disconnects += 1;
    this.#cancel();
    this.#address = undefined;
    // ESP-IDF posts STA_DISCONNECTED for a disconnect we asked for too.
    this.#later(10, () => this.#join?.onMessage('disconnect', 8));
  }

  address(): string | undefined {
    return this.#address;
  }

  /** The access point goes away while the station is on it. */
  lose() {
    this.air = 'absent';
    this.#address = undefined;
    this.#join?.onMessage('disconnect', 200);
  }

  #later(ms: number, then: () => void) {
    this.#pending.push(this.clock.setTimer(ms, then));
  }

  #cancel() {
    for (const token of this.#pending) this.clock.clearTimer(token as never);
    this.#pending = [];
  }
}

function setUp(air: Air) {
  const clock = new VirtualClock(Date.UTC(2026, 11, 1));
  const station = new FakeStation(clock);
  station.air = air;
  const lines: string[] = [];
  const join = new WifiJoin(clock, station, (line) => lines.push(line));
  station.attach(join);
  return { clock, station, join, lines };
}

/** Gaps between consecutive attempts. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

describe('Wi-Fi join in the background', () => {
  it('returns from start() at once with the link down: boot does not wait for a network', () => {
    const { join, station } = setUp('absent');
    join.start(NETWORK);
    expect(join.link()).toEqual({ up: false });
    expect(station.connects).toEqual([0]);
  });

  it('comes up with the station address once the access point answers', async () => {
    const { clock, join, lines } = setUp('present');
    join.start(NETWORK);
    await clock.advance(JOIN_MS - 1);
    expect(join.link()).toEqual({ up: false });
    await clock.advance(1);
    expect(join.link()).toEqual({ up: true, address: '192.168.7.23' });
    expect(lines).toEqual(['wifi: joining "shop-floor" (attempt 1)', 'wifi: associated with "shop-floor"', 'wifi: up, address 192.168.7.23 (attempt 1)']);
  });

  it('with no access point retries with doubling waits, capped at five minutes', async () => {
    const { clock, join, station } = setUp('absent');
    join.start(NETWORK);
    await clock.advance(60 * 60 * 1000);
    // Each attempt takes GIVE_UP_MS to fail, then waits 2, 4, 8 … 256 s, then 300 s for ever.
    const waits = [2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000 + GIVE_UP_MS);
    expect(gaps(station.connects).slice(0, waits.length)).toEqual(waits);
    expect(new Set(gaps(station.connects).slice(8))).toEqual(new Set([300_000 + GIVE_UP_MS]));
    expect(join.link()).toEqual({ up: false });
  });

  it('joins within the cap of the access point coming back, and starts the backoff afresh after', async () => {
    const { clock, join, station } = setUp('absent');
    join.start(NETWORK);
    await clock.advance(30 * 60 * 1000);
    station.air = 'present';
    const back = clock.uptimeMs();
    await clock.advance(WIFI_POLICY.maxRetryMs + GIVE_UP_MS + JOIN_MS);
    expect(join.link().up).toBe(true);
    station.lose();
    expect(join.link()).toEqual({ up: false });
    station.air = 'present';
    const before = station.connects.length;
    await clock.advance(WIFI_POLICY.firstRetryMs);
    expect(station.connects.length).toBe(before + 1);
    expect(station.connects.at(-2)).toBeGreaterThan(back);
    await clock.advance(JOIN_MS);
    expect(join.link()).toEqual({ up: true, address: '192.168.7.23' });
  });

  it('abandons a join that gets no address within the attempt bound', async () => {
    const { clock, join, station, lines } = setUp('silent');
    join.start(NETWORK);
    await clock.advance(WIFI_POLICY.attemptMs - 1);
    expect(station.disconnects).toBe(0);
    await clock.advance(1);
    expect(station.disconnects).toBe(1);
    expect(lines.at(-1)).toBe('wifi: down (no address within 30 s); retry in 2 s');
    // The echo of that disconnect is not a second failure: the next wait is still 2 s.
    await clock.advance(WIFI_POLICY.firstRetryMs);
    expect(station.connects).toEqual([0, WIFI_POLICY.attemptMs + WIFI_POLICY.firstRetryMs]);
  });

  it('says when the handshake failed, and never traces the password', async () => {
    const { clock, join, lines } = setUp('wrong-password');
    join.start(NETWORK);
    await clock.advance(GIVE_UP_MS);
    expect(lines.at(-1)).toBe('wifi: down (handshake failed (password?)); retry in 2 s');
    await clock.advance(10 * 60 * 1000);
    expect(lines.join('\n')).not.toContain(NETWORK.password);
  });

  it('retries when the SDK refuses the join outright', async () => {
    const { clock, join, station, lines } = setUp('present');
    station.refuse = new Error('esp_wifi_connect failed');
    join.start(NETWORK);
    expect(lines.at(-1)).toBe('wifi: down (esp_wifi_connect failed); retry in 2 s');
    station.refuse = undefined;
    await clock.advance(WIFI_POLICY.firstRetryMs + JOIN_MS);
    expect(join.link().up).toBe(true);
  });

  it('treats a lost address as a lost link', async () => {
    const { clock, join, station } = setUp('present');
    join.start(NETWORK);
    await clock.advance(JOIN_MS);
    join.onMessage('lostIP');
    expect(join.link()).toEqual({ up: false });
    expect(station.disconnects).toBe(1);
    await clock.advance(WIFI_POLICY.firstRetryMs + JOIN_MS);
    expect(join.link().up).toBe(true);
  });

  it('ignores messages that say nothing about the station, and a second start()', async () => {
    const { clock, join, station } = setUp('absent');
    join.onMessage('gotIP');
    expect(join.link()).toEqual({ up: false });
    join.start(NETWORK);
    join.start({ ssid: 'other' });
    join.onMessage('start');
    join.onMessage('station_connect');
    await clock.advance(GIVE_UP_MS - 1);
    expect(station.connects).toEqual([0]);
  });
});
