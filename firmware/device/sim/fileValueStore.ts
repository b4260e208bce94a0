/**
 * The simulator's settings store, kept like the board's NVS keeps it: off the XS heap, one
 * entry per value, read only when asked. Each value is a file under /tmp/xspos-nvs/
 * (`<domain>/<key>.<type>`: `.txt` a string in UTF-8, `.i32` a decimal integer, `.bool`
 * `true` or `false`, `.bin` the bytes as they are), so a simulator is provisioned with
 * `printf` (firmware/device/README.md).
 *
 * Why not the SDK's `preference` here: on the simulator it parses the whole
 * /tmp/modpreferences.json onto the heap when it loads and keeps it there, and hands a blob
 * back by splitting a string of decimal numbers into an array of one string per byte. With a
 * terminal provisioned (profile, certificates, CA keys: 17 KB of JSON) that held 17,600 chunk
 * bytes the board never spends, and reading the 329-byte profile asked for a 10,544-byte
 * chunk: mcsim aborted (memory full) where the board runs.
 */
import { Directory, File } from 'file';
import type { StoredValue, ValueStore } from '../settings';

/** File name suffix per NVS value type. */
const SUFFIXES = Object.freeze(['.txt', '.i32', '.bool', '.bin'] as const);
type Suffix = (typeof SUFFIXES)[number];

export class FileValueStore implements ValueStore {
  readonly #root: string;

  /** @param root the folder that holds a folder per domain, ending in "/" */
  constructor(root: string) {
    this.#root = root;
  }

  get(domain: string, key: string): StoredValue | undefined {
    for (const suffix of SUFFIXES) {
      const path = this.#path(domain, key, suffix);
      if (File.exists(path)) return read(path, suffix);
    }
    return undefined;
  }

  set(domain: string, key: string, value: StoredValue): void {
    const suffix: Suffix = value instanceof ArrayBuffer ? '.bin' : typeof value === 'number' ? '.i32' : typeof value === 'boolean' ? '.bool' : '.txt';
    this.delete(domain, key);
    Directory.create(this.#root);
    Directory.create(`${this.#root}${domain}`);
    const file = new File(this.#path(domain, key, suffix), true);
    try {
      if (value instanceof ArrayBuffer) {
        if (value.byteLength) file.write(value);
      } else if (value !== '') file.write(String(value));
    } finally {
      file.close();
    }
  }

  delete(domain: string, key: string): void {
    for (const suffix of SUFFIXES) {
      const path = this.#path(domain, key, suffix);
      if (File.exists(path)) File.delete(path);
    }
  }

  /** NVS takes any name; a path cannot, so the simulator refuses what would leave its folder. */
  #path(domain: string, key: string, suffix: Suffix): string {
    for (const name of [domain, key]) if (name.includes('/') || name === '.' || name === '..') throw new Error(`name "${name}" cannot be a file name`);
    return `${this.#root}${domain}/${key}${suffix}`;
  }
}

function read(path: string, suffix: Suffix): StoredValue | undefined {
  const file = new File(path);
  try {
    // An empty file is an empty value (the SDK's read throws at the end of a file).
    if (suffix === '.bin') return file.length ? file.read(ArrayBuffer) : new ArrayBuffer(0);
    const text = file.length ? file.read(String) : '';
    if (suffix === '.txt') return text;
    if (suffix === '.bool') return text.trim() === 'true' ? true : text.trim() === 'false' ? false : undefined;
    const number = Number(text.trim());
    return Number.isInteger(number) ? number : undefined;
  } finally {
    file.close();
  }
}
