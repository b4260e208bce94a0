/**
 * manifest.json stays true to the tree: every firmware module is mapped and preloaded (a module
 * left out of "preload" still runs on the device but is copied into the XS heap at boot, and a
 * Moddable Two has about 77 KB of it), and every preloaded name exists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8'));

function modules(dir: string, prefix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return modules(path, `${prefix}${name}/`);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [`${prefix}${name.slice(0, -3)}`] : [];
  });
}

describe('manifest.json', () => {
  const preload: string[] = [...manifest.preload, ...manifest.platforms.esp32.preload, ...manifest.platforms.lin.preload];
  const firmware = [...modules(join(ROOT, 'firmware/core'), 'core/'), ...modules(join(ROOT, 'firmware/device'), 'device/')];

  it('preloads every core and device module', () => {
    expect(firmware.filter((m) => !preload.includes(m))).toEqual([]);
  });

  it('preloads nothing that is not there', () => {
    // The SDK's modules named in "preload" beside the firmware's: cbor-x's, the native EC arithmetic, the TLS session.
    const known = new Set([...firmware, 'cbor-x', 'encode', 'decode', 'iterators', 'scan', 'ec', 'ecp', 'modular', 'mont', 'ssl/session']);
    expect(preload.filter((m) => !known.has(m))).toEqual([]);
  });

  it('maps every firmware folder to a module prefix that mirrors it', () => {
    const folders = new Set(firmware.map((m) => m.slice(0, m.lastIndexOf('/'))));
    for (const folder of folders) {
      const platform = folder.startsWith('device/esp32') ? manifest.platforms.esp32.modules : folder.startsWith('device/sim') ? manifest.platforms.lin.modules : manifest.modules;
      expect({ folder, mapped: platform[`${folder}/*`] }).toEqual({ folder, mapped: `./firmware/${folder}/*` });
    }
  });

  it('builds firmware/main and names only files that exist among its whole-file modules', () => {
    const files: string[] = manifest.modules['*'].filter((m: string) => m.startsWith('./'));
    expect(files).toContain('./firmware/main');
    expect(files.filter((m) => !existsSync(join(ROOT, `${m}.ts`)) && !existsSync(join(ROOT, `${m}.js`)))).toEqual([]);
  });
});
