/**
 * Issue 6, deliver 1: the capacity the record log documents is what it keeps. After every
 * append, the ring records still there are the newest ones, with no gap, covering at least
 * keptBytesFor(size) (one size) or guaranteedBytes (any sizes), with durables at their cap and
 * with power cuts tearing records on the way. And the durable cap is a typed error that loses nothing.
 */
import { RecordLog, StoreError, recordFootprint, type RecordLogOptions } from '../../firmware/core/store/recordLog';
import { NorFlash } from '../../host-sim/ports/norFlash';

const small = { sectors: 4, sectorSize: 512 };
const withDurables: RecordLogOptions = { durableCapBytes: 160, maxDurablePayload: 36 };

/** Keeps the durable set at its cap: four keys of 20 payload bytes (40 bytes of footprint each). */
function fillDurables(log: RecordLog, round: number) {
  for (let key = 1; key <= 4; key++) log.put(key, 4, new Uint8Array(20).fill(round * 4 + key));
}

interface Run {
  geometry: typeof small;
  options: RecordLogOptions;
  /** Payload length of each append. */
  size: (i: number) => number;
  appends: number;
  durables?: boolean;
  /** Tear every n-th append with a power cut first (0: never). */
  tearEvery?: number;
}

/**
 * Appends `appends` records; after each, checks that the ring holds a gap-free run of the newest
 * appends covering at least `floor(capacity)` bytes. Returns the least footprint ever kept (once
 * the ring came round) and the capacity.
 */
function run({ geometry, options, size, appends, durables = false, tearEvery = 0 }: Run, floor: (c: ReturnType<RecordLog['capacity']>) => number) {
  const flash = new NorFlash(geometry);
  let log = RecordLog.open(flash, options);
  const capacity = log.capacity();
  const need = floor(capacity);
  const appended: { seq: number; footprint: number }[] = [];
  let least = Infinity;
  let rotated = false;
  for (let i = 0; i < appends; i++) {
    if (durables && i % 25 === 0) fillDurables(log, i / 25);
    const payload = new Uint8Array(size(i)).fill(i & 0xff);
    if (tearEvery && i % tearEvery === tearEvery - 1) {
      // A power cut part-way through this append (somewhere in its record), then the reboot.
      flash.cutPowerAfter(i % (payload.length + 20));
      expect(() => log.append(1, payload)).toThrow(StoreError);
      flash.powerOn();
      log = RecordLog.open(flash, options);
    }
    appended.push({ seq: log.append(1, payload), footprint: recordFootprint(payload.length) });
    const kept = [...log.records()].map((r) => r.seq);
    const newest = appended.slice(appended.length - kept.length).map((a) => a.seq);
    if (kept.join() !== newest.join()) expect({ append: i, kept }).toEqual({ append: i, kept: newest });
    const bytes = appended.slice(appended.length - kept.length).reduce((sum, a) => sum + a.footprint, 0);
    const total = appended.reduce((sum, a) => sum + a.footprint, 0);
    if (bytes < Math.min(need, total)) expect({ append: i, keptBytes: bytes }).toEqual({ append: i, keptBytes: `≥ ${need}` });
    rotated ||= log.rotations > 0;
    if (rotated) least = Math.min(least, bytes);
  }
  expect(rotated).toBe(true);
  if (durables) for (let key = 1; key <= 4; key++) expect(log.get(key)?.payload.length).toBe(20);
  return { least, capacity };
}

describe('ring capacity', () => {
  it.each([
    ['the largest payload', (c: { maxPayload: number }) => c.maxPayload],
    ['a 1-byte payload', () => 1],
    ['a 37-byte payload', () => 37],
    ['a 100-byte payload', () => 100],
  ])('%s: the newest keptBytesFor(size) bytes are always there, durables at their cap or not, torn records or not', (_, sizeOf) => {
    const capacity = RecordLog.open(new NorFlash(small), withDurables).capacity();
    const size = sizeOf(capacity);
    const kept = capacity.keptBytesFor(size);
    expect(kept).toBeGreaterThanOrEqual(capacity.guaranteedBytes);
    expect(kept).toBeGreaterThanOrEqual(recordFootprint(size));
    const base = { geometry: small, options: withDurables, size: () => size, appends: 2000 / recordFootprint(size) * 6 };
    const least = [
      run(base, (c) => c.keptBytesFor(size)).least,
      run({ ...base, durables: true }, (c) => c.keptBytesFor(size)).least,
      run({ ...base, durables: true, tearEvery: 3 }, (c) => c.keptBytesFor(size)).least,
    ];
    console.log(`${small.sectors}×${small.sectorSize}, ${JSON.stringify(withDurables)}, payload ${size}: keptBytesFor ${kept}, guaranteedBytes ${capacity.guaranteedBytes}; least kept: ${least.join(' / ')} (plain / durables at cap / durables and torn records)`);
  });

  it('any mix of sizes: the newest guaranteedBytes are always there', () => {
    const sizes = (i: number) => 1 + ((i * 89 + (i >> 3) * 13) % 180);
    const { least, capacity } = run({ geometry: small, options: withDurables, size: sizes, appends: 600, durables: true, tearEvery: 5 }, (c) => c.guaranteedBytes);
    expect(least).toBeGreaterThanOrEqual(capacity.guaranteedBytes);
  });

  it('the old claim was false: 4×512 with 240-byte payloads never kept (N−1)×(S−16) = 1,488 bytes; the new figure is kept', () => {
    const noDurables: RecordLogOptions = { durableCapBytes: 0 };
    const capacity = RecordLog.open(new NorFlash(small), noDurables).capacity();
    expect(capacity.maxPayload).toBeGreaterThanOrEqual(240);
    const { least } = run({ geometry: small, options: noDurables, size: () => 240, appends: 40, tearEvery: 4 }, (c) => c.keptBytesFor(240));
    // 260-byte records, one to a 512-byte sector: what is kept is whole records, far from 1,488.
    expect(least % 260).toBe(0);
    expect(least).toBeLessThan(3 * (512 - 16));
    expect(capacity.keptBytesFor(240)).toBeLessThanOrEqual(least);
    console.log(`4×512, 240-byte payloads, no durables: keptBytesFor ${capacity.keptBytesFor(240)}, least kept ${least}, old claim 1488`);
  });
});

describe('durable cap', () => {
  const versions = (log: RecordLog) => log.durableKeys().map((key) => [key, [...log.get(key)!.payload]]);

  it('a put past the cap is a typed error that writes nothing; every version before it survives a reboot and rotations', () => {
    const flash = new NorFlash(small);
    const log = RecordLog.open(flash, withDurables);
    const { durableCapBytes, maxDurablePayload } = log.capacity();
    expect(durableCapBytes).toBe(160);
    let key = 1;
    // Payloads of 20 bytes take 40 bytes each: four fill the cap exactly.
    for (; log.durableBytes + recordFootprint(20) <= durableCapBytes; key++) log.put(key, 4, new Uint8Array(20).fill(key));
    expect(log.durableBytes).toBe(durableCapBytes);
    const before = versions(log);
    const bytes = flash.bytes.slice();
    expect(() => log.put(key, 4, Uint8Array.of(0xaa))).toThrow(expect.objectContaining({ code: 'store-durable-full' }));
    // A new, larger version of a live key is refused too; the old one stays.
    expect(() => log.put(1, 4, new Uint8Array(21).fill(0xbb))).toThrow(expect.objectContaining({ code: 'store-durable-full' }));
    expect(() => log.put(1, 4, new Uint8Array(maxDurablePayload + 1))).toThrow(expect.objectContaining({ code: 'store-record-size' }));
    expect(flash.bytes).toEqual(bytes);
    expect(versions(log)).toEqual(before);
    for (let i = 0; i < 60; i++) log.append(1, new Uint8Array(90).fill(i));
    const reopened = RecordLog.open(flash, withDurables);
    expect(reopened.rotations + log.rotations).toBeGreaterThan(3);
    expect(versions(reopened)).toEqual(before);
    // Removing one makes room again.
    reopened.remove(1);
    reopened.put(key, 4, new Uint8Array(20).fill(0xaa));
    expect(RecordLog.open(flash, withDurables).durableKeys()).toEqual([...before.slice(1).map(([k]) => k), key]);
  });
});
