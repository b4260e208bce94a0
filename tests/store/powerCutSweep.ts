/**
 * The power-cut sweep behind the durable-record tests: runs a scenario of appends, puts and
 * removes; before each operation, cuts the power at chosen bytes of it (every write and erase it
 * makes, counted as NorFlash counts them), reboots, and checks the reopened log against the
 * model (durableModel.ts); then, from that rebooted state, cuts again during the reopen and first
 * append, and checks that nothing changed. Problems are collected, not thrown, so one run lists
 * them all with the seed, operation and cut point that reproduce each.
 */
import { RecordLog, StoreError, type RecordLogOptions } from '../../firmware/core/store/recordLog';
import { NorFlash } from '../../host-sim/ports/norFlash';
import {
  check, costOf, CORRUPTION, exactly, newestWithin, observe, runOp, stepAt, trace,
  type Allowed, type Observed, type Op, type RingLookup, type Step, type Version,
} from './durableModel';

export interface Geometry {
  sectors: number;
  sectorSize: number;
}

export interface SweepPlan {
  geometry: Geometry;
  options: RecordLogOptions;
  seed: number;
  ops: Op[];
  /** Which bytes of an operation to cut at (all by default). */
  firstCut?: (step: Step, budget: number) => boolean;
  /** Which first cuts get the second sweep, and at which of its bytes. */
  secondCut?: (first: FirstCut, step: Step, budget: number) => boolean;
}

/** A first cut: where it fell, whether its operation rotates, and how many first cuts came before it. */
export interface FirstCut {
  step: Step;
  /** Bytes into the step. */
  offset: number;
  rotates: boolean;
  count: number;
}

export interface SweepResult {
  /** The first few examples of each kind of problem. */
  problems: string[];
  /** Kind of problem (its text with the numbers taken out) → how many cuts showed it. */
  problemKinds: Map<string, number>;
  /** First cuts by what they interrupted (e.g. 'erase', 'carry-forward', 'ring commit'). */
  firstCuts: Map<string, number>;
  secondCuts: Map<string, number>;
  /** What recovery called each first cut, by what it interrupted: 'erase → interrupted erase' and the like. */
  reported: Map<string, number>;
  rotations: number;
  carryForwards: number;
  /** Records carried forward, over all rotations. */
  carried: number;
}

const EXTRA_TYPE = 9;

const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/** One line for the test log: what was cut, how often. */
export function summary(r: SweepResult): string {
  return `${r.rotations} erases (${r.carryForwards} rotations carrying ${r.carried} records forward); first cuts ${total(r.firstCuts)} ${JSON.stringify(Object.fromEntries(r.firstCuts))}; second cuts ${total(r.secondCuts)} ${JSON.stringify(Object.fromEntries(r.secondCuts))}; recovery said ${JSON.stringify(Object.fromEntries(r.reported))}; problems ${total(r.problemKinds)}`;
}
const opText = (op: Op) => (op.kind === 'append' ? `append ${op.payload.length} B` : op.kind === 'put' ? `put key ${op.key} (${op.payload.length} B)` : `remove key ${op.key}`);
const bump = (counts: Map<string, number>, what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);

/** A ring lookup that adds a few records to the scenario's. */
function plus(known: RingLookup, extra: [number, Version][]): RingLookup {
  const more = new Map(extra);
  return { get: (seq: number) => more.get(seq) ?? known.get(seq) };
}

export function sweep(plan: SweepPlan): SweepResult {
  const { geometry, options, seed, ops } = plan;
  const chip = (contents?: Uint8Array) => new NorFlash({ ...geometry, seed }, contents);
  const open = (flash: NorFlash) => RecordLog.open(flash, options);
  const result: SweepResult = { problems: [], problemKinds: new Map(), reported: new Map(), firstCuts: new Map(), secondCuts: new Map(), rotations: 0, carryForwards: 0, carried: 0 };
  const problem = (text: string) => {
    const kind = text.replace(/\d+/g, 'N').replace(/op N \((?:[^()]|\([^()]*\))*\)/g, 'op').replace(/\{.*\}/, '{…}').replace(/ byte N\)/g, ')');
    const seen = bump(result.problemKinds, kind).get(kind)!;
    if (seen <= 2 && result.problems.length < 60) result.problems.push(`seed ${seed}: ${text}`);
  };
  const flash = chip();
  /** The model: the latest version of every live key, and every ring record whose append returned. */
  const durable = new Map<number, Version>();
  const keys = new Set<number>();
  const ringKnown = new Map<number, Version>();
  const ringOrder: number[] = [];
  const guaranteed = open(chip()).capacity().guaranteedBytes;
  const extraPayload = Uint8Array.of(0xee, 0x0e, 0xe0);

  ops.forEach((op, index) => {
    if (op.kind !== 'append') keys.add(op.key);
    const before = flash.bytes.slice();
    const where = `op ${index} (${opText(op)})`;
    // The state before, checked against the model: exactly the live durables, the guaranteed ring.
    const seenBefore = check(open(flash), { durable: new Map([...keys].map((k) => [k, [durable.get(k)]])), ringRequired: newestWithin(ringOrder, ringKnown, guaranteed), ringKnown });
    if (typeof seenBefore === 'string') return problem(`${where}, before it, no cut: ${seenBefore}`);
    // The operation on a copy, uncut: what it writes and erases, and the state after it.
    const probe = chip(before);
    const probeLog = open(probe);
    let seq: number | undefined;
    const steps = trace(probe, () => (seq = runOp(probeLog, op)), op.kind !== 'append');
    const seenAfter = observe(open(probe));
    const rotates = steps.some((s) => s.what === 'erase');
    if (rotates) result.rotations++;
    const carried = steps.filter((s) => s.what === 'carry-forward').length;
    if (carried) result.carryForwards++;
    result.carried += carried;
    const inFlight: [number, Version][] = op.kind === 'append' && seq !== undefined ? [[seq, { type: op.type, payload: op.payload }]] : [];
    const allowed: Allowed = {
      durable: new Map([...keys].map((k) => [k, [seenBefore.durable.get(k), seenAfter.durable.get(k)]])),
      ringRequired: seenBefore.ring.filter((s) => seenAfter.ring.includes(s)),
      ringKnown: plus(ringKnown, inFlight),
    };
    let count = 0;
    for (let budget = 0; budget < costOf(steps); budget++) {
      const step = stepAt(steps, budget);
      if (plan.firstCut && !plan.firstCut(step, budget)) continue;
      flash.bytes.set(before);
      const at = `${where}, cut ${budget} (${step.what} byte ${budget - step.from})`;
      const log = open(flash);
      flash.cutPowerAfter(budget);
      try {
        runOp(log, op);
        problem(`${at}: the operation returned although the power was cut`);
        flash.powerOn();
        continue;
      } catch (error) {
        if (!(error instanceof StoreError)) problem(`${at}: threw ${String(error)}, not a StoreError`);
      }
      flash.powerOn();
      count++;
      bump(result.firstCuts, step.what);
      const rebooted = flash.bytes.slice();
      const seen = reboot(flash, allowed, at, step.what);
      if (!seen) continue;
      if (plan.secondCut) secondSweep(rebooted, seen, allowed.ringKnown, { step, offset: budget - step.from, rotates, count }, at);
    }
    // Then the operation for real.
    flash.bytes.set(before);
    const returned = runOp(open(flash), op);
    if (op.kind === 'append') {
      ringKnown.set(returned!, { type: op.type, payload: op.payload });
      ringOrder.push(returned!);
    } else if (op.kind === 'put') durable.set(op.key, { type: op.type, payload: op.payload });
    else durable.delete(op.key);
  });
  return result;

  /** Reopens after a cut: checks, then appends one record and checks again. Returns what the reopened log showed. */
  function reboot(flash: NorFlash, allowed: Allowed, at: string, what: string): Observed | undefined {
    let log: RecordLog;
    try {
      log = open(flash);
    } catch (error) {
      problem(`${at}: reopening threw ${String(error)}`);
      return undefined;
    }
    const { tornRecords, interruptedErases } = log.recovery;
    bump(result.reported, `${what} → ${interruptedErases ? 'interrupted erase' : tornRecords ? 'torn record' : 'nothing'}`);
    let seen = check(log, allowed);
    if (typeof seen === 'string') {
      problem(`${at}: ${seen}`);
      // Records all as they should be, only the report wrong: go on to the append and the second cut.
      if (!seen.startsWith(CORRUPTION)) return undefined;
      seen = observe(log);
    }
    let extra: number;
    try {
      extra = log.append(EXTRA_TYPE, extraPayload);
    } catch (error) {
      return void problem(`${at}: the first append after the reboot threw ${String(error)}`);
    }
    const known = plus(allowed.ringKnown, [[extra, { type: EXTRA_TYPE, payload: extraPayload }]]);
    const again = check(open(flash), { durable: exactly(seen, allowed.durable.keys()), ringRequired: newestWithin([...seen.ring, extra], known, guaranteed), ringKnown: known });
    if (typeof again === 'string') return void problem(`${at}, after the first append: ${again}`);
    if (again.ring[again.ring.length - 1] !== extra) return void problem(`${at}: the first append after the reboot (seq ${extra}) is not the newest ring record`);
    return seen;
  }

  /** From the rebooted state: a cut at chosen bytes of reopen + first append changes nothing. */
  function secondSweep(rebooted: Uint8Array, seen: Observed, ringBefore: RingLookup, first: FirstCut, at: string) {
    const probe = chip(rebooted);
    let extra = 0;
    const steps = trace(probe, () => (extra = open(probe).append(EXTRA_TYPE, extraPayload)));
    const seenAfter = observe(open(probe));
    const known = plus(ringBefore, [[extra, { type: EXTRA_TYPE, payload: extraPayload }]]);
    const allowed: Allowed = { durable: exactly(seen, keys), ringRequired: seen.ring.filter((s) => seenAfter.ring.includes(s)), ringKnown: known };
    for (let budget = 0; budget < costOf(steps); budget++) {
      const step = stepAt(steps, budget);
      if (!plan.secondCut!(first, step, budget)) continue;
      flash.bytes.set(rebooted);
      flash.cutPowerAfter(budget);
      const then = `${at}, then cut ${budget} (${step.what} byte ${budget - step.from}) of the reopen and first append`;
      try {
        open(flash).append(EXTRA_TYPE, extraPayload);
        problem(`${then}: returned although the power was cut`);
      } catch (error) {
        if (!(error instanceof StoreError)) problem(`${then}: threw ${String(error)}, not a StoreError`);
      }
      flash.powerOn();
      bump(result.secondCuts, step.what);
      try {
        const log = open(flash);
        const seen2 = check(log, allowed);
        if (typeof seen2 === 'string') problem(`${then}: ${seen2}`);
        else log.append(EXTRA_TYPE, extraPayload);
      } catch (error) {
        problem(`${then}: reopening or appending threw ${String(error)}`);
      }
    }
  }
}
