/**
 * The network probes through the real runner: a real HostLink over node:net to a TCP server on
 * loopback (and to a port nobody listens on), the network port's own link state and resolver,
 * and a session that answers the echo as host/session.ts would. Each step is its own finding;
 * a step whose prerequisite failed is skipped saying why, so one fault is reported once.
 */
import { createServer, type Server } from 'node:net';
import { parseAcquirerProfile, type AcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { HostLink } from '../../firmware/core/host/link';
import type { NetworkPort, Ports } from '../../firmware/core/ports';
import { networkProbes } from '../../firmware/core/selftest/plan';
import type { EchoOutcomeView, HostSubjects, SessionView } from '../../firmware/core/selftest/probes/hostSubjects';
import { RESOLVE_WAIT_MS } from '../../firmware/core/selftest/probes/networkProbes';
import { runSelfTest } from '../../firmware/core/selftest/runner';
import type { ProbeResult } from '../../firmware/core/selftest/types';
import { zhDetail } from '../../firmware/core/ui/detailTexts';
import { NodeNetwork } from '../../host-sim/ports/nodeNetwork';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { PROFILE } from '../runtime/world';

let listening: Server;
let openPort: number;
let closedPort: number;

beforeAll(async () => {
  const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  listening = createServer((socket) => socket.end());
  openPort = await listen(listening);
  // A port that was just free: bound, then released, so nobody listens there.
  const gone = createServer();
  closedPort = await listen(gone);
  await new Promise((resolve) => gone.close(resolve));
});
afterAll(() => new Promise((resolve) => listening.close(resolve)));

function profileWith(hosts: { host: string; port: number }[]): AcquirerProfile {
  const result = parseAcquirerProfile({ ...PROFILE, hosts });
  if (!result.ok) throw result.error;
  return result.value;
}

const answered = (code: string, roundTripMs: number, host = 0): EchoOutcomeView => ({
  kind: 'answered',
  answer: { code, category: 'approved', text: { zh: '承兑或交易成功', en: 'Approved' }, mti: '0830', host, wallMs: Date.UTC(2026, 10, 26, 9) },
  roundTripMs,
});
const sessionAnswering = (outcome: EchoOutcomeView): SessionView & { echoes: number } => {
  const session = { echoes: 0, echo: async () => (session.echoes++, outcome), status: () => ({}) };
  return session;
};

interface Run {
  network?: NetworkPort;
  hosts?: { host: string; port: number }[];
  session?: SessionView;
  subjects?: HostSubjects;
  /** Let virtual time pass while the probes run (real TCP needs none). */
  driveClock?: boolean;
}

async function run({ network = new NodeNetwork(), hosts = [{ host: '127.0.0.1', port: openPort }, { host: '127.0.0.1', port: closedPort }], session = sessionAnswering(answered('00', 85)), subjects, driveClock }: Run = {}) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 26, 9));
  const profile = profileWith(hosts);
  const link = new HostLink({
    network, clock, random: (n) => new Uint8Array(n), trace: () => undefined, hosts: profile.hosts, connectTimeoutMs: profile.connectTimeoutMs,
    responseTimeoutMs: profile.timeoutMs, retries: profile.retries, backoff: profile.backoff, failbackMs: profile.failbackMs, maxFrameBytes: 2048,
  });
  const given = subjects ?? { link, session, profile };
  const ports = { clock, network, trace: () => undefined } as unknown as Ports;
  const report = runSelfTest(ports, networkProbes(() => given), 'demand', 1);
  if (driveClock) {
    // Virtual time moves only when nothing else can happen (as on the device, timers fire after
    // promise jobs), from timer to timer, until the run ends.
    let done = false;
    void report.then(() => (done = true));
    await clock.settle();
    while (!done && (await clock.advanceToNextTimer()));
  }
  const results = (await report).results;
  link.close();
  return Object.fromEntries(results.map((r) => [r.id, r])) as Record<string, ProbeResult>;
}

/** Every detail a Chinese screen shows has its Chinese form. */
const expectZhForms = (results: Record<string, ProbeResult>) => {
  for (const r of Object.values(results)) expect([r.code, r.detail, zhDetail(r.code, r.detail)]).toEqual([r.code, r.detail, expect.any(String)]);
};

describe('network probes', () => {
  it('a healthy primary and an unreachable backup are two findings; the echo goes through and reports its time', async () => {
    const session = sessionAnswering(answered('00', 85));
    const r = await run({ session });
    expect(r['network.link']).toMatchObject({ status: 'pass', code: 'link.ok', detail: 'address 127.0.0.1' });
    expect(r['network.resolve']).toMatchObject({ status: 'skip', code: 'resolve.not-needed' });
    expect(r['network.primary']).toMatchObject({ status: 'pass', code: 'connect.ok', detail: expect.stringMatching(new RegExp(`^primary 127\\.0\\.0\\.1:${openPort} connected in \\d+ ms$`)) });
    // One host down while the other serves: a warning (sales go to the primary), each its own finding.
    expect(r['network.backup']).toMatchObject({ status: 'warn', code: 'connect.failed', detail: expect.stringMatching(new RegExp(`^backup 127\\.0\\.0\\.1:${closedPort}: connect: .*ECONNREFUSED`)) });
    expect(r['network.echo']).toMatchObject({ status: 'pass', code: 'echo.ok', detail: 'round trip 85 ms to the primary, answer 00' });
    expect(session.echoes).toBe(1);
    expectZhForms(r);
    expect(zhDetail('echo.ok', r['network.echo'].detail)).toBe('往返 85 ms（主用主机），应答码 00');
  });

  it('with the link down, the link fails and nothing behind it is tried', async () => {
    const session = sessionAnswering(answered('00', 85));
    const r = await run({ network: new NodeNetwork(false), hosts: [{ host: 'localhost', port: openPort }], session });
    expect(r['network.link']).toMatchObject({ status: 'fail', code: 'link.down' });
    for (const id of ['network.resolve', 'network.primary']) expect(r[id]).toMatchObject({ status: 'skip', code: 'host.no-link' });
    expect(r['network.backup']).toMatchObject({ status: 'skip', code: 'connect.no-backup' });
    expect(r['network.echo']).toMatchObject({ status: 'skip', code: 'echo.not-tried' });
    expect(session.echoes).toBe(0);
    expectZhForms(r);
  });

  it('a link up without an address fails', async () => {
    const network = Object.assign(new NodeNetwork(), { link: () => ({ up: true }) });
    expect((await run({ network }))['network.link']).toMatchObject({ status: 'fail', code: 'link.no-address', detail: 'link up, no address' });
  });

  it('resolves the names the profile uses and names the one that does not resolve', async () => {
    const r = await run({ hosts: [{ host: 'localhost', port: openPort }, { host: 'pos.no-such-host.invalid', port: openPort }] });
    expect(r['network.resolve']).toMatchObject({ status: 'fail', code: 'resolve.failed', detail: 'no address for pos.no-such-host.invalid; resolved localhost → 127.0.0.1' });
    expect(r['network.primary']).toMatchObject({ status: 'pass', code: 'connect.ok' });
    expect(r['network.backup']).toMatchObject({ status: 'warn', code: 'connect.failed', detail: expect.stringMatching(/^backup pos\.no-such-host\.invalid:\d+: resolve: /) });
    expect(zhDetail('resolve.failed', r['network.resolve'].detail)).toBe('无法解析：pos.no-such-host.invalid；已解析：localhost → 127.0.0.1');
    expectZhForms(r);
  });

  it('a resolver that never answers is a failure after the wait, not a hang', async () => {
    const network = Object.assign(new NodeNetwork(), { resolve: () => undefined });
    const r = await run({ network, hosts: [{ host: 'pos.example.cn', port: openPort }], driveClock: true });
    expect(r['network.resolve']).toMatchObject({ status: 'fail', code: 'resolve.failed', detail: 'no address for pos.example.cn', durationMs: RESOLVE_WAIT_MS });
  });

  it.each([
    ['no answer', { kind: 'no-answer', stage: 'timeout', detail: 'no answer in 60000 ms' } as const, 'fail', 'echo.no-answer', 'no answer: timeout: no answer in 60000 ms'],
    ['refused (not signed on)', { kind: 'refused', code: 'not-signed-on', detail: 'sign on first' } as const, 'skip', 'echo.refused', 'not sent: not-signed-on: sign on first'],
    ['slow', answered('00', 45_000), 'warn', 'echo.slow', 'round trip 45000 ms to the primary, answer 00; response timeout 30000 ms'],
    ['an answer refusing the terminal (still a working network)', answered('97', 120), 'pass', 'echo.ok', 'round trip 120 ms to the primary, answer 97'],
  ])('echo: %s', async (_, outcome, status, code, detail) => {
    const r = await run({ session: sessionAnswering(outcome) });
    expect(r['network.echo']).toMatchObject({ status, code, detail });
    expectZhForms(r);
  });

  it('both hosts refusing is a failure', async () => {
    const r = await run({ hosts: [{ host: '127.0.0.1', port: closedPort }, { host: '127.0.0.1', port: closedPort }], session: sessionAnswering(answered('00', 90, 1)) });
    expect([r['network.primary'].status, r['network.backup'].status, r['network.echo'].code]).toEqual(['warn', 'fail', 'echo.not-tried']);
  });

  it('the echo is still tried when only the backup accepts a connection', async () => {
    const r = await run({ hosts: [{ host: '127.0.0.1', port: closedPort }, { host: '127.0.0.1', port: openPort }], session: sessionAnswering(answered('00', 90, 1)) });
    expect([r['network.primary'].status, r['network.backup'].status, r['network.echo'].code]).toEqual(['warn', 'pass', 'echo.ok']);
    expect(r['network.echo'].detail).toBe('round trip 90 ms to the backup, answer 00');
  });

  it('without a profile, link or session the probes say so (the link state is still checked)', async () => {
    const r = await run({ subjects: {} });
    expect(r['network.link']).toMatchObject({ status: 'pass' });
    for (const id of ['network.resolve', 'network.primary', 'network.backup', 'network.echo']) expect(r[id]).toMatchObject({ status: 'skip', code: 'host.not-configured' });
    expect(zhDetail('host.not-configured', r['network.echo'].detail)).toBe('未配置：没有主机会话');
  });
});
