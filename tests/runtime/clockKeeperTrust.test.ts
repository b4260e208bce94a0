/**
 * How far one SNTP answer may move the clock, and the dates judged again after a jump (issue 10
 * item 5, review): the device's SDK client checks neither the reply's source nor its originate
 * timestamp, so any host on the LAN can answer in a server's name.
 *
 * - A plausible RTC is stepped by more than 5 minutes only when a second server agrees (within
 *   a few seconds); a lone far answer, or servers that disagree, leave the RTC as it is, traced
 *   and recorded as clock.sntp-failed (warn). Small corrections take one answer.
 * - A 1970 RTC is set from the first answer (nothing better to go on) and the next servers are
 *   asked to confirm it; the jump's evidence says whether they did; two that agree on another
 *   time step it again.
 * - After the keeper steps the clock, a self-test whose date probes failed or warned (or passed
 *   by a clock a day or more off) runs again once the terminal is ready or in fault and idle.
 *
 * Servers are host-sim's simulated SNTP (SimNetwork, `offsetsMs` for a wrong or forged one)
 * over the virtual clock; whole terminals are host-sim worlds with the shipped certificate
 * fixtures, whose dates are read with node:crypto's X509Certificate. Expected texts are written
 * out as literals.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOCK_RETRY_MS, DATE_PROBES, REJUDGE_POLL_MS, REJUDGE_TRIES } from '../../firmware/core/runtime/clockKeeper';
import { standardProbes } from '../../firmware/core/selftest/plan';
import type { ProbeResult, SelfTestReport } from '../../firmware/core/selftest/types';
import type { TerminalState } from '../../firmware/core/runtime/states';
import { createCborCodec } from '../../firmware/core/store/cbor';
import type { KeyStore } from '../../firmware/core/security/keyStore';
import { keeperWorld, NTP_DNS, RTC_1970, TRUE_MS, type FakeTerminal } from './keeperWorld';
import { drive } from '../../host-sim/scenario/hostSteps';
import { SCENARIO_DIR } from '../../host-sim/scenario/load';
import type { NodeWorld } from '../../host-sim/world';
import { bootTerminal } from './world';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('a plausible RTC is not stepped far by one answer', () => {
  it('a lone server 3 h off (the other silent): the RTC kept, traced, clock.sntp-failed (warn) saying why; still trusted', async () => {
    const w = keeperWorld({ rtcMs: TRUE_MS, sntp: { trueMs: TRUE_MS, answers: true, offsetsMs: { 'cn.pool.ntp.org': 3 * HOUR } }, unreachable: ['pool.ntp.org'] });
    w.keeper.start();
    await w.clock.settle();
    expect(w.asked).toEqual(['cn.pool.ntp.org', 'pool.ntp.org']);
    expect(w.clock.wallMs()).toBe(TRUE_MS);
    expect(w.keeper.source()).toEqual({ kind: 'rtc' });
    expect(w.keeper.trusted()).toBe(true);
    const why = 'cn.pool.ntp.org would step the RTC +3 h, no second server agrees (pool.ntp.org: no response from SNTP server); RTC kept';
    expect(w.facts).toEqual([{ kind: 'fact', code: 'clock.sntp-failed', status: 'warn', detail: why, uptimeMs: 0, wallMs: TRUE_MS }]);
    expect(w.traced).toEqual(['clock: cn.pool.ntp.org would step the RTC +3 h, not taken without a second server', `clock not set: ${why}`]);
    // Asked again an hour later, as after any failed round.
    await w.clock.advance(CLOCK_RETRY_MS);
    expect(w.asked).toHaveLength(4);
  });

  it('a forged step backwards (10 days, to make an expired certificate look valid) with a one-server profile is refused', async () => {
    const w = keeperWorld({ rtcMs: TRUE_MS, servers: ['cn.pool.ntp.org'], sntp: { trueMs: TRUE_MS, answers: true, offsetsMs: { 'cn.pool.ntp.org': -10 * DAY } } });
    w.keeper.start();
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS);
    expect(w.facts.map((f) => f.detail)).toEqual(['cn.pool.ntp.org would step the RTC -10 d, no second server agrees; RTC kept']);
  });

  it('two servers far off that disagree with each other: the RTC kept', async () => {
    const w = keeperWorld({ rtcMs: TRUE_MS, sntp: { trueMs: TRUE_MS, answers: true, offsetsMs: { 'cn.pool.ntp.org': 3 * HOUR, 'pool.ntp.org': -2 * DAY } } });
    w.keeper.start();
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS);
    expect(w.facts.map((f) => f.detail)).toEqual(['no two servers agree: cn.pool.ntp.org +3 h, pool.ntp.org -2 d; RTC kept']);
  });

  it('a forged first answer and an honest second near the RTC: the second is taken (a small step), no failure', async () => {
    const w = keeperWorld({ rtcMs: TRUE_MS - 90_000, sntp: { trueMs: TRUE_MS, answers: true, offsetsMs: { 'cn.pool.ntp.org': -5 * DAY } } });
    w.keeper.start();
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS);
    expect(w.keeper.source()).toEqual({ kind: 'sntp', server: 'pool.ntp.org', atUptimeMs: 0, stepMs: 90_000 });
    expect(w.facts).toEqual([]);
  });

  it('an RTC 3 h slow, two servers that agree within seconds: stepped, the jump says both', async () => {
    // The second answers 2 s apart from the first (whole seconds, a slow path): still agreement.
    const w = keeperWorld({ rtcMs: TRUE_MS - 3 * HOUR, sntp: { trueMs: TRUE_MS, answers: true, offsetsMs: { 'pool.ntp.org': 2_000 } } });
    w.keeper.start();
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS + 2_000);
    expect(w.keeper.source()).toEqual({ kind: 'sntp', server: 'pool.ntp.org', atUptimeMs: 0, stepMs: 3 * HOUR + 2_000 });
    expect(w.facts.map((f) => `${f.code}:${f.detail}`)).toEqual([
      'clock.jump:from 2026-12-02T05:00:00Z to 2026-12-02T08:00:02Z via pool.ntp.org, agreeing with cn.pool.ntp.org',
    ]);
  });

  it('answers 10 s apart do not agree', async () => {
    const w = keeperWorld({ rtcMs: TRUE_MS - 3 * HOUR, sntp: { trueMs: TRUE_MS, answers: true, offsetsMs: { 'pool.ntp.org': 10_000 } } });
    w.keeper.start();
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS - 3 * HOUR);
    expect(w.facts.map((f) => f.detail)).toEqual(['no two servers agree: cn.pool.ntp.org +3 h, pool.ntp.org +3 h; RTC kept']);
  });
});

describe('a 1970 RTC: one answer sets it, the next servers confirm', () => {
  it('the second server silent: set all the same, the jump says not confirmed and why; no failure recorded', async () => {
    const w = keeperWorld({ rtcMs: RTC_1970, sntp: { trueMs: TRUE_MS, answers: true }, unreachable: ['pool.ntp.org'] });
    w.keeper.start();
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS);
    expect(w.keeper.source()).toEqual({ kind: 'sntp', server: 'cn.pool.ntp.org', atUptimeMs: 0, stepMs: TRUE_MS - RTC_1970 });
    expect(w.facts.map((f) => `${f.code}:${f.detail}`)).toEqual([
      'clock.jump:from 1970-01-01T00:00:05Z to 2026-12-02T08:00:00Z via cn.pool.ntp.org, not confirmed (no other answer)',
    ]);
    expect(w.traced).toContain('clock not confirmed: pool.ntp.org: no response from SNTP server');
  });

  it('a forged first answer, the honest second disagrees: the RTC keeps the first (nothing better), clock.sntp-failed says so', async () => {
    const w = keeperWorld({ rtcMs: RTC_1970, sntp: { trueMs: TRUE_MS, answers: true, offsetsMs: { 'cn.pool.ntp.org': 3 * HOUR } } });
    w.keeper.start();
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS + 3 * HOUR);
    expect(w.facts.map((f) => `${f.code}:${f.status}:${f.detail}`)).toEqual([
      'clock.jump:info:from 1970-01-01T00:00:05Z to 2026-12-02T11:00:00Z via cn.pool.ntp.org, not confirmed',
      'clock.sntp-failed:warn:time from cn.pool.ntp.org not confirmed: pool.ntp.org would step the RTC -3 h, no second server agrees; RTC kept',
    ]);
    expect(w.traced).toContain('clock not confirmed: pool.ntp.org would step the RTC -3 h, no second server agrees; RTC kept');
  });

  it('a forged first answer, two honest servers after it agree: stepped again to their time', async () => {
    const w = keeperWorld({
      rtcMs: RTC_1970,
      servers: ['cn.pool.ntp.org', 'pool.ntp.org', 'ntp.acquirer.example'],
      sntp: { trueMs: TRUE_MS, answers: true, offsetsMs: { 'cn.pool.ntp.org': 3 * HOUR } },
    });
    w.keeper.start();
    await w.clock.settle();
    expect(w.clock.wallMs()).toBe(TRUE_MS);
    expect(w.keeper.source()).toEqual({ kind: 'sntp', server: 'ntp.acquirer.example', atUptimeMs: 0, stepMs: -3 * HOUR });
    expect(w.facts.map((f) => `${f.code}:${f.detail}`)).toEqual([
      'clock.jump:from 1970-01-01T00:00:05Z to 2026-12-02T11:00:00Z via cn.pool.ntp.org, contradicted by two others',
      'clock.jump:from 2026-12-02T11:00:00Z to 2026-12-02T08:00:00Z via ntp.acquirer.example, agreeing with pool.ntp.org',
    ]);
  });

  it('a one-server profile: set, and the jump says there was no other server to ask', async () => {
    const w = keeperWorld({ rtcMs: RTC_1970, servers: ['pool.ntp.org'], sntp: { trueMs: TRUE_MS, answers: true } });
    w.keeper.start();
    await w.clock.settle();
    expect(w.asked).toEqual(['pool.ntp.org']);
    expect(w.facts.map((f) => f.detail)).toEqual(['from 1970-01-01T00:00:05Z to 2026-12-02T08:00:00Z via pool.ntp.org, not confirmed: no other server to ask']);
  });

  it('the clock checks wait for the first answer only; the set-clock step meanwhile gets it at once; stop() ends the confirmation quietly', async () => {
    // The first server answers after 2 s, the second after 20 s.
    const w = keeperWorld({
      rtcMs: RTC_1970,
      answer: (clock) => (host, callback) => void clock.setTimer(host === 'cn.pool.ntp.org' ? 2_000 : 20_000, () => callback(TRUE_MS, 'answered')),
    });
    w.keeper.start();
    let trusted: boolean | undefined;
    void w.keeper.whenTrusted(10_000).then((t) => (trusted = t));
    await w.clock.advance(2_000);
    expect(trusted).toBe(true);
    expect(w.asked).toEqual(['cn.pool.ntp.org', 'pool.ntp.org']);
    await expect(w.keeper.sync()).resolves.toMatchObject({ kind: 'set', server: 'cn.pool.ntp.org', alone: true });
    expect(w.asked).toHaveLength(2);
    expect(w.facts).toEqual([]);
    w.stop();
    await w.clock.advance(60_000);
    expect(w.facts).toEqual([]);
    expect(w.clock.pendingTimers).toBe(0);
  });
});

describe('the date probes judged again after the keeper steps the clock', () => {
  const result = (id: string, status: ProbeResult['status']): ProbeResult => ({ id, family: 'system', status, code: `${id}.x`, detail: '', durationMs: 0 });
  const report = (seq: number, results: ProbeResult[]): SelfTestReport => ({
    seq, trigger: 'boot', startedUptimeMs: 0, startedWallMs: RTC_1970, durationMs: 0, results,
    verdict: results.some((r) => r.status === 'fail') ? 'fail' : results.some((r) => r.status === 'warn') ? 'warn' : 'pass',
  });
  const terminal = (state: TerminalState, last: SelfTestReport | undefined): FakeTerminal => ({ state, report: last, busy: false, acting: false, runs: [] });
  /** A world whose servers answer only from 1 h on: the keeper's retry round steps the clock then. */
  const later = { trueMs: TRUE_MS, answers: true, answersFromMs: CLOCK_RETRY_MS };

  it('are the probes actions.ts judges again after set-clock: the RTC probe and those that run after it', () => {
    const plan = standardProbes({ log: 'not opened', cbor: createCborCodec(), keys: {} as KeyStore, host: () => ({}) });
    const judges = plan.filter((p) => p.id === 'system.rtc' || (p.after ?? []).includes('system.rtc')).map((p) => p.id);
    expect([...DATE_PROBES].sort()).toEqual(judges.sort());
  });

  it('a terminal in fault on the clock: a self-test runs (periodic) as soon as the keeper sets it', async () => {
    const t = terminal('fault', report(4, [result('system.rtc', 'fail'), result('auth.certificate', 'warn'), result('system.flash', 'pass')]));
    const w = keeperWorld({ rtcMs: RTC_1970, sntp: later, terminal: t });
    w.keeper.start();
    await w.clock.settle();
    expect(t.runs).toEqual([]);
    await w.clock.advance(CLOCK_RETRY_MS);
    expect(t.runs).toEqual(['periodic']);
    expect(w.traced).toContain('clock: stepped 1796198395 s since self-test #4 judged system.rtc, auth.certificate: self-test again');
  });

  it('waits while a sale or an action is under way, and gives up after REJUDGE_TRIES looks', async () => {
    const t = terminal('ready', report(2, [result('auth.certificate', 'fail')]));
    t.busy = true;
    const w = keeperWorld({ rtcMs: TRUE_MS + 3 * HOUR, sntp: later, terminal: t });
    w.keeper.start();
    await w.clock.settle();
    await w.clock.advance(CLOCK_RETRY_MS);
    expect(w.clock.wallMs()).toBe(TRUE_MS + CLOCK_RETRY_MS);
    await w.clock.advance(REJUDGE_POLL_MS);
    expect(t.runs).toEqual([]);
    t.busy = false;
    t.acting = true;
    await w.clock.advance(REJUDGE_POLL_MS);
    expect(t.runs).toEqual([]);
    t.acting = false;
    await w.clock.advance(REJUDGE_POLL_MS);
    expect(t.runs).toEqual(['periodic']);

    // Busy throughout: REJUDGE_TRIES looks, then the periodic self-test is left to judge.
    const u = terminal('ready', report(2, [result('auth.certificate', 'fail')]));
    u.busy = true;
    const v = keeperWorld({ rtcMs: TRUE_MS + 3 * HOUR, sntp: later, terminal: u });
    v.keeper.start();
    await v.clock.settle();
    await v.clock.advance(CLOCK_RETRY_MS + (REJUDGE_TRIES + 5) * REJUDGE_POLL_MS);
    expect(u.runs).toEqual([]);
    expect(v.traced).toContain('clock: dates not judged again, the terminal stayed busy (the periodic self-test will)');
  });

  it('a self-test under way at the step: its report is the one looked at once it ends', async () => {
    const t = terminal('selftest', report(7, [result('system.rtc', 'pass')]));
    const w = keeperWorld({ rtcMs: TRUE_MS + 3 * HOUR, sntp: later, terminal: t });
    w.keeper.start();
    await w.clock.settle();
    await w.clock.advance(CLOCK_RETRY_MS);
    await w.clock.advance(REJUDGE_POLL_MS);
    expect(t.runs).toEqual([]);
    // It ends judging the certificate expired by the clock it read before the step.
    t.state = 'fault';
    t.report = report(8, [result('system.rtc', 'pass'), result('auth.certificate', 'fail')]);
    await w.clock.advance(REJUDGE_POLL_MS);
    expect(t.runs).toEqual(['periodic']);
  });

  it('nothing runs when the last report judged every date well by a clock less than a day off, or a report came since, or for the set-clock step', async () => {
    const passed = terminal('ready', report(3, [result('system.rtc', 'pass'), result('auth.certificate', 'pass')]));
    const small = keeperWorld({ rtcMs: TRUE_MS + 3 * HOUR, sntp: later, terminal: passed });
    small.keeper.start();
    await small.clock.settle();
    await small.clock.advance(CLOCK_RETRY_MS + 2 * REJUDGE_POLL_MS);
    expect(small.clock.wallMs()).toBe(TRUE_MS + CLOCK_RETRY_MS + 2 * REJUDGE_POLL_MS);
    expect(passed.runs).toEqual([]);

    // The same passing report by a clock two days off: judged again.
    const far = terminal('ready', report(3, [result('system.rtc', 'pass'), result('auth.certificate', 'pass')]));
    const big = keeperWorld({ rtcMs: TRUE_MS + 2 * DAY, sntp: later, terminal: far });
    big.keeper.start();
    await big.clock.settle();
    await big.clock.advance(CLOCK_RETRY_MS);
    expect(far.runs).toEqual(['periodic']);

    // The set-clock step's own round: the action judges the dates again itself.
    const acted = terminal('fault', report(5, [result('system.rtc', 'fail')]));
    const step = keeperWorld({ rtcMs: RTC_1970, sntp: { trueMs: TRUE_MS, answers: true }, terminal: acted });
    await expect(step.keeper.sync()).resolves.toMatchObject({ kind: 'set' });
    await step.clock.advance(2 * REJUDGE_POLL_MS);
    expect(acted.runs).toEqual([]);
  });
});

describe('whole terminals (host-sim worlds)', () => {
  const CERTS = join(SCENARIO_DIR, 'certs');
  const opened: NodeWorld[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((w) => w.close()));
  });
  const boot = (rtc: string, sntp: Record<string, unknown>, network: Record<string, unknown> = {}) => bootTerminal(opened, { rtc, network: { dns: NTP_DNS, sntp, ...network } });

  it('a 1970 RTC the boot round could not set: fault; the keeper\'s next round sets it, the self-test runs again, ready', async () => {
    const { world, terminal, result } = await boot('1970-01-01T00:00:05Z', { time: '2026-12-02T08:00:00Z', answers: true, answersFromMs: 60_000 });
    expect(terminal.state).toBe('fault');
    expect(result('system.rtc')).toMatchObject({ status: 'fail', code: 'rtc.before-build' });
    const seq = terminal.lastReport!.seq;
    await drive(world, world.clock.advance(CLOCK_RETRY_MS));
    expect(terminal.clockSource).toMatchObject({ kind: 'sntp', server: 'cn.pool.ntp.org' });
    expect(terminal.lastReport).toMatchObject({ seq: seq + 1, trigger: 'periodic' });
    expect(result('system.rtc')).toMatchObject({ status: 'pass', code: 'rtc.ok' });
    expect(result('system.rtc').detail).toContain('source sntp cn.pool.ntp.org');
    expect(result('auth.certificate')).toMatchObject({ status: 'pass', code: 'cert.ok' });
    expect(terminal.state).toBe('ready');
    expect(terminal.view).toBe('home');
  });

  it('a plausible RTC two years fast judges a valid certificate expired; two servers agree on the true time: judged again, ready', async () => {
    // node:crypto: the terminal certificate expired by the RTC's 2029, valid at the true time.
    const cert = new X509Certificate(readFileSync(join(CERTS, 'terminal.pem')));
    expect(Date.parse(cert.validTo)).toBeLessThan(Date.UTC(2029, 2, 1));
    expect(Date.parse(cert.validTo)).toBeGreaterThan(TRUE_MS);
    expect(Date.parse(cert.validFrom)).toBeLessThan(TRUE_MS);
    const { world, terminal, result } = await boot('2029-03-01T00:00:00Z', { time: '2026-12-02T08:00:00Z', answers: true, answersFromMs: 60_000 });
    expect(result('auth.certificate')).toMatchObject({ status: 'fail', code: 'cert.expired' });
    expect(terminal.state).toBe('fault');
    await drive(world, world.clock.advance(CLOCK_RETRY_MS));
    expect(terminal.clockSource).toMatchObject({ kind: 'sntp', server: 'pool.ntp.org' });
    expect(result('auth.certificate')).toMatchObject({ status: 'pass', code: 'cert.ok' });
    expect(terminal.lastReport!.trigger).toBe('periodic');
    expect(terminal.state).toBe('ready');
  });

  it('the same RTC with one server answering (another time again) and the other silent: not stepped, judged by the RTC as before', async () => {
    const { world, terminal, result } = await boot(
      '2029-03-01T00:00:00Z',
      { time: '2031-01-01T00:00:00Z', answers: true, answersFromMs: 60_000 },
      { unreachable: ['pool.ntp.org'] },
    );
    const seq = terminal.lastReport!.seq;
    await drive(world, world.clock.advance(CLOCK_RETRY_MS));
    expect(terminal.clockSource).toEqual({ kind: 'rtc' });
    expect(terminal.lastReport!.seq).toBe(seq);
    expect(result('auth.certificate')).toMatchObject({ status: 'fail', code: 'cert.expired' });
    expect(world.traceLines).toContain(
      '3600000 clock not set: cn.pool.ntp.org would step the RTC +671 d, no second server agrees (pool.ntp.org: no response from SNTP server); RTC kept',
    );
  });
});
