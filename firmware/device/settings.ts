/**
 * The settings port over the board's key-value store: ESP32 NVS through Moddable's
 * `preference` (one NVS namespace per domain), or on the simulator a file per value
 * (sim/fileValueStore.ts), chosen by the board (board.ts).
 *
 * NVS rules are enforced here on both targets, so the simulator refuses what the board would:
 * domain and key at most 15 characters, strings and blobs at most 4000 bytes, numbers only as
 * 32-bit integers ("float unsupported" in modPreference.c). Byte values travel as ArrayBuffer,
 * the only binary type `preference` stores; they come back as fresh Uint8Arrays.
 */
import { PortError, type SettingValue, type SettingsPort } from '../core/ports';
import { utf8Length } from './utf8Length';

/** What a store keeps per value: the types `preference` stores. */
export type StoredValue = string | number | boolean | ArrayBuffer;

/** A store of typed values by domain and key; `preference` (static methods) is one. */
export interface ValueStore {
  get(domain: string, key: string): StoredValue | undefined;
  set(domain: string, key: string, value: StoredValue): void;
  delete(domain: string, key: string): void;
}

/** NVS_KEY_NAME_MAX_SIZE is 16 including the terminating NUL. */
const MAX_NAME = 15;
/** The blob and string limit modPreference.c enforces on ESP32. */
const MAX_VALUE_BYTES = 4000;

export class NvsSettings implements SettingsPort {
  readonly #store: ValueStore;

  constructor(store: ValueStore) {
    this.#store = store;
  }

  get(domain: string, key: string): SettingValue | undefined {
    if (!validName(domain) || !validName(key)) return undefined;
    let value: StoredValue | undefined;
    try {
      value = this.#store.get(domain, key);
    } catch {
      // NVS reports a damaged or foreign entry as an error; to the core it is simply absent.
      return undefined;
    }
    // Both backends hand out a new ArrayBuffer per get, so wrapping it copies nothing shared.
    return value instanceof ArrayBuffer ? new Uint8Array(value) : value;
  }

  set(domain: string, key: string, value: SettingValue): void {
    checkName('domain', domain);
    checkName('key', key);
    let stored: StoredValue;
    if (value instanceof Uint8Array) {
      if (value.length > MAX_VALUE_BYTES) throw new PortError('settings', `${domain}.${key}: ${value.length} bytes, NVS holds at most ${MAX_VALUE_BYTES}`);
      stored = value.slice().buffer;
    } else if (typeof value === 'number') {
      if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new PortError('settings', `${domain}.${key}: NVS stores 32-bit integers only`);
      stored = value;
    } else if (typeof value === 'string') {
      // UTF-8 length: at most 3 bytes per UTF-16 unit, so this bound is exact enough to refuse early.
      if (value.length * 3 > MAX_VALUE_BYTES && utf8Length(value) > MAX_VALUE_BYTES)
        throw new PortError('settings', `${domain}.${key}: string longer than ${MAX_VALUE_BYTES} bytes`);
      stored = value;
    } else stored = value;
    try {
      this.#store.set(domain, key, stored);
    } catch (error) {
      throw new PortError('settings', `${domain}.${key}: ${error instanceof Error ? error.message : 'write failed'}`);
    }
  }

  delete(domain: string, key: string): void {
    if (!validName(domain) || !validName(key)) return;
    try {
      this.#store.delete(domain, key);
    } catch {
      // Deleting what cannot be there is not an error the core can act on.
    }
  }
}

function validName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_NAME;
}

function checkName(what: string, name: string) {
  if (!validName(name)) throw new PortError('settings', `${what} "${name}" must be 1–${MAX_NAME} characters (NVS)`);
}
