/**
 * SIMULATOR ONLY: the update port of the Moddable simulator (mcsim, lin), so an update check,
 * download and verify run in the simulator build and its heap can be measured (docs/memory.md,
 * issue 10; host-sim/tools/moddable/run.sh … update). The inactive slot is a file,
 * /tmp/xspos-nvs/ota/slot1.bin, written and read where the board's esp_partition_* calls would
 * touch flash, so the image never sits on the XS heap. The running image is slot 0, always
 * 'valid': mcsim runs the build's shared library, not an image from a slot, so activate() only
 * records the switch (the next mcsim start is the same build) and rollback() has nowhere to go.
 *
 * Bytes are written as given (no NOR bit-clearing): the update flow erases each sector just
 * before writing it. Erasing writes 0xFF from one 256-byte buffer the object keeps.
 */
import { Directory, File } from 'file';
import { PortError, type ImageState, type UpdatePort } from '../../core/ports';

/** The board name signed manifests must carry for the simulator (host-sim's images: "xspos-sim"). */
export const SIM_UPDATE_BOARD = 'xspos-sim';
const SECTOR_BYTES = 4096;
/** The ESP32 partition table's OTA slot size (firmware/device/esp32/partitions.csv: 0x1E0000): a file grows only as far as it is written. */
const SLOT_BYTES = 0x1e0000;
const ERASE_PIECE = 256;

export class SimUpdateSlots implements UpdatePort {
  readonly board = SIM_UPDATE_BOARD;
  readonly slotBytes = SLOT_BYTES;
  readonly sectorSize = SECTOR_BYTES;
  readonly #folder: string;
  readonly #path: string;
  #file: File | undefined;
  #state: ImageState = 'valid';
  #switched = false;
  #erased: Uint8Array | undefined;

  /** @param folder ends in "/"; the slot file goes in its `ota/` folder. */
  constructor(folder: string) {
    this.#folder = `${folder}ota/`;
    this.#path = `${this.#folder}slot1.bin`;
  }

  running(): { slot: number; state: ImageState } {
    return { slot: 0, state: this.#state };
  }

  /** The inactive slot was made the next boot's (a later mcsim start is still this build). */
  get switched(): boolean {
    return this.#switched;
  }

  eraseSector(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= SLOT_BYTES / SECTOR_BYTES) throw new PortError('flash-bounds', `erase of sector ${index}: the slot has ${SLOT_BYTES / SECTOR_BYTES}`);
    const file = this.#open();
    const ff = (this.#erased ??= new Uint8Array(ERASE_PIECE).fill(0xff));
    try {
      file.position = index * SECTOR_BYTES;
      for (let done = 0; done < SECTOR_BYTES; done += ERASE_PIECE) file.write(ff.buffer);
    } catch (error) {
      throw new PortError('flash-io', `erase of sector ${index}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  write(offset: number, data: Uint8Array): void {
    this.#bounds('write', offset, data.length);
    const file = this.#open();
    // The file module takes an ArrayBuffer: the view's own when it covers it, else a copy.
    const buffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data.buffer : data.slice().buffer;
    try {
      file.position = offset;
      file.write(buffer as ArrayBuffer);
    } catch (error) {
      throw new PortError('flash-io', `write of ${data.length} bytes at ${offset}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  read(offset: number, length: number): Uint8Array {
    this.#bounds('read', offset, length);
    const out = new Uint8Array(length).fill(0xff);
    const file = this.#open();
    const have = Math.min(length, Math.max(0, file.length - offset));
    if (have > 0) {
      try {
        file.position = offset;
        out.set(new Uint8Array(file.read(ArrayBuffer, have)));
      } catch (error) {
        throw new PortError('flash-io', `read of ${length} bytes at ${offset}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return out;
  }

  activate(): void {
    this.#switched = true;
  }

  markValid(): void {
    this.#state = 'valid';
  }

  rollback(): void {
    throw new PortError('update', 'the simulator runs one build: there is no other image to roll back to');
  }

  #bounds(what: string, offset: number, length: number) {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > SLOT_BYTES)
      throw new PortError('flash-bounds', `${what} of ${length} bytes at ${offset}: the slot has ${SLOT_BYTES}`);
  }

  #open(): File {
    if (this.#file) return this.#file;
    try {
      Directory.create(this.#folder);
      this.#file = new File(this.#path, true);
    } catch (error) {
      throw new PortError('flash-io', `${this.#path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.#file;
  }
}
