/**
 * A supply that browns out during every rotation's erase: each reboot must finish the rotation
 * the cut interrupted, not retry it from the active sector's reserve (which a few such boots
 * would use up, leaving a log that refuses every append).
 */
import { NorFlash } from '../../host-sim/ports/norFlash';
import { RecordLog, recordFootprint } from '../../firmware/core/store/recordLog';

const GEOMETRY = { sectors: 3, sectorSize: 4096 };
const record = (i: number) => new Uint8Array(100).fill(i & 0xff);
/** The erase intent a rotation writes before its erase: header, 4-byte payload, CRC, commit mark. */
const INTENT_BYTES = recordFootprint(4);

/** Would appending `payload` now make the log erase a sector? Tried on a copy of the chip. */
function rotatesNext(flash: NorFlash, payload: Uint8Array): boolean {
  const copy = new NorFlash(GEOMETRY, flash.bytes.slice());
  RecordLog.open(copy).append(1, payload);
  return copy.stats.erases > 0;
}

it('twelve rotations each cut 100 bytes into their erase: every reboot finishes the rotation, nothing is lost, appends go on', () => {
  const flash = new NorFlash(GEOMETRY);
  let log = RecordLog.open(flash);
  const durable = log.put(7, 4, Uint8Array.of(1, 2, 3));
  let next = 0;
  let cuts = 0;
  const written: number[] = [];
  while (cuts < 12) {
    const payload = record(next);
    if (rotatesNext(flash, payload)) {
      // Every attempt at this rotation browns out 100 bytes into its erase, five boots running.
      for (let attempt = 0; attempt < 5; attempt++) {
        flash.cutPowerAfter(INTENT_BYTES + recordFootprint(3) + 100);
        let cut = false;
        try {
          written.push(log.append(1, payload));
        } catch (error) {
          expect(String(error)).toMatch(/power cut during erase/);
          cut = true;
        }
        flash.powerOn(); // disarms a cut the append did not reach
        if (!cut) break;
        log = RecordLog.open(flash);
        // The first two rotations go into sectors never used (an erase cut there leaves them erased).
        expect(log.recovery).toMatchObject({ interruptedErases: cuts >= 2 ? 1 : 0, tornRecords: 0, corruptRecords: 0, corruptSectors: 0 });
        expect(attempt).toBe(0); // recovery finished the rotation: the retry needs no erase
      }
      cuts++;
      next++;
      continue;
    }
    written.push(log.append(1, payload));
    next++;
  }
  // The durable record came through every rotation, at its value.
  expect([...log.get(7)!.payload]).toEqual([1, 2, 3]);
  expect(log.get(7)!.seq).toBeGreaterThan(durable);
  // The newest ring records are all there, intact, in order.
  const kept = [...log.records()];
  const tail = written.slice(-kept.length);
  expect(kept.map((r) => r.seq)).toEqual(tail);
  for (const r of kept) expect(r.payload.every((b) => b === r.payload[0])).toBe(true);
  expect(kept.length).toBeGreaterThan(20);
});
