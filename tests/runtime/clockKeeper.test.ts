/**
 * The clock keeper (issue 10 item 5): the wall clock set from SNTP in the background at boot and
 * every 24 h, where the time came from, whether it can judge certificates, a jump traced and
 * recorded as evidence, servers that all fail recorded once, and nothing after stop().
 *
 * The keeper runs over host-sim's simulated SNTP servers (SimNetwork behind QueuedNetwork: the
 * scenario's true time on the world's time line, in whole seconds, as the device's SDK client
 * reads it) and the virtual clock. Expected times are written out as ISO literals and
 * Date.UTC values, not computed with the firmware's own formatter.
 */
import { CLOCK_RESYNC_MS, CLOCK_RETRY_MS, LINK_POLL } from '../../firmware/core/runtime/clockKeeper';
import { SNTP_ANSWER_MS } from '../../firmware/core/runtime/clockSync';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { BUILT, keeperWorld, RTC_1970, TRUE_MS, type Sntp } from './keeperWorld';

const MINUTE = 60_000;

/** The world's true time now, in whole seconds (what a server answers). */
const trueNow = (clock: VirtualClock) => Math.floor((TRUE_MS + clock.elapsedMs) / 1000) * 1000;

describe('the clock keeper over the simulated SNTP servers', () => {
  it('sets a 1970 RTC from the first server in the background at start, the next confirms it: trusted, source sntp, the jump traced and recorded', async () => {
    const w = keeperWorld({ rtcMs: RTC_1970, sntp: { trueMs: TRUE_MS, answers: true } });
    expect(w.keeper.trusted()).toBe(false);
    w.keeper.start();
    // start() does not wait for the answer.
    expect(w.clock.wallMs()).toBe(RTC_1970);
    expect(w.keeper.source()).toEqual({ kind: 'rtc' });
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS);
    expect(w.keeper.trusted()).toBe(true);
    expect(w.keeper.source()).toEqual({ kind: 'sntp', server: 'cn.pool.ntp.org', atUptimeMs: 0, stepMs: TRUE_MS - RTC_1970 });
    // One answer set the implausible RTC; the next server was asked to confirm it.
    expect(w.asked).toEqual(['cn.pool.ntp.org', 'pool.ntp.org']);
    expect(w.facts).toEqual([
      {
        kind: 'fact', code: 'clock.jump', status: 'info', uptimeMs: 0, wallMs: TRUE_MS,
        detail: 'from 1970-01-01T00:00:05Z to 2026-12-02T08:00:00Z via cn.pool.ntp.org, confirmed by pool.ntp.org',
      },
    ]);
    expect(w.traced).toContain(`clock jump: ${(TRUE_MS - RTC_1970) / 1000} s, from 1970-01-01T00:00:05Z to 2026-12-02T08:00:00Z via cn.pool.ntp.org, confirmed by pool.ntp.org`);
    expect(w.traced).toContain('clock confirmed by pool.ntp.org');
    expect(await w.keeper.whenTrusted(1000)).toBe(true);
  });

  it.each([
    ['4 min slow', -4 * MINUTE, undefined],
    ['6 min slow', -6 * MINUTE, 'from 2026-12-02T07:54:00Z to 2026-12-02T08:00:00Z via pool.ntp.org, agreeing with cn.pool.ntp.org'],
    ['4 min fast', 4 * MINUTE, undefined],
    ['6 min fast', 6 * MINUTE, 'from 2026-12-02T08:06:00Z to 2026-12-02T08:00:00Z via pool.ntp.org, agreeing with cn.pool.ntp.org'],
  ])('an RTC %s: set either way by one answer up to 5 minutes, beyond by two that agree (a jump)', async (_, offset, jump) => {
    const w = keeperWorld({ rtcMs: TRUE_MS + offset, sntp: { trueMs: TRUE_MS, answers: true } });
    w.keeper.start();
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS);
    expect(w.asked).toEqual(jump ? ['cn.pool.ntp.org', 'pool.ntp.org'] : ['cn.pool.ntp.org']);
    expect(w.keeper.source()).toEqual({ kind: 'sntp', server: jump ? 'pool.ntp.org' : 'cn.pool.ntp.org', atUptimeMs: 0, stepMs: -offset });
    expect(w.facts.map((f) => [f.code, f.detail])).toEqual(jump ? [['clock.jump', jump]] : []);
    expect(w.traced.some((l) => l.startsWith('clock jump'))).toBe(jump !== undefined);
  });

  it('asks again every 24 h of uptime', async () => {
    const w = keeperWorld({ rtcMs: TRUE_MS, sntp: { trueMs: TRUE_MS, answers: true } });
    w.keeper.start();
    await w.clock.settle();
    await w.clock.advance(CLOCK_RESYNC_MS - 1);
    expect(w.asked).toHaveLength(1);
    await w.clock.advance(1);
    expect(w.asked).toHaveLength(2);
    expect(w.keeper.source()).toEqual({ kind: 'sntp', server: 'cn.pool.ntp.org', atUptimeMs: CLOCK_RESYNC_MS, stepMs: 0 });
    await w.clock.advance(CLOCK_RESYNC_MS);
    expect(w.asked).toHaveLength(3);
    expect(w.facts).toEqual([]);
  });

  it('records clock.sntp-failed (warn) once when every server fails, retries after 1 h doubling to 24 h, and records again after a round that worked', async () => {
    const server = { trueMs: TRUE_MS, answers: false };
    const w = keeperWorld({ rtcMs: RTC_1970, sntp: server });
    w.keeper.start();
    await w.clock.settle();
    expect(w.facts).toEqual([
      {
        kind: 'fact', code: 'clock.sntp-failed', status: 'warn', uptimeMs: 0, wallMs: RTC_1970,
        detail: 'cn.pool.ntp.org: no response from SNTP server; pool.ntp.org: no response from SNTP server',
      },
    ]);
    expect(w.traced).toEqual(['clock not set: cn.pool.ntp.org: no response from SNTP server; pool.ntp.org: no response from SNTP server']);
    expect(w.keeper.trusted()).toBe(false);
    expect(w.keeper.source()).toEqual({ kind: 'rtc' });
    // Nothing under way: an untrusted clock is answered at once, no time passes.
    expect(await w.keeper.whenTrusted(10_000)).toBe(false);
    expect(w.clock.uptimeMs()).toBe(0);
    // Rounds after 1 h, then 2, 4, 8, 16 h, then every 24 h: two servers asked in each.
    const rounds = () => w.asked.length / 2;
    for (const [hours, expected] of [[1, 2], [2, 3], [4, 4], [8, 5], [16, 6], [24, 7], [24, 8]]) {
      await w.clock.advance(hours * CLOCK_RETRY_MS - 1);
      expect(rounds()).toBe(expected - 1);
      await w.clock.advance(1);
      expect(rounds()).toBe(expected);
    }
    expect(w.facts).toHaveLength(1);
    // The servers come back: the next round (24 h on) sets the clock (a jump from 1970).
    server.answers = true;
    await w.clock.advance(CLOCK_RESYNC_MS);
    expect(w.clock.wallMs()).toBe(trueNow(w.clock));
    expect(w.facts.map((f) => `${f.code}:${f.status}`)).toEqual(['clock.sntp-failed:warn', 'clock.jump:info']);
    // A failure after a round that worked is recorded again (one per run of failures), and retried 1 h later again.
    server.answers = false;
    await w.clock.advance(CLOCK_RESYNC_MS);
    expect(w.facts.map((f) => f.code)).toEqual(['clock.sntp-failed', 'clock.jump', 'clock.sntp-failed']);
    const before = rounds();
    await w.clock.advance(CLOCK_RETRY_MS);
    expect(rounds()).toBe(before + 1);
    // Set from SNTP this boot: still trusted.
    expect(w.keeper.trusted()).toBe(true);
  });

  it('trusts a plausible RTC without any answer, by the RTC probe\'s bounds (not before the build, not 15 years after)', () => {
    const at = (rtcMs: number) => keeperWorld({ rtcMs, noSntp: true }).keeper.trusted();
    expect(at(BUILT)).toBe(true);
    expect(at(BUILT + 14 * 365 * 24 * 3600 * 1000)).toBe(true);
    expect(at(BUILT - 1000)).toBe(false);
    expect(at(Date.UTC(2042, 0, 1))).toBe(false);
    expect(at(RTC_1970)).toBe(false);
  });

  it('whenTrusted waits for a round under way, up to its bound on the clock', async () => {
    // A server that answers after 3 s (SDK retries), another after 20 s.
    const slow = (delayMs: number) => (clock: VirtualClock): Sntp => (_host, callback) => void clock.setTimer(delayMs, () => callback(TRUE_MS, 'answered'));
    const fast = keeperWorld({ rtcMs: RTC_1970, answer: slow(3_000) });
    fast.keeper.start();
    const quick = fast.keeper.whenTrusted(10_000);
    await fast.clock.advance(10_000);
    await expect(quick).resolves.toBe(true);
    expect(fast.keeper.source()).toMatchObject({ kind: 'sntp', atUptimeMs: 3_000 });

    const late = keeperWorld({ rtcMs: RTC_1970, answer: slow(20_000) });
    late.keeper.start();
    let answered: boolean | undefined;
    void late.keeper.whenTrusted(10_000).then((t) => (answered = t));
    await late.clock.advance(9_999);
    expect(answered).toBeUndefined();
    await late.clock.advance(1);
    expect(answered).toBe(false);
    await late.clock.advance(10_000);
    expect(late.keeper.trusted()).toBe(true);
  });

  it('waits for a link that is down at start (Wi-Fi joining), then asks', async () => {
    const w = keeperWorld({ rtcMs: RTC_1970, linkUp: false, sntp: { trueMs: TRUE_MS, answers: true } });
    w.keeper.start();
    await w.clock.settle();
    expect(w.asked).toEqual([]);
    expect(w.traced).toEqual(['clock: SNTP waits for the link']);
    // While the link may still come up, the clock checks wait for it (within their bound).
    let answered: boolean | undefined;
    void w.keeper.whenTrusted(10_000).then((t) => (answered = t));
    w.sim.setLink(true);
    await w.clock.advance(LINK_POLL.firstMs);
    expect(w.asked).toEqual(['cn.pool.ntp.org', 'pool.ntp.org']);
    expect(answered).toBe(true);
    expect(w.clock.wallMs()).toBe(trueNow(w.clock));
    // A link down is no failure of the servers.
    expect(w.facts.map((f) => f.code)).toEqual(['clock.jump']);
  });

  it('is refused quietly on a board without SNTP: the RTC kept, no timer, no fact', async () => {
    const w = keeperWorld({ rtcMs: RTC_1970, noSntp: true });
    w.keeper.start();
    await w.clock.settle();
    expect(w.traced).toEqual(['clock: no SNTP on this board, the RTC is kept as it is']);
    expect(w.clock.pendingTimers).toBe(0);
    expect(w.facts).toEqual([]);
    expect(await w.keeper.whenTrusted(10_000)).toBe(false);
  });

  it('the set-clock step\'s sync() joins a round under way, and sets the source', async () => {
    const w = keeperWorld({ rtcMs: RTC_1970, sntp: { trueMs: TRUE_MS, answers: true } });
    w.keeper.start();
    const joined = w.keeper.sync(['pool.ntp.org']);
    await w.clock.settle();
    await expect(joined).resolves.toMatchObject({ kind: 'set', server: 'cn.pool.ntp.org' });
    expect(w.asked).toEqual(['cn.pool.ntp.org', 'pool.ntp.org']);
    const again = w.keeper.sync(['pool.ntp.org']);
    await w.clock.settle();
    await expect(again).resolves.toMatchObject({ kind: 'set', server: 'pool.ntp.org', stepMs: 0 });
    expect(w.keeper.source()).toMatchObject({ kind: 'sntp', server: 'pool.ntp.org' });
  });
});

describe('nothing after stop()', () => {
  it('a round under way is cancelled: no timer left, a late answer sets nothing, nothing recorded or traced', async () => {
    const callbacks: ((wallMs: number | undefined, detail: string) => void)[] = [];
    const w = keeperWorld({ rtcMs: RTC_1970, answer: () => (_host, callback) => void callbacks.push(callback) });
    w.keeper.start();
    const waiting = w.keeper.whenTrusted(10_000);
    expect(w.clock.pendingTimers).toBe(2); // the server's guard and the waiter's bound
    w.stop();
    expect(w.clock.pendingTimers).toBe(0);
    await expect(waiting).resolves.toBe(false);
    callbacks[0](TRUE_MS, 'answered');
    await w.clock.advance(SNTP_ANSWER_MS + 3 * CLOCK_RESYNC_MS);
    expect(w.clock.wallMs()).toBe(RTC_1970 + SNTP_ANSWER_MS + 3 * CLOCK_RESYNC_MS);
    expect(w.asked).toEqual(['cn.pool.ntp.org']);
    expect(w.facts).toEqual([]);
    expect(w.traced).toEqual([]);
    expect(w.keeper.source()).toEqual({ kind: 'rtc' });
    await expect(w.keeper.sync()).resolves.toEqual({ kind: 'failed', detail: 'stopped' });
    expect(await w.keeper.whenTrusted(1000)).toBe(false);
    w.keeper.start();
    expect(w.clock.pendingTimers).toBe(0);
  });

  it('the 24 h timer and the link poll are cleared', async () => {
    const set = keeperWorld({ rtcMs: TRUE_MS, sntp: { trueMs: TRUE_MS, answers: true } });
    set.keeper.start();
    await set.clock.settle();
    expect(set.clock.pendingTimers).toBe(1);
    set.stop();
    expect(set.clock.pendingTimers).toBe(0);
    await set.clock.advance(2 * CLOCK_RESYNC_MS);
    expect(set.asked).toHaveLength(1);

    const down = keeperWorld({ rtcMs: TRUE_MS, linkUp: false, sntp: { trueMs: TRUE_MS, answers: true } });
    down.keeper.start();
    expect(down.clock.pendingTimers).toBe(1);
    down.stop();
    down.sim.setLink(true);
    await down.clock.advance(LINK_POLL.maxMs);
    expect(down.asked).toEqual([]);
    expect(down.clock.pendingTimers).toBe(0);
  });
});
