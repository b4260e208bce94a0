/**
 * Issue 10's causes: the update (sys.update 27), the power supply (dev.power 13), the crash loop
 * (sys.crash by reset.crash-loop), the image's signature and seal (sys.image), the clock the
 * certificate check waited for (sys.clock by cert.clock-untrusted); judged from evidence as
 * gather.ts makes it from the events the runtime records, and carried by the support code (its
 * bits laid out from strings by supportFixtures.referenceCode) and the QR summary (read back by
 * cbor-x, not the core's reader).
 */
import { Decoder } from 'cbor-x';
import { diagnose } from '../../firmware/core/diagnosis/diagnose';
import { gatherEvidence, type EvidenceSources } from '../../firmware/core/diagnosis/gather';
import { factEvidence } from '../../firmware/core/diagnosis/evidence';
import { hourStamp, supportCode } from '../../firmware/core/diagnosis/supportCode';
import { encodeSummary } from '../../firmware/core/diagnosis/summary';
import type { Evidence } from '../../firmware/core/diagnosis/types';
import type { FactEvent, TerminalEvent } from '../../firmware/core/runtime/events';
import { boot, HOUR, report, T0 } from './modelFixtures';
import { referenceCode } from './supportFixtures';

const NOW = { wallMs: T0, uptimeMs: 600_000 };
const fact = (code: string, status: FactEvent['status'], detail?: string, wallMs = T0 - 60_000): FactEvent => ({
  kind: 'fact', code, status, ...(detail ? { detail } : {}), uptimeMs: 1_000, wallMs,
});
const judged = (sources: Partial<EvidenceSources>) => {
  const evidence = gatherEvidence({ report: report({}, 'boot'), events: [], history: [], now: NOW, ...sources });
  const d = diagnose(evidence, [], NOW);
  return {
    d,
    evidence,
    standing: d.causes.filter((c) => c.status !== 'ruled-out').map((c) => `${c.id}:${c.status}`),
    steps: d.steps.map((s) => s.id),
    status: (id: string) => d.causes.find((c) => c.id === id)?.status,
  };
};

describe('sys.update (27): the update failed', () => {
  it('update.failed confirms it; the remedy is to update again, then support', () => {
    const { standing, steps } = judged({ events: [boot('software', T0 - 120_000), fact('update.failed', 'fail', 'self-test: device.display')] });
    expect(standing).toEqual(['sys.update:confirmed']);
    expect(steps).toEqual(['update-firmware', 'call-support']);
  });

  it('a new image that crashed at its trial boot: sys.update first, the crash it explains after it', () => {
    const { standing, steps } = judged({ events: [boot('panic', T0 - 120_000), fact('update.crashed', 'fail', 'version 1.9.0')] });
    expect(standing).toEqual(['sys.update:confirmed', 'sys.crash:confirmed']);
    expect(steps).toEqual(['update-firmware', 'restart', 'reflash-firmware', 'call-support']);
  });

  it('an interrupted update makes it likely; an update that passed its gate rules it out', () => {
    expect(judged({ events: [fact('update.interrupted', 'warn')] }).status('sys.update')).toBe('likely');
    expect(judged({ events: [fact('update.ok', 'pass')] }).status('sys.update')).toBe('ruled-out');
    // Refusals and download failures are the server's or the network's, not a failed update of this terminal.
    expect(judged({ events: [fact('update.refused', 'warn'), fact('update.download-failed', 'info')] }).status('sys.update')).toBeUndefined();
  });

  it('seen by the previous boot only (the history): likely, never confirmed', () => {
    const history: Evidence[] = [{ ...factEvidence('update.failed', 'fail', T0 - HOUR, 0), fromHistory: true }];
    expect(judged({ history }).status('sys.update')).toBe('likely');
  });
});

describe('dev.power (13): brownouts', () => {
  it("a brownout boot and the reset history's fact about it are one sighting: dev.power confirmed, check the power first", () => {
    const { standing, steps, evidence } = judged({ events: [boot('brownout', T0 - 120_000), fact('power.brownout', 'warn', 'brownouts=2', T0 - 120_000)] });
    expect(standing).toEqual(['dev.power:confirmed']);
    expect(steps).toEqual(['check-power', 'call-support']);
    const seen = evidence.filter((e) => e.code === 'power.brownout');
    expect(seen).toEqual([expect.objectContaining({ family: 'device', source: 'reset', status: 'warn', detail: 'firmware=1.8.0 brownouts=2' })]);
    // No crash: a brownout is the supply's.
    expect(evidence.some((e) => e.code.startsWith('reset.'))).toBe(false);
  });

  it('two brownout boots are counted as two', () => {
    const { evidence } = judged({ events: [boot('brownout', T0 - 2 * HOUR), fact('power.brownout', 'warn', 'brownouts=1'), boot('brownout', T0 - HOUR), fact('power.brownout', 'warn', 'brownouts=2')] });
    expect(evidence.filter((e) => e.code === 'power.brownout').map((e) => e.detail)).toEqual(['firmware=1.8.0 seen=2 brownouts=2']);
  });

  it("an older firmware's reset.brownout (history) makes it likely", () => {
    const history: Evidence[] = [{ ...factEvidence('reset.brownout', 'warn', T0 - HOUR, 0), fromHistory: true }];
    expect(judged({ history }).standing).toEqual(['dev.power:likely']);
  });
});

describe('sys.crash (24): the crash loop', () => {
  it('reset.crash-loop confirms it, with the crash boots', () => {
    const events: TerminalEvent[] = [boot('panic', T0 - 60_000), fact('reset.crash-loop', 'fail', 'crashes=3 window=10min by=clock reason=panic')];
    const { standing, steps, d } = judged({ events });
    expect(standing).toEqual(['sys.crash:confirmed']);
    expect(steps).toEqual(['restart', 'reflash-firmware', 'call-support']);
    expect(d.causes.find((c) => c.id === 'sys.crash')!.for.map((e) => e.code).sort()).toEqual(['reset.crash-loop', 'reset.panic']);
  });

  it('the crash loop alone (no boot event read) still confirms it', () => {
    expect(judged({ events: [fact('reset.crash-loop', 'fail')] }).standing).toEqual(['sys.crash:confirmed']);
  });
});

describe('sys.image (23) and sys.clock (20): the seal and the clock', () => {
  it.each(['image.signature-bad', 'image.seal-mismatch'])('%s confirms sys.image', (code) => {
    const { standing, steps } = judged({ report: report({ 'system.image': ['fail', code, 'seal of 1048576 bytes'] }, 'boot') });
    expect(standing).toEqual(['sys.image:confirmed']);
    expect(steps[0]).toBe('reflash-firmware');
  });

  it('an unsigned image (a development build) is only a warning: no cause', () => {
    const { standing, status } = judged({ report: report({ 'system.image': ['warn', 'image.unsigned', 'no seal'] }, 'boot') });
    expect(standing).toEqual([]);
    expect(status('sys.image')).toBeUndefined();
  });

  it('a certificate check that waited in vain for a trusted clock: the clock, not the certificate', () => {
    const untrusted = { 'auth.certificate': ['warn', 'cert.clock-untrusted', 'clock not trusted after 20000 ms'] } as const;
    const alone = judged({ report: report({ ...untrusted, 'system.rtc': ['fail', 'rtc.implausible', 'rtc 2070-01-01'] }, 'boot') });
    expect(alone.standing).toEqual(['sys.clock:confirmed']);
    expect(alone.d.causes.find((c) => c.id === 'sys.clock')!.for.map((e) => e.code).sort()).toEqual(['cert.clock-untrusted', 'rtc.implausible']);
    expect(alone.status('auth.certificate')).toBeUndefined();
    expect(alone.steps[0]).toBe('set-clock');
  });
});

describe('the support code and the QR summary carry the new causes', () => {
  const independent = new Decoder({ mapsAsObjects: false } as ConstructorParameters<typeof Decoder>[0]);

  it('sys.update (27), sys.crash (24) and dev.power (13) in rank order', () => {
    const events: TerminalEvent[] = [boot('brownout', T0 - 3 * HOUR), boot('panic', T0 - 120_000), fact('update.crashed', 'fail')];
    const { d, standing } = judged({ events });
    expect(standing).toEqual(['dev.power:confirmed', 'sys.update:confirmed', 'sys.crash:confirmed']);
    expect(supportCode(d)).toBe(referenceCode(1, [13, 27, 24], hourStamp(d.wallMs)));
    const map = independent.decode(encodeSummary(d, { firmwareVersion: '1.8.0' })) as Map<number, unknown>;
    expect(map.get(4)).toEqual([13, 27, 24]);
    // Evidence numbers: update.crashed 244 and reset.panic 229 fail, power.brownout 122 warns.
    expect(map.get(5)).toEqual(expect.arrayContaining([244, 229, 122]));
  });
});
