/**
 * Runs a set of probes: each starts once the probes it names in `after` have finished and one
 * of PROBE_CONCURRENCY places is free (the first such probe of the plan first), so independent
 * probes run concurrently within a memory bound; each is bounded by its own timeout on the
 * clock port.
 */
import type { ClockPort, Ports } from '../ports';
import type { Probe, ProbeContext, ProbeOutcome, ProbeResult, ProbeTargets, SelfTestReport, SelfTestTrigger } from './types';
import { deepFreeze } from '../freeze';

export class SelfTestError extends Error {
  override readonly name = 'SelfTestError';
  readonly code = 'selftest-plan';
  constructor(message: string) {
    super(message);
  }
}

/**
 * One of the context's targets.
 * @throws SelfTestError when the run was given none (the probe then reports probe.crashed)
 */
export function targetOf<K extends keyof ProbeTargets>(context: ProbeContext, key: K): NonNullable<ProbeTargets[K]> {
  const value = context.targets?.[key];
  if (value === undefined) throw new SelfTestError(`no ${key} given to the self-test`);
  return value as NonNullable<ProbeTargets[K]>;
}

/** A probe that runs with these targets whatever its run was given (a probe used alone, as in tests). */
export function withTargets(probe: Probe, targets: ProbeTargets): Probe {
  return { ...probe, run: (context) => probe.run({ ...context, targets }) };
}

/**
 * Checks a probe plan: unique ids, `after` names only known earlier-runnable probes, no cycles.
 * @throws SelfTestError
 */
export function checkPlan(probes: readonly Probe[]): void {
  const ids = new Set<string>();
  for (const probe of probes) {
    if (ids.has(probe.id)) throw new SelfTestError(`probe ${probe.id} appears twice`);
    ids.add(probe.id);
  }
  for (const probe of probes)
    for (const dep of probe.after ?? []) if (!ids.has(dep)) throw new SelfTestError(`probe ${probe.id} waits for unknown probe ${dep}`);
  // Kahn's algorithm: every probe must become runnable.
  const done = new Set<string>();
  let progressed = true;
  while (progressed && done.size < probes.length) {
    progressed = false;
    for (const probe of probes)
      if (!done.has(probe.id) && (probe.after ?? []).every((d) => done.has(d))) {
        done.add(probe.id);
        progressed = true;
      }
  }
  if (done.size < probes.length) throw new SelfTestError('probe plan has a cycle in `after`');
}

/** What one probe found and how long it took, in uptime milliseconds of the clock port. */
interface TimedOutcome {
  outcome: ProbeOutcome;
  durationMs: number;
}

function isOutcome(value: unknown): value is ProbeOutcome {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as ProbeOutcome;
  return ['pass', 'warn', 'fail', 'skip'].includes(o.status) && typeof o.code === 'string' && typeof o.detail === 'string';
}

function crashed(probe: Probe, error: unknown): ProbeOutcome {
  const name = error instanceof Error ? `${error.name}${'code' in error ? ` ${String(error.code)}` : ''}` : 'error';
  return { status: 'fail', code: 'probe.crashed', detail: `${probe.id}: ${name}` };
}

/**
 * Runs one probe, bounded by a timeout of `timeoutMs` uptime, and times it on the clock port
 * from just before `run` to the moment its outcome is known.
 *
 * Probes share one thread: when several are in flight, a probe that finished may have its
 * promise reaction run only after other probes' synchronous work (a known-answer test, a
 * digest) moved the clock on. So a probe whose promise had already settled when `run`
 * returned is timed to that return, not to the reaction: a job queued right after the
 * reaction tells which case it is (promise jobs run in the order they were queued,
 * ECMA-262 §9.5 HostEnqueuePromiseJob).
 */
function runTimed(clock: ClockPort, probe: Probe, context: ProbeContext): Promise<TimedOutcome> {
  return new Promise((resolve) => {
    const began = clock.uptimeMs();
    let settled = false;
    const finish = (outcome: ProbeOutcome, endedMs: number) => {
      if (settled) return;
      settled = true;
      clock.clearTimer(token);
      resolve({ outcome, durationMs: endedMs - began });
    };
    const token = clock.setTimer(probe.timeoutMs, () =>
      finish({ status: 'fail', code: 'probe.timeout', detail: `${probe.id} gave no answer within ${probe.timeoutMs} ms` }, clock.uptimeMs()),
    );
    let work: Promise<ProbeOutcome>;
    try {
      work = Promise.resolve(probe.run(context));
    } catch (error) {
      // A probe that throws synchronously must not take the whole run down.
      finish(crashed(probe, error), clock.uptimeMs());
      return;
    }
    const returnedMs = clock.uptimeMs();
    let settledLater = false;
    const endedMs = () => (settledLater ? clock.uptimeMs() : returnedMs);
    work.then(
      (outcome) => finish(isOutcome(outcome) ? outcome : { status: 'fail', code: 'probe.crashed', detail: `${probe.id}: no outcome` }, endedMs()),
      (error: unknown) => finish(crashed(probe, error), endedMs()),
    );
    void Promise.resolve().then(() => {
      settledLater = true;
    });
  });
}

const SEVERITY = deepFreeze({ pass: 0, skip: 0, warn: 1, fail: 2 } as const);

/**
 * Longest `detail` kept. A report is one record in the log (at most one sector's payload, about
 * 4 KB with 4 KB sectors): bounding each detail keeps a report of dozens of probes inside it.
 */
export const DETAIL_LIMIT = 160;

/**
 * Runs every probe once and returns the report (not yet persisted: the caller owns the log).
 * Results keep the plan's order whatever order the probes finished in.
 */
/**
 * Default number of probes in flight at once. Each running probe holds its closures, promises
 * and working data on the XS heap: in mcsim with a Moddable Two's 4,928 slots, thirteen at once
 * aborted the VM and four still did, two left 996 slots free (below the memory probe's comfort
 * line) and one left 1,322. The device therefore runs one at a time (firmware/main.ts passes
 * `probeConcurrency: 1`); the simulator and tests keep the default, where memory is not the limit.
 */
export const PROBE_CONCURRENCY = 4;

export async function runSelfTest(
  ports: Ports,
  probes: readonly Probe[],
  trigger: SelfTestTrigger,
  seq: number,
  concurrency = PROBE_CONCURRENCY,
  targets?: ProbeTargets,
): Promise<SelfTestReport> {
  checkPlan(probes);
  const { clock } = ports;
  const startedUptimeMs = clock.uptimeMs();
  const startedWallMs = clock.wallMs();
  // Results by the plan's index, and a count: no Map or Set of ids held through the run (their
  // entries cost XS slots beside the results; the plan has at most a few dozen probes).
  const results: (ProbeResult | undefined)[] = new Array<ProbeResult | undefined>(probes.length).fill(undefined);
  let done = 0;
  const resultOf = (id: string): ProbeResult | undefined => {
    for (let i = 0; i < probes.length; i++) if (probes[i].id === id) return results[i];
    return undefined;
  };
  // Probes are started one by one as places free up, not set up all at once: on the device each
  // waiting probe's promise chain would hold XS slots for the whole run (about 2,000 of a Moddable
  // Two's 4,928 in mcsim). At each free place the first probe of the plan whose `after` probes
  // have finished starts.
  const limit = Math.max(1, concurrency);
  const started: boolean[] = new Array<boolean>(probes.length).fill(false);
  let inFlight = 0;
  await new Promise<void>((allDone) => {
    const pump = () => {
      if (done === probes.length) return allDone();
      for (let at = 0; at < probes.length; at++) {
        const probe = probes[at];
        if (inFlight >= limit) return;
        if (started[at] || !(probe.after ?? []).every((id) => resultOf(id) !== undefined)) continue;
        started[at] = true;
        inFlight++;
        const context = { ports, trigger, targets, resultOf };
        void runTimed(clock, probe, context).then(({ outcome, durationMs }) => {
          inFlight--;
          const detail = outcome.detail.length > DETAIL_LIMIT ? `${outcome.detail.slice(0, DETAIL_LIMIT - 1)}…` : outcome.detail;
          results[at] = { id: probe.id, family: probe.family, ...outcome, detail, durationMs };
          done++;
          pump();
        });
      }
    };
    pump();
  });

  const ordered = results as ProbeResult[];
  const worst = ordered.reduce((w, r) => Math.max(w, SEVERITY[r.status]), 0);
  return {
    seq,
    trigger,
    startedUptimeMs,
    startedWallMs,
    durationMs: clock.uptimeMs() - startedUptimeMs,
    results: ordered,
    verdict: worst === 2 ? 'fail' : worst === 1 ? 'warn' : 'pass',
  };
}
