/**
 * A NOR flash chip, strict: erase sets a sector to 0xFF, a write may only clear bits (a write
 * that would set one is refused, as a careful driver would), and power can be cut after any
 * number of bytes. After a cut every operation fails until `powerOn()`: the reboot.
 * Engine-neutral, so the XS lane's Node side and the Node runs share it.
 *
 * What a cut leaves (`cutPowerAfter(n)`: n more bytes programmed or erased, a write costing one
 * per byte and an erase one per byte of its sector):
 * - during a write: the bytes before the cut hold their new value, the byte at the cut only
 *   some of its cleared bits (a page program moves bytes in order; the cell being charged when
 *   the supply fails is half-way), the bytes after it their old value;
 * - during an erase: the sector is undefined, as real NOR leaves it (an erase pulses the whole
 *   array and its cells drift back to 1 each at its own pace): every
 *   byte is either its old value, erased (0xFF), or half-erased (old | a random mask: some bits
 *   back to 1), in any order, not a prefix. The mix is drawn from a generator seeded by
 *   `options.seed` (default 1), the sector and the cut point, so a run replays exactly; the
 *   further the erase got, the more bytes are erased. One cut in four keeps the old sector
 *   header (first 16 bytes) intact over the half-erased rest, the nastiest case for a reader
 *   that trusts headers. A cut at the erase's first byte leaves the sector untouched (the
 *   supply failed as the command was issued).
 */
import { PortError, type FlashRegionPort } from '../../firmware/core/ports';

export interface NorFlashOptions {
  sectors: number;
  sectorSize: number;
  /** Seeds what an interrupted erase leaves (default 1). */
  seed?: number;
}

/** Bytes at the start of a sector that one erase cut in four leaves untouched: the store's sector header. */
const HEADER_BYTES = 16;
/** Odds that an erase cut leaves the header intact. */
const HEADER_INTACT_ODDS = 0.25;
/** Longest run of bytes that share a state when an erase cut leaves runs rather than scattered bytes. */
const LONGEST_RUN = 32;

/** mulberry32: a small, well-mixed 32-bit generator that runs the same on XS and Node (floats in [0, 1); the tests draw seeded random cases from it too). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class NorFlash implements FlashRegionPort {
  readonly sectorSize: number;
  readonly byteLength: number;
  readonly bytes: Uint8Array;
  /** Bytes programmed or erased until the power dies; undefined = no cut armed. */
  #budget: number | undefined;
  #powered = true;
  /** Counters for wear and benchmarks. */
  readonly stats = { writes: 0, bytesWritten: 0, erases: 0, reads: 0 };
  readonly #seed: number;

  constructor({ sectors, sectorSize, seed = 1 }: NorFlashOptions, contents?: Uint8Array) {
    this.sectorSize = sectorSize;
    this.#seed = seed;
    this.byteLength = sectors * sectorSize;
    this.bytes = new Uint8Array(this.byteLength).fill(0xff);
    if (contents) {
      if (contents.length !== this.byteLength) throw new PortError('flash-bounds', `flash image is ${contents.length} bytes, chip is ${this.byteLength}`);
      this.bytes.set(contents);
    }
  }

  /** Arms a power cut after `bytes` more bytes are programmed or erased (0 = before the next one). */
  cutPowerAfter(bytes: number): void {
    this.#budget = bytes;
  }

  /** Power back on (a reboot): the cut is disarmed, flash keeps what reached it. */
  powerOn(): void {
    this.#powered = true;
    this.#budget = undefined;
  }

  get powered(): boolean {
    return this.#powered;
  }

  read(offset: number, length: number): Uint8Array {
    this.#check(offset, length);
    this.stats.reads++;
    return this.bytes.slice(offset, offset + length);
  }

  write(offset: number, data: Uint8Array): void {
    this.#check(offset, data.length);
    for (let i = 0; i < data.length; i++) {
      const old = this.bytes[offset + i];
      if ((old & data[i]) !== data[i])
        throw new PortError('flash-program', `write at ${offset + i} would set bits (0x${old.toString(16)} → 0x${data[i].toString(16)})`);
    }
    this.stats.writes++;
    for (let i = 0; i < data.length; i++) {
      if (this.#spend()) {
        // The byte being programmed when power died holds only some of its cleared bits.
        this.bytes[offset + i] &= data[i] | 0xaa;
        this.#die(`write at ${offset + i}`);
      }
      this.bytes[offset + i] = data[i];
      this.stats.bytesWritten++;
    }
  }

  eraseSector(sector: number): void {
    if (!Number.isInteger(sector) || sector < 0 || sector * this.sectorSize >= this.byteLength)
      throw new PortError('flash-bounds', `no sector ${sector}`);
    if (!this.#powered) throw new PortError('flash-power', 'flash has no power');
    this.stats.erases++;
    const base = sector * this.sectorSize;
    for (let i = 0; i < this.sectorSize; i++) {
      if (this.#spend()) {
        if (i > 0) this.#leaveUndefined(sector, i);
        this.#die(`erase of sector ${sector} at byte ${i}`);
      }
    }
    this.bytes.fill(0xff, base, base + this.sectorSize);
  }

  /** What an erase cut after `done` of the sector's bytes leaves: see the file header. */
  #leaveUndefined(sector: number, done: number) {
    const random = mulberry32(this.#seed ^ Math.imul(sector + 1, 0x9e3779b1) ^ Math.imul(done, 0x85ebca6b));
    const size = this.sectorSize;
    const base = sector * size;
    const erased = done / size;
    const halfErased = (1 - erased) * random();
    const headerIntact = random() < HEADER_INTACT_ODDS;
    const inRuns = random() < 0.5;
    let state = 0;
    let runLeft = 0;
    for (let i = headerIntact ? HEADER_BYTES : 0; i < size; i++) {
      if (runLeft === 0) {
        const r = random();
        state = r < erased ? 2 : r < erased + halfErased ? 1 : 0;
        runLeft = inRuns ? 1 + Math.floor(random() * LONGEST_RUN) : 1;
      }
      runLeft--;
      if (state === 2) this.bytes[base + i] = 0xff;
      else if (state === 1) this.bytes[base + i] |= Math.floor(random() * 256);
    }
  }

  #check(offset: number, length: number) {
    if (!this.#powered) throw new PortError('flash-power', 'flash has no power');
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.byteLength)
      throw new PortError('flash-bounds', `${offset}+${length} is outside 0..${this.byteLength}`);
  }

  /** True when the power dies now. */
  #spend(): boolean {
    if (this.#budget === undefined) return false;
    if (this.#budget === 0) return true;
    this.#budget--;
    return false;
  }

  #die(where: string): never {
    this.#powered = false;
    this.#budget = undefined;
    throw new PortError('flash-power', `power cut during ${where}`);
  }
}
