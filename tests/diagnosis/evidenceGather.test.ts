/**
 * gatherEvidence: what each source turns into. Host answers as hostDuties.ts records them, boots
 * as terminal.ts does, the reversal probe's real output, session and activation state, and the
 * durable history beside all of them.
 */
import type { ActivationOutcome } from '../../firmware/core/activation/activate';
import type { ActivationState } from '../../firmware/core/activation/activationState';
import fc from 'fast-check';
import { evidenceNumber } from '../../firmware/core/diagnosis/evidence';
import { gatherEvidence, type ActivationEvidence, type EvidenceSources } from '../../firmware/core/diagnosis/gather';
import type { Evidence } from '../../firmware/core/diagnosis/types';
import type { TerminalEvent } from '../../firmware/core/runtime/events';
import { reversalProbe } from '../../firmware/core/selftest/probes/reversalProbe';
import type { HostSubjectsSource } from '../../firmware/core/selftest/probes/hostSubjects';
import type { ProbeContext } from '../../firmware/core/selftest/types';
import { answer, boot, HOUR, report, T0 } from './modelFixtures';

const NOW = { wallMs: T0, uptimeMs: 600_000 };
const gather = (sources: Partial<EvidenceSources>) => gatherEvidence({ events: [], history: [], now: NOW, ...sources });
const codes = (evidence: Evidence[]) => evidence.map((e) => `${e.code}:${e.status}`).sort();
const find = (evidence: Evidence[], code: string) => evidence.find((e) => e.code === code);

describe('host answers', () => {
  it.each([
    ['approved', 'host.approved:pass'],
    ['declined', 'host.declined:info'],
    ['card-problem', 'host.card-problem:info'],
    ['retry', 'host.retry:warn'],
    ['re-sign-on', 'host.re-sign-on:warn'],
    ['host-problem', 'host.host-problem:warn'],
    ['terminal-invalid', 'host.terminal-invalid:fail'],
    ['merchant-restricted', 'host.merchant-restricted:fail'],
  ])('%s answers are %s', (category, expected) => {
    expect(codes(gather({ events: [answer('sale', '99', category, T0 - 1000)] }))).toEqual([expected]);
  });

  it("carry the code, MTI, host, operation, processing request and the host's text (cut to 40 characters)", () => {
    const text = 'Terminal not registered at this acquirer, call the help desk';
    const [e, signOn] = gather({ events: [answer('sale', '83', 'terminal-invalid', T0 - 1000, { host: 1, processingRequest: 3, hostText: text })] });
    expect(e).toEqual({
      code: 'host.terminal-invalid', family: 'authentication', source: 'host', status: 'fail', wallMs: T0 - 1000, uptimeMs: 599_000,
      detail: `code=83 mti=0210 host=1 op=sale nibble=3 text=${text.slice(0, 40)}`,
    });
    expect(signOn).toMatchObject({ code: 'host.sign-on-requested', status: 'warn', family: 'authentication' });
  });

  it('ignore a category this firmware does not know, whatever its name', () => {
    expect(gather({ events: ['new-category', 'constructor', 'toString', '__proto__'].map((c) => answer('sale', 'Z9', c, T0)) })).toEqual([]);
  });

  it.each([
    ['商户已冻结', 'hosttext.account-restricted'],
    ['账户止付', 'hosttext.account-restricted'],
    ['Merchant SUSPENDED', 'hosttext.account-restricted'],
    ['终端已停用', 'hosttext.terminal-disabled'],
    ['terminal disabled by acquirer', 'hosttext.terminal-disabled'],
  ])("read the host's text %j as %s", (hostText, code) => {
    const evidence = gather({ events: [answer('sale', '83', 'terminal-invalid', T0, { hostText })] });
    expect(find(evidence, code)).toMatchObject({ status: 'fail', source: 'host' });
  });

  it('a refusal after an approval says the host knew the terminal; an approval after refusals takes them back', () => {
    const refusedLater = gather({ events: [answer('sign-on', '00', 'approved', T0 - 5 * HOUR), answer('sale', '83', 'terminal-invalid', T0 - HOUR)] });
    expect(codes(refusedLater)).toEqual(['host.approved:pass', 'host.refused-after-accept:fail', 'host.terminal-invalid:fail']);
    const refusedFirst = gather({ events: [answer('sale', '83', 'terminal-invalid', T0 - 5 * HOUR), answer('sign-on', '00', 'approved', T0 - HOUR)] });
    expect(codes(refusedFirst)).toEqual(['host.approved:pass']);
  });

  it('the same code again: the newest stands, with how often it was seen', () => {
    const evidence = gather({ events: [1, 2, 3].map((h) => answer('sign-on', '83', 'terminal-invalid', T0 - h * HOUR)) });
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ wallMs: T0 - 3 * HOUR, detail: 'code=83 mti=0810 host=0 op=sign-on seen=3' });
  });
});

describe('boots', () => {
  it('panic and watchdog resets fail, a brownout warns (the power supply: power.brownout), a power-on is no evidence; corruption found by recovery fails', () => {
    const evidence = gather({
      events: [boot('panic', T0 - 3 * HOUR), boot('watchdog', T0 - 2 * HOUR), boot('brownout', T0 - HOUR), boot('power-on', T0, { records: 2, sectors: 1 })],
    });
    expect(codes(evidence)).toEqual(['power.brownout:warn', 'reset.panic:fail', 'reset.watchdog:fail', 'storage.corrupt:fail']);
    expect(find(evidence, 'power.brownout')).toMatchObject({ family: 'device', source: 'reset', detail: 'firmware=1.8.0' });
    expect(find(evidence, 'storage.corrupt')?.detail).toBe('records=2 sectors=1');
    expect(find(evidence, 'reset.panic')).toMatchObject({ family: 'system', source: 'reset', detail: 'firmware=1.8.0' });
  });

  it('a reset reason this firmware does not know is no evidence, whatever its name', () => {
    const odd = ['deep-sleep', 'constructor', 'hasOwnProperty'].map((reason) => ({ ...boot('power-on', T0), resetReason: reason }) as TerminalEvent);
    expect(gather({ events: odd })).toEqual([]);
  });
});

describe('session and activation', () => {
  it.each([
    [{ pendingReversal: true, reversalReason: '98' }, ['link.reversal-pending:warn']],
    [{ pendingReversal: true, reversalReason: 'A0' }, ['host.answer-mac-bad:fail']],
    [{ pendingReversal: false, failovers: 2, timeouts: 5 }, ['link.failover:warn', 'link.timeout:warn']],
    [{ pendingReversal: false, failovers: 0, timeouts: 0 }, []],
  ])('session %j gives %j', (session, expected) => {
    expect(codes(gather({ session }))).toEqual(expected);
  });

  it.each([
    [{ factory: true, activated: false }, ['activation.not-activated:fail']],
    [{ factory: false, activated: false }, []],
    [{ factory: false, activated: true }, ['activation.done:pass']],
    [{ factory: true, activated: false, last: { outcome: { kind: 'refused' as const, reason: 'code-expired' }, wallMs: T0, uptimeMs: 1 } }, ['activation.code-expired:fail', 'activation.not-activated:fail']],
    [{ factory: true, activated: false, last: { outcome: { kind: 'refused' as const, reason: 'unreachable' }, wallMs: T0, uptimeMs: 1 } }, ['activation.not-activated:fail', 'activation.unreachable:fail']],
    [{ factory: true, activated: false, last: { outcome: { kind: 'refused' as const, reason: 'from-the-future' }, wallMs: T0, uptimeMs: 1 } }, ['activation.malformed:fail', 'activation.not-activated:fail']],
  ])('activation %j gives %j', (activation, expected) => {
    expect(codes(gather({ activation }))).toEqual(expected);
  });

  it("takes the activation flow's own state and outcome as they are", () => {
    const state: ActivationState = { masterKey: false, factory: true, activated: false };
    const outcome: ActivationOutcome = { kind: 'refused', reason: 'tid-disabled', detail: 'D5=03' };
    const activation: ActivationEvidence = { ...state, last: { outcome, wallMs: T0, uptimeMs: 1 } };
    expect(gather({ activation }).map((e) => [e.code, e.detail])).toEqual([['activation.tid-disabled', 'D5=03'], ['activation.not-activated', undefined]]);
  });

  it('the real reversal probe, with a reversal kept for a failed answer MAC, gives the keys evidence', async () => {
    const pendingReversal = { stan: '000124', reason: 'A0', attempts: 1 };
    const host = (() => ({ session: { status: () => ({ pendingReversal }) } })) as unknown as HostSubjectsSource;
    const outcome = await reversalProbe(host).run({} as ProbeContext);
    expect(outcome).toMatchObject({ status: 'warn', code: 'reversal.pending' });
    const evidence = gather({ report: report({ 'system.reversal': [outcome.status, outcome.code, outcome.detail] }) });
    expect(find(evidence, 'host.answer-mac-bad')).toMatchObject({ status: 'fail', family: 'authentication' });
  });
});

describe('the self-test report', () => {
  it('gives every result with its probe, family and the run time; a skip reads as a fact', () => {
    const evidence = gather({ report: report({ 'auth.certificate': ['skip', 'cert.cannot-decide', 'validity not judged'] }) });
    expect(evidence).toHaveLength(21);
    expect(find(evidence, 'cert.cannot-decide')).toEqual({
      code: 'cert.cannot-decide', family: 'authentication', source: 'selftest', status: 'info', wallMs: T0, uptimeMs: 600_000, detail: 'validity not judged', probe: 'auth.certificate',
    });
    expect(evidence.filter((e) => e.code === 'connect.ok').map((e) => e.probe)).toEqual(['network.primary', 'network.backup']);
  });
});

describe('the durable history', () => {
  const old = (code: string, wallMs: number, source: Evidence['source'], status: Evidence['status'] = 'fail'): Evidence => ({ code, family: 'system', source, status, wallMs, uptimeMs: 0 });

  it("gives way to this boot's report for self-test findings, and keeps what only it remembers", () => {
    const history = [old('rtc.before-build', T0 - HOUR, 'selftest'), old('reset.panic', T0 - HOUR, 'reset')];
    expect(codes(gather({ history, report: report() })).filter((c) => !c.endsWith(':pass') && !c.endsWith(':info'))).toEqual(['reset.panic:fail']);
    expect(codes(gather({ history }))).toEqual(['reset.panic:fail', 'rtc.before-build:fail']);
  });

  it("is not counted twice beside this boot's events (same code, same second)", () => {
    const events = [boot('panic', T0 - HOUR + 400)];
    expect(gather({ events, history: [old('reset.panic', T0 - HOUR, 'reset')] })).toHaveLength(1);
    expect(gather({ events, history: [old('reset.panic', T0 - 2 * HOUR, 'reset')] })).toHaveLength(2);
  });

  it('loses the refusals an approval of this boot took back (all of them: an earlier boot is older, whatever its RTC said)', () => {
    const history = [old('host.terminal-invalid', T0 - 3 * HOUR, 'host'), old('host.terminal-invalid', T0 - 10_000, 'host')];
    const evidence = gather({ history, events: [answer('sign-on', '00', 'approved', T0 - HOUR)] });
    expect(evidence.map((e) => [e.code, e.wallMs])).toEqual([['host.approved', T0 - HOUR]]);
  });

  it('is marked fromHistory, and what this boot saw is not', () => {
    const evidence = gather({ history: [old('reset.panic', T0 - HOUR, 'reset')], events: [boot('watchdog', T0 - 1000)] });
    expect(evidence.map((e) => [e.code, e.fromHistory])).toEqual([['reset.watchdog', undefined], ['reset.panic', true]]);
  });
});

describe('any event log', () => {
  it('gives evidence of known codes only, and never throws', () => {
    const word = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('approved', 'terminal-invalid', 'merchant-restricted', 'panic', 'brownout', 'constructor', '__proto__'));
    const event = fc.oneof(
      fc.record({ op: fc.constantFrom('sign-on' as const, 'sale' as const), category: word, text: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }), nibble: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }), at: fc.integer({ min: 0, max: T0 }) })
        .map(({ op, category, text, nibble, at }) => answer(op, '83', category, at, { ...(text === undefined ? {} : { hostText: text }), ...(nibble === undefined ? {} : { processingRequest: nibble }) })),
      fc.record({ reason: word, at: fc.integer({ min: 0, max: T0 }), records: fc.nat(3) }).map(({ reason, at, records }) => ({ ...boot('power-on', at, { records, sectors: 0 }), resetReason: reason }) as TerminalEvent),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), (events) => {
        for (const e of gather({ events })) expect(evidenceNumber(e.code)).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
