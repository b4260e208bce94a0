/**
 * Probe durations come from the clock port's uptime: given a clock that a probe moves by a
 * known amount (busy work on the device, or the simulator's virtual clock advancing per probe),
 * the report shows exactly that amount for each probe, whether probes run one at a time or
 * several at once.
 */
import type { ClockPort, Ports, TimerToken } from '../../firmware/core/ports';
import { runSelfTest } from '../../firmware/core/selftest/runner';
import type { Probe } from '../../firmware/core/selftest/types';

/** A clock that moves only when told: `spend` is work done synchronously, `advance` fires timers. */
class StepClock implements ClockPort {
  uptime = 0;
  #wallAtStart = Date.UTC(2026, 0, 1);
  #timers: { due: number; callback: () => void; token: TimerToken }[] = [];
  uptimeMs(): number {
    return this.uptime;
  }
  wallMs(): number {
    return this.#wallAtStart + this.uptime;
  }
  setWallMs(ms: number): void {
    this.#wallAtStart = ms - this.uptime;
  }
  setTimer(delayMs: number, callback: () => void): TimerToken {
    const token = {} as TimerToken;
    this.#timers.push({ due: this.uptime + delayMs, callback, token });
    return token;
  }
  clearTimer(token: TimerToken): void {
    this.#timers = this.#timers.filter((t) => t.token !== token);
  }
  /** Synchronous work that takes `ms` (a digest, a known-answer test). */
  spend(ms: number): void {
    this.uptime += ms;
  }
  /** Fires due timers in order, letting promise jobs run after each. */
  async advance(ms: number): Promise<void> {
    const end = this.uptime + ms;
    for (;;) {
      const next = [...this.#timers].sort((a, b) => a.due - b.due)[0];
      if (!next || next.due > end) break;
      this.clearTimer(next.token);
      this.uptime = next.due;
      next.callback();
      for (let i = 0; i < 50; i++) await Promise.resolve();
    }
    this.uptime = end;
  }
}

const portsWith = (clock: ClockPort) => ({ clock }) as unknown as Ports;
const ok = { status: 'pass' as const, code: 'x.ok', detail: '' };

/** Busy for `ms`, with no await: done by the time `run` returns. */
const busy = (id: string, ms: number, clock: StepClock): Probe => ({
  id,
  family: 'system',
  timeoutMs: 60_000,
  async run() {
    clock.spend(ms);
    return ok;
  },
});

/** Waits `waitMs` on a timer, then is busy for `busyMs`. */
const waitsThenWorks = (id: string, waitMs: number, busyMs: number, clock: StepClock): Probe => ({
  id,
  family: 'device',
  timeoutMs: 60_000,
  async run() {
    await new Promise<void>((resolve) => clock.setTimer(waitMs, resolve));
    clock.spend(busyMs);
    return ok;
  },
});

describe('probe durations on the clock port', () => {
  const costs = [7, 130, 2, 45, 0, 301];

  test.each([1, 4])('busy probes, %i in flight: each shows its own cost, the run their sum', async (concurrency) => {
    const clock = new StepClock();
    clock.uptime = 5_000;
    const probes = costs.map((ms, i) => busy(`p${i}`, ms, clock));
    const report = await runSelfTest(portsWith(clock), probes, 'boot', 1, concurrency);
    expect(report.results.map((r) => r.durationMs)).toEqual(costs);
    expect(report.startedUptimeMs).toBe(5_000);
    expect(report.durationMs).toBe(costs.reduce((a, b) => a + b, 0));
  });

  test('probes that wait on timers overlap: each shows its wait plus its work', async () => {
    const clock = new StepClock();
    const probes = [waitsThenWorks('a', 1000, 30, clock), waitsThenWorks('b', 400, 5, clock), busy('c', 12, clock)];
    const running = runSelfTest(portsWith(clock), probes, 'boot', 1, 4);
    for (let i = 0; i < 50; i++) await Promise.resolve();
    // 'a' and 'b' armed their timers at uptime 0, before 'c' spent its 12 ms.
    await clock.advance(2000);
    const report = await running;
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r.durationMs]));
    expect(byId).toEqual({ a: 1030, b: 405, c: 12 });
  });

  test('a probe that never answers is timed to its timeout, not to when the run ended', async () => {
    const clock = new StepClock();
    const hang: Probe = { id: 'hang', family: 'network', timeoutMs: 2500, run: () => new Promise(() => undefined) };
    const running = runSelfTest(portsWith(clock), [hang, waitsThenWorks('late', 4000, 0, clock)], 'boot', 1, 4);
    for (let i = 0; i < 50; i++) await Promise.resolve();
    await clock.advance(5000);
    const report = await running;
    expect(report.results.map((r) => [r.code, r.durationMs])).toEqual([
      ['probe.timeout', 2500],
      ['x.ok', 4000],
    ]);
  });

  test('a probe that throws after spending time is timed to the throw', async () => {
    const clock = new StepClock();
    const throws: Probe = {
      id: 'boom',
      family: 'system',
      timeoutMs: 1000,
      async run() {
        clock.spend(40);
        throw new RangeError('bad');
      },
    };
    const report = await runSelfTest(portsWith(clock), [throws, busy('after', 9, clock)], 'boot', 1, 4);
    expect(report.results.map((r) => [r.code, r.durationMs])).toEqual([
      ['probe.crashed', 40],
      ['x.ok', 9],
    ]);
  });
});
