/**
 * What an earlier boot saw (the durable history) against what the terminal sees now:
 * - history older than HISTORY_WINDOW_MS by a clock the self-test trusts is dropped; by a clock it
 *   does not trust (or a stamp after now) the age is unknown and the runtime's boot rule bounds it;
 * - history never confirms a cause: at most likely, and a check that held today rules it out;
 * - a pass of this boot takes back an earlier boot's failures of the same source (activation.done
 *   after activation.code-wrong; an approval after refusals, whatever the RTC said then).
 * The reviewer's case: a panic 30 days ago and a wrong activation code before a successful
 * activation must not outrank a TID the host disabled today.
 */
import { diagnose } from '../../firmware/core/diagnosis/diagnose';
import { factEvidence, numberedEvidence } from '../../firmware/core/diagnosis/evidence';
import { gatherEvidence, HISTORY_WINDOW_MS, type EvidenceSources } from '../../firmware/core/diagnosis/gather';
import type { Evidence } from '../../firmware/core/diagnosis/types';
import { answer, HOUR, report, T0 } from './modelFixtures';

const NOW = { wallMs: T0 + 60_000, uptimeMs: 660_000 };
const DAY = 24 * HOUR;
const gather = (sources: Partial<EvidenceSources>) => gatherEvidence({ events: [], history: [], now: NOW, ...sources });
const run = (sources: Partial<EvidenceSources>) => diagnose(gather(sources), [], sources.now ?? NOW);
const status = (d: ReturnType<typeof run>, id: string) => d.causes.find((c) => c.id === id)?.status;
const codes = (evidence: readonly Evidence[]) => evidence.map((e) => e.code).sort();
/** What decodeHistory gives for a code at a time (uptime 0). */
const recalled = (code: string, wallMs: number, s: Evidence['status'] = 'fail') => factEvidence(code, s, wallMs, 0);
const ACTIVATED = { factory: false, activated: true };
/** The host accepted the terminal at this boot's sign-on, then disabled its TID. */
const TID_DISABLED_TODAY = [answer('sign-on', '00', 'approved', T0 - 5000), answer('sale', '83', 'terminal-invalid', T0 - 2000, { hostText: 'TID disabled' })];

describe('the durable history against today', () => {
  it("the reviewer's case: a month-old panic and wrong code do not outrank a TID disabled today", () => {
    const history = [numberedEvidence(439, 'fail', T0 - 30 * DAY), numberedEvidence(229, 'fail', T0 - 30 * DAY)];
    const d = run({ report: report(), events: TID_DISABLED_TODAY, history, activation: ACTIVATED });
    expect(d.top?.id).toBe('auth.tid-disabled');
    expect(codes(d.evidence)).not.toContain('reset.panic');
    expect(codes(d.evidence)).not.toContain('activation.code-wrong');
    expect(status(d, 'sys.crash')).toBeUndefined();
  });

  it(`is dropped past ${HISTORY_WINDOW_MS / HOUR} h by a trusted clock, kept within it`, () => {
    expect(HISTORY_WINDOW_MS).toBe(DAY);
    const at = (age: number) => codes(gather({ report: report(), history: [recalled('reset.panic', NOW.wallMs - age)] }));
    expect(at(DAY - 1000)).toContain('reset.panic');
    expect(at(DAY + 1000)).not.toContain('reset.panic');
    expect(at(30 * DAY)).not.toContain('reset.panic');
  });

  it('is kept when its age cannot be told: the clock is not trusted now, or the stamp is after now', () => {
    const far = { wallMs: T0 + 40 * 365 * DAY, uptimeMs: 660_000 };
    const implausible = report({ 'system.rtc': ['fail', 'rtc.implausible', 'clock 2066, built 2026-11-20'] });
    expect(codes(gather({ report: implausible, history: [recalled('reset.panic', T0 - HOUR)], now: far }))).toContain('reset.panic');
    const before = report({ 'system.rtc': ['fail', 'rtc.before-build', 'clock 1970-01-01, built 2026-11-20'] });
    expect(codes(gather({ report: before, history: [recalled('reset.panic', T0 - HOUR)], now: { wallMs: 5000, uptimeMs: 5000 } }))).toContain('reset.panic');
    // Last boot's clock ran ahead; today's is right: the stamp is in the future, the age unknown.
    expect(codes(gather({ report: report(), history: [recalled('reset.panic', NOW.wallMs + 3 * DAY)] }))).toContain('reset.panic');
  });

  it('makes a cause likely at most: a panic an hour ago', () => {
    const d = run({ report: report(), history: [recalled('reset.panic', T0 - HOUR)] });
    expect(status(d, 'sys.crash')).toBe('likely');
    expect(d.top?.id).toBe('sys.crash');
    // The same panic at this boot confirms it.
    const now = run({ report: report(), events: [{ kind: 'boot', firmwareVersion: '1.8.0', resetReason: 'panic', recovery: { records: 1, tornRecords: 0, interruptedErases: 0, corruptRecords: 0, corruptSectors: 0 }, uptimeMs: 0, wallMs: T0 - 600_000 }] });
    expect(status(now, 'sys.crash')).toBe('confirmed');
  });

  it('a confirmed cause of today outranks a history one, whatever the families', () => {
    const d = run({ report: report(), events: TID_DISABLED_TODAY, history: [recalled('reset.panic', T0 - HOUR), recalled('reset.watchdog', T0 - 2 * HOUR)], activation: ACTIVATED });
    expect(d.top?.id).toBe('auth.tid-disabled');
    expect(status(d, 'sys.crash')).toBe('likely');
  });

  it("is ruled out by a check that held today: an earlier boot's corrupt flash beside today's flash.ok", () => {
    const d = run({ report: report(), history: [recalled('storage.corrupt', T0 - HOUR), recalled('host.merchant-restricted', T0 - HOUR)] });
    expect(status(d, 'sys.storage')).toBe('ruled-out');
    expect(status(d, 'acct.restricted')).toBe('ruled-out');
    expect(d.top).toBeUndefined();
  });

  it('activation.done of today takes back the activation failures an earlier boot saw', () => {
    const history = [recalled('activation.code-wrong', T0 - HOUR), recalled('activation.not-activated', T0 - 2 * HOUR), recalled('activation.unreachable', T0 - 3 * HOUR)];
    const evidence = gather({ report: report(), history, activation: ACTIVATED });
    expect(codes(evidence).filter((c) => c.startsWith('activation.'))).toEqual(['activation.done']);
    // Not activated today: the earlier refusal stands (likely: the history's word).
    const refused = run({ report: report(), history, activation: { factory: true, activated: false } });
    expect(status(refused, 'auth.activation-code')).toBe('likely');
  });

  it("an approval of this boot takes back an earlier boot's refusals, even stamped after it by a clock that ran ahead", () => {
    const history = [recalled('host.terminal-invalid', T0 + 2 * HOUR), recalled('hosttext.terminal-disabled', T0 + 2 * HOUR), recalled('host.refused-after-accept', T0 - HOUR)];
    const evidence = gather({ report: report(), history, events: [answer('sign-on', '00', 'approved', T0 - 1000)] });
    expect(codes(evidence).filter((c) => c.startsWith('host'))).toEqual(['host.approved']);
  });
});
