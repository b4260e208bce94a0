/**
 * The diagnosis's set-clock step, as a technician meets it: the RTC lost its backup battery and
 * reads 1970, the boot self-test fails on the clock, the diagnosis puts sys.clock first; the
 * step asks the profile's SNTP servers, sets the RTC from the first believable answer, the clock
 * probe passes and the diagnosis is computed again without sys.clock. A world whose servers do
 * not answer, or answer a time before the firmware was built, leaves the RTC alone and the step
 * failed with the reason. The world's true time is the scenario's (network.sntp.time), ticking
 * with virtual time; the SNTP answer carries whole seconds, as the device's SDK client reads it.
 *
 * Since issue 10 the clock keeper asks the same servers at boot (clockKeeper.test.ts): for the
 * step to be the one that sets the clock, these worlds' servers answer only from ANSWERS_FROM_MS
 * of the world's time line (network.sntp.answersFromMs), after the boot's own round failed.
 */
import { parseAcquirerProfile, PROFILE_DEFAULTS } from '../../firmware/core/config/acquirerProfile';
import type { ActionDeps } from '../../firmware/core/runtime/actions';
import { runAction } from '../../firmware/core/runtime/actions';
import { SNTP_ANSWER_MS, syncClock } from '../../firmware/core/runtime/clockSync';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import type { Ports } from '../../firmware/core/ports';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { drive } from '../../host-sim/scenario/hostSteps';
import { startWorld, type NodeWorld } from '../../host-sim/world';
import { PROFILE, scenarioWith } from './world';

const TRUE_TIME = '2026-12-02T08:00:00Z';
const TRUE_MS = Date.parse(TRUE_TIME);
/** Documentation addresses (RFC 5737): the simulated network only needs the names to resolve. */
const NTP_DNS = { 'cn.pool.ntp.org': '203.0.113.123', 'pool.ntp.org': '198.51.100.123' };
/** The world's servers are silent before this (the boot's round), and answer the step after it. */
const ANSWERS_FROM_MS = 1_000;

const opened: NodeWorld[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
});

/**
 * A terminal whose RTC reads 1970 after boot, in a world whose SNTP servers behave as `network`
 * says from ANSWERS_FROM_MS on (silent at boot), that far into the world's time line.
 */
async function clockAt1970(network: { sntp?: Record<string, unknown> } & Record<string, unknown>, profile: Record<string, unknown> = PROFILE) {
  const late = network.sntp ? { ...network, sntp: { ...network.sntp, answersFromMs: ANSWERS_FROM_MS } } : network;
  const world = await startWorld(scenarioWith({ lang: 'en', rtc: '1970-01-01T00:00:00Z', network: late, terminal: { tid: '10240001', mid: '898440154110001', profile } }));
  opened.push(world);
  const terminal = createTerminal(world.ports);
  await drive(world, terminal.boot());
  await world.clock.advance(Math.max(0, ANSWERS_FROM_MS - world.clock.elapsedMs));
  expect(terminal.state).toBe('fault');
  expect(terminal.clockSource).toEqual({ kind: 'rtc' });
  expect(terminal.diagnose().causes.find((c) => c.id === 'sys.clock')?.status).toBe('confirmed');
  return { world, terminal };
}

/** How far the RTC is behind the world's true time: under a second once set (the answer's part second dropped). */
function behindTrueTime(world: NodeWorld): number {
  return TRUE_MS + world.clock.elapsedMs - world.clock.wallMs();
}

describe('set-clock from SNTP', () => {
  it('sets the RTC from the first server, the clock probe passes and the diagnosis no longer names the clock', async () => {
    const { world, terminal } = await clockAt1970({ dns: NTP_DNS, sntp: { time: TRUE_TIME, answers: true } });
    const before = terminal.diagnosis!;
    const rtcBefore = world.clock.wallMs();
    const outcome = await drive(world, terminal.runAction('set-clock'));
    expect(outcome).toMatchObject({ action: 'set-clock', result: 'done' });
    // The step is the true time (whole seconds) less what the RTC read then; nothing else went by in between.
    const step = Math.round((Math.floor((TRUE_MS + world.clock.elapsedMs) / 1000) * 1000 - rtcBefore) / 1000);
    expect((outcome as { detail: string }).detail).toBe(`server=cn.pool.ntp.org step=${step}s`);
    // The RTC now tells the true time, less the part second the answer dropped; uptime never moved back.
    expect(behindTrueTime(world)).toBeGreaterThanOrEqual(0);
    expect(behindTrueTime(world)).toBeLessThan(1000);
    const after = terminal.diagnosis!;
    // No confirmed cause left on a terminal out of service: the self-test ran by itself, passed, and the terminal serves again.
    expect(after.tried).toEqual([expect.objectContaining({ action: 'set-clock', result: 'done' }), expect.objectContaining({ action: 'self-test', result: 'done' })]);
    expect(terminal.state).toBe('ready');
    expect(after.evidence.map((e) => `${e.code}:${e.status}`)).toEqual(expect.arrayContaining(['rtc.ok:pass', 'action.set-clock.done:pass']));
    expect(after.evidence.map((e) => e.code)).not.toContain('rtc.before-build');
    expect(after.causes.find((c) => c.id === 'sys.clock')?.status ?? 'ruled-out').toBe('ruled-out');
    // The certificate's dates, undecidable by a 1970 clock, were judged again by the clock just set.
    expect(before.evidence.map((e) => `${e.code}:${e.status}`)).toContain('cert.clock-untrusted:warn');
    expect(after.evidence.map((e) => `${e.code}:${e.status}`)).toContain('cert.ok:pass');
    // The step went through the clock keeper: the time now comes from SNTP.
    expect(terminal.clockSource).toMatchObject({ kind: 'sntp', server: 'cn.pool.ntp.org' });
    expect(after.causes.find((c) => c.id === 'auth.certificate')?.status ?? 'ruled-out').toBe('ruled-out');
    expect(after.top).toBeUndefined();
  });

  it('asks the profile\'s servers in turn: one that does not resolve is passed over for the next', async () => {
    const profile = { ...PROFILE, ntpServers: ['ntp.acquirer.example', 'pool.ntp.org'] };
    const { world, terminal } = await clockAt1970({ dns: NTP_DNS, sntp: { time: TRUE_TIME, answers: true } }, profile);
    const outcome = await drive(world, terminal.runAction('set-clock'));
    expect(outcome).toMatchObject({ result: 'done', detail: expect.stringMatching(/^server=pool\.ntp\.org step=\d+s$/) });
    expect(behindTrueTime(world)).toBeGreaterThanOrEqual(0);
    expect(behindTrueTime(world)).toBeLessThan(1000);
  });

  it('fails with each server\'s reason when none answers, and leaves the RTC at 1970', async () => {
    const { world, terminal } = await clockAt1970({ dns: NTP_DNS, sntp: { time: TRUE_TIME, answers: false } });
    const outcome = await drive(world, terminal.runAction('set-clock'));
    expect(outcome).toMatchObject({ action: 'set-clock', result: 'failed' });
    expect((outcome as { detail: string }).detail).toMatch(
      /^cn\.pool\.ntp\.org: no response from SNTP server; pool\.ntp\.org: no response from SNTP server, system\.rtc rtc\.before-build$/,
    );
    expect(world.clock.wallMs()).toBeLessThan(Date.UTC(1971, 0, 1));
    const after = terminal.diagnosis!;
    expect(after.top?.id).toBe('sys.clock');
    expect(after.evidence.map((e) => e.code)).toContain('action.set-clock.failed');
  });

  it('refuses an answer from before the firmware was built: the RTC stays as it was', async () => {
    // An unsynchronised server still on its own battery-less clock.
    const { world, terminal } = await clockAt1970({ dns: NTP_DNS, sntp: { time: '2001-01-01T00:00:00Z', answers: true } });
    const outcome = await drive(world, terminal.runAction('set-clock'));
    expect(outcome).toMatchObject({ result: 'failed', detail: expect.stringContaining('cn.pool.ntp.org: answered 2001-01-01T00:00') });
    expect((outcome as { detail: string }).detail).toContain(', before the build ');
    expect(world.clock.wallMs()).toBeLessThan(Date.UTC(1971, 0, 1));
  });

  it('fails at once with the link down', async () => {
    const { world, terminal } = await clockAt1970({ linkUp: false, dns: NTP_DNS, sntp: { time: TRUE_TIME, answers: true } });
    const outcome = await drive(world, terminal.runAction('set-clock'));
    expect(outcome).toMatchObject({ result: 'failed', detail: 'link is down, system.rtc rtc.before-build' });
  });

  it('is refused on a board whose network has no SNTP', async () => {
    const { world } = await clockAt1970({ dns: NTP_DNS, sntp: { time: TRUE_TIME, answers: true } });
    const { link, resolve, connect } = world.ports.network;
    const network = { link, resolve, connect };
    const deps: ActionDeps = {
      ports: { ...world.ports, network },
      selfTest: () => Promise.reject(new Error('not asked')),
      signOn: () => Promise.reject(new Error('not asked')),
      probe: async () => [],
      openActivation: () => undefined,
    };
    const outcome = await runAction('set-clock', deps);
    expect(outcome).toMatchObject({ action: 'set-clock', result: 'refused', detail: 'no SNTP on this board' });
    expect(world.clock.wallMs()).toBeLessThan(Date.UTC(1971, 0, 1));
  });
});

describe('syncClock over a network port that misbehaves', () => {
  const BUILT = Date.UTC(2026, 10, 1);
  /** Ports with a clock at 1970 and `answer` as the network's SNTP (link up). */
  function ports(answer: (host: string, callback: (wallMs: number | undefined, detail: string) => void) => void) {
    const clock = new VirtualClock(0);
    const traced: string[] = [];
    const network = { link: () => ({ up: true }), sntp: answer };
    return { clock, traced, ports: { clock, network, system: { buildTime: BUILT }, trace: (line: string) => traced.push(line) } as unknown as Ports };
  }

  it('gives up on a server that never answers after SNTP_ANSWER_MS, and asks the next', async () => {
    const asked: string[] = [];
    const { clock, ports: p } = ports((host, callback) => {
      asked.push(host);
      if (host === 'b.example') void Promise.resolve().then(() => callback(TRUE_MS, 'answered'));
    });
    const sync = syncClock(p, ['a.example', 'b.example']);
    await clock.advance(SNTP_ANSWER_MS - 1);
    expect(asked).toEqual(['a.example']);
    await clock.advance(1);
    await expect(sync).resolves.toMatchObject({ kind: 'set', server: 'b.example' });
    expect(clock.wallMs()).toBe(TRUE_MS);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses an answer implausibly long after the build (more than 15 years), and an answer twice is taken once', async () => {
    const late = Date.UTC(2045, 0, 1);
    const { clock, traced, ports: p } = ports((_host, callback) => {
      callback(late, 'answered');
      callback(TRUE_MS, 'answered');
    });
    await expect(syncClock(p, ['a.example'])).resolves.toEqual({ kind: 'failed', detail: 'a.example: answered 2045-01-01T00:00:00Z, implausibly late' });
    expect(clock.wallMs()).toBe(0);
    expect(traced).toEqual(['clock not set: a.example: answered 2045-01-01T00:00:00Z, implausibly late']);
  });
});

describe('the profile\'s SNTP servers', () => {
  it('default to the NTP Pool (China zone first)', () => {
    expect(PROFILE_DEFAULTS.ntpServers).toEqual(['cn.pool.ntp.org', 'pool.ntp.org']);
    const parsed = parseAcquirerProfile(PROFILE);
    expect(parsed.ok && parsed.value.ntpServers).toEqual(['cn.pool.ntp.org', 'pool.ntp.org']);
  });

  it('keep the profile\'s own list, names and IPv4 addresses', () => {
    const parsed = parseAcquirerProfile({ ...PROFILE, ntpServers: ['ntp.acquirer.example', '10.1.2.3'] });
    expect(parsed.ok && parsed.value.ntpServers).toEqual(['ntp.acquirer.example', '10.1.2.3']);
  });

  it.each([
    [[], 'profile.ntpServers', 'must list 1–4 SNTP servers'],
    [['a.example', 'b.example', 'c.example', 'd.example', 'e.example'], 'profile.ntpServers', 'must list 1–4 SNTP servers'],
    ['pool.ntp.org', 'profile.ntpServers', 'must list 1–4 SNTP servers'],
    [['pool.ntp.org', 'not a host'], 'profile.ntpServers[1]', 'must be a host name or IPv4 address'],
    [[123], 'profile.ntpServers[0]', 'must be a host name or IPv4 address'],
  ])('refuses %j with a ConfigError naming the field', (ntpServers, field, reason) => {
    const parsed = parseAcquirerProfile({ ...PROFILE, ntpServers });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ code: 'config-invalid', field, reason });
  });
});
