/**
 * host-sim's NOR flash model itself: what a power cut leaves during a write and during an erase,
 * checked against what NOR physics allows (a write only clears bits, an erase only sets them).
 */
import { NorFlash } from '../../host-sim/ports/norFlash';
import { PortError } from '../../firmware/core/ports';

const SECTOR = 512;
const geometry = { sectors: 3, sectorSize: SECTOR };

/** Old contents with every kind of byte an erase can meet: 0x00, 0xFF and everything between. */
function oldContents(): Uint8Array {
  const bytes = new Uint8Array(geometry.sectors * SECTOR);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i % 17 === 0 ? 0x00 : i % 13 === 0 ? 0xff : (i * 151 + 7) & 0xff;
  return bytes;
}

/** Erases sector 1 with the power cut after `cut` of its bytes; returns that sector's bytes. */
function cutErase(seed: number | undefined, cut: number): Uint8Array {
  const contents = oldContents();
  const flash = new NorFlash(seed === undefined ? geometry : { ...geometry, seed }, contents);
  flash.cutPowerAfter(cut);
  expect(() => flash.eraseSector(1)).toThrow(expect.objectContaining({ code: 'flash-power' }));
  expect(flash.powered).toBe(false);
  // The neighbours are untouched.
  expect(Buffer.from(flash.bytes.subarray(0, SECTOR)).equals(Buffer.from(contents.subarray(0, SECTOR)))).toBe(true);
  expect(Buffer.from(flash.bytes.subarray(2 * SECTOR)).equals(Buffer.from(contents.subarray(2 * SECTOR)))).toBe(true);
  return flash.bytes.slice(SECTOR, 2 * SECTOR);
}

describe('NOR flash: a cut during a write', () => {
  it('leaves a prefix programmed, the byte at the cut with only some of its cleared bits, the rest old', () => {
    const data = Uint8Array.from({ length: 12 }, (_, i) => (i * 0x3b) & 0x7e);
    for (let cut = 0; cut < data.length; cut++) {
      const flash = new NorFlash(geometry);
      flash.cutPowerAfter(cut);
      expect(() => flash.write(100, data)).toThrow(expect.objectContaining({ code: 'flash-power' }));
      expect([...flash.bytes.subarray(100, 100 + cut)]).toEqual([...data.subarray(0, cut)]);
      const partial = flash.bytes[100 + cut];
      // Only bits the write clears may be clear: partial ⊇ data, and partial ⊆ 0xFF (the old byte).
      expect(partial & data[cut]).toBe(data[cut]);
      expect(flash.bytes.subarray(100 + cut + 1, 112).every((b) => b === 0xff)).toBe(true);
      expect(() => flash.read(0, 1)).toThrow(PortError);
      flash.powerOn();
      expect(flash.read(100, 1)[0]).toBe(cut === 0 ? partial : data[0]);
    }
  });

  it('refuses a write that would set bits, as NOR flash cannot', () => {
    const flash = new NorFlash({ sectors: 2, sectorSize: 256 });
    flash.write(0, Uint8Array.of(0x0f));
    expect(() => flash.write(0, Uint8Array.of(0xf0))).toThrow(expect.objectContaining({ code: 'flash-program' }));
    expect(() => flash.read(500, 20)).toThrow(PortError);
  });
});

describe('NOR flash: a cut during an erase leaves the sector undefined', () => {
  const seeds = [1, 2, 3, 7, 1234];
  const cuts = Array.from({ length: SECTOR / 8 }, (_, i) => 1 + i * 8);

  it('only ever sets bits: every byte is old, erased or old with some bits back to 1', () => {
    const old = oldContents().subarray(SECTOR, 2 * SECTOR);
    let erased = 0;
    let kept = 0;
    let half = 0;
    for (const seed of seeds)
      for (const cut of cuts) {
        const after = cutErase(seed, cut);
        for (let i = 0; i < SECTOR; i++) {
          if ((after[i] & old[i]) !== old[i]) expect({ seed, cut, i, old: old[i], after: after[i] }).toBeNull();
          if (old[i] === 0xff) continue;
          if (after[i] === 0xff) erased++;
          else if (after[i] === old[i]) kept++;
          else half++;
        }
      }
    // All three states occur, in quantity.
    expect(Math.min(erased, kept, half)).toBeGreaterThan(1000);
  });

  it('is the same for the same seed and cut, and differs between seeds', () => {
    for (const cut of [1, 37, 256, 400]) {
      expect(cutErase(5, cut)).toEqual(cutErase(5, cut));
      expect(cutErase(5, cut)).not.toEqual(cutErase(6, cut));
    }
    expect(cutErase(undefined, 99)).toEqual(cutErase(1, 99)); // the default seed is 1
  });

  it('is not a prefix: erased bytes lie before bytes still old, and later cuts erase more', () => {
    const old = oldContents().subarray(SECTOR, 2 * SECTOR);
    let outOfOrder = 0;
    const erasedShare = (cut: number) =>
      seeds.reduce((sum, seed) => sum + cutErase(seed, cut).filter((b, i) => b === 0xff && old[i] !== 0xff).length, 0);
    for (const seed of seeds)
      for (const cut of cuts) {
        const after = cutErase(seed, cut);
        const firstErased = after.findIndex((b, i) => b === 0xff && old[i] !== 0xff);
        const keptAfter = after.some((b, i) => i > firstErased && b === old[i] && old[i] !== 0xff);
        if (firstErased >= 0 && keptAfter) outOfOrder++;
      }
    expect(outOfOrder).toBeGreaterThan(cuts.length);
    expect(erasedShare(SECTOR - 16)).toBeGreaterThan(erasedShare(16) * 4);
  });

  it('sometimes keeps the old 16-byte sector header intact over half-erased data', () => {
    const old = oldContents().subarray(SECTOR, 2 * SECTOR);
    let intact = 0;
    for (const seed of seeds)
      for (const cut of cuts) {
        const after = cutErase(seed, cut);
        const headerKept = after.subarray(0, 16).every((b, i) => b === old[i]);
        const restChanged = after.subarray(16).some((b, i) => b !== old[16 + i]);
        if (headerKept && restChanged) intact++;
      }
    // One cut in four by design; at least one in eight over 320 cuts.
    expect(intact).toBeGreaterThan((seeds.length * cuts.length) / 8);
  });

  it('leaves the sector untouched when the cut comes before the first byte, and erases it whole after powerOn', () => {
    expect(cutErase(3, 0)).toEqual(oldContents().subarray(SECTOR, 2 * SECTOR));
    const flash = new NorFlash({ ...geometry, seed: 3 }, oldContents());
    flash.cutPowerAfter(200);
    expect(() => flash.eraseSector(1)).toThrow(PortError);
    expect(() => flash.eraseSector(0)).toThrow(expect.objectContaining({ code: 'flash-power' }));
    flash.powerOn();
    flash.eraseSector(1);
    expect(flash.read(SECTOR, SECTOR).every((b) => b === 0xff)).toBe(true);
  });
});
