/**
 * Virtual time for the simulator: uptime and RTC move only when the scenario says so, timers
 * fire in due order (ties in the order they were set). Engine-neutral: the XS lane runs this
 * same code inside XS.
 */
import type { ClockPort, TimerToken } from '../../firmware/core/ports';

interface Pending {
  due: number;
  order: number;
  callback: () => void;
  token: TimerToken;
}

/** At most this many timers fire in one `advance` (a timer that re-arms itself at 0 ms would loop). */
const MAX_FIRES_PER_ADVANCE = 1_000_000;

export class VirtualClock implements ClockPort {
  #uptime = 0;
  #wallAtBoot: number;
  #order = 0;
  #pending: Pending[] = [];

  constructor(wallAtBootMs: number) {
    this.#wallAtBoot = wallAtBootMs;
  }

  uptimeMs(): number {
    return this.#uptime;
  }

  wallMs(): number {
    return this.#wallAtBoot + this.#uptime;
  }

  setTimer(delayMs: number, callback: () => void): TimerToken {
    const token = {} as TimerToken;
    this.#pending.push({ due: this.#uptime + Math.max(0, delayMs), order: this.#order++, callback, token });
    return token;
  }

  clearTimer(token: TimerToken): void {
    this.#pending = this.#pending.filter((p) => p.token !== token);
  }

  /** Power cycle: uptime restarts at 0, the RTC keeps running, every timer is gone. */
  reboot(): void {
    this.#wallAtBoot = this.wallMs();
    this.#uptime = 0;
    this.#pending = [];
  }

  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.#pending.length;
  }

  /**
   * Lets every pending promise job run, chains included, so that work a timer starts (a
   * periodic self-test) finishes before time moves on: one turn of the host's loop, which both
   * Node and xsnap take only once the job queue is empty (setImmediate). As on the device, where
   * timers fire from the event loop after promise jobs.
   */
  async settle(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.#uptime + ms;
    for (let fired = 0; fired < MAX_FIRES_PER_ADVANCE; fired++) {
      const next = this.#next();
      if (!next || next.due > end) break;
      this.#pending.splice(this.#pending.indexOf(next), 1);
      this.#uptime = next.due;
      next.callback();
      await this.settle();
    }
    this.#uptime = end;
    await this.settle();
  }

  #next(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.#pending) if (!best || p.due < best.due || (p.due === best.due && p.order < best.order)) best = p;
    return best;
  }
}
