/**
 * The ESP32 partition table (firmware/device/esp32/partitions.csv) and the build options the
 * update needs, against ESP-IDF's rules for a partition table (gen_esp32part.py and the
 * "Partition Tables" guide): the table itself at 0x8000..0x9000; app partitions on 64 KB
 * (0x10000) boundaries; data partitions on 4 KB sectors; no overlap; OTA needs ota_0, ota_1 and
 * an otadata of 0x2000 bytes. On top: both slots the same size and as large as the flash allows,
 * the keys and the record log where boards already have them, everything inside 4 MB, the seal's
 * esptool address in the README, and the rollback option where mcconfig merges it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const FLASH_BYTES = 0x400000;
const TABLE_END = 0x9000;
const APP_ALIGN = 0x10000;
const DATA_ALIGN = 0x1000;
const SEAL_SECTOR = 0x1000;

interface Partition {
  name: string;
  type: string;
  subtype: string;
  offset: number;
  size: number;
  flags: string;
}

/** ESP-IDF's CSV: '#' comments, `name, type, subtype, offset, size, flags`; numbers hex or decimal, sizes may end in K or M. */
function parseTable(text: string): Partition[] {
  const number = (field: string): number => {
    const value = field.trim();
    if (/^0x[0-9a-f]+$/i.test(value)) return parseInt(value, 16);
    if (/^\d+[KM]$/i.test(value)) return parseInt(value, 10) * (value.toUpperCase().endsWith('K') ? 1024 : 1024 * 1024);
    if (/^\d+$/.test(value)) return parseInt(value, 10);
    throw new Error(`not a number: "${value}"`);
  };
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [name, type, subtype, offset, size, flags = ''] = line.split(',').map((f) => f.trim());
      return { name, type, subtype, offset: number(offset), size: number(size), flags };
    });
}

const table = parseTable(readFileSync(join(ROOT, 'firmware/device/esp32/partitions.csv'), 'utf8'));
const byName = (name: string): Partition => {
  const found = table.find((p) => p.name === name);
  if (!found) throw new Error(`no partition ${name}`);
  return found;
};
const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8'));

describe('ESP32 partition table', () => {
  it('follows ESP-IDF alignment: apps on 64 KB, data on 4 KB, after the table, inside 4 MB', () => {
    for (const p of table) {
      const align = p.type === 'app' ? APP_ALIGN : DATA_ALIGN;
      expect({ name: p.name, offsetAligned: p.offset % align === 0, sizeAligned: p.size % DATA_ALIGN === 0 }).toEqual({ name: p.name, offsetAligned: true, sizeAligned: true });
      expect(p.offset).toBeGreaterThanOrEqual(TABLE_END);
      expect(p.offset + p.size).toBeLessThanOrEqual(FLASH_BYTES);
    }
  });

  it('lists them in ascending order (gen_esp32part.py reads the CSV in order and refuses an offset below the previous end)', () => {
    let end = TABLE_END;
    for (const p of table) {
      expect({ name: p.name, afterPrevious: p.offset >= end }).toEqual({ name: p.name, afterPrevious: true });
      end = p.offset + p.size;
    }
  });

  it('has no two partitions overlapping and no name twice', () => {
    const sorted = [...table].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) expect({ after: sorted[i - 1].name, at: sorted[i].offset >= sorted[i - 1].offset + sorted[i - 1].size }).toEqual({ after: sorted[i - 1].name, at: true });
    expect(new Set(table.map((p) => p.name)).size).toBe(table.length);
  });

  it('has two OTA slots of one size, no factory app, and an otadata of two sectors', () => {
    expect(table.filter((p) => p.type === 'app').map((p) => [p.name, p.subtype])).toEqual([
      ['ota_0', 'ota_0'],
      ['ota_1', 'ota_1'],
    ]);
    expect(byName('ota_0').size).toBe(byName('ota_1').size);
    expect(byName('ota_0').offset).toBe(0x10000); // where a wired flash writes the app when there is no factory partition
    expect(byName('otadata')).toMatchObject({ type: 'data', subtype: 'ota', size: 0x2000 });
  });

  it('makes the slots as large as the room between phy_init and the keys allows', () => {
    const room = byName('xsposkeys').offset - (byName('phy_init').offset + byName('phy_init').size) - byName('otadata').size;
    const slot = byName('ota_0').size;
    expect(2 * slot).toBeLessThanOrEqual(room);
    expect(2 * (slot + APP_ALIGN)).toBeGreaterThan(room); // one 64 KB step more would not fit both
    expect(slot).toBe(0x1e0000);
  });

  it('keeps the settings, the keys and the record log where boards have them (issue 8/9 tables)', () => {
    expect(byName('nvs')).toMatchObject({ type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 });
    expect(byName('phy_init')).toMatchObject({ offset: 0xf000, size: 0x1000 });
    expect(byName('xsposkeys')).toMatchObject({ type: 'data', subtype: 'nvs', offset: 0x3e0000, size: 0xf000 });
    expect(byName('nvs_keys')).toMatchObject({ subtype: 'nvs_keys', offset: 0x3ef000, size: 0x1000, flags: 'encrypted' });
    expect(byName('xslog')).toMatchObject({ type: 'data', subtype: '0x06', offset: 0x3f0000, size: 0x10000 });
    expect(manifest.platforms.esp32.config.logPartition).toBe('xslog');
  });

  it('is the table the esp32 build uses', () => {
    expect(manifest.platforms.esp32.build.PARTITIONS_FILE).toBe('./firmware/device/esp32/partitions.csv');
  });

  it('the READMEs give esptool the address of ota_0\'s last sector for the seal', () => {
    const seal = `0x${(byName('ota_0').offset + byName('ota_0').size - SEAL_SECTOR).toString(16).toUpperCase()}`;
    expect(seal).toBe('0x1EF000');
    for (const readme of ['README.md', 'firmware/device/README.md']) expect({ readme, names: readFileSync(join(ROOT, readme), 'utf8').includes(`write_flash ${seal} `) }).toEqual({ readme, names: true });
  });
});

describe('ESP32 build options', () => {
  it('turns app rollback on in the sdkconfig fragment mcconfig merges (build SDKCONFIGPATH/sdkconfig.defaults)', () => {
    const path = manifest.platforms.esp32.build.SDKCONFIGPATH;
    expect(path).toBe('./firmware/device/esp32/sdkconfig');
    const file = join(ROOT, path, 'sdkconfig.defaults');
    expect(existsSync(file)).toBe(true);
    const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim());
    expect(lines).toContain('CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y');
    // mcconfig's merge takes NAME=VALUE lines; a commented-out copy would not count, nor may one turn it off.
    expect(lines.filter((l) => l.includes('CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE') && !l.startsWith('#'))).toEqual(['CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y']);
  });

  it('builds the OTA natives only for the ESP32 and preloads the device modules that use them', () => {
    expect(manifest.platforms.esp32.modules['device/esp32/*']).toBe('./firmware/device/esp32/*');
    expect(existsSync(join(ROOT, 'firmware/device/esp32/otaSlots.c'))).toBe(true);
    expect(manifest.platforms.esp32.preload).toEqual(expect.arrayContaining(['device/esp32/otaSlots', 'device/esp32/sealSector']));
  });
});
