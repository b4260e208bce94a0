/**
 * What a terminal's self-test report and event log hold in the field situations of issue 8 §9,
 * built from the probes' own ids, families, codes and detail formats (evidenceCodes.test.ts
 * checks every code used here against the probe sources). The report is the standard plan's
 * (selftest/plan.ts) in report order, every probe passing, with the findings of a situation
 * put in place of the passing ones.
 */
import type { TerminalEvent } from '../../firmware/core/runtime/events';
import type { CauseFamily, ProbeStatus, SelfTestReport, SelfTestTrigger } from '../../firmware/core/selftest/types';

export const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
export const BUILT = Date.UTC(2026, 10, 20);

type Finding = readonly [status: ProbeStatus, code: string, detail: string];

/** The standard plan with a host link, in report order: id, family, passing finding. */
const HEALTHY: readonly (readonly [id: string, family: CauseFamily, finding: Finding])[] = [
  ['network.link', 'network', ['pass', 'link.ok', 'address 192.168.1.20']],
  ['network.resolve', 'network', ['pass', 'resolve.ok', 'resolved pos.acquirer.test']],
  ['network.primary', 'network', ['pass', 'connect.ok', 'primary pos.acquirer.test:5000 connected in 40 ms']],
  ['network.backup', 'network', ['pass', 'connect.ok', 'backup pos2.acquirer.test:5000 connected in 45 ms']],
  ['network.echo', 'network', ['pass', 'echo.ok', 'round trip 120 ms to the primary, answer 00']],
  ['network.tls', 'network', ['skip', 'tls.not-used', 'no host of the profile uses TLS']],
  ['system.image', 'system', ['pass', 'image.ok', '1048576 bytes, SHA-256 matches']],
  ['system.rtc', 'system', ['pass', 'rtc.ok', 'clock 2026-12-02T09:00:00Z, built 2026-11-20']],
  ['system.flash', 'system', ['pass', 'flash.ok', '4 sectors, 212 records']],
  ['system.memory', 'system', ['pass', 'memory.ok', 'chunk 30000 free, 2400 slots free']],
  ['system.config', 'system', ['pass', 'config.ok', 'tid 10240001, profile cup-style, 2 host(s)']],
  ['system.reversal', 'system', ['pass', 'reversal.none', 'no reversal pending']],
  ['auth.crypto', 'authentication', ['pass', 'crypto.ok', '6 known answers: des, tdes, aes, sha256, cmac, ecdsa']],
  ['system.capk', 'system', ['pass', 'capk.ok', '6 keys pass their checksum and dates']],
  ['device.display', 'device', ['pass', 'display.ok', '240×320 ready']],
  ['device.keypad', 'device', ['pass', 'keypad.ok', 'no key held']],
  ['account.host', 'account', ['pass', 'account.ok', 'host answered 00 (Approved | 承兑) to 0810 from the primary at 2026-12-02T08:00:00Z']],
  ['auth.master-key', 'authentication', ['pass', 'master-key.ok', 'terminal master key present (held by the crypto module)']],
  ['auth.working-keys', 'authentication', ['pass', 'keys.ok', 'generation 2: pin KCV 1A2B3C, mac KCV 4D5E6F']],
  ['auth.mac', 'authentication', ['pass', 'mac.ok', 'MAC of the check message matches the one recorded at sign-on']],
  ['auth.certificate', 'authentication', ['pass', 'cert.ok', '2 certificates to Acquirer Root; 10240001 expires 2028-01-01 (760 days)']],
];

/** A report of the standard plan with `findings` (by probe id) in place of the passing ones. */
export function report(findings: Readonly<Record<string, Finding>> = {}, trigger: SelfTestTrigger = 'host-83', at = T0): SelfTestReport {
  for (const id of Object.keys(findings)) if (!HEALTHY.some(([probe]) => probe === id)) throw new Error(`no probe ${id} in the plan`);
  const results = HEALTHY.map(([id, family, finding]) => {
    const [status, code, detail] = findings[id] ?? finding;
    return { id, family, status, code, detail, durationMs: 0 };
  });
  const verdict = results.some((r) => r.status === 'fail') ? 'fail' : results.some((r) => r.status === 'warn') ? 'warn' : 'pass';
  return { seq: 7, trigger, startedUptimeMs: 600_000, startedWallMs: at, durationMs: 3_000, results, verdict };
}

/** A host answer as hostDuties.ts records it. */
export function answer(
  operation: 'sign-on' | 'echo' | 'sale' | 'settle' | 'sign-off',
  code: string,
  category: string,
  wallMs: number,
  extra: { hostText?: string; processingRequest?: number; host?: number } = {},
): TerminalEvent {
  const mti = operation === 'sale' ? '0210' : operation === 'settle' ? '0510' : '0810';
  return { kind: 'host-answer', operation, code, category, mti, host: extra.host ?? 0, ...extra, uptimeMs: wallMs - T0 + 600_000, wallMs };
}

/** A boot event as terminal.ts records it. */
export function boot(resetReason: 'power-on' | 'software' | 'panic' | 'watchdog' | 'brownout', wallMs: number, corrupt = { records: 0, sectors: 0 }): TerminalEvent {
  return {
    kind: 'boot',
    firmwareVersion: '1.8.0',
    resetReason,
    recovery: { records: 212, tornRecords: 0, interruptedErases: 0, corruptRecords: corrupt.records, corruptSectors: corrupt.sectors },
    uptimeMs: 0,
    wallMs,
  };
}

export const HOUR = 3_600_000;
