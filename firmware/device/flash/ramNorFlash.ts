/**
 * A NOR flash region in RAM, for the simulator build (the lin simulator has no `flash`
 * module). Same semantics as the board's partition: it starts erased (0xFF), erase works on
 * whole sectors, a write may only clear bits. Unlike the board it forgets everything when the
 * simulator stops, so each run starts with an empty record log.
 */
import type { FlashRegionPort } from '../../core/ports';
import { checkProgram, checkRange, checkSector } from './norRules';

export class RamNorFlash implements FlashRegionPort {
  readonly byteLength: number;
  readonly sectorSize: number;
  readonly #bytes: Uint8Array;

  constructor(sectors: number, sectorSize: number) {
    this.sectorSize = sectorSize;
    this.byteLength = sectors * sectorSize;
    this.#bytes = new Uint8Array(this.byteLength).fill(0xff);
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this.byteLength, offset, length);
    return this.#bytes.slice(offset, offset + length);
  }

  write(offset: number, bytes: Uint8Array): void {
    checkRange(this.byteLength, offset, bytes.length);
    checkProgram(this.#bytes.subarray(offset, offset + bytes.length), bytes, offset);
    this.#bytes.set(bytes, offset);
  }

  eraseSector(sector: number): void {
    checkSector(this.byteLength, this.sectorSize, sector);
    this.#bytes.fill(0xff, sector * this.sectorSize, (sector + 1) * this.sectorSize);
  }
}
