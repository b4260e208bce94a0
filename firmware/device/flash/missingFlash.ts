/**
 * Stands in for a flash region the board should have but does not (no such partition in the
 * flashed partition table). Every operation fails with the reason, so the record log cannot
 * open, the terminal boots anyway and the flash probe reports it: a technician sees the fault
 * on the screen instead of a board that never starts.
 */
import { PortError, type FlashRegionPort } from '../../core/ports';

export class MissingFlash implements FlashRegionPort {
  readonly byteLength = 0;
  readonly sectorSize: number;
  readonly #reason: string;

  constructor(sectorSize: number, reason: string) {
    this.sectorSize = sectorSize;
    this.#reason = reason;
  }

  read(): Uint8Array {
    throw new PortError('flash-io', this.#reason);
  }

  write(): void {
    throw new PortError('flash-io', this.#reason);
  }

  eraseSector(): void {
    throw new PortError('flash-io', this.#reason);
  }
}
