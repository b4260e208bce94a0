/**
 * What the power-cut tests expect of the record log, kept apart from the log: the operations a
 * scenario runs, the record of every write whose call returned, and one check that says what a
 * reopened log may hold after a cut (either side of the interrupted operation, nothing else).
 */
import { RecordLog } from '../../firmware/core/store/recordLog';
import { NorFlash } from '../../host-sim/ports/norFlash';
import { footprintOf, Kind } from './layoutReader';

export interface Version {
  type: number;
  payload: Uint8Array;
}

export type Op =
  | { kind: 'append'; type: number; payload: Uint8Array }
  | { kind: 'put'; key: number; type: number; payload: Uint8Array }
  | { kind: 'remove'; key: number };

/** What a log showed: its live durable records and the seqs of its ring records, oldest first. */
export interface Observed {
  durable: Map<number, Version>;
  ring: number[];
}

/** seq → what a ring record was written with. */
export interface RingLookup {
  get(seq: number): Version | undefined;
}

/** What a reopened log may show. */
export interface Allowed {
  /** Every key ever used → the versions get(key) may return (undefined: absent). */
  durable: Map<number, (Version | undefined)[]>;
  /** Ring seqs that must be there. */
  ringRequired: Iterable<number>;
  /** seq → what the ring record holds, for every ring seq the log may return. */
  ringKnown: RingLookup;
}

export function runOp(log: RecordLog, op: Op): number | undefined {
  if (op.kind === 'append') return log.append(op.type, op.payload);
  if (op.kind === 'put') return log.put(op.key, op.type, op.payload);
  return log.remove(op.key);
}

export const sameVersion = (a: Version | undefined, b: Version | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.type === b.type && Buffer.from(a.payload).equals(Buffer.from(b.payload)));

const show = (v: Version | undefined) => (v ? `${v.type}:${Buffer.from(v.payload).toString('hex').slice(0, 16)}…(${v.payload.length})` : 'absent');

export function observe(log: RecordLog): Observed {
  const durable = new Map<number, Version>();
  for (const key of log.durableKeys()) {
    const record = log.get(key);
    if (record) durable.set(key, { type: record.type, payload: record.payload });
  }
  return { durable, ring: [...log.records()].map((r) => r.seq) };
}

/** How check() begins its answer when all is well but recovery called a power cut corruption. */
export const CORRUPTION = 'recovery reports corruption:';

/**
 * Checks a reopened log against what it may hold; returns the first problem found, in words, or
 * the observed state. Plain code, not expect(): it runs tens of thousands of times.
 */
export function check(log: RecordLog, allowed: Allowed): Observed | string {
  const keys = log.durableKeys();
  for (let i = 1; i < keys.length; i++) if (keys[i] <= keys[i - 1]) return `durableKeys() not ascending and unique: ${keys}`;
  for (const key of keys) if (!allowed.durable.has(key)) return `key ${key} was never put`;
  const durable = new Map<number, Version>();
  let footprint = 0;
  for (const [key, versions] of allowed.durable) {
    const record = log.get(key);
    const got = record && { type: record.type, payload: record.payload };
    if (!versions.some((v) => sameVersion(v, got))) return `get(${key}) is ${show(got)}, allowed ${versions.map(show).join(' or ')}`;
    if (record && record.key !== key) return `get(${key}) returned key ${record.key}`;
    if (got !== undefined !== keys.includes(key)) return `durableKeys() ${keys} disagrees with get(${key}) ${show(got)}`;
    if (got) {
      durable.set(key, got);
      footprint += footprintOf(got.payload.length);
    }
  }
  if (log.durableBytes !== footprint) return `durableBytes ${log.durableBytes}, the live set takes ${footprint}`;
  const ring: number[] = [];
  for (const record of log.records()) {
    const known = allowed.ringKnown.get(record.seq);
    if (!known || !sameVersion(known, record)) return `ring record ${record.seq} is ${show(record)}, written ${show(known)}`;
    if (ring.length && record.seq <= ring[ring.length - 1]) return `ring seq ${record.seq} after ${ring[ring.length - 1]}`;
    ring.push(record.seq);
  }
  const have = new Set(ring);
  const missing = [...allowed.ringRequired].filter((seq) => !have.has(seq));
  if (missing.length) return `ring records ${missing.join(',')} lost (kept ${ring.join(',')})`;
  // Last, so that a lost or wrong record is what a run reports first.
  const { recovery } = log;
  if (recovery.corruptRecords !== 0 || recovery.corruptSectors !== 0) return `${CORRUPTION} ${JSON.stringify(recovery)}`;
  return { durable, ring };
}

/** The newest ring seqs whose footprints fit in `bytes`: what the capacity guarantee keeps. */
export function newestWithin(ring: number[], known: RingLookup, bytes: number): number[] {
  const kept: number[] = [];
  let used = 0;
  for (let i = ring.length - 1; i >= 0; i--) {
    used += footprintOf(known.get(ring[i])!.payload.length);
    if (used > bytes) break;
    kept.push(ring[i]);
  }
  return kept.reverse();
}

/** Every key's only allowed version is what `seen` showed (absent where it showed none). */
export function exactly(seen: Observed, keys: Iterable<number>): Map<number, (Version | undefined)[]> {
  return new Map([...keys].map((key) => [key, [seen.durable.get(key)]]));
}

export interface Step {
  what: string;
  /** Budget (bytes programmed or erased) before the step began. */
  from: number;
  cost: number;
}

/**
 * Runs `work` on `flash`, recording each write and erase it makes, named by what it is (read from
 * the documented layout): the record the operation is for, a carried-forward durable, an
 * erase intent, a sector header, an erase, a torn slot recovery abandons.
 */
export function trace(flash: NorFlash, work: () => void, ownIsDurable = false): Step[] {
  const steps: Step[] = [];
  let budget = 0;
  const write = flash.write.bind(flash);
  const erase = flash.eraseSector.bind(flash);
  flash.write = (offset: number, data: Uint8Array) => {
    const ascii = Buffer.from(data).toString('latin1');
    const what =
      ascii === 'CMIT' ? `${steps[steps.length - 1]?.what ?? '?'} commit`
      : data.length === 16 && offset % flash.sectorSize === 0 ? 'sector header'
      : data.every((b) => b === 0) ? 'abandon torn slot'
      : data.length >= 12 ? (['ring', 'durable', 'durable', 'erase intent'][data[9]] ?? `kind ${data[9]}`)
      : `write of ${data.length}`;
    steps.push({ what, from: budget, cost: data.length });
    budget += data.length;
    write(offset, data);
  };
  flash.eraseSector = (sector: number) => {
    steps.push({ what: 'erase', from: budget, cost: flash.sectorSize });
    budget += flash.sectorSize;
    erase(sector);
  };
  try {
    work();
  } finally {
    flash.write = write;
    flash.eraseSector = erase;
  }
  // A durable written before the operation's own record is one carried forward.
  const own = ownIsDurable ? steps.map((s) => s.what).lastIndexOf('durable') : steps.length;
  steps.forEach((s, i) => {
    if (s.what.startsWith('durable') && i < own) s.what = s.what.replace('durable', 'carry-forward');
  });
  return steps;
}

export const costOf = (steps: Step[]) => steps.reduce((sum, s) => sum + s.cost, 0);

/** The step a cut after `budget` bytes falls in. */
export const stepAt = (steps: Step[], budget: number) => steps.find((s) => budget >= s.from && budget < s.from + s.cost)!;

export { Kind };
