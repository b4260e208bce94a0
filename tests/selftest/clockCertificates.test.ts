/**
 * Certificate checks wait for a trusted clock (issue 10 item 5), on a whole simulated terminal:
 * host-sim's world (its simulated SNTP servers, the virtual clock, the loopback acquirer) and
 * the shipped certificate fixtures (host-sim/scenarios/certs).
 *
 * - An RTC at 1970 is set from SNTP at boot, in the background: the clock probe passes and says
 *   so ("source sntp …"), the certificate chain is judged by the time SNTP gave, the terminal is
 *   ready, and the jump is evidence.
 * - With no server answering the dates are not judged: cert.clock-untrusted (warn), never
 *   cert.expired, and sys.clock leads the diagnosis; the same expired certificate judged once the
 *   clock is set is cert.expired.
 * - terminal.stop(): the keeper sets, traces and records nothing more.
 *
 * The dates the probes should find are read independently from the PEM files with node:crypto's
 * X509Certificate (OpenSSL's parser), not with the firmware's x509.ts.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ports } from '../../firmware/core/ports';
import { HOST_ROOT_SETTING } from '../../firmware/core/runtime/acquirerLink';
import { ClockKeeper, CLOCK_RESYNC_MS } from '../../firmware/core/runtime/clockKeeper';
import { CERTS_DOMAIN } from '../../firmware/core/security/provisionedData';
import type { HostSubjects } from '../../firmware/core/selftest/probes/hostSubjects';
import { HOST_TLS_PROBE } from '../../firmware/core/selftest/probes/hostTlsProbe';
import { RTC_PROBE } from '../../firmware/core/selftest/probes/systemProbes';
import { runSelfTest } from '../../firmware/core/selftest/runner';
import type { Terminal } from '../../firmware/core/runtime/terminal';
import type { ProbeResult } from '../../firmware/core/selftest/types';
import { drive } from '../../host-sim/scenario/hostSteps';
import { SCENARIO_DIR } from '../../host-sim/scenario/load';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { SimSettings } from '../../host-sim/ports/simDevices';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import type { NodeWorld } from '../../host-sim/world';
import { bootTerminal } from '../runtime/world';

const TRUE_TIME = '2026-12-02T08:00:00Z';
const TRUE_MS = Date.parse(TRUE_TIME);
const NTP_DNS = { 'cn.pool.ntp.org': '203.0.113.123', 'pool.ntp.org': '198.51.100.123' };
const CERTS = join(SCENARIO_DIR, 'certs');
const x509 = (name: string) => new X509Certificate(readFileSync(join(CERTS, name)));

const opened: NodeWorld[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
});

function bootAt1970(network: Record<string, unknown>, terminalCert?: string): Promise<{ world: NodeWorld; terminal: Terminal; result: (id: string) => ProbeResult }> {
  return bootTerminal(opened, { rtc: '1970-01-01T00:00:05Z', network, ...(terminalCert ? { terminalCert } : {}) });
}

describe('a 1970 RTC set from SNTP at boot', () => {
  it('the clock probe passes saying where the time came from, the certificates are judged by it, and the terminal is ready', async () => {
    const { world, terminal, result } = await bootAt1970({ dns: NTP_DNS, sntp: { time: TRUE_TIME, answers: true } });
    // node:crypto's reading of the fixtures: valid at the true time, not at the RTC's 1970.
    const certs = ['terminal.pem', 'terminal-ca.pem', 'root.pem'].map(x509);
    for (const c of certs) {
      expect(Date.parse(c.validFrom)).toBeLessThanOrEqual(TRUE_MS);
      expect(Date.parse(c.validTo)).toBeGreaterThan(TRUE_MS);
      expect(Date.parse(c.validFrom)).toBeGreaterThan(Date.UTC(1970, 0, 2));
    }
    expect(result('system.rtc')).toMatchObject({ status: 'pass', code: 'rtc.ok', detail: 'rtc 2026-12-02T08:00:00Z, build 2026-11-20T08:00:00Z, source sntp cn.pool.ntp.org' });
    const terminalExpiry = x509('terminal.pem').validTo; // "Dec 31 23:59:59 2027 GMT"
    expect(new Date(terminalExpiry).toISOString().slice(0, 10)).toBe('2027-12-31');
    expect(result('auth.certificate')).toMatchObject({ status: 'pass', code: 'cert.ok' });
    expect(result('auth.certificate').detail).toContain('expires 2027-12-31');
    expect(result('system.capk').code).not.toBe('capk.undecided');
    expect(terminal.lastReport!.verdict).not.toBe('fail');
    expect(terminal.state).toBe('ready');
    expect(terminal.clockSource).toMatchObject({ kind: 'sntp', server: 'cn.pool.ntp.org', stepMs: TRUE_MS - Date.UTC(1970, 0, 1, 0, 0, 5) });
    // The jump is traced and is evidence (info) in the diagnosis.
    expect(world.traceLines.some((l) => l.includes('clock jump:') && l.includes('from 1970-01-01T00:00:05Z to 2026-12-02T08:00:00Z via cn.pool.ntp.org'))).toBe(true);
    const jump = terminal.diagnose().evidence.find((e) => e.code === 'clock.jump');
    // One answer set the 1970 RTC; the profile's next server confirmed it.
    expect(jump).toMatchObject({ status: 'info', detail: 'from 1970-01-01T00:00:05Z to 2026-12-02T08:00:00Z via cn.pool.ntp.org, confirmed by pool.ntp.org' });
  });
});

describe('a clock no server sets', () => {
  it('an expired certificate is cert.clock-untrusted (warn), not cert.expired; sys.clock leads; set later, it is cert.expired', async () => {
    // node:crypto: this certificate expired before the true time.
    expect(Date.parse(x509('terminal-expired.pem').validTo)).toBeLessThan(TRUE_MS);
    const { world, terminal, result } = await bootAt1970({ dns: NTP_DNS, sntp: { time: TRUE_TIME, answers: true, answersFromMs: 1_000 } }, 'certs/terminal-expired.pem');
    expect(result('system.rtc')).toMatchObject({ status: 'fail', code: 'rtc.before-build', detail: 'rtc 1970-01-01T00:00:05Z, build 2026-11-20T08:00:00Z, source rtc' });
    expect(result('auth.certificate')).toMatchObject({
      status: 'warn',
      code: 'cert.clock-untrusted',
      detail: 'validity not judged: the clock is not trusted (terminal cert 2024-01-01 – 2026-06-30)',
    });
    expect(terminal.lastReport!.results.map((r) => r.code)).not.toContain('cert.expired');
    expect(terminal.clockSource).toEqual({ kind: 'rtc' });
    const before = terminal.diagnose();
    expect(before.top?.id).toBe('sys.clock');
    expect(before.evidence.map((e) => `${e.code}:${e.status}`)).toEqual(expect.arrayContaining(['clock.sntp-failed:warn', 'cert.clock-untrusted:warn']));
    expect(before.evidence.find((e) => e.code === 'clock.sntp-failed')?.detail).toBe(
      'cn.pool.ntp.org: no response from SNTP server; pool.ntp.org: no response from SNTP server',
    );
    // The servers answer from 1 s on: the diagnosis's step sets the clock through the keeper, and the dates are judged.
    await world.clock.advance(1_000);
    const outcome = await drive(world, terminal.runAction('set-clock'));
    expect(outcome).toMatchObject({ action: 'set-clock', result: 'done' });
    expect(terminal.clockSource).toMatchObject({ kind: 'sntp', server: 'cn.pool.ntp.org' });
    const after = terminal.diagnose();
    expect(after.evidence.map((e) => `${e.code}:${e.status}`)).toEqual(expect.arrayContaining(['rtc.ok:pass', 'cert.expired:fail']));
    expect(after.top?.id).toBe('auth.certificate');
  });

  it('the TLS anchor waits for a round under way: judged once SNTP answers, undecided when none does', async () => {
    // node:crypto: the root is valid at the true time and was not in 1970.
    const root = x509('root.pem');
    expect(Date.parse(root.validFrom)).toBeLessThanOrEqual(TRUE_MS);
    expect(Date.parse(root.validTo)).toBeGreaterThan(TRUE_MS);
    const run = async (answerAfterMs: number | undefined) => {
      const clock = new VirtualClock(Date.UTC(1970, 0, 1, 0, 0, 5));
      const settings = new SimSettings();
      settings.set(CERTS_DOMAIN, HOST_ROOT_SETTING, new Uint8Array(root.raw));
      const sntp = (_host: string, callback: (wallMs: number | undefined, detail: string) => void) =>
        void clock.setTimer(answerAfterMs ?? 0, () => (answerAfterMs === undefined ? callback(undefined, 'no response from SNTP server') : callback(TRUE_MS, 'answered')));
      const ports = {
        clock, settings, crypto: NodeCrypto.secure(), trace: () => undefined,
        network: { link: () => ({ up: true }), sntp }, system: { buildTime: Date.UTC(2026, 10, 20, 8) },
      } as unknown as Ports;
      const keeper = new ClockKeeper({ ports, record: () => undefined, acquirerProfile: () => undefined, stopped: () => false });
      keeper.start();
      const tlsProfile = { hosts: [{ host: '127.0.0.1', port: 5683, tls: true }], timeoutMs: 30_000 };
      const host = () => ({ profile: tlsProfile }) as HostSubjects;
      const report = runSelfTest(ports, [RTC_PROBE, HOST_TLS_PROBE], 'boot', 1, 1, { host, clock: keeper });
      await clock.advance(20_000);
      keeper.stop();
      return (await report).results;
    };
    // The answer comes 3 s in: the clock probe waits for it, and the anchor is judged by the time it gave.
    const [rtc, tls] = await run(3_000);
    expect(rtc).toMatchObject({ status: 'pass', detail: 'rtc 2026-12-02T08:00:00Z, build 2026-11-20T08:00:00Z, source sntp cn.pool.ntp.org', durationMs: 3_000 });
    expect(tls).toMatchObject({ status: 'pass', code: 'tls.ok' });
    expect(tls.detail).toMatch(/^host-root expires 2040-01-01: \d+ days left/);
    // No server answers: not judged, never expired or not-yet-valid; nothing waits once the round is over.
    const [rtcAlone, undecided] = await run(undefined);
    expect(rtcAlone).toMatchObject({ status: 'fail', code: 'rtc.before-build', detail: 'rtc 1970-01-01T00:00:05Z, build 2026-11-20T08:00:00Z, source rtc' });
    expect(undecided).toMatchObject({ status: 'warn', code: 'tls.anchor-undecided' });
  });
});

describe('terminal.stop()', () => {
  it('the keeper asks, sets, traces and records nothing after it', async () => {
    const { world, terminal } = await bootAt1970({ dns: NTP_DNS, sntp: { time: TRUE_TIME, answers: true } });
    terminal.stop();
    const lines = world.traceLines.length;
    const wall = world.clock.wallMs();
    const events = terminal.diagnose().evidence.filter((e) => e.code.startsWith('clock.')).length;
    await world.clock.advance(2 * CLOCK_RESYNC_MS);
    expect(world.traceLines.slice(lines).filter((l) => /clock/.test(l))).toEqual([]);
    expect(world.clock.wallMs()).toBe(wall + 2 * CLOCK_RESYNC_MS);
    expect(terminal.diagnose().evidence.filter((e) => e.code.startsWith('clock.')).length).toBe(events);
  });
});
