/**
 * Two simulated OTA app slots, the otadata that picks between them, and the bootloader that
 * reads it: ESP-IDF's semantics with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE (issue 10 contract,
 * host-sim). ENGINE-NEUTRAL: no Node imports; the SHA-256 is passed in.
 *
 * Flash layout (one strict NOR chip, host-sim/ports/norFlash.ts): otadata (two 4 KB sectors,
 * one entry each) then slot 0 then slot 1, `slotBytes` each. An otadata entry is ESP-IDF's
 * esp_ota_select_entry_t: u32le ota_seq, 20 bytes seq_label (0xFF), u32le ota_state, u32le crc
 * (CRC-32 of the 4 seq bytes). An entry is valid when its seq is not 0xFFFFFFFF and its crc
 * matches; the slot it boots is (seq − 1) mod 2. States: 0 new, 1 pending-verify, 2 valid,
 * 3 invalid, 4 aborted, 0xFFFFFFFF undefined.
 *
 * The bootloader (`bootloader()`, once per power-on):
 * - the active entry is the valid one with the highest seq whose state is neither invalid nor
 *   aborted; none → slot 0 (a factory flash with blank otadata boots ota_0);
 * - state new → written pending-verify, and that slot boots (its trial);
 * - state pending-verify at boot (the trial ended in a reset before markValid) → written
 *   aborted, and the choice is made again (the other slot);
 * - the chosen slot's image must parse and its appended SHA-256 must match (when the image has
 *   one, ESP-IDF's hash_appended); if not it is never booted: the other slot is tried; neither
 *   → nothing boots (`undefined`).
 *
 * Power cuts (`armCut(afterOps)`): every erase, write and otadata write (an erase of the entry's
 * sector plus the 32-byte write, as esp_rewrite_ota_data does) is one op; the op `afterOps`
 * ops from now is cut half-way (a write: its first half reaches flash, the byte at the cut
 * partly; an erase: the sector left undefined; an otadata write: erased, entry half-written,
 * so its crc fails) and throws PortError 'flash-power'; everything then fails until `powerOn()`.
 * `onPowerCut` tells the world (which cuts the rest of the board). Reads are free.
 */
import { PortError, type FirmwareImagePort, type ImageState, type UpdatePort } from '../../firmware/core/ports';
import { crc32, crc32Table } from '../../firmware/core/store/crc32';
import { NorFlash } from '../ports/norFlash';
import { readSimHeader, SIM_BOARD, type Sha256, type SimImageHeader } from './simImage';

export const OTA_SECTOR = 4096;
/** The seal's sector at the end of each slot (update/seal.ts SEAL_SECTOR_BYTES). */
export const SEAL_BYTES = 4096;
const ENTRY_BYTES = 32;
const UNSET = 0xffffffff;

export const OTA_STATE = Object.freeze({ new: 0, 'pending-verify': 1, valid: 2, invalid: 3, aborted: 4, undefined: UNSET });
export type OtaStateName = keyof typeof OTA_STATE;

export interface OtaEntry {
  seq: number;
  state: OtaStateName | 'unknown';
  /** crc and seq hold together (ESP-IDF bootloader_common_ota_select_valid). */
  valid: boolean;
}

export interface OtaSlotsOptions {
  /** Bytes per slot, a multiple of 4096, at least two sectors. */
  slotBytes: number;
  sha256: Sha256;
  /** Default "xspos-sim". */
  board?: string;
  /** Seeds what an interrupted erase leaves. */
  seed?: number;
  /** A cut happened: the world powers the rest of the board off. */
  onPowerCut?: () => void;
  /** rollback() was called: the world restarts (reset reason 'software'). */
  onRestart?: () => void;
}

/** What the bootloader booted. */
export interface BootedImage {
  slot: number;
  header: SimImageHeader;
  /** The appended SHA-256 the bootloader checked, or undefined for an image without one. */
  expectedSha256: Uint8Array | undefined;
}

const CRC_TABLE = crc32Table();

/**
 * An otadata entry's crc as ESP-IDF computes it (bootloader_common_ota_select_crc:
 * esp_rom_crc32_le(UINT32_MAX, &seq, 4)): the ROM function inverts the value it is given, so the
 * register starts at 0, not at zlib's all-ones; the result is inverted as zlib's is. Equal to
 * zlib.crc32(seq, 0xFFFFFFFF) (Node ≥ 20.15, Python's zlib.crc32(seq, 0xFFFFFFFF)).
 */
export function otadataCrc(seqBytes: Uint8Array): number {
  return crc32(CRC_TABLE, seqBytes, 0xffffffff);
}

const u32le = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
function putU32le(b: Uint8Array, at: number, v: number) {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

export class OtaSlots {
  readonly slotBytes: number;
  readonly sectorSize = OTA_SECTOR;
  readonly board: string;
  /** The chip: otadata, slot 0, slot 1. Tests read it directly. */
  readonly flash: NorFlash;
  /** Flash ops (erase, write, otadata write) since construction. */
  opCount = 0;
  readonly #sha256: Sha256;
  readonly #options: OtaSlotsOptions;
  /** Ops left before the armed cut; undefined = none armed. */
  #cutIn: number | undefined;
  #booted: BootedImage | undefined;
  #port: UpdatePort | undefined;

  constructor(options: OtaSlotsOptions) {
    const { slotBytes } = options;
    if (!Number.isInteger(slotBytes) || slotBytes % OTA_SECTOR || slotBytes < 2 * OTA_SECTOR) throw new RangeError(`slotBytes ${slotBytes}: a multiple of ${OTA_SECTOR}, two sectors at least`);
    this.slotBytes = slotBytes;
    this.board = options.board ?? SIM_BOARD;
    this.#sha256 = options.sha256;
    this.#options = options;
    this.flash = new NorFlash({ sectors: 2 + (2 * slotBytes) / OTA_SECTOR, sectorSize: OTA_SECTOR, seed: options.seed ?? 1 });
  }

  // --- the factory and the test bench (no ops counted, no cut) --------------------------------

  /** Writes `image` (and `seal`, into the last sector) into `slot` as a factory flash would. */
  install(slot: number, image: Uint8Array, seal?: Uint8Array): void {
    if (image.length > this.slotBytes - SEAL_BYTES) throw new RangeError(`image of ${image.length} bytes does not fit a slot of ${this.slotBytes}`);
    if (seal && seal.length > SEAL_BYTES) throw new RangeError('seal longer than its sector');
    const base = this.#slotBase(slot);
    this.flash.bytes.fill(0xff, base, base + this.slotBytes);
    this.flash.bytes.set(image, base);
    if (seal) this.flash.bytes.set(seal, base + this.slotBytes - SEAL_BYTES);
  }

  /** Flips bits of `slot` behind everyone's back (a decayed cell): the bootloader sees it at the next boot. */
  corrupt(slot: number, offset: number, xor: number): void {
    this.flash.bytes[this.#slotBase(slot) + offset] ^= xor;
  }

  /** A slot's bytes (a copy). */
  slotImage(slot: number): Uint8Array {
    const base = this.#slotBase(slot);
    return this.flash.bytes.slice(base, base + this.slotBytes);
  }

  /** Both otadata entries as they read now. */
  entries(): [OtaEntry, OtaEntry] {
    return [this.#entry(0), this.#entry(1)];
  }

  // --- power ---------------------------------------------------------------------------------

  /** Cuts the power during the op `afterOps` ops from now (0: the next one). */
  armCut(afterOps: number): void {
    if (!Number.isInteger(afterOps) || afterOps < 0) throw new RangeError('afterOps: a whole number ≥ 0');
    this.#cutIn = afterOps;
  }

  get cutArmed(): boolean {
    return this.#cutIn !== undefined;
  }

  get powered(): boolean {
    return this.flash.powered;
  }

  /** Power back: the armed cut (if it has not happened) stays armed; flash keeps what reached it. */
  powerOn(): void {
    const armed = this.#cutIn;
    this.flash.powerOn();
    this.#cutIn = armed;
  }

  // --- the bootloader ------------------------------------------------------------------------

  /**
   * Power-on: picks and checks the slot to boot (see the file header), writing the otadata
   * state changes it makes. Undefined when no slot holds a bootable image.
   * @throws PortError 'flash-power' when an armed cut hits one of its otadata writes
   */
  bootloader(): BootedImage | undefined {
    this.#booted = undefined;
    this.#port = undefined;
    let chosen: number | undefined;
    for (let round = 0; round < 3 && chosen === undefined; round++) {
      const active = this.#activeEntry();
      if (active === undefined) {
        chosen = 0;
        break;
      }
      const entry = this.#entry(active);
      if (entry.state === 'new') {
        this.#writeEntry(active, entry.seq, 'pending-verify');
        chosen = (entry.seq - 1) % 2;
      } else if (entry.state === 'pending-verify') {
        // The trial ended in a reset before markValid: never again.
        this.#writeEntry(active, entry.seq, 'aborted');
      } else chosen = (entry.seq - 1) % 2;
    }
    if (chosen === undefined) chosen = 0;
    for (const slot of [chosen, 1 - chosen]) {
      const image = this.#verify(slot);
      if (image) {
        this.#booted = image;
        return image;
      }
    }
    return undefined;
  }

  /** What booted last (undefined before the bootloader ran, or when nothing could boot). */
  get booted(): BootedImage | undefined {
    return this.#booted;
  }

  /** The running slot's state as esp_ota_get_state_partition reports it. */
  runningState(): ImageState {
    const booted = this.#requireBooted();
    const entry = this.#entryOf(booted.slot);
    if (entry === undefined) return 'undefined';
    const { state } = this.#entry(entry);
    return state === 'pending-verify' || state === 'new' ? 'pending-verify' : state === 'valid' ? 'valid' : 'undefined';
  }

  /**
   * The running image as the core's SystemPort.image sees it (reads the slot live), as the
   * device's esp32/runningImage.ts gives it: `byteLength` is the whole image file (the header's
   * size, the appended SHA-256 included: what a manifest's size and sha256 cover) and
   * `expectedSha256` the appended hash the bootloader checked, over the first byteLength − 32 bytes.
   */
  runningImage(): FirmwareImagePort {
    const booted = this.#requireBooted();
    const base = this.#slotBase(booted.slot);
    const byteLength = booted.header.size;
    const flash = this.flash;
    const slotBytes = this.slotBytes;
    return {
      byteLength,
      expectedSha256: booted.expectedSha256,
      read(offset: number, length: number): Uint8Array {
        if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > byteLength)
          throw new PortError('flash-bounds', `image read ${offset}+${length} outside 0..${byteLength}`);
        return flash.read(base + offset, length);
      },
      seal(): Uint8Array | undefined {
        const sector = flash.read(base + slotBytes - SEAL_BYTES, SEAL_BYTES);
        return sector.every((b) => b === 0xff) ? undefined : sector;
      },
    };
  }

  /** The UpdatePort of this boot (the slot the bootloader chose is the running one). */
  port(): UpdatePort {
    if (this.#port) return this.#port;
    const booted = this.#requireBooted();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const slots = this;
    const inactive = 1 - booted.slot;
    const base = this.#slotBase(inactive);
    this.#port = {
      board: this.board,
      slotBytes: this.slotBytes,
      sectorSize: OTA_SECTOR,
      running: () => ({ slot: booted.slot, state: slots.runningState() }),
      eraseSector(index: number) {
        if (!Number.isInteger(index) || index < 0 || index * OTA_SECTOR >= slots.slotBytes) throw new PortError('flash-bounds', `no sector ${index} in a slot`);
        slots.#op(OTA_SECTOR / 2, () => slots.flash.eraseSector(base / OTA_SECTOR + index));
      },
      write(offset: number, data: Uint8Array) {
        if (!Number.isInteger(offset) || offset < 0 || offset + data.length > slots.slotBytes)
          throw new PortError('flash-bounds', `slot write ${offset}+${data.length} outside 0..${slots.slotBytes}`);
        slots.#op(data.length >> 1, () => slots.flash.write(base + offset, data));
      },
      read(offset: number, length: number) {
        if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > slots.slotBytes)
          throw new PortError('flash-bounds', `slot read ${offset}+${length} outside 0..${slots.slotBytes}`);
        return slots.flash.read(base + offset, length);
      },
      activate() {
        slots.#checkPowered();
        const image = slots.#verify(inactive);
        if (!image) throw new PortError('update', `slot ${inactive} holds no bootable image (header or appended SHA-256): nothing switched`);
        // esp_rewrite_ota_data: the next seq that boots `inactive`, into the entry that is not the active one.
        const active = slots.#activeEntry();
        const seq = active === undefined ? 0 : slots.#entry(active).seq;
        let next = Math.floor(seq / 2) * 2 + inactive + 1;
        while (next <= seq) next += 2;
        slots.#writeEntry(active === undefined ? 0 : 1 - active, next, 'new');
      },
      markValid() {
        slots.#checkPowered();
        const entry = slots.#entryOf(booted.slot);
        if (entry === undefined) return;
        const { seq, state } = slots.#entry(entry);
        if (state === 'pending-verify') slots.#writeEntry(entry, seq, 'valid');
      },
      rollback() {
        slots.#checkPowered();
        const other = slots.#verify(inactive);
        const otherEntry = slots.#entryOf(inactive);
        const otherState = otherEntry === undefined ? undefined : slots.#entry(otherEntry).state;
        if (!other || otherState === 'invalid' || otherState === 'aborted') throw new PortError('update', `no other bootable slot to roll back to: slot ${inactive} unchanged`);
        const entry = slots.#entryOf(booted.slot);
        if (entry === undefined) throw new PortError('update', 'the running slot has no otadata entry to mark invalid');
        slots.#writeEntry(entry, slots.#entry(entry).seq, 'invalid');
        slots.#options.onRestart?.();
      },
    };
    return this.#port;
  }

  // --- internals ------------------------------------------------------------------------------

  #slotBase(slot: number): number {
    if (slot !== 0 && slot !== 1) throw new RangeError(`no slot ${slot}`);
    return 2 * OTA_SECTOR + slot * this.slotBytes;
  }

  #requireBooted(): BootedImage {
    if (!this.#booted) throw new PortError('update', 'nothing booted');
    return this.#booted;
  }

  #checkPowered() {
    if (!this.flash.powered) throw new PortError('flash-power', 'flash has no power');
  }

  /** One flash op; when it is the armed one, `budget` of its bytes reach flash before the power dies. */
  #op(budget: number, run: () => void) {
    this.#checkPowered();
    this.opCount++;
    if (this.#cutIn !== undefined && this.#cutIn-- === 0) {
      this.#cutIn = undefined;
      this.flash.cutPowerAfter(budget);
      try {
        run();
      } catch (error) {
        if (error instanceof PortError && error.code === 'flash-power') this.#options.onPowerCut?.();
        throw error;
      }
      // The op fit in its budget (an empty write): the power dies right after it.
      // (An erase cut at its first byte leaves the sector as it was: only the power goes.)
      this.flash.cutPowerAfter(0);
      try {
        this.flash.eraseSector(0);
      } catch {
        /* the power is gone now */
      }
      this.#options.onPowerCut?.();
      throw new PortError('flash-power', 'power cut');
    }
    run();
  }

  #entry(index: number): OtaEntry {
    const b = this.flash.bytes.subarray(index * OTA_SECTOR, index * OTA_SECTOR + ENTRY_BYTES);
    const seq = u32le(b, 0);
    const stateValue = u32le(b, 24);
    const crc = u32le(b, 28);
    const name = (Object.keys(OTA_STATE) as OtaStateName[]).find((k) => OTA_STATE[k] === stateValue);
    return { seq, state: name ?? 'unknown', valid: seq !== UNSET && crc === otadataCrc(b.subarray(0, 4)) };
  }

  /** The active entry's index, or undefined. */
  #activeEntry(): number | undefined {
    let best: number | undefined;
    for (const i of [0, 1]) {
      const e = this.#entry(i);
      if (!e.valid || e.state === 'invalid' || e.state === 'aborted') continue;
      if (best === undefined || e.seq > this.#entry(best).seq) best = i;
    }
    return best;
  }

  /** The valid entry with the highest seq that boots `slot`, or undefined. */
  #entryOf(slot: number): number | undefined {
    let best: number | undefined;
    for (const i of [0, 1]) {
      const e = this.#entry(i);
      if (!e.valid || (e.seq - 1) % 2 !== slot) continue;
      if (best === undefined || e.seq > this.#entry(best).seq) best = i;
    }
    return best;
  }

  /** An otadata write: erase the entry's sector, write the 32-byte entry (one op). */
  #writeEntry(index: number, seq: number, state: OtaStateName) {
    const entry = new Uint8Array(ENTRY_BYTES).fill(0xff);
    putU32le(entry, 0, seq);
    putU32le(entry, 24, OTA_STATE[state]);
    putU32le(entry, 28, otadataCrc(entry.subarray(0, 4)));
    this.#op(OTA_SECTOR + ENTRY_BYTES / 2, () => {
      this.flash.eraseSector(index);
      this.flash.write(index * OTA_SECTOR, entry);
    });
  }

  /** The image in `slot` if the bootloader would boot it (header parses, fits, appended SHA-256 matches). */
  #verify(slot: number): BootedImage | undefined {
    const base = this.#slotBase(slot);
    const limit = this.slotBytes - SEAL_BYTES;
    const bytes = this.flash.bytes;
    const header = readSimHeader((offset, length) => bytes.slice(base + offset, base + Math.min(limit, offset + length)), limit);
    if (!header) return undefined;
    if (!header.hash) return { slot, header, expectedSha256: undefined };
    const hashed = header.size - 32;
    const expected = bytes.slice(base + hashed, base + header.size);
    const actual = this.#sha256(bytes.subarray(base, base + hashed));
    for (let i = 0; i < 32; i++) if (actual[i] !== expected[i]) return undefined;
    return { slot, header, expectedSha256: expected };
  }
}
