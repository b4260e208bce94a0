/**
 * The ESP32 update port's logic (firmware/device/esp32/otaSlots.ts) over a simulated ESP-IDF:
 * two app partitions of NOR flash (an erase sets 0xFF; esp_partition_write programs, which can
 * only clear bits, so the cell holds old AND new), the running image's otadata state, and the
 * boot selection. What ESP-IDF itself does (esp_ota_*, the bootloader) runs on the board only:
 * these tests check what the TypeScript side promises the core (ports.ts UpdatePort): bounds,
 * whole sectors, NOR programming, the read-back, the trial guard, and the state mapping from
 * ESP-IDF's esp_ota_img_states_t (components/bootloader_support/include/esp_flash_partitions.h:
 * NEW 0x0, PENDING_VERIFY 0x1, VALID 0x2, INVALID 0x3, ABORTED 0x4, UNDEFINED 0xFFFFFFFF).
 */
import { PortError } from '../../firmware/core/ports';
import { EspOtaSlots, imageStateOf, openOtaSlots, OTA_INFO, OTA_IO_MAX_BYTES, type OtaNatives } from '../../firmware/device/esp32/otaSlots';

/** esp_ota_img_states_t, from ESP-IDF's header. */
const ESP_OTA_IMG = { NEW: 0x0, PENDING_VERIFY: 0x1, VALID: 0x2, INVALID: 0x3, ABORTED: 0x4, UNDEFINED: 0xffffffff | 0 };
const SECTOR = 4096;

interface FakeOptions {
  running?: number;
  inactive?: number;
  state?: number;
  slotBytes?: number;
  encrypted?: boolean;
  /** esp_ota_set_boot_partition's answer: ESP-IDF verifies the image first. */
  activateError?: string;
  rollbackError?: string | null;
  /** Bits the flash fails to clear on write (a worn cell). */
  stuckBits?: { offset: number; mask: number };
}

/** What otaSlots.c does, over RAM: its own bounds checks included (they throw RangeError as xsRangeError does). */
class FakeIdf implements OtaNatives {
  readonly ops: string[] = [];
  readonly slots: Uint8Array[];
  state: number;
  boot: number;
  constructor(readonly options: FakeOptions = {}) {
    const bytes = options.slotBytes ?? 16 * SECTOR;
    this.slots = [new Uint8Array(bytes).fill(0xff), new Uint8Array(bytes).fill(0xff)];
    this.state = options.state ?? ESP_OTA_IMG.VALID;
    this.boot = options.running ?? 0;
  }
  get #inactive(): Uint8Array {
    return this.slots[this.options.inactive ?? 1 - (this.options.running ?? 0)];
  }
  info(into: Int32Array): void {
    this.ops.push('info');
    into[OTA_INFO.runningSlot] = this.options.running ?? 0;
    into[OTA_INFO.runningState] = this.state === ESP_OTA_IMG.UNDEFINED ? -1 : this.state;
    into[OTA_INFO.inactiveSlot] = this.options.inactive ?? 1 - (this.options.running ?? 0);
    into[OTA_INFO.inactiveBytes] = this.options.slotBytes ?? 16 * SECTOR;
    into[OTA_INFO.inactiveEncrypted] = this.options.encrypted ? 1 : 0;
    into[OTA_INFO.runningBytes] = this.options.slotBytes ?? 16 * SECTOR;
  }
  erase(sector: number): void {
    this.ops.push(`erase ${sector}`);
    if (sector < 0 || (sector + 1) * SECTOR > this.#inactive.length) throw new RangeError('no sector');
    this.#inactive.fill(0xff, sector * SECTOR, (sector + 1) * SECTOR);
  }
  write(offset: number, bytes: Uint8Array): void {
    this.ops.push(`write ${offset}+${bytes.length}`);
    if (offset < 0 || offset + bytes.length > this.#inactive.length) throw new RangeError('outside');
    // esp_flash_write_encrypted: the address must be 16-aligned (ESP_ERR_INVALID_ARG), the length a multiple of 16 (ESP_ERR_INVALID_SIZE).
    if (this.options.encrypted && offset % 16 !== 0) throw new Error('ESP_ERR_INVALID_ARG');
    if (this.options.encrypted && bytes.length % 16 !== 0) throw new Error('ESP_ERR_INVALID_SIZE');
    for (let i = 0; i < bytes.length; i++) {
      let value = this.#inactive[offset + i] & bytes[i];
      if (this.options.stuckBits?.offset === offset + i) value |= this.options.stuckBits.mask;
      this.#inactive[offset + i] = value;
    }
  }
  read(offset: number, into: Uint8Array): void {
    this.ops.push(`read ${offset}+${into.length}`);
    if (offset < 0 || offset + into.length > this.#inactive.length) throw new RangeError('outside');
    if (this.options.encrypted) {
      // Flash encryption: reads decrypt, so erased flash reads as noise, not 0xFF.
      for (let i = 0; i < into.length; i++) into[i] = this.#inactive[offset + i] === 0xff ? (offset + i) * 37 & 0xff : this.#inactive[offset + i];
    } else into.set(this.#inactive.subarray(offset, offset + into.length));
  }
  activate(): void {
    this.ops.push('activate');
    if (this.options.activateError) throw new Error(this.options.activateError);
    this.boot = this.options.inactive ?? 1 - (this.options.running ?? 0);
  }
  markValid(): void {
    this.ops.push('markValid');
    this.state = ESP_OTA_IMG.VALID;
  }
  rollback(): void {
    this.ops.push('rollback');
    if (this.options.rollbackError !== null) throw new Error(this.options.rollbackError ?? 'ESP_ERR_OTA_ROLLBACK_FAILED');
  }
}

function open(options: FakeOptions = {}): { idf: FakeIdf; slots: EspOtaSlots } {
  const idf = new FakeIdf(options);
  const { slots } = openOtaSlots('moddable_two', idf);
  if (!slots) throw new Error('no slots');
  idf.ops.length = 0;
  return { idf, slots };
}

function portError(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof PortError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('no error thrown');
}

describe('ESP32 OTA slots: opening', () => {
  it('gives the inactive slot in whole sectors, the board name and the running slot', () => {
    const idf = new FakeIdf({ running: 1, slotBytes: 0x1e0000 + 100 });
    const { slots, note } = openOtaSlots('moddable_two', idf);
    expect(slots?.board).toBe('moddable_two');
    expect(slots?.slotBytes).toBe(0x1e0000);
    expect(slots?.sectorSize).toBe(4096);
    expect(slots?.running()).toEqual({ slot: 1, state: 'valid' });
    expect(note).toBe('updates: running ota_1 (valid), inactive ota_0 of 1966080 bytes');
  });

  it('offers no port on a factory-only table or when the natives fail', () => {
    expect(openOtaSlots('moddable_two', new FakeIdf({ running: -1, inactive: -1 })).slots).toBeUndefined();
    const broken = new FakeIdf();
    broken.info = () => {
      throw new Error('ESP_ERR_NOT_FOUND');
    };
    const opened = openOtaSlots('moddable_two', broken);
    expect(opened).toEqual({ slots: undefined, note: 'updates off: OTA slots unreadable (ESP_ERR_NOT_FOUND)' });
  });

  it.each([
    [ESP_OTA_IMG.NEW, 'pending-verify'],
    [ESP_OTA_IMG.PENDING_VERIFY, 'pending-verify'],
    [ESP_OTA_IMG.VALID, 'valid'],
    [ESP_OTA_IMG.INVALID, 'undefined'],
    [ESP_OTA_IMG.ABORTED, 'undefined'],
    [ESP_OTA_IMG.UNDEFINED, 'undefined'],
    [5, 'undefined'],
    [1.5, 'undefined'],
  ])('maps esp_ota_img_states_t %d to %s', (code, state) => {
    expect(imageStateOf(code)).toBe(state);
  });
});

describe('ESP32 OTA slots: bounds', () => {
  it.each([-1, 16, 1.5, Number.NaN])('refuses to erase sector %d of 16 without asking ESP-IDF', (sector) => {
    const { idf, slots } = open();
    expect(portError(() => slots.eraseSector(sector)).code).toBe('flash-bounds');
    expect(idf.ops).toEqual([]);
  });

  it.each([
    [-1, 4],
    [16 * SECTOR - 3, 4],
    [0.5, 4],
  ])('refuses a write at %d of %d bytes outside the slot', (offset, length) => {
    const { idf, slots } = open();
    expect(portError(() => slots.write(offset, new Uint8Array(length))).code).toBe('flash-bounds');
    expect(idf.ops).toEqual([]);
  });

  it('refuses reads outside the slot and larger than its cap; reads the last byte and nothing', () => {
    const { idf, slots } = open({ slotBytes: 64 * SECTOR });
    expect(portError(() => slots.read(64 * SECTOR - 1, 2)).code).toBe('flash-bounds');
    expect(portError(() => slots.read(0, -1)).code).toBe('flash-bounds');
    expect(portError(() => slots.read(0, OTA_IO_MAX_BYTES + 1)).code).toBe('flash-bounds');
    expect(idf.ops).toEqual([]);
    expect(slots.read(64 * SECTOR - 1, 1)).toEqual(new Uint8Array([0xff]));
    expect(slots.read(5, 0)).toEqual(new Uint8Array(0));
    expect(slots.read(0, OTA_IO_MAX_BYTES).length).toBe(OTA_IO_MAX_BYTES);
  });
});

describe('ESP32 OTA slots: writing', () => {
  it('writes, reads back, and refuses to set a bit without an erase', () => {
    const { idf, slots } = open();
    const data = Uint8Array.from({ length: SECTOR }, (_, i) => (i * 7) & 0xff);
    slots.eraseSector(3);
    slots.write(3 * SECTOR, data);
    expect(slots.read(3 * SECTOR, SECTOR)).toEqual(data);
    expect(idf.slots[1].subarray(3 * SECTOR, 4 * SECTOR)).toEqual(data);
    expect(idf.slots[0].every((b) => b === 0xff)).toBe(true); // the running slot: untouched
    const error = portError(() => slots.write(3 * SECTOR + 1, new Uint8Array([0xff])));
    expect(error.code).toBe('flash-program');
    slots.eraseSector(3);
    slots.write(3 * SECTOR + 1, new Uint8Array([0xff]));
  });

  it('says flash-io when the bytes read back differ (a worn cell)', () => {
    const { slots } = open({ stuckBits: { offset: 10, mask: 0x01 } });
    const error = portError(() => slots.write(8, new Uint8Array([0, 0, 0, 0])));
    expect(error).toEqual({ code: 'flash-io', message: 'OTA slot: byte 10 reads 0x1 after writing 0x0' });
  });

  it('with flash encryption, writes without the NOR check (erased flash reads as noise) but still reads back', () => {
    const { slots } = open({ encrypted: true });
    expect(slots.encrypted).toBe(true);
    slots.eraseSector(0);
    slots.write(0, new Uint8Array(32).fill(0x5a));
    expect(slots.read(0, 32)).toEqual(new Uint8Array(32).fill(0x5a));
  });

  it('with flash encryption, refuses a write not 16-byte aligned in offset or length before ESP-IDF does', () => {
    const { idf, slots } = open({ encrypted: true });
    slots.eraseSector(0);
    idf.ops.length = 0;
    expect(portError(() => slots.write(0, new Uint8Array(250)))).toEqual({
      code: 'flash-bounds', message: 'OTA slot: write 0+250: an encrypted slot takes writes 16-byte aligned in offset and length',
    });
    expect(portError(() => slots.write(8, new Uint8Array(16))).code).toBe('flash-bounds');
    expect(idf.ops).toEqual([]);
    slots.write(16, new Uint8Array(16).fill(0x11));
    expect(slots.read(16, 16)).toEqual(new Uint8Array(16).fill(0x11));
    // Unencrypted, any alignment goes through (NOR programming is the rule there).
    const plain = open();
    plain.slots.write(3, new Uint8Array(5).fill(0));
    expect(plain.slots.read(3, 5)).toEqual(new Uint8Array(5));
  });

  it('the simulated ESP-IDF refuses unaligned encrypted writes as ESP-IDF does', () => {
    const idf = new FakeIdf({ encrypted: true });
    expect(() => idf.write(8, new Uint8Array(16))).toThrow('ESP_ERR_INVALID_ARG');
    expect(() => idf.write(0, new Uint8Array(250))).toThrow('ESP_ERR_INVALID_SIZE');
  });

  it('turns an ESP-IDF error into a PortError naming it', () => {
    const { idf, slots } = open();
    idf.write = () => {
      throw new Error('ESP_ERR_FLASH_OP_FAIL');
    };
    expect(portError(() => slots.write(0, new Uint8Array([1])))).toEqual({ code: 'flash-io', message: 'OTA slot: write 0+1: ESP_ERR_FLASH_OP_FAIL' });
  });
});

describe('ESP32 OTA slots: switching and the trial', () => {
  it('activates the inactive slot; an image ESP-IDF refuses is PortError update', () => {
    const { idf, slots } = open();
    slots.activate();
    expect(idf.boot).toBe(1);
    const refused = open({ activateError: 'ESP_ERR_OTA_VALIDATE_FAILED' });
    expect(portError(() => refused.slots.activate())).toEqual({ code: 'update', message: 'OTA slot: boot partition not set: ESP_ERR_OTA_VALIDATE_FAILED' });
    expect(refused.idf.boot).toBe(0);
  });

  it('on trial, touches nothing of the other slot until confirmed, then confirms once', () => {
    const { idf, slots } = open({ running: 1, state: ESP_OTA_IMG.PENDING_VERIFY });
    expect(slots.running()).toEqual({ slot: 1, state: 'pending-verify' });
    expect(portError(() => slots.eraseSector(0)).code).toBe('update');
    expect(portError(() => slots.write(0, new Uint8Array([0]))).code).toBe('update');
    expect(portError(() => slots.activate()).code).toBe('update');
    expect(idf.ops).toEqual([]);
    slots.markValid();
    expect(slots.running()).toEqual({ slot: 1, state: 'valid' });
    slots.markValid();
    expect(idf.ops.filter((op) => op === 'markValid')).toEqual(['markValid']);
    slots.eraseSector(0);
    expect(idf.ops).toContain('erase 0');
  });

  it.each([ESP_OTA_IMG.VALID, ESP_OTA_IMG.UNDEFINED])('markValid is a no-op in state %d (nothing to confirm; ESP-IDF refuses an ota_0 never switched to)', (state) => {
    const { idf, slots } = open({ state });
    slots.markValid();
    expect(idf.ops).toEqual([]);
  });

  it('rollback that cannot happen says why; one that returns without restarting is refused too', () => {
    const failing = open({ state: ESP_OTA_IMG.PENDING_VERIFY });
    expect(portError(() => failing.slots.rollback())).toEqual({ code: 'update', message: 'no rollback: ESP_ERR_OTA_ROLLBACK_FAILED' });
    const silent = open({ state: ESP_OTA_IMG.PENDING_VERIFY, rollbackError: null });
    expect(portError(() => silent.slots.rollback()).code).toBe('update');
    expect(silent.idf.ops).toEqual(['rollback']);
  });
});
