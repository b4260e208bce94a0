/**
 * The field situations of issue 8 §9, each given as the self-test report, event log, session and
 * activation state a terminal in it would have: the diagnosis names the expected top cause with
 * its standing and the first step a technician would take.
 */
import { diagnose } from '../../firmware/core/diagnosis/diagnose';
import { gatherEvidence, type EvidenceSources } from '../../firmware/core/diagnosis/gather';
import type { Diagnosis } from '../../firmware/core/diagnosis/types';
import { answer, HOUR, report, T0 } from './modelFixtures';
import { accountRefused, refusedSale, SITUATIONS } from './modelSituationTable';

const NOW = { wallMs: T0 + 60_000, uptimeMs: 660_000 };
const run = (sources: Partial<EvidenceSources>): Diagnosis =>
  diagnose(gatherEvidence({ events: [], history: [], now: NOW, ...sources }), [], NOW);
const ids = (d: Diagnosis) => d.causes.map((c) => `${c.id}:${c.status}`);
const steps = (d: Diagnosis) => d.steps.map((s) => s.id);

describe('field situations (issue 8 §9)', () => {
  it.each(SITUATIONS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const d = run(s.sources);
    expect({ top: d.top?.id, status: d.top?.status, first: d.steps[0].id, last: d.steps.at(-1)!.id }).toEqual({ top: s.top, status: s.status, first: s.firstStep, last: 'call-support' });
    // The top cause says why: evidence for it, and the support step closes its own list.
    expect(d.top!.for.length).toBeGreaterThan(0);
    expect(d.top!.remedies.at(-1)!.id).toBe('call-support');
  });

  it('primary down alone: the diagnosis confirms nothing', () => {
    const d = run(SITUATIONS[1].sources);
    expect(d.causes.filter((c) => c.status === 'confirmed')).toEqual([]);
    expect(ids(d)).toContain('net.primary-down:likely');
    expect(ids(d)).toEqual(expect.arrayContaining(['net.dns:ruled-out', 'net.host-unreachable:ruled-out']));
  });

  it('clock at 1970: the clock comes before the certificate it makes undecidable, which stays likely', () => {
    const d = run(SITUATIONS[6].sources);
    expect(ids(d).slice(0, 2)).toEqual(['sys.clock:confirmed', 'auth.certificate:likely']);
    expect(d.causes[1].for.map((e) => e.code)).toEqual(['cert.cannot-decide', 'capk.undecided']);
  });

  it('every local check passing and 83 from the host: host-side, support is the only step', () => {
    const d = run(SITUATIONS[8].sources);
    expect(steps(d)).toEqual(['call-support']);
    expect(d.causes.filter((c) => c.status !== 'ruled-out').map((c) => c.id)).toEqual(['auth.host-not-registered']);
  });

  it('an 83 with a local fault: the local cause first, the host side only likely after it', () => {
    const d = run(SITUATIONS[5].sources);
    expect(ids(d).filter((c) => !c.endsWith('ruled-out'))).toEqual(['auth.certificate:confirmed', 'auth.host-not-registered:likely']);
  });

  it('flash corruption lost the configuration: storage first, configuration right after it', () => {
    const d = run(SITUATIONS[14].sources);
    expect(ids(d).slice(0, 2)).toEqual(['sys.storage:confirmed', 'sys.config:confirmed']);
    expect(steps(d)).toEqual(['service-storage', 'reprovision-config', 'call-support']);
  });

  it('stale keys: the reversal waiting on a failed MAC is not the link', () => {
    const d = run(SITUATIONS[4].sources);
    expect(ids(d)).toContain('net.unstable:ruled-out');
    expect(steps(d)).toEqual(['sign-on-again', 'call-support']);
  });

  it('TID disabled mid-day: the host-side causes both stand, the specific one first', () => {
    const d = run(SITUATIONS[15].sources);
    expect(ids(d).filter((c) => !c.endsWith('ruled-out'))).toEqual(['auth.tid-disabled:confirmed', 'auth.host-not-registered:confirmed']);
    expect(d.top!.for.map((e) => e.code)).toEqual(['host.refused-after-accept']);
  });

  it('a refusal the host took back with a later approval is no evidence any more', () => {
    const d = run({ report: report(), events: [answer('sale', '83', 'terminal-invalid', T0 - 2 * HOUR), answer('sign-on', '00', 'approved', T0 - HOUR)] });
    expect(d.top).toBeUndefined();
    expect(steps(d)).toEqual(['call-support']);
  });

  it('several causes at once are all listed in rank order, their steps in the technician order', () => {
    const d = run({
      report: report({
        'network.primary': ['warn', 'connect.failed', 'primary pos.acquirer.test:5000: connect: refused'],
        'device.keypad': ['fail', 'keypad.stuck', 'held: 5'],
        'auth.certificate': ['fail', 'cert.wrong-terminal', 'certificate is for 10240009, terminal is 10240001 | also cert.expired'],
        'account.host': accountRefused,
      }),
      events: refusedSale,
    });
    expect(ids(d).filter((c) => !c.endsWith('ruled-out'))).toEqual([
      'dev.keypad:confirmed', 'auth.certificate:confirmed', 'auth.tid-mismatch:confirmed', 'net.primary-down:likely', 'auth.host-not-registered:likely',
    ]);
    expect(steps(d)).toEqual(['check-network', 'check-host-address', 'service-keypad', 'replace-certificate', 'fix-tid', 'call-support']);
    // Ruled out ones come last, in family order then number.
    const out = d.causes.filter((c) => c.status === 'ruled-out').map((c) => c.number);
    expect(out).toEqual([...out].sort((a, b) => a - b));
    expect(d.causes.slice(-out.length).every((c) => c.status === 'ruled-out')).toBe(true);
  });
});
