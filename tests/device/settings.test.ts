/**
 * The device's settings port (firmware/device/settings.ts) over a store: it refuses what ESP32
 * NVS would refuse (modPreference.c: names over 15 characters, values over 4,000 bytes,
 * numbers that are not 32-bit integers), hands bytes back as fresh copies, and reads a store
 * error as "absent". The store here is a plain Map, as NVS behaves: a value per domain and key.
 */
import { PortError } from '../../firmware/core/ports';
import { NvsSettings, type StoredValue, type ValueStore } from '../../firmware/device/settings';

class MapStore implements ValueStore {
  readonly values = new Map<string, StoredValue>();
  get(domain: string, key: string) {
    const value = this.values.get(`${domain}/${key}`);
    // NVS hands out a new buffer per read.
    return value instanceof ArrayBuffer ? value.slice(0) : value;
  }
  set(domain: string, key: string, value: StoredValue) {
    this.values.set(`${domain}/${key}`, value);
  }
  delete(domain: string, key: string) {
    this.values.delete(`${domain}/${key}`);
  }
}

describe('settings on NVS rules', () => {
  it('stores strings, 32-bit integers, booleans and bytes, and reads them back', () => {
    const store = new MapStore();
    const settings = new NvsSettings(store);
    settings.set('terminal', 'tid', '10240001');
    settings.set('capk', 'count', -0x80000000);
    settings.set('terminal', 'signedOn', true);
    settings.set('terminal', 'profile', new Uint8Array([0xa1, 0x61, 0x69, 0x00]));
    expect(settings.get('terminal', 'tid')).toBe('10240001');
    expect(settings.get('capk', 'count')).toBe(-0x80000000);
    expect(settings.get('terminal', 'signedOn')).toBe(true);
    expect(settings.get('terminal', 'profile')).toEqual(new Uint8Array([0xa1, 0x61, 0x69, 0x00]));
    // Bytes cross as an ArrayBuffer, the one binary type `preference` stores.
    expect(store.values.get('terminal/profile')).toBeInstanceOf(ArrayBuffer);
    settings.delete('terminal', 'tid');
    expect(settings.get('terminal', 'tid')).toBeUndefined();
  });

  it('keeps no link to the caller’s bytes nor hands out the stored ones', () => {
    const settings = new NvsSettings(new MapStore());
    const bytes = new Uint8Array([1, 2, 3]);
    settings.set('certs', 'root', bytes);
    bytes[0] = 9;
    const read = settings.get('certs', 'root') as Uint8Array;
    read[1] = 9;
    expect(settings.get('certs', 'root')).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('refuses names longer than 15 characters or empty, and reads them as absent', () => {
    const store = new MapStore();
    const settings = new NvsSettings(store);
    expect(() => settings.set('terminal', 'k'.repeat(16), 1)).toThrow(PortError);
    expect(() => settings.set('', 'tid', 1)).toThrow(PortError);
    settings.set('d'.repeat(15), 'k'.repeat(15), 1);
    store.set('terminal', 'k'.repeat(16), 'written around the port');
    expect(settings.get('terminal', 'k'.repeat(16))).toBeUndefined();
    expect(settings.get('d'.repeat(15), 'k'.repeat(15))).toBe(1);
  });

  it('refuses values NVS cannot hold: over 4,000 bytes in UTF-8, or numbers that are not 32-bit integers', () => {
    const settings = new NvsSettings(new MapStore());
    settings.set('certs', 'chain', new Uint8Array(4000));
    expect(() => settings.set('certs', 'chain', new Uint8Array(4001))).toThrow(PortError);
    // 1,334 × "中" is 4,002 bytes in UTF-8 though only 1,334 UTF-16 units.
    expect(() => settings.set('terminal', 'name', '中'.repeat(1334))).toThrow(PortError);
    settings.set('terminal', 'name', '中'.repeat(1333));
    for (const bad of [0.5, 2 ** 31, -(2 ** 31) - 1, Number.NaN]) expect(() => settings.set('capk', 'count', bad)).toThrow(PortError);
  });

  it('reads a store error as absent and reports a failed write as a PortError', () => {
    const broken: ValueStore = {
      get: () => {
        throw new Error('nvs: entry damaged');
      },
      set: () => {
        throw new Error('nvs: full');
      },
      delete: () => {
        throw new Error('nvs: full');
      },
    };
    const settings = new NvsSettings(broken);
    expect(settings.get('terminal', 'tid')).toBeUndefined();
    expect(() => settings.set('terminal', 'tid', '10240001')).toThrow(new PortError('settings', 'terminal.tid: nvs: full'));
    expect(() => settings.delete('terminal', 'tid')).not.toThrow();
  });
});
