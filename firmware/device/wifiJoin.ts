/**
 * Joining Wi-Fi in the background: a state machine fed with the SDK `wifi` module's messages
 * ("connect", "gotIP", "lostIP", "disconnect") and driven by the clock port, so `main` never
 * waits for an access point and the link state is there for the network port to report.
 *
 *   joining ──gotIP──▶ up ──disconnect / lostIP──▶ waiting ──backoff timer──▶ joining
 *      └──disconnect / no address within attemptMs──▶ waiting
 *
 * Retries back off exponentially from `firstRetryMs`, capped at `maxRetryMs`; each attempt is
 * bounded by `attemptMs`. It never gives up for good: an access point that comes back hours
 * later is joined within `maxRetryMs` of its return, at the cost of one attempt per cap.
 *
 * On ESP32 the SDK already retries a failed association MODDEF_WIFI_ESP32_CONNECT_RETRIES (5)
 * times before it posts "disconnect" (modules/network/wifi/esp32/xs6wifi.c); one attempt here
 * is one `WiFi.connect` and those retries inside it. "disconnect" carries -1 when the
 * handshake failed (a wrong password, in practice).
 *
 * No Moddable import: the device's radio is `wifiRadio.ts`; tests feed a fake radio and clock.
 */
import type { ClockPort, TimerToken, TracePort } from '../core/ports';
import { errorText } from '../core/errorText';
import { deepFreeze } from '../core/freeze';

/** What the join gives the SDK: the `wifi` module's WiFiOptions. The password never reaches a trace. */
export interface WifiCredentials {
  readonly ssid: string;
  readonly password?: string;
}

/** The station interface: `WiFi.connect` / `WiFi.disconnect` / `Net.get("IP")` on the device. */
export interface WifiRadio {
  /** Starts one join; the outcome arrives later as messages. @throws when the SDK refuses it */
  connect(credentials: WifiCredentials): void;
  /** Abandons a join or leaves the network. */
  disconnect(): void;
  /** The station's address while it has one. */
  address(): string | undefined;
}

export interface WifiPolicy {
  /** Wait after the first failure; doubled after each further one. */
  readonly firstRetryMs: number;
  /** The longest wait between attempts. */
  readonly maxRetryMs: number;
  /** An attempt that has no address after this long is abandoned and counts as a failure. */
  readonly attemptMs: number;
}

/**
 * 30 s covers the SDK's five association retries (an all-channel scan each, about 2–3 s on
 * ESP32) and DHCP; 5 minutes bounds how long a terminal stays off line after its access point
 * returns.
 */
export const WIFI_POLICY: WifiPolicy = deepFreeze({ firstRetryMs: 2_000, maxRetryMs: 300_000, attemptMs: 30_000 });

/** The handshake failed (xs6wifi.c maps the 4-way-handshake reasons to -1). */
const REASON_HANDSHAKE = -1;

type State = 'idle' | 'joining' | 'up' | 'waiting';

export class WifiJoin {
  readonly #clock: ClockPort;
  readonly #radio: WifiRadio;
  readonly #trace: TracePort;
  readonly #policy: WifiPolicy;
  #credentials: WifiCredentials | undefined;
  #state: State = 'idle';
  #timer: TimerToken | undefined;
  /** Attempts since start, for the trace. */
  #attempts = 0;
  /** Failures since the link was last up: the backoff exponent. */
  #failures = 0;

  constructor(clock: ClockPort, radio: WifiRadio, trace: TracePort, policy: WifiPolicy = WIFI_POLICY) {
    this.#clock = clock;
    this.#radio = radio;
    this.#trace = trace;
    this.#policy = policy;
  }

  /** Begins joining; returns at once. A second call is ignored: one network per boot. */
  start(credentials: WifiCredentials): void {
    if (this.#credentials) return;
    this.#credentials = credentials;
    this.#attempt();
  }

  /** The link as the network port reports it: up only with an address. */
  link(): { up: boolean; address?: string } {
    if (this.#state !== 'up') return { up: false };
    const address = this.#radio.address();
    return address ? { up: true, address } : { up: false };
  }

  /** One message from the `wifi` module's callback; `reason` comes with "disconnect" on ESP32. */
  onMessage(message: string, reason?: number): void {
    switch (message) {
      case 'connect':
        if (this.#state === 'joining') this.#trace(`wifi: associated with "${this.#credentials?.ssid}"`);
        return;
      case 'gotIP':
        // Late answers count too: a station that has an address is on the network.
        if (this.#state === 'idle') return;
        this.#cancelTimer();
        this.#state = 'up';
        this.#failures = 0;
        this.#trace(`wifi: up, address ${this.#radio.address() ?? '(none yet)'} (attempt ${this.#attempts})`);
        return;
      case 'lostIP':
        if (this.#state === 'up') this.#fail('address lost');
        return;
      case 'disconnect':
        // In 'waiting' this is the echo of our own disconnect(): nothing new.
        if (this.#state === 'up' || this.#state === 'joining') this.#fail(reason === REASON_HANDSHAKE ? 'handshake failed (password?)' : 'no access point or connection lost');
        return;
      default:
      // "start", "station_connect" and the like say nothing about the station's link.
    }
  }

  #attempt() {
    const credentials = this.#credentials as WifiCredentials;
    this.#attempts += 1;
    this.#state = 'joining';
    this.#timer = this.#clock.setTimer(this.#policy.attemptMs, () => {
      this.#timer = undefined;
      this.#fail(`no address within ${this.#policy.attemptMs / 1000} s`);
    });
    this.#trace(`wifi: joining "${credentials.ssid}" (attempt ${this.#attempts})`);
    try {
      this.#radio.connect(credentials);
    } catch (error) {
      this.#fail(errorText(error));
    }
  }

  #fail(why: string) {
    this.#cancelTimer();
    // Stop whatever the radio is still trying before the next attempt starts afresh.
    if (this.#state === 'joining' || this.#state === 'up') this.#disconnect();
    this.#state = 'waiting';
    const delay = this.#backoff();
    this.#failures += 1;
    this.#trace(`wifi: down (${why}); retry in ${Math.round(delay / 1000)} s`);
    this.#timer = this.#clock.setTimer(delay, () => {
      this.#timer = undefined;
      this.#attempt();
    });
  }

  /** firstRetryMs × 2^failures, at most maxRetryMs; the loop stops at the cap, so no overflow. */
  #backoff(): number {
    let delay = this.#policy.firstRetryMs;
    for (let i = 0; i < this.#failures && delay < this.#policy.maxRetryMs; i++) delay *= 2;
    return Math.min(delay, this.#policy.maxRetryMs);
  }

  #disconnect() {
    try {
      this.#radio.disconnect();
    } catch (error) {
      this.#trace(`wifi: disconnect: ${errorText(error)}`);
    }
  }

  #cancelTimer() {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
