/**
 * Self-test vocabulary. Probes are grouped by the five cause families of host response
 * code 83 ("invalid terminal"), so a failed probe points straight at a family of remedies.
 */
import type { Ports } from '../ports';
import type { KeyStore } from '../security/keyStore';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import type { HostSubjectsSource } from './probes/hostSubjects';
import { deepFreeze } from '../freeze';

export type CauseFamily = 'network' | 'device' | 'system' | 'account' | 'authentication';
export const CAUSE_FAMILIES: readonly CauseFamily[] = deepFreeze(['network', 'device', 'system', 'account', 'authentication']);

export type ProbeStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** What triggered a self-test run. */
export type SelfTestTrigger = 'boot' | 'periodic' | 'demand' | 'host-83' | 'keys-wiped';

/** What a probe found. `code` is stable ("rtc.before-build"); `detail` is language-neutral facts. */
export interface ProbeOutcome {
  status: ProbeStatus;
  code: string;
  detail: string;
}

export interface ProbeResult extends ProbeOutcome {
  id: string;
  family: CauseFamily;
  /**
   * Milliseconds of the clock port's uptime from the probe's start to its outcome: the device's
   * own clock on the board, the virtual clock in host-sim (which moves only when the scenario or
   * a probe's timers move it, so a probe that waits on nothing takes 0 ms there).
   */
  durationMs: number;
}

export interface SelfTestReport {
  /** Run number, counting from 1 since the log was created. */
  seq: number;
  trigger: SelfTestTrigger;
  /** Uptime and RTC when the run started. */
  startedUptimeMs: number;
  startedWallMs: number;
  durationMs: number;
  results: ProbeResult[];
  /** The worst status of any result ('pass' when all passed or skipped). */
  verdict: 'pass' | 'warn' | 'fail';
}

/**
 * What the standard probes look at besides the ports (plan.ts probeTargets). The runner hands
 * them to each probe in its context: the probes are made once, at preload, not per boot around
 * them (on the device each function made at run time costs XS slots and a heap copy of its code).
 */
export interface ProbeTargets {
  /** The opened record log, or why it could not be opened. */
  readonly log?: RecordLog | string;
  readonly cbor?: CborCodec;
  readonly keys?: KeyStore;
  /** The acquirer link, session and profile as they are when a probe runs. */
  readonly host?: HostSubjectsSource;
  /** Where the wall clock came from and whether it can judge dates (runtime/clockKeeper.ts). */
  readonly clock?: ClockTrust;
}

/** What the clock probe and the certificate checks ask of the clock keeper (runtime/clockKeeper.ts). */
export interface ClockTrust {
  /** Where the wall clock's time came from this boot. */
  source(): ClockSource;
  /** True once the wall clock can judge certificates. */
  trusted(): boolean;
  /** Resolves true when trusted, false once `maxMs` of uptime passed without. Never rejects. */
  whenTrusted(maxMs: number): Promise<boolean>;
}

export type ClockSource =
  /** The RTC as the board kept it (battery-backed or set in an earlier boot). */
  | { kind: 'rtc' }
  /** Set from SNTP this boot: `server`, at `atUptimeMs`, stepped by `stepMs`. */
  | { kind: 'sntp'; server: string; atUptimeMs: number; stepMs: number };

/** What a probe may look at while it runs. */
export interface ProbeContext {
  readonly ports: Ports;
  readonly trigger: SelfTestTrigger;
  readonly targets?: ProbeTargets;
  /** Result of a probe this one declared in `after`. */
  resultOf(id: string): ProbeResult | undefined;
}

export interface Probe {
  /** Stable id, e.g. "system.image". Also the key of its title in the string tables. */
  readonly id: string;
  readonly family: CauseFamily;
  /** Past this much uptime the probe fails with code "probe.timeout". */
  readonly timeoutMs: number;
  /** Probes whose results this one needs; it starts after they finish. */
  readonly after?: readonly string[];
  run(context: ProbeContext): Promise<ProbeOutcome>;
}
