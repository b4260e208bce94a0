/**
 * Issue 10 raised the record log's default durable cap on 4 KiB sectors from a quarter of a
 * sector (1,020 B: issues 7 to 9) by the footprints of the update (≤ 200 B payload) and reset
 * (≤ 42 B) records, to 1,304 B; no more, since each byte of cap is a byte less for a ring record,
 * and a self-test report (about 2,100 B) must stay one. The cap is no part of the layout in flash,
 * so a log that issue 9's firmware wrote opens, rotates and keeps every record under the new cap:
 * - the same operations under either cap leave byte-identical flash (the cap only refuses puts);
 * - a log written under the old cap, at its durable worst and rotated round its ring, opens under
 *   the new one with every durable record and ring record as it was; the update and reset records
 *   the old cap would refuse then fit, and two more times round the ring keep them all;
 * - power cuts during the rotations that carry the whole new worst-case durable set forward (the
 *   device's 4 KiB sectors; issue 7's worst set written first, then the new records), a sample of
 *   bytes of every carried record, erase intent, erase and sector header, with a second cut during
 *   the reboot: every put that returned stays at its latest version (powerCutSweep.ts's model);
 * - the self-test reports of a healthy boot and of a 1970 RTC are still one ring record each.
 */
import { durableCapFor, RecordLog, StoreError, type RecordLogOptions } from '../../firmware/core/store/recordLog';
import { NorFlash } from '../../host-sim/ports/norFlash';
import type { Op } from './durableModel';
import { observe, runOp, trace } from './durableModel';
import { sweep, summary } from './powerCutSweep';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { encodeReport } from '../../firmware/core/selftest/reportRecord';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { worldWith } from '../runtime/world';

const OLD: RecordLogOptions = { durableCapBytes: 1020 };
const DEVICE = { sectors: 16, sectorSize: 4096 };

/** Issue 7's worst durable set (journalDurableSizes.test.ts's footprints 240, 48, 232, 248, 80, 120: 968 B) by payload length. */
const OLD_WORST: [key: number, type: number, length: number][] = [[1, 4, 220], [2, 5, 28], [3, 6, 212], [4, 7, 228], [5, 8, 60], [6, 9, 100]];
/** Issue 10's records: the update's state (7, type 10) at its bound, the reset history (8, type 11) at its largest. */
const NEW_RECORDS: [key: number, type: number, length: number][] = [[7, 10, 200], [8, 11, 42]];

const bytes = (length: number, salt: number) => Uint8Array.from({ length }, (_, i) => (salt * 37 + i * 11) & 0xff);
const put = ([key, type, length]: [number, number, number], version: number): Op => ({ kind: 'put', key, type, payload: bytes(length, key * 16 + version) });
/** Events and self-test reports of the sizes the terminal writes (60 to 300 B). */
const appends = (count: number, salt: number): Op[] =>
  Array.from({ length: count }, (_, i) => ({ kind: 'append', type: 1 + (i % 2), payload: bytes(60 + ((i * 53 + salt) % 241), salt + i) }));

/** Issue 9's life: the worst set, the ring round `laps` times, the journal and host state rewritten as sales go. */
function oldLife(laps: number, sectors: number): Op[] {
  const ops: Op[] = OLD_WORST.map((r) => put(r, 0));
  const perLap = Math.ceil((sectors * 4096) / 180);
  for (let lap = 0; lap < laps; lap++) {
    ops.push(...appends(perLap, lap * 7));
    ops.push(put(OLD_WORST[2], lap + 1), put(OLD_WORST[1], lap + 1));
  }
  return ops;
}

function run(flash: NorFlash, options: RecordLogOptions, ops: Op[]): RecordLog {
  const log = RecordLog.open(flash, options);
  for (const op of ops) runOp(log, op);
  return log;
}

const latest = (ops: Op[]) => {
  const m = new Map<number, { type: number; payload: Uint8Array }>();
  for (const op of ops) if (op.kind === 'put') m.set(op.key, { type: op.type, payload: op.payload });
  return m;
};
const hex = (m: Map<number, { type: number; payload: Uint8Array }>) => new Map([...m].map(([k, v]) => [k, `${v.type}:${Buffer.from(v.payload).toString('hex')}`]));

describe('the durable cap of issue 10', () => {
  it('is 1,304 B on 4 KiB sectors (ring records up to 2,220 B) and a quarter of smaller ones, as before', () => {
    expect(durableCapFor(4096)).toBe(1020 + 220 + 64);
    expect(durableCapFor(512)).toBe(124);
    expect(RecordLog.open(new NorFlash(DEVICE)).capacity()).toMatchObject({ durableCapBytes: 1304, maxDurablePayload: 236, maxPayload: 4096 - 16 - (1304 + 24 + 2 * 256) - 20 });
    expect(RecordLog.open(new NorFlash(DEVICE), OLD).capacity().maxPayload).toBe(2504);
    expect(RecordLog.open(new NorFlash({ sectors: 4, sectorSize: 512 })).capacity().durableCapBytes).toBe(124);
  });

  it('is no part of the layout: the same operations under the old and the new cap leave the same bytes', () => {
    const ops = oldLife(3, DEVICE.sectors);
    const underOld = new NorFlash(DEVICE);
    const underNew = new NorFlash(DEVICE);
    // Round the ring three times: every sector erased and reused, the durable set carried forward each lap.
    expect(run(underOld, OLD, ops).rotations).toBeGreaterThanOrEqual(2 * DEVICE.sectors);
    run(underNew, {}, ops);
    expect(Buffer.from(underNew.bytes).equals(Buffer.from(underOld.bytes))).toBe(true);
  });

  it('opens a log written under the old cap with everything in it; takes the new records the old cap refuses; keeps them all twice more round the ring', () => {
    const flash = new NorFlash(DEVICE);
    const ops = oldLife(3, DEVICE.sectors);
    run(flash, OLD, ops);
    const before = observe(RecordLog.open(flash, OLD));
    const upgraded = RecordLog.open(flash);
    expect(upgraded.recovery).toMatchObject({ tornRecords: 0, interruptedErases: 0, corruptRecords: 0, corruptSectors: 0 });
    const after = observe(upgraded);
    expect(after.ring).toEqual(before.ring);
    expect(hex(after.durable)).toEqual(hex(latest(ops)));
    expect(upgraded.durableBytes).toBe(968);

    // The old cap refuses the update record with the reset history; the new one takes both.
    const old = RecordLog.open(new NorFlash(DEVICE, flash.bytes.slice()), OLD);
    for (const record of NEW_RECORDS) expect(() => old.put(...args(record))).toThrow(expect.objectContaining({ code: 'store-durable-full' }) as unknown as StoreError);
    const more: Op[] = NEW_RECORDS.map((r) => put(r, 0));
    run(flash, {}, more);
    expect(RecordLog.open(flash).durableBytes).toBe(968 + 220 + 64);

    // Twice round the ring, the update record rewritten as a download goes, reopened at every operation.
    const rotationsBefore = RecordLog.open(flash).nextSeq;
    const laps: Op[] = [];
    for (let lap = 0; lap < 2; lap++) laps.push(...appends(Math.ceil((DEVICE.sectors * 4096) / 180), 100 + lap), put(NEW_RECORDS[0], lap + 1));
    // Reopened every 10 operations: a reboot now and then.
    let rotations = 0;
    for (let i = 0; i < laps.length; i += 10) {
      const log = RecordLog.open(flash);
      for (const op of laps.slice(i, i + 10)) runOp(log, op);
      rotations += log.rotations;
    }
    const final = RecordLog.open(flash);
    expect(rotations).toBeGreaterThanOrEqual(2 * DEVICE.sectors);
    expect(final.nextSeq).toBeGreaterThan(rotationsBefore);
    expect(hex(observe(final).durable)).toEqual(hex(latest([...ops, ...more, ...laps])));
    expect(final.recovery.corruptRecords + final.recovery.corruptSectors).toBe(0);
    // The newest guaranteedBytes of ring records are all there.
    const ring = [...final.records()];
    expect(ring.reduce((sum, r) => sum + 20 + Math.ceil(r.payload.length / 4) * 4, 0)).toBeGreaterThanOrEqual(final.capacity().guaranteedBytes);
  });

  it('power cuts while rotations carry the whole new worst-case set forward: every put that returned stays, at its latest version', () => {
    const geometry = { sectors: 4, sectorSize: 4096 };
    // Issue 7's worst set and a lap of the ring (what issue 9 left), then the new records and two laps more.
    // Large ring records (500 to 900 B) keep the operations few; the journal (3) and the update
    // record (7) rewritten between them spread the live set over the sectors, as sales and downloads do.
    const big = (i: number): Op => ({ kind: 'append', type: 1 + (i % 2), payload: bytes(500 + ((i * 131) % 401), 50 + i) });
    const ops: Op[] = OLD_WORST.map((r) => put(r, 0));
    for (let i = 0; i < 12; i++) ops.push(big(i), ...(i % 3 === 2 ? [put(OLD_WORST[2], i)] : []));
    // Then two laps with no put: the ring gathers the whole set into one sector and carries all eight at once.
    ops.push(...NEW_RECORDS.map((r) => put(r, 0)));
    for (let i = 12; i < 30; i++) ops.push(big(i));
    for (let i = 30; i < 40; i++) ops.push(big(i), ...(i % 3 === 2 ? [put(i % 2 ? NEW_RECORDS[0] : OLD_WORST[2], i)] : []));
    // Uncut, one rotation carries all eight records (the whole set, 1,252 B of footprint) forward.
    const replay = new NorFlash(geometry);
    const replayLog = RecordLog.open(replay);
    const carriedPerRotation = ops.map((op) => trace(replay, () => runOp(replayLog, op), op.kind === 'put').filter((s) => s.what === 'carry-forward').length);
    expect(Math.max(...carriedPerRotation)).toBe(8);
    expect(replayLog.durableBytes).toBe(968 + 220 + 64);
    const rotating = /carry|intent|header|erase/;
    const result = sweep({
      geometry,
      options: {},
      seed: 7,
      ops,
      // Every 9th byte of what a rotation writes, every 127th byte of its erase; every 211th byte of anything else.
      firstCut: (step, budget) => {
        const at = budget - step.from;
        if (step.what === 'erase') return at % 127 === 3;
        return rotating.test(step.what) ? at % 9 === 0 : at % 211 === 0;
      },
      secondCut: (first, step, budget) =>
        rotating.test(first.step.what) && first.count % 60 === 0 && (step.what === 'erase' ? (budget - step.from) % 509 === 1 : (budget - step.from) % 13 === 0),
    });
    console.log(`durable cap upgrade, power cuts at 4 KiB sectors: ${summary(result)}`);
    expect({ problems: Object.fromEntries(result.problemKinds), examples: result.problems.slice(0, 6) }).toEqual({ problems: {}, examples: [] });
    expect(result.carryForwards).toBeGreaterThanOrEqual(2);
    expect(result.carried).toBeGreaterThanOrEqual(13);
    expect(result.firstCuts.get('carry-forward')).toBeGreaterThan(200);
    expect(result.firstCuts.get('erase')).toBeGreaterThan(300);
  });
});

it('keeps a self-test report one ring record: a healthy boot, and a 1970 RTC (its longest details)', async () => {
  for (const changes of [{}, { rtc: '1970-01-01T00:00:05Z' }]) {
    const world = worldWith(changes);
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    terminal.stop();
    const bytes = encodeReport(createCborCodec(), terminal.lastReport!).length;
    const { maxPayload } = RecordLog.open(world.flash).capacity();
    expect([bytes > 1900, bytes <= maxPayload]).toEqual([true, true]);
    expect(terminal.events().filter((e) => e.kind === 'transition').length).toBeGreaterThan(0);
    expect([...RecordLog.open(world.flash).records()].filter((r) => r.type === 2)).toHaveLength(1);
  }
});

function args([key, type, length]: [number, number, number]): [number, number, Uint8Array] {
  return [key, type, bytes(length, key * 16)];
}
