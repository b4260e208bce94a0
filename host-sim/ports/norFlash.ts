/**
 * A NOR flash chip, strict: erase sets a sector to 0xFF, a write may only clear bits (a write
 * that would set one is refused, as a careful driver would), and power can be cut after any
 * number of bytes. After a cut every operation fails until `powerOn()`: the reboot.
 * Engine-neutral, so the XS lane's Node side and the Node runs share it.
 */
import { PortError, type FlashRegionPort } from '../../firmware/core/ports';

export interface NorFlashOptions {
  sectors: number;
  sectorSize: number;
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

  constructor({ sectors, sectorSize }: NorFlashOptions, contents?: Uint8Array) {
    this.sectorSize = sectorSize;
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
      if (this.#spend()) this.#die(`erase of sector ${sector} at byte ${i}`);
      this.bytes[base + i] = 0xff;
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
