/**
 * The ranking's promises, for any evidence: the order the evidence comes in changes nothing;
 * confirmed before likely before ruled out; the steps deduplicated in family order with support
 * last; local evidence before the host's bare word; tried actions as evidence, a step whose action
 * succeeded behind the untried ones.
 */
import fc from 'fast-check';
import { CAUSES, causeById } from '../../firmware/core/diagnosis/causes';
import { diagnose } from '../../firmware/core/diagnosis/diagnose';
import { EVIDENCE_CODES } from '../../firmware/core/diagnosis/evidence';
import { remedyFamilyIndex } from '../../firmware/core/diagnosis/remedies';
import type { ActionOutcome, Evidence, EvidenceStatus } from '../../firmware/core/diagnosis/types';
import { CAUSE_FAMILIES } from '../../firmware/core/selftest/types';
import { T0 } from './modelFixtures';

const NOW = { wallMs: T0, uptimeMs: 1_000_000 };
const PROBES = [undefined, 'network.primary', 'network.backup', 'auth.certificate'];
const STATUS_RANK = { confirmed: 0, likely: 1, 'ruled-out': 2 };

const arbEvidence = fc
  .record({
    entry: fc.constantFrom(...EVIDENCE_CODES),
    status: fc.constantFrom<EvidenceStatus>('fail', 'warn', 'pass', 'info'),
    probe: fc.constantFrom(...PROBES),
    wallMs: fc.integer({ min: T0 - 1e8, max: T0 }),
    uptimeMs: fc.integer({ min: 0, max: 1e6 }),
    detail: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
  })
  .map(({ entry, status, probe, wallMs, uptimeMs, detail }): Evidence => {
    const e: Evidence = { code: entry[0], family: CAUSE_FAMILIES[Math.floor(entry[1] / 100)], source: entry[2], status, wallMs, uptimeMs };
    return { ...e, ...(probe && entry[2] === 'selftest' ? { probe } : {}), ...(detail ? { detail } : {}) };
  });
const arbTried = fc.array(
  fc.record({ action: fc.constantFrom('network-test', 'sign-on', 'restart', 'set-clock', 'self-test', 'activate') as fc.Arbitrary<ActionOutcome['action']>, result: fc.constantFrom('done', 'failed', 'refused') as fc.Arbitrary<ActionOutcome['result']>, wallMs: fc.constant(T0) }),
  { maxLength: 3 },
);

describe('the ranking, for any evidence', () => {
  it('does not depend on the order the evidence comes in', () => {
    fc.assert(
      fc.property(fc.array(arbEvidence, { maxLength: 30 }), arbTried, fc.infiniteStream(fc.nat()), (evidence, tried, stream) => {
        const order = [...evidence.keys()].map((i) => [stream.next().value as number, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
        const shuffled = order.map((i) => evidence[i]);
        expect(diagnose(shuffled, tried, NOW)).toEqual(diagnose(evidence, tried, NOW));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps its promises: standing order, top, steps deduplicated in family order, support last', () => {
    fc.assert(
      fc.property(fc.array(arbEvidence, { maxLength: 30 }), (evidence) => {
        const d = diagnose(evidence, [], NOW);
        const ranks = d.causes.map((c) => STATUS_RANK[c.status]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        expect(d.top).toBe(d.causes.find((c) => c.status !== 'ruled-out'));
        const out = d.causes.filter((c) => c.status === 'ruled-out').map((c) => c.number);
        expect(out).toEqual([...out].sort((a, b) => a - b));
        const ids = d.steps.map((s) => s.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.at(-1)).toBe('call-support');
        // Family order, first for the steps of the causes nothing standing before them explains, then for a consequence's (causes.ts explainedBy).
        const consequence = (c: (typeof d.causes)[number], at: number) =>
          d.causes.slice(0, at).some((e) => e.status !== 'ruled-out' && STATUS_RANK[e.status] <= STATUS_RANK[c.status] && (causeById(c.id).explainedBy ?? []).includes(e.id));
        const own = new Set(d.causes.flatMap((c, at) => (c.status === 'ruled-out' || consequence(c, at) ? [] : c.remedies.map((r) => r.id))));
        own.delete('call-support');
        expect(new Set(ids.slice(0, own.size))).toEqual(own);
        for (const part of [d.steps.slice(0, own.size), d.steps.slice(own.size, -1)]) {
          const families = part.map(remedyFamilyIndex);
          expect(families).toEqual([...families].sort((a, b) => a - b));
        }
        // Every step belongs to a cause that stands, and every remedy of a standing cause is a step.
        const standing = d.causes.filter((c) => c.status !== 'ruled-out').flatMap((c) => c.remedies.map((r) => r.id));
        expect(new Set(ids)).toEqual(new Set([...standing, 'call-support']));
        for (const c of d.causes) {
          expect(c.for.length + c.against.length).toBeGreaterThan(0);
          if (c.status === 'ruled-out') expect(c.against.length).toBeGreaterThan(0);
          else expect(c.for.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

const fact = (code: string, status: EvidenceStatus, extra: Partial<Evidence> = {}): Evidence => {
  const entry = EVIDENCE_CODES.find(([c]) => c === code)!;
  return { code, family: CAUSE_FAMILIES[Math.floor(entry[1] / 100)], source: entry[2], status, wallMs: T0, uptimeMs: 1, ...extra };
};

describe('the ranking rules', () => {
  it("local evidence outranks the host's bare word, even of an earlier family", () => {
    const d = diagnose([fact('host.merchant-restricted', 'fail'), fact('cert.expired', 'fail', { probe: 'auth.certificate' })], [], NOW);
    expect(d.causes.map((c) => c.id)).toEqual(['auth.certificate', 'acct.restricted']);
    // Without the local finding the account comes first again.
    expect(diagnose([fact('host.merchant-restricted', 'fail')], [], NOW).top?.id).toBe('acct.restricted');
  });

  it('the host saying terminal-invalid, with no local check run, is only likely host-side', () => {
    const d = diagnose([fact('host.terminal-invalid', 'fail')], [], NOW);
    expect(d.causes.map((c) => `${c.id}:${c.status}`)).toEqual(['auth.host-not-registered:likely']);
  });

  it('an untrusted clock ranks before the certificate causes it makes undecidable', () => {
    const d = diagnose([fact('cert.cannot-decide', 'info'), fact('tls.anchor-undecided', 'warn'), fact('rtc.implausible', 'fail')], [], NOW);
    expect(d.causes.map((c) => `${c.id}:${c.status}`)).toEqual(['sys.clock:confirmed', 'net.tls:likely', 'auth.certificate:likely']);
  });

  it('ties go by family order, then number', () => {
    // Local evidence for each cause that has some (the account's is the host's word: rule 2 puts it after).
    const all = CAUSES.flatMap((c) => (c.confirmedBy.length > 0 && !c.requires && !c.explainedBy && c.family !== 'account' ? [c.confirmedBy[0]] : []));
    const evidence = all.map((code) => fact(code.replace(/@.*/, '').replace(/^.*:/, ''), 'fail'));
    const numbers = diagnose(evidence, [], NOW).causes.filter((c) => c.status === 'confirmed').map((c) => c.number);
    expect(numbers.length).toBeGreaterThan(15);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('tried actions are evidence; a step whose action succeeded goes behind the untried, a failed one keeps its place', () => {
    const evidence = [fact('keys.kcv-mismatch', 'fail'), fact('link.timeout', 'warn')];
    const steps = (tried: ActionOutcome[]) => diagnose(evidence, tried, NOW).steps.map((s) => s.id);
    expect(steps([])).toEqual(['check-network', 'check-link', 'sign-on-again', 'reinject-master-key', 'call-support']);
    expect(steps([{ action: 'sign-on', result: 'failed', wallMs: T0 }])).toEqual(['check-network', 'check-link', 'sign-on-again', 'reinject-master-key', 'call-support']);
    expect(steps([{ action: 'network-test', result: 'done', wallMs: T0 }, { action: 'sign-on', result: 'done', wallMs: T0 }])).toEqual([
      'check-link', 'reinject-master-key', 'check-network', 'sign-on-again', 'call-support',
    ]);
    const d = diagnose(evidence, [{ action: 'sign-on', result: 'refused', wallMs: T0 - 5, detail: 'not signed on' }], NOW);
    expect(d.tried).toEqual([{ action: 'sign-on', result: 'refused', wallMs: T0 - 5, detail: 'not signed on' }]);
    expect(d.evidence.find((e) => e.source === 'action')).toEqual({
      code: 'action.sign-on.refused', family: 'authentication', source: 'action', status: 'warn', wallMs: T0 - 5, uptimeMs: NOW.uptimeMs, detail: 'not signed on',
    });
  });

  it('a terminal never activated: its missing IDs and the certificate mismatch follow from it, and activation is the first step', () => {
    const d = diagnose(
      [fact('keys.not-activated', 'fail', { probe: 'auth.master-key' }), fact('config.tid-invalid', 'fail'), fact('config.mid-invalid', 'fail'), fact('cert.wrong-terminal', 'fail')],
      [],
      NOW,
    );
    expect(d.causes.map((c) => `${c.id}:${c.status}`)).toEqual(['auth.not-activated:confirmed', 'sys.config:confirmed', 'auth.tid-mismatch:confirmed']);
    expect(d.steps.map((s) => s.id)).toEqual(['activate', 'new-activation-code', 'reprovision-config', 'fix-tid', 'replace-certificate', 'call-support']);
  });

  it('a check value refused at activation asks for a new activation, one refused at sign-on for a new sign-on', () => {
    const atActivation = diagnose([fact('activation.kcv-mismatch', 'fail'), fact('activation.not-activated', 'fail')], [], NOW);
    expect(atActivation.causes.map((c) => c.id)).toEqual(['auth.kcv-mismatch', 'auth.not-activated']);
    expect(atActivation.steps.map((s) => s.id)).toEqual(['activate', 'reinject-master-key', 'new-activation-code', 'call-support']);
    const atSignOn = diagnose([fact('keys.kcv-mismatch', 'fail')], [], NOW);
    expect(atSignOn.steps.map((s) => s.id)).toEqual(['sign-on-again', 'reinject-master-key', 'call-support']);
  });

  it('the clock is set before a TLS anchor whose dates it could not judge is renewed', () => {
    const d = diagnose([fact('tls.anchor-undecided', 'warn'), fact('rtc.before-build', 'fail')], [], NOW);
    expect(d.steps.map((s) => s.id)).toEqual(['set-clock', 'renew-tls-anchor', 'call-support']);
  });

  it('an activation that succeeded rules out "not activated"', () => {
    const d = diagnose([fact('activation.done', 'pass')], [{ action: 'activate', result: 'done', wallMs: T0 }], NOW);
    expect(d.causes.map((c) => `${c.id}:${c.status}`)).toEqual(['sys.key-storage:ruled-out', 'auth.not-activated:ruled-out', 'auth.activation-code:ruled-out', 'auth.bound-elsewhere:ruled-out']);
    expect(d.top).toBeUndefined();
  });
});
