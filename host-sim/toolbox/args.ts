/**
 * The toolbox's command line, parsed strictly: every option is declared by its command, and
 * anything else (a misspelt option, a stray word, a value that is not a plain decimal) is bad
 * usage, named in the message, exit 2. Secret values (keys, PINs, PANs, data) can come from a
 * file or standard input (`--key-file F`, `F` = `-`) so they stay out of `ps` and shell history;
 * a word that looks like one (a long run of hex digits) is never echoed back.
 */
import { readFileSync } from 'node:fs';

/** Bad usage: an unknown or repeated option, a stray word, a malformed value (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

/** Input the toolbox could not read: a missing, unreadable or oversized file (exit 2). */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(readonly code: 'input-missing' | 'input-unreadable' | 'input-malformed', message: string) {
    super(message);
  }
}

export interface OptionSpec {
  /** Without the leading `--`. */
  name: string;
  /** The value's placeholder in help ("HEX", "N"); absent for a flag. */
  value?: string;
  /** May be given more than once (`--chain`). */
  repeat?: boolean;
  /** Also accepted as `--NAME-file F`: `text` (trimmed: keys, PINs, PANs) or `bytes` (data as stored). */
  file?: 'text' | 'bytes';
  help: string;
}

/** Where `-` (standard input) and file names are read; tests and the CLI use the real one. */
export type ReadInput = (path: string) => Uint8Array;

export const readInput: ReadInput = (path) => readFileSync(path === '-' ? 0 : path);

/** Longest key, PIN or PAN file read as text: anything larger is the wrong file. */
const TEXT_FILE_LIMIT = 4096;

/**
 * A word as an error message may show it: one holding 4 digits or 8 hex digits in a row could be
 * a PIN, a PAN or a key typed in the wrong place, so only its length is told.
 */
export function shown(word: string): string {
  if (/[0-9]{4}|[0-9A-Fa-f]{8}/.test(word)) return `(${word.length} characters, not shown: it may be a secret)`;
  return `'${word.length > 40 ? `${word.slice(0, 40)}…` : word}'`;
}

/** A file name as an error message may show it: whole, unless it is nothing but digits or hex digits (a secret given as a path). */
export function shownPath(path: string): string {
  return /^(?:[0-9]{4,}|[0-9A-Fa-f]{8,})$/.test(path) ? shown(path) : `'${path}'`;
}

/** A command's options as parsed; values are read (files included) only when asked for. */
export class Args {
  constructor(
    readonly command: string,
    readonly words: readonly string[],
    private readonly values: ReadonlyMap<string, readonly string[]>,
    private readonly read: ReadInput,
  ) {}

  /** The value of an option given at most once. */
  optional(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new UsageError(`${this.command} needs --${name}`);
    return value;
  }

  /** The command's words (`capk check FILE`): exactly `names.length` of them. */
  positionals(names: readonly string[]): string[] {
    if (this.words.length > names.length) {
      const extra = this.words[names.length];
      throw new UsageError(`${this.command} takes ${names.length ? names.join(' ') : 'no words'}; unexpected word ${shown(extra)}`);
    }
    if (this.words.length < names.length) throw new UsageError(`${this.command} needs ${names.slice(this.words.length).join(' ')}`);
    return [...this.words];
  }

  list(name: string): readonly string[] {
    return this.values.get(name) ?? [];
  }

  /** One of `allowed` (compared as strings, never looked up in an object). */
  choice<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = fallback === undefined ? this.required(name) : (this.optional(name) ?? fallback);
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not ${shown(value)}`);
    return value as T;
  }

  /** A decimal integer from `min` to `max`: no sign, exponent, hex prefix, fraction or space. */
  integer(name: string, min: number, max: number, fallback?: number): number {
    const text = this.optional(name);
    if (text === undefined) {
      if (fallback === undefined) throw new UsageError(`${this.command} needs --${name}`);
      return fallback;
    }
    const value = /^[0-9]{1,4}$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) throw new UsageError(`--${name} must be a decimal integer from ${min} to ${max}, not ${shown(text)}`);
    return value;
  }

  /** A secret given as `--NAME VALUE` or `--NAME-file F`, as text (surrounding white space dropped). */
  secretText(name: string): string {
    const direct = this.optional(name);
    const path = this.#secretPath(name, direct);
    if (path === undefined) return direct!;
    const bytes = this.#readFile(`${name}-file`, path);
    if (bytes.length > TEXT_FILE_LIMIT) throw new InputError('input-malformed', `--${name}-file ${shownPath(path)} holds ${bytes.length} bytes; a ${name} file holds one value`);
    return Buffer.from(bytes).toString('latin1').trim();
  }

  /** Bytes given as `--NAME HEX` or `--NAME-file F` (the file's bytes as they are, not hex). */
  secretBytes(name: string): Uint8Array {
    const direct = this.optional(name);
    const path = this.#secretPath(name, direct);
    return path === undefined ? hex(name, direct!) : this.#readFile(`${name}-file`, path);
  }

  /** Bytes of a file option that is not a secret (certificates, CA key tables). */
  file(option: string, path: string): Uint8Array {
    return this.#readFile(option, path);
  }

  #secretPath(name: string, direct: string | undefined): string | undefined {
    const path = this.optional(`${name}-file`);
    if (direct !== undefined && path !== undefined) throw new UsageError(`give --${name} or --${name}-file, not both`);
    if (direct === undefined && path === undefined) throw new UsageError(`${this.command} needs --${name} or --${name}-file`);
    return path;
  }

  #readFile(option: string, path: string): Uint8Array {
    const where = option === 'FILE' ? `file ${shownPath(path)}` : `--${option} ${shownPath(path)}`;
    try {
      return this.read(path);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT') throw new InputError('input-missing', `cannot read ${where}: no such file`);
      if (code === 'EISDIR') throw new InputError('input-unreadable', `cannot read ${where}: it is a directory`);
      if (code === 'EACCES') throw new InputError('input-unreadable', `cannot read ${where}: permission denied`);
      throw new InputError('input-unreadable', `cannot read ${where}: ${code ?? 'read error'}`);
    }
  }

  /** True when the option was given. */
  has(name: string): boolean {
    return this.values.has(name);
  }
}

/** Hex digits, two per byte; the message never repeats the value. */
export function hex(name: string, text: string): Uint8Array {
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(text)) throw new UsageError(`--${name} must be hex digits, two per byte (${text.length} characters given, not shown)`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', help: 'print the result as one JSON object on standard output' },
  { name: 'help', help: 'print this help' },
];

/** True when the words ask for help (`--help` or `-h` anywhere): help wins over everything else. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * Parses a command's options (`--name VALUE`, `--name=VALUE`, flags) and words against its
 * declared options. `--` ends the options (a file named `-x`).
 * @throws UsageError naming the first word it cannot take
 */
export function parseArgs(command: string, argv: readonly string[], options: readonly OptionSpec[], read: ReadInput = readInput): Args {
  const specs = new Map<string, OptionSpec>();
  for (const spec of [...options, ...GLOBAL_OPTIONS]) {
    specs.set(spec.name, spec);
    if (spec.file) specs.set(`${spec.name}-file`, { name: `${spec.name}-file`, value: 'FILE', help: '' });
  }
  const values = new Map<string, string[]>();
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : '';
    const spec = specs.get(name);
    if (!spec) throw new UsageError(`${command} has no option ${shown(eq < 0 ? arg : arg.slice(0, eq))}`);
    if (spec.value === undefined) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      values.set(name, []); // a flag: Args.has() tells it was given
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value (${spec.value})`);
    const previous = values.get(name);
    if (previous && !spec.repeat) throw new UsageError(`--${name} is given twice`);
    values.set(name, [...(previous ?? []), value]);
  }
  const stdin = [...values].flatMap(([name, list]) => (specs.get(name)?.value === 'FILE' ? list.filter((v) => v === '-').map(() => `--${name}`) : []));
  if (stdin.length > 1) throw new UsageError(`only one option can read standard input, not ${stdin.join(' and ')}`);
  return new Args(command, words, values, read);
}
