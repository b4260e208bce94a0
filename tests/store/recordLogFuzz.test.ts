/** Property tests: whatever flash holds, recovery ends with a typed result and a usable log. */
import fc from 'fast-check';
import { RecordLog, StoreError } from '../../firmware/core/store/recordLog';
import { NorFlash } from '../../host-sim/ports/norFlash';
import { createCborCodec, CborError } from '../../firmware/core/store/cbor';

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

  it('keeps every intact record when random bits flip in a written log, and counts the damage', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(1023), bit: fc.nat(7) }), { minLength: 1, maxLength: 6 }), (flips) => {
        const flash = new NorFlash(geometry);
        const log = RecordLog.open(flash);
        for (let i = 0; i < 30; i++) log.append(1, Uint8Array.of(i, i, i));
        for (const { at, bit } of flips) flash.bytes[at] ^= 1 << bit;
        const reopened = RecordLog.open(flash);
        const records = [...reopened.records()];
        // Whatever survives is intact: payload matches what its seq was written with.
        for (const r of records) expect([...r.payload]).toEqual([r.seq - 1, r.seq - 1, r.seq - 1].map((n) => n & 0xff));
        // And every record the flips missed survives: 24 bytes each (12 header + 3 + CRC + mark,
        // padded), ten per 256-byte sector after its 16-byte header. A record is lost only if
        // its own bytes, its sector's header, or the length field of an earlier record in its
        // sector (which breaks the chain) were hit.
        const hit = (from: number, to: number) => flips.some(({ at }) => at >= from && at < to);
        const seqs = new Set(records.map((r) => r.seq));
        for (let i = 0; i < 30; i++) {
          const sector = Math.floor(i / 10) * 256;
          const own = sector + 16 + (i % 10) * 24;
          const chainBroken = Array.from({ length: i % 10 }, (_, k) => sector + 16 + k * 24).some((o) => hit(o, o + 4));
          if (!hit(own, own + 24) && !hit(sector, sector + 16) && !chainBroken) expect({ seq: i + 1, kept: seqs.has(i + 1) }).toEqual({ seq: i + 1, kept: true });
        }
        expect(reopened.recovery.records).toBe(records.length);
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
