/**
 * The steps of a diagnosis the terminal runs itself (issue 8, Deliver 3), each to an outcome
 * the diagnosis then weighs (action.<id>.<result>):
 *
 * - network-test: the self-test's network probes alone (link, names, each host, the echo, the
 *   TLS anchor with the clock check it needs), not a whole self-test: done when none fails.
 * - sign-on: a sign-on now, also out of service (stale working keys are why it may be out);
 *   done when the host approves.
 * - restart: the board's restart (TerminalOptions.restart); refused on a board without one.
 * - set-clock: the RTC set from the profile's SNTP servers through the clock keeper (its round,
 *   clockSync.ts; so where the time came from follows the step: clockKeeper.ts), then judged by the
 *   clock probe, with the probes that judge dates by it run again: done when it was set and
 *   can be trusted (the step in seconds in the detail);
 *   failed with each server's reason when none answered a believable time; refused on a board
 *   without SNTP.
 * - self-test: a demand self-test; done unless it fails.
 * - activate: opens the activation code entry; its outcome is the activation's (activate()).
 */
import type { ActionId, ActionOutcome } from '../diagnosis/types';
import { errorText } from '../errorText';
import type { HostOutcome } from '../host/sessionTypes';
import { PROFILE_DEFAULTS } from '../config/acquirerProfile';
import type { Ports } from '../ports';
import type { Probe, ProbeResult, SelfTestReport } from '../selftest/types';
import { syncClock, type ClockSync } from './clockSync';

export interface ActionDeps {
  ports: Ports;
  /** A demand self-test (one under way is joined). */
  selfTest(): Promise<SelfTestReport>;
  /** A sign-on now, in or out of service. */
  signOn(): Promise<HostOutcome>;
  /** Runs the probes of the plan with these ids (and those they run after) on their own. */
  probe(ids: (probe: Probe) => boolean): Promise<readonly ProbeResult[]>;
  /** The board's restart, if it has one (the outcome is recorded before it is called). */
  restart?: () => void;
  /** Shows the activation code entry. */
  openActivation(): void;
  /** The provisioned profile's SNTP servers (default PROFILE_DEFAULTS.ntpServers). */
  ntpServers?: () => readonly string[] | undefined;
  /** The clock keeper (runtime/clockKeeper.ts), once the terminal has one: the step's round goes through it. */
  clockKeeper?: () => ClockSyncer | undefined;
}

/** What the set-clock step asks of the clock keeper: a round over `servers` (one under way is joined). */
export interface ClockSyncer {
  sync(servers: readonly string[]): Promise<ClockSync>;
}

const isNetwork = (p: Probe) => p.family === 'network';
const isClock = (p: Probe) => p.id === 'system.rtc';
/** The clock probe and those that judge dates by it (certificate, CA keys, TLS anchor): judged again once the RTC is set. */
const judgesByClock = (p: Probe) => isClock(p) || (p.after?.includes('system.rtc') ?? false);

/** "network.primary connect.failed, network.echo probe.skipped": what did not pass. */
function notPassed(results: readonly ProbeResult[]): string {
  let out = '';
  for (const r of results) if (r.status !== 'pass' && r.status !== 'skip') out += `${out ? ', ' : ''}${r.id} ${r.code}`;
  return out;
}

function fromProbes(action: ActionId, results: readonly ProbeResult[], wallMs: number): ActionOutcome {
  const failed = results.some((r) => r.status === 'fail');
  const detail = notPassed(results);
  return { action, result: failed ? 'failed' : 'done', wallMs, ...(detail ? { detail } : {}) };
}

function fromSignOn(outcome: HostOutcome, wallMs: number): ActionOutcome {
  if (outcome.kind === 'answered')
    return { action: 'sign-on', result: outcome.answer.category === 'approved' ? 'done' : 'failed', wallMs, detail: `code=${outcome.answer.code} category=${outcome.answer.category}` };
  if (outcome.kind === 'no-answer') return { action: 'sign-on', result: 'failed', wallMs, detail: `no answer: ${outcome.stage}` };
  return { action: 'sign-on', result: 'refused', wallMs, detail: outcome.code };
}

/** Runs action `id` to its outcome; never rejects (a crash is a failed outcome). */
export async function runAction(id: ActionId, deps: ActionDeps): Promise<ActionOutcome> {
  const { clock } = deps.ports;
  try {
    switch (id) {
      case 'network-test':
        return fromProbes(id, await deps.probe(isNetwork), clock.wallMs());
      case 'set-clock': {
        const servers = deps.ntpServers?.() ?? PROFILE_DEFAULTS.ntpServers;
        const keeper = deps.clockKeeper?.();
        const sync = await (keeper ? keeper.sync(servers) : syncClock(deps.ports, servers));
        // The probe judges the RTC either way (what SNTP left, or what it still reads), and the
        // dates that could not be judged by a 1970 clock are judged again; the step is the clock's alone.
        const results = await deps.probe(judgesByClock);
        const judged = fromProbes(id, results.filter((r) => r.id === 'system.rtc'), clock.wallMs());
        const detail = judged.detail ? `${sync.detail}, ${judged.detail}` : sync.detail;
        return { ...judged, result: sync.kind === 'set' ? judged.result : sync.kind, detail };
      }
      case 'sign-on':
        return fromSignOn(await deps.signOn(), clock.wallMs());
      case 'self-test': {
        const report = await deps.selfTest();
        const detail = notPassed(report.results);
        return { action: id, result: report.verdict === 'fail' ? 'failed' : 'done', wallMs: clock.wallMs(), ...(detail ? { detail } : {}) };
      }
      case 'restart':
        return deps.restart ? { action: id, result: 'done', wallMs: clock.wallMs() } : { action: id, result: 'refused', wallMs: clock.wallMs(), detail: 'no restart on this board' };
      case 'activate':
        deps.openActivation();
        return { action: id, result: 'done', wallMs: clock.wallMs(), detail: 'code entry' };
    }
  } catch (error) {
    return { action: id, result: 'failed', wallMs: clock.wallMs(), detail: errorText(error) };
  }
}

/** The probes `pick` chooses, with every probe they run after (runner.ts refuses a plan with an unknown dependency). */
export function probesWithDependencies(plan: readonly Probe[], pick: (p: Probe) => boolean): Probe[] {
  const chosen = new Set<string>();
  for (const p of plan) if (pick(p)) chosen.add(p.id);
  // Each pass adds one level of dependencies; a plan has no cycles (checkPlan), so it ends within plan.length passes.
  for (let pass = 0; pass < plan.length; pass++) {
    const before = chosen.size;
    for (const p of plan) if (chosen.has(p.id)) for (const a of p.after ?? []) chosen.add(a);
    if (chosen.size === before) break;
  }
  return plan.filter((p) => chosen.has(p.id));
}

/** `report` with `fresh` results in place of those of the same probes; its verdict judged again. */
export function mergeResults(report: SelfTestReport, fresh: readonly ProbeResult[]): SelfTestReport {
  const results = report.results.map((r) => fresh.find((f) => f.id === r.id) ?? r);
  const verdict = results.some((r) => r.status === 'fail') ? 'fail' : results.some((r) => r.status === 'warn') ? 'warn' : 'pass';
  return { ...report, results, verdict };
}
