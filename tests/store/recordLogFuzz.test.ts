/** Property tests: whatever flash holds, recovery ends with a typed result and a usable log. */
import fc from 'fast-check';
import { RecordLog, StoreError } from '../../firmware/core/store/recordLog';
import { NorFlash } from '../../host-sim/ports/norFlash';
import { createCborCodec, CborError } from '../../firmware/core/store/cbor';
import { allRecords } from './layoutReader';

const geometry = { sectors: 4, sectorSize: 256 };

describe('record log recovery on arbitrary flash', () => {
  it('never throws on random flash contents, and keeps accepting appends afterwards', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1024, maxLength: 1024 }), fc.uint8Array({ minLength: 1, maxLength: 100 }), (contents, payload) => {
        const flash = new NorFlash(geometry, contents);
        const log = RecordLog.open(flash);
        const before = [...log.records()].length;
        expect(before).toBeLessThanOrEqual(1024 / 20);
        const seq = log.append(1, payload);
        const after = [...RecordLog.open(flash).records()];
        expect(after[after.length - 1]).toMatchObject({ seq });
        expect(Buffer.from(after[after.length - 1].payload).equals(Buffer.from(payload))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every record the flips missed, never returns a damaged one, and counts the damage', () => {
    const flash = new NorFlash(geometry);
    const log = RecordLog.open(flash);
    for (let i = 0; i < 30; i++) log.append(1, Uint8Array.of(i, i, i));
    const image = flash.bytes.slice();
    const before = [...log.records()].map((r) => r.seq);
    // Where each record lies, read from the documented layout: a flip elsewhere must not lose it.
    const spans = new Map(allRecords(image, geometry.sectorSize).map((r) => [r.seq, r]));
    fc.assert(
      fc.property(fc.uniqueArray(fc.record({ at: fc.nat(1023), bit: fc.nat(7) }), { minLength: 1, maxLength: 6, selector: (f) => f.at }), (flips) => {
        const damaged = new NorFlash(geometry, image);
        for (const { at, bit } of flips) damaged.bytes[at] ^= 1 << bit;
        const reopened = RecordLog.open(damaged);
        const records = [...reopened.records()];
        // Whatever survives is intact: its payload is what its seq was written with.
        for (const r of records) expect([...r.payload]).toEqual([...spans.get(r.seq)!.payload]);
        const kept = new Set(records.map((r) => r.seq));
        for (const seq of before) {
          const { at, footprint } = spans.get(seq)!;
          if (!flips.some((f) => f.at >= at && f.at < at + footprint)) expect({ seq, kept: kept.has(seq) }).toEqual({ seq, kept: true });
        }
        const { corruptRecords, corruptSectors, tornRecords } = reopened.recovery;
        expect(corruptRecords + corruptSectors + tornRecords).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes random bytes as CBOR only to a value or a CborError', () => {
    const cbor = createCborCodec();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          cbor.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CborError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a geometry it cannot use with a StoreError', () => {
    for (const g of [{ sectors: 1, sectorSize: 4096 }, { sectors: 4, sectorSize: 128 }])
      expect(() => RecordLog.open(new NorFlash(g))).toThrow(StoreError);
  });
});
