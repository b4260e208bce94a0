/**
 * The record log against an independent reading of its documented layout, and the ring-only
 * power-cut test with default options: a cut at every byte of every write (and erase) of 120
 * appends that rotate the ring. Durable records under power cuts: durablePowerCut.test.ts.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { decode as cborDecode } from 'cbor-x';
import { RecordLog, StoreError, recordFootprint } from '../../firmware/core/store/recordLog';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { NorFlash } from '../../host-sim/ports/norFlash';
import { PortError } from '../../firmware/core/ports';

const cbor = createCborCodec();
const payloadFor = (i: number) => cbor.encode({ n: i, pad: 'x'.repeat((i * 37) % 61) });

describe('record log layout', () => {
  it('writes the documented bytes: header, length and its complement, seq, type, payload, CRC-32, commit mark', () => {
    const flash = new NorFlash({ sectors: 4, sectorSize: 512 });
    const log = RecordLog.open(flash);
    const payload = cbor.encode({ kind: 'hello', n: 7 });
    expect(log.append(5, payload)).toBe(1);
    const b = Buffer.from(flash.bytes);
    expect(b.subarray(0, 4).toString('latin1')).toBe('XSRL');
    expect(b[4]).toBe(1);
    expect(b.readUInt32LE(8)).toBe(1); // first sector seq
    expect(b.readUInt32LE(12)).toBe(zlibCrc32(b.subarray(0, 12)));
    const r = b.subarray(16);
    expect(r.readUInt16LE(0)).toBe(payload.length);
    expect(r.readUInt16LE(2)).toBe(payload.length ^ 0xffff);
    expect(r.readUInt32LE(4)).toBe(1);
    expect(r[8]).toBe(5);
    expect(r[9]).toBe(0); // kind: ring
    expect(r.readUInt16LE(10)).toBe(0); // no durable key
    expect(cborDecode(r.subarray(12, 12 + payload.length))).toEqual({ kind: 'hello', n: 7 });
    expect(r.readUInt32LE(12 + payload.length)).toBe(zlibCrc32(r.subarray(0, 12 + payload.length)));
    expect(r.subarray(16 + payload.length, 20 + payload.length).toString('latin1')).toBe('CMIT');
    expect(recordFootprint(payload.length) % 4).toBe(0);
  });

  it('marks durable puts and deletes in header byte 9 with their key in bytes 10..11', () => {
    const flash = new NorFlash({ sectors: 4, sectorSize: 512 });
    const log = RecordLog.open(flash);
    const put = log.put(0x1234, 4, Uint8Array.of(1, 2, 3));
    log.remove(0x1234);
    const b = Buffer.from(flash.bytes);
    const first = b.subarray(16);
    expect(first.readUInt32LE(4)).toBe(put);
    expect([first[8], first[9], first.readUInt16LE(10)]).toEqual([4, 1, 0x1234]);
    expect(first.subarray(12, 15)).toEqual(Buffer.from([1, 2, 3]));
    const second = b.subarray(16 + recordFootprint(3));
    expect([second[9], second.readUInt16LE(10)]).toEqual([2, 0x1234]);
    expect(second.readUInt32LE(4)).toBeGreaterThan(put);
    expect(RecordLog.open(flash).get(0x1234)).toBeUndefined();
  });

  it('refuses a geometry it cannot use and payloads out of range, keeping what is stored', () => {
    expect(() => RecordLog.open(new NorFlash({ sectors: 1, sectorSize: 4096 }))).toThrow(StoreError);
    const flash = new NorFlash({ sectors: 2, sectorSize: 256 });
    const log = RecordLog.open(flash);
    log.append(1, Uint8Array.of(1));
    expect(() => log.append(1, new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'store-record-size' }));
    expect(() => log.append(1, new Uint8Array(log.capacity().maxPayload + 1))).toThrow(expect.objectContaining({ code: 'store-record-size' }));
    expect([...RecordLog.open(flash).records()].map((r) => r.seq)).toEqual([1]);
  });

  it('rotates when full, keeping at least the documented capacity, newest records last', () => {
    const flash = new NorFlash({ sectors: 4, sectorSize: 512 });
    const log = RecordLog.open(flash);
    const seqs: number[] = [];
    for (let i = 0; i < 500; i++) seqs.push(log.append(1, payloadFor(i)));
    const kept = [...RecordLog.open(flash).records()];
    const bytes = kept.reduce((sum, r) => sum + recordFootprint(r.payload.length), 0);
    expect(bytes).toBeGreaterThanOrEqual(log.capacity().guaranteedBytes);
    // The newest appends, in order, none missing (rotations' erase intents take seqs too).
    expect(kept.map((r) => r.seq)).toEqual(seqs.slice(seqs.length - kept.length));
    expect((cborDecode(kept[kept.length - 1].payload) as { n: number }).n).toBe(499);
    expect(flash.stats.erases).toBeGreaterThan(4);
    // The first pass formats the four sectors; every erase after it reuses an old one.
    expect(log.rotations).toBe(flash.stats.erases - 4);
  });

  it('counts a committed record whose bytes changed as corruption, with its place, and drops it alone', () => {
    const flash = new NorFlash({ sectors: 4, sectorSize: 512 });
    const log = RecordLog.open(flash);
    for (let i = 0; i < 5; i++) log.append(1, payloadFor(i));
    flash.bytes[16 + 12] ^= 0x01; // first payload byte of record 1
    const reopened = RecordLog.open(flash);
    expect(reopened.recovery).toMatchObject({ corruptRecords: 1, tornRecords: 0, records: 4, corruption: [{ sector: 0, offset: 16 }] });
    expect([...reopened.records()].map((r) => r.seq)).toEqual([2, 3, 4, 5]);
  });

  it('counts a sector with data under a broken header as corrupt', () => {
    const flash = new NorFlash({ sectors: 4, sectorSize: 512 });
    const log = RecordLog.open(flash);
    for (let i = 0; i < 40; i++) log.append(1, payloadFor(i));
    const sector = 0;
    flash.bytes[sector * 512 + 9] ^= 0x40; // sector seq bit: header CRC fails
    const reopened = RecordLog.open(flash);
    expect(reopened.recovery.corruptSectors).toBe(1);
    const seq = reopened.append(1, payloadFor(99));
    expect([...RecordLog.open(flash).records()].pop()?.seq).toBe(seq);
  });
});

describe('power cut at every byte', () => {
  /** Runs one append with the power cut after `budget` bytes; returns whether it returned. */
  function attempt(flash: NorFlash, budget: number, payload: Uint8Array): boolean {
    flash.cutPowerAfter(budget);
    try {
      RecordLog.open(flash).append(2, payload);
      flash.powerOn();
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(StoreError);
      expect(flash.powered).toBe(false);
      flash.powerOn();
      return false;
    }
  }

  it('keeps every record whose append returned, once and intact, and drops the torn one (120 appends, rotation included)', () => {
    const geometry = { sectors: 3, sectorSize: 512 };
    const flash = new NorFlash(geometry);
    /** seq → payload of every append that returned. */
    const returned = new Map<number, Uint8Array>();
    let cuts = 0;
    let rotationsCut = 0;
    let last = 0;
    for (let i = 0; i < 120; i++) {
      const payload = payloadFor(i);
      const before = flash.bytes.slice();
      const beforeSeqs = [...RecordLog.open(flash).records()].map((r) => r.seq);
      // How many bytes does this append program or erase? Measure it on a copy.
      const probe = new NorFlash(geometry, before);
      const counted = { ...probe.stats };
      RecordLog.open(probe).append(2, payload);
      const cost = probe.stats.bytesWritten - counted.bytesWritten + (probe.stats.erases - counted.erases) * geometry.sectorSize;
      const rotates = probe.stats.erases > counted.erases;

      for (let budget = 0; budget < cost; budget++) {
        flash.bytes.set(before);
        if (attempt(flash, budget, payload)) expect({ append: i, budget, returned: true }).toBeNull();
        cuts++;
        if (rotates) rotationsCut++;
        const log = RecordLog.open(flash);
        const after = [...log.records()];
        const seqs = after.map((r) => r.seq);
        // Nothing new appeared, nothing duplicated; only a rotation may have dropped the oldest.
        // (Plain checks in this hot loop; expect() only when one fails, to say where.)
        const expected = rotates ? beforeSeqs.slice(beforeSeqs.length - seqs.length) : beforeSeqs;
        const intact = after.every((r) => Buffer.from(r.payload).equals(Buffer.from(returned.get(r.seq)!)));
        if (new Set(seqs).size !== seqs.length || expected.join() !== seqs.join() || !intact)
          expect({ append: i, budget, seqs, intact }).toEqual({ append: i, budget, seqs: expected, intact: true });
        // …and the log keeps accepting appends after the reboot.
        const extra = log.append(9, Uint8Array.of(0xee));
        const last = [...RecordLog.open(flash).records()].pop();
        if (last?.seq !== extra || last.type !== 9) expect({ append: i, budget, last }).toMatchObject({ last: { seq: extra, type: 9 } });
      }
      // Then the append for real, without a cut.
      flash.bytes.set(before);
      const log = RecordLog.open(flash);
      last = log.append(2, payload);
      returned.set(last, payload);
    }
    const final = [...RecordLog.open(flash).records()];
    expect(final[final.length - 1].seq).toBe(last);
    expect(cuts).toBeGreaterThan(120 * 20);
    expect(rotationsCut).toBeGreaterThan(0);
  });

  it('reports a torn record after a cut between the record and its commit mark', () => {
    const flash = new NorFlash({ sectors: 4, sectorSize: 512 });
    RecordLog.open(flash).append(1, payloadFor(1));
    const payload = payloadFor(2);
    flash.cutPowerAfter(12 + payload.length + 4); // everything but the commit mark
    expect(() => RecordLog.open(flash).append(1, payload)).toThrow(StoreError);
    flash.powerOn();
    const log = RecordLog.open(flash);
    expect(log.recovery).toMatchObject({ records: 1, tornRecords: 1, corruptRecords: 0 });
    const seq = log.append(1, payloadFor(3));
    expect([...RecordLog.open(flash).records()].map((r) => r.seq)).toEqual([1, seq]);
  });

});

describe('record log after failures (review findings)', () => {
  it('a write that fails before reaching flash leaves no gap that hides later records', () => {
    const flash = new NorFlash({ sectors: 4, sectorSize: 512 });
    const log = RecordLog.open(flash);
    log.append(1, payloadFor(1));
    const write = flash.write.bind(flash);
    flash.write = () => {
      throw new PortError('flash-io', 'spi error');
    };
    expect(() => log.append(1, new Uint8Array(40).fill(7))).toThrow(StoreError);
    flash.write = write;
    const c = log.append(1, payloadFor(3));
    expect([...log.records()].map((r) => r.seq)).toEqual([1, c]);
    const reopened = RecordLog.open(flash);
    expect([...reopened.records()].map((r) => r.seq)).toEqual([1, c]);
    expect(() => reopened.append(1, new Uint8Array(60).fill(9))).not.toThrow();
    expect([...RecordLog.open(flash).records()].length).toBe(3);
  });

  it('recovery does not take the next seq from a header cut mid-seq', () => {
    const flash = new NorFlash({ sectors: 4, sectorSize: 512 });
    const log = RecordLog.open(flash);
    for (let i = 0; i < 4; i++) log.append(1, payloadFor(i));
    flash.cutPowerAfter(5); // inside the seq field of record 5
    expect(() => log.append(1, payloadFor(5))).toThrow(StoreError);
    flash.powerOn();
    expect(RecordLog.open(flash).nextSeq).toBe(5);
  });

  it('counts data after a gap of erased bytes as corruption, keeps the intact record past it, and appends after it', () => {
    const flash = new NorFlash({ sectors: 4, sectorSize: 512 });
    const log = RecordLog.open(flash);
    log.append(1, payloadFor(1));
    // A record written 64 bytes further on, as if the slot before it had never been programmed.
    const lonely = new NorFlash({ sectors: 4, sectorSize: 512 });
    const other = RecordLog.open(lonely);
    other.append(1, payloadFor(1));
    other.append(1, payloadFor(2));
    flash.bytes.set(lonely.bytes.subarray(16 + 64, 200), 16 + 64 + 64);
    // Not a power cut: a cut write leaves no erased bytes before the data it wrote.
    const reopened = RecordLog.open(flash);
    expect(reopened.recovery.corruptRecords).toBeGreaterThan(0);
    expect(reopened.recovery.tornRecords).toBe(0);
    // Record 2 of the other log, whole at 16 + 64 + 64 + 8: resynchronisation finds it.
    expect([...reopened.records()].map((r) => [r.seq, (cborDecode(r.payload) as { n: number }).n])).toEqual([[1, 1], [2, 2]]);
    const seq = reopened.append(1, payloadFor(9));
    expect([...RecordLog.open(flash).records()].map((r) => r.seq)).toEqual([1, 2, seq]);
  });
});
