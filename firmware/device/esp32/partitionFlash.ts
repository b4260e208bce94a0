/**
 * The record log's flash region on ESP32: a data partition found by its label (the
 * partition table is firmware/device/esp32/partitions.csv), through Moddable's `flash` module
 * (esp_partition_read / _write / _erase_range).
 *
 * esp_partition_write programs whatever it is given, and a 0 bit written over stays 0 without
 * an error: the region would silently hold the AND of old and new bytes. So a write reads the
 * bytes first and refuses one that needs a bit set (PortError 'flash-program'), then reads
 * back what it wrote (PortError 'flash-io' on a mismatch: a worn or failing sector).
 */
import Flash from 'flash';
import { PortError, type FlashRegionPort } from '../../core/ports';
import { errorText } from '../../core/errorText';
import { checkProgram, checkRange, checkSector } from '../flash/norRules';

export class PartitionFlash implements FlashRegionPort {
  readonly byteLength: number;
  readonly sectorSize: number;
  readonly #flash: Flash;
  readonly #label: string;

  /** @throws PortError 'flash-io' when the partition table has no data partition `label` */
  constructor(label: string) {
    this.#label = label;
    try {
      this.#flash = new Flash(label);
    } catch (error) {
      throw new PortError('flash-io', `partition "${label}": ${errorText(error)}`);
    }
    // SPI_FLASH_SEC_SIZE; a partition that is not a whole number of sectors loses its tail.
    this.sectorSize = this.#flash.blockSize;
    this.byteLength = Math.floor(this.#flash.byteLength / this.sectorSize) * this.sectorSize;
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this.byteLength, offset, length);
    if (length === 0) return new Uint8Array(0);
    try {
      return new Uint8Array(this.#flash.read(offset, length) as ArrayBuffer);
    } catch (error) {
      throw new PortError('flash-io', `${this.#label}: read ${offset}+${length}: ${errorText(error)}`);
    }
  }

  write(offset: number, bytes: Uint8Array): void {
    checkRange(this.byteLength, offset, bytes.length);
    if (bytes.length === 0) return; // flash.write refuses a zero length
    checkProgram(this.read(offset, bytes.length), bytes, offset);
    try {
      this.#flash.write(offset, bytes.length, bytes);
    } catch (error) {
      throw new PortError('flash-io', `${this.#label}: write ${offset}+${bytes.length}: ${errorText(error)}`);
    }
    const back = this.read(offset, bytes.length);
    for (let i = 0; i < bytes.length; i++)
      if (back[i] !== bytes[i]) throw new PortError('flash-io', `${this.#label}: byte ${offset + i} reads 0x${back[i].toString(16)} after writing 0x${bytes[i].toString(16)}`);
  }

  eraseSector(sector: number): void {
    checkSector(this.byteLength, this.sectorSize, sector);
    try {
      this.#flash.erase(sector);
    } catch (error) {
      throw new PortError('flash-io', `${this.#label}: erase sector ${sector}: ${errorText(error)}`);
    }
  }
}
