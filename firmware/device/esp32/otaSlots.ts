/**
 * The update port on ESP32 (core/ports.ts UpdatePort): the inactive OTA slot, written at any
 * offset, sector by sector, and the bootloader's app rollback, through otaSlots.c (ESP-IDF
 * esp_partition_* and esp_ota_*). Needs the partition table with ota_0, ota_1 and otadata
 * (partitions.csv) and a bootloader built with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE
 * (sdkconfig/sdkconfig.defaults); without OTA slots there is no port and the update flow says
 * 'unavailable'.
 *
 * What this file adds to the natives: the checks every flash region makes (norRules.ts: inside
 * the slot, whole sectors, NOR programming when the slot is not encrypted, 16-byte aligned writes
 * when it is, a read-back after each write) and one the bootloader needs: while the running
 * image is still on trial ('pending-verify'), the other slot holds the image a rollback returns
 * to, so nothing erases, writes or switches it until markValid(). The logic takes its natives as an object, so Node
 * tests (tests/device/otaSlots.test.ts) run it against a simulated ESP-IDF.
 */
import { PortError, type ImageState, type UpdatePort } from '../../core/ports';
import { errorText } from '../../core/errorText';
import { checkProgram, checkRange, checkSector } from '../flash/norRules';

/** What a signed manifest's `board` must say to be installed here (`npm run tool -- image sign --board moddable_two`). */
export const OTA_BOARD = 'moddable_two';
/** SPI_FLASH_SEC_SIZE: the slots' erase granule. */
export const OTA_SECTOR_BYTES = 4096;
/** The largest read or write in one call (each is one buffer on the XS heap, and read back once): four sectors. */
export const OTA_IO_MAX_BYTES = 16_384;

/**
 * With flash encryption, esp_partition_write encrypts in 16-byte AES blocks and refuses an offset
 * or a length that is not a multiple of 16 (esp_flash_write_encrypted); the port refuses them
 * first, naming the rule (the update flow writes whole sectors, the image's last one padded).
 */
export const OTA_ENCRYPTED_ALIGN = 16;

/** The int32 fields otaSlots.c's info() fills, by index. */
export const OTA_INFO = Object.freeze({
  runningSlot: 0,
  runningState: 1,
  inactiveSlot: 2,
  inactiveBytes: 3,
  inactiveEncrypted: 4,
  runningBytes: 5,
  count: 6,
});

/**
 * esp_ota_img_states_t of the running image → ImageState. NEW (0) is only seen when the
 * bootloader was built without rollback (it turns NEW into PENDING_VERIFY as it boots it): it
 * is unconfirmed all the same. INVALID (3) and ABORTED (4) never run; -1 (otadata erased, as a
 * wired flash leaves it, or a factory app) and ESP_OTA_IMG_UNDEFINED have nothing to confirm.
 */
const IMAGE_STATES: readonly ImageState[] = Object.freeze(['pending-verify', 'pending-verify', 'valid', 'undefined', 'undefined']);

export function imageStateOf(code: number): ImageState {
  return (Number.isInteger(code) && code >= 0 ? IMAGE_STATES[code] : undefined) ?? 'undefined';
}

/** otaSlots.c, one function per native; each throws an Error naming the ESP-IDF error. */
export interface OtaNatives {
  info(into: Int32Array): void;
  erase(sector: number): void;
  write(offset: number, bytes: Uint8Array): void;
  read(offset: number, into: Uint8Array): void;
  activate(): void;
  markValid(): void;
  /** Does not return when it works (the chip restarts). */
  rollback(): void;
}

// Bodies and parameters match xsc's pattern, so each call compiles to the host function itself.
function otaInfo(this: unknown, into: Int32Array): void {
  return native('xs_xspos_ota_info').call(this, into);
}
function otaErase(this: unknown, sector: number): void {
  return native('xs_xspos_ota_erase').call(this, sector);
}
function otaWrite(this: unknown, offset: number, bytes: Uint8Array): void {
  return native('xs_xspos_ota_write').call(this, offset, bytes);
}
function otaRead(this: unknown, offset: number, into: Uint8Array): void {
  return native('xs_xspos_ota_read').call(this, offset, into);
}
function otaActivate(this: unknown): void {
  return native('xs_xspos_ota_activate').call(this);
}
function otaMarkValid(this: unknown): void {
  return native('xs_xspos_ota_mark_valid').call(this);
}
function otaRollback(this: unknown): void {
  return native('xs_xspos_ota_rollback').call(this);
}

export const ESP_OTA_NATIVES: OtaNatives = Object.freeze({
  info: otaInfo,
  erase: otaErase,
  write: otaWrite,
  read: otaRead,
  activate: otaActivate,
  markValid: otaMarkValid,
  rollback: otaRollback,
});

export interface OpenedOtaSlots {
  /** Undefined when the partition table has no two OTA slots to switch between. */
  slots: EspOtaSlots | undefined;
  /** For the boot trace. */
  note: string;
}

/** Opens the slots as the bootloader left them; never throws (a board without them boots without updates). */
export function openOtaSlots(board: string = OTA_BOARD, natives: OtaNatives = ESP_OTA_NATIVES): OpenedOtaSlots {
  const info = new Int32Array(OTA_INFO.count);
  try {
    natives.info(info);
  } catch (error) {
    return { slots: undefined, note: `updates off: OTA slots unreadable (${errorText(error)})` };
  }
  const running = info[OTA_INFO.runningSlot];
  const inactive = info[OTA_INFO.inactiveSlot];
  const bytes = info[OTA_INFO.inactiveBytes];
  if (running < 0 || inactive < 0 || running === inactive)
    return { slots: undefined, note: 'updates off: the partition table has no ota_0/ota_1 pair (is partitions.csv flashed?)' };
  if (bytes < 2 * OTA_SECTOR_BYTES) return { slots: undefined, note: `updates off: slot ota_${inactive} has ${bytes} bytes` };
  const slots = new EspOtaSlots(board, natives, info);
  return { slots, note: `updates: running ota_${running} (${slots.running().state}), inactive ota_${inactive} of ${slots.slotBytes} bytes${slots.encrypted ? ', encrypted' : ''}` };
}

export class EspOtaSlots implements UpdatePort {
  readonly board: string;
  readonly slotBytes: number;
  readonly sectorSize = OTA_SECTOR_BYTES;
  /** Flash encryption covers the inactive slot: reads decrypt, so NOR rules cannot be checked on what they return. */
  readonly encrypted: boolean;
  readonly #natives: OtaNatives;
  readonly #runningSlot: number;
  /** The running image's state, read at open and after markValid (nothing else changes it during a boot). */
  #state: ImageState;

  /** Use openOtaSlots(). `info` as otaSlots.c's info() filled it. */
  constructor(board: string, natives: OtaNatives, info: Int32Array) {
    this.board = board;
    this.#natives = natives;
    this.#runningSlot = info[OTA_INFO.runningSlot];
    this.#state = imageStateOf(info[OTA_INFO.runningState]);
    this.slotBytes = Math.floor(info[OTA_INFO.inactiveBytes] / OTA_SECTOR_BYTES) * OTA_SECTOR_BYTES;
    this.encrypted = info[OTA_INFO.inactiveEncrypted] === 1;
  }

  running(): { slot: number; state: ImageState } {
    return { slot: this.#runningSlot, state: this.#state };
  }

  eraseSector(index: number): void {
    checkSector(this.slotBytes, OTA_SECTOR_BYTES, index);
    this.#refuseOnTrial('erase');
    try {
      this.#natives.erase(index);
    } catch (error) {
      throw new PortError('flash-io', `OTA slot: erase sector ${index}: ${errorText(error)}`);
    }
  }

  write(offset: number, data: Uint8Array): void {
    checkRange(this.slotBytes, offset, data.length);
    checkSize(data.length);
    if (data.length === 0) return;
    if (this.encrypted && (offset % OTA_ENCRYPTED_ALIGN !== 0 || data.length % OTA_ENCRYPTED_ALIGN !== 0))
      throw new PortError('flash-bounds', `OTA slot: write ${offset}+${data.length}: an encrypted slot takes writes ${OTA_ENCRYPTED_ALIGN}-byte aligned in offset and length`);
    this.#refuseOnTrial('write');
    if (!this.encrypted) checkProgram(this.read(offset, data.length), data, offset);
    try {
      this.#natives.write(offset, data);
    } catch (error) {
      throw new PortError('flash-io', `OTA slot: write ${offset}+${data.length}: ${errorText(error)}`);
    }
    const back = this.read(offset, data.length);
    for (let i = 0; i < data.length; i++)
      if (back[i] !== data[i]) throw new PortError('flash-io', `OTA slot: byte ${offset + i} reads 0x${back[i].toString(16)} after writing 0x${data[i].toString(16)}`);
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this.slotBytes, offset, length);
    checkSize(length);
    const into = new Uint8Array(length);
    if (length === 0) return into;
    try {
      this.#natives.read(offset, into);
    } catch (error) {
      throw new PortError('flash-io', `OTA slot: read ${offset}+${length}: ${errorText(error)}`);
    }
    return into;
  }

  activate(): void {
    this.#refuseOnTrial('switch to');
    try {
      this.#natives.activate();
    } catch (error) {
      throw new PortError('update', `OTA slot: boot partition not set: ${errorText(error)}`);
    }
  }

  markValid(): void {
    if (this.#state !== 'pending-verify') return;
    try {
      this.#natives.markValid();
    } catch (error) {
      throw new PortError('update', `running image not confirmed: ${errorText(error)}`);
    }
    this.#state = this.#stateNow();
  }

  rollback(): void {
    let why = 'the bootloader did not restart';
    try {
      this.#natives.rollback();
    } catch (error) {
      why = errorText(error);
    }
    throw new PortError('update', `no rollback: ${why}`);
  }

  /** The state as otadata says now (after markValid: 'valid'). */
  #stateNow(): ImageState {
    const info = new Int32Array(OTA_INFO.count);
    try {
      this.#natives.info(info);
    } catch {
      return this.#state;
    }
    return imageStateOf(info[OTA_INFO.runningState]);
  }

  /** @throws PortError 'update' while the running image is unconfirmed: the inactive slot is its way back. */
  #refuseOnTrial(what: string): void {
    if (this.#state === 'pending-verify') throw new PortError('update', `will not ${what} the other slot while the running image is on trial: it holds the image a rollback boots`);
  }
}

/** @throws PortError 'flash-bounds' for one call larger than OTA_IO_MAX_BYTES */
function checkSize(length: number): void {
  if (length > OTA_IO_MAX_BYTES) throw new PortError('flash-bounds', `${length} bytes in one call (at most ${OTA_IO_MAX_BYTES})`);
}
