/**
 * The clock port on Moddable's `timer` and `time`.
 *
 * Uptime: `Time.ticks` is a signed 32-bit millisecond counter on ESP32 (it wraps after 24.8
 * days) and the host's wall clock on the simulator (it can be set back). Neither is a
 * monotonic uptime by itself, so uptime is summed from `Time.delta` steps, negative steps are
 * dropped, and a watch timer takes a step at least every hour so no step can wrap.
 *
 * RTC: `Date.now()`. On ESP32 it counts from 1970 until `Time.set` corrects it (the set-clock
 * step, from SNTP); the RTC probe judges it, this adapter reports it as it is.
 */
import Time from 'time';
import Timer from 'timer';
import type { ClockPort, TimerToken } from '../core/ports';

/** Longest single `Timer.set`: well inside the 32-bit signed milliseconds the ESP32 timer takes. */
const MAX_TIMER_MS = 0x3fffffff;
/** Uptime is sampled at least this often, far below the 2^31 ms at which a tick delta would wrap. */
const WATCH_MS = 3600 * 1000;

/** What `setTimer` hands out: only this clock reads it. */
class DeviceTimer {
  timer: Timer | undefined;
  constructor(
    readonly dueMs: number,
    readonly callback: () => void,
  ) {}
}

export class DeviceClock implements ClockPort {
  #uptime = 0;
  #lastTicks = Time.ticks;

  constructor() {
    Timer.repeat(() => void this.uptimeMs(), WATCH_MS);
  }

  uptimeMs(): number {
    const now = Time.ticks;
    const step = Time.delta(this.#lastTicks, now);
    this.#lastTicks = now;
    if (step > 0) this.#uptime += step;
    return this.#uptime;
  }

  wallMs(): number {
    return Date.now();
  }

  /** `Time.set` takes whole seconds (xs/platforms/esp/xsHost.c modSetTime: settimeofday); the simulator's is a no-op. Uptime runs on ticks, which it leaves alone. */
  setWallMs(ms: number): void {
    Time.set(Math.round(ms / 1000));
  }

  setTimer(delayMs: number, callback: () => void): TimerToken {
    const token = new DeviceTimer(this.uptimeMs() + Math.max(0, delayMs), callback);
    this.#arm(token);
    return token as unknown as TimerToken;
  }

  clearTimer(token: TimerToken): void {
    const timer = token as unknown;
    if (!(timer instanceof DeviceTimer) || timer.timer === undefined) return;
    Timer.clear(timer.timer);
    timer.timer = undefined;
  }

  /** Long delays are served in slices; each slice re-checks uptime, so a timer never fires early. */
  #arm(token: DeviceTimer) {
    const remaining = Math.max(0, token.dueMs - this.uptimeMs());
    token.timer = Timer.set(() => {
      token.timer = undefined;
      if (token.dueMs > this.uptimeMs()) this.#arm(token);
      else token.callback();
    }, Math.min(remaining, MAX_TIMER_MS));
  }
}
