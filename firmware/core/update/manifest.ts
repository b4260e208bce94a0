/**
 * The signed manifest of a firmware image (issue 10, item 1): what the vendor's signature
 * covers. A CBOR map (RFC 8949) of nine text keys, written by the core's CborWriter in this
 * order: `format` (1), `board`, `version`, `security`, `minVersion`, `buildTime`, `size`,
 * `sha256`, `keyId`. The signature (update/verify.ts) is over these exact bytes, so the reader
 * below is strict and owes nothing to a general decoder: definite lengths only, no tags, every
 * key once, no other key, every value of its type and range, nothing after the map, at most
 * MANIFEST_MAX_BYTES. Anything else is UpdateError 'update-manifest'.
 */
import { CborWriter } from '../store/cborWriter';
import { UpdateError } from './errors';
import { parseVersion } from './version';

/** The manifest format this firmware reads and writes. */
export const MANIFEST_FORMAT = 1;
/** Largest manifest (a real one is about 200 bytes). */
export const MANIFEST_MAX_BYTES = 1024;
/** Longest `board` and `keyId` (printable ASCII, no space). */
export const MANIFEST_NAME_MAX = 32;
/** Largest anti-rollback counter (2³¹ − 1: the durable update record's floor holds the same). */
export const SECURITY_MAX = 2 ** 31 - 1;
/** Largest image size (bytes): the largest value a 32-bit length holds; a slot is far smaller. */
export const IMAGE_SIZE_MAX = 0xffffffff;

export interface Manifest {
  /** MANIFEST_FORMAT. */
  readonly format: number;
  /** The board the image is built for ("moddable_two", host-sim's "xspos-sim"): UpdatePort.board must equal it. */
  readonly board: string;
  /** "major.minor.patch" (update/version.ts). */
  readonly version: string;
  /** The anti-rollback counter: never installed below the terminal's durable floor (0..2³¹). */
  readonly security: number;
  /** The oldest running version that may install this image ("major.minor.patch"). */
  readonly minVersion: string;
  /** When it was built, ms since 1970 (UTC). */
  readonly buildTime: number;
  /** The image's size in bytes (the whole image file: the appended hash included). */
  readonly size: number;
  /** SHA-256 of the whole image (32 bytes). */
  readonly sha256: Uint8Array;
  /** Which trusted vendor key signed it (update/vendorKeys.ts), printable ASCII. */
  readonly keyId: string;
}

const FIELDS = Object.freeze(['format', 'board', 'version', 'security', 'minVersion', 'buildTime', 'size', 'sha256', 'keyId'] as const);

const bad = (message: string) => new UpdateError('update-manifest', message);

/** True for 1..MANIFEST_NAME_MAX printable ASCII characters other than space. */
function isName(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < 1 || value.length > MANIFEST_NAME_MAX) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

const isUint = (value: unknown, max: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;

/**
 * Checks every field of a manifest (as decodeManifest does after reading one).
 * @throws UpdateError 'update-manifest' naming the first field out of range
 */
export function checkManifest(m: Manifest): void {
  if (typeof m !== 'object' || m === null) throw bad('a manifest is an object');
  if (m.format !== MANIFEST_FORMAT) throw bad(`format ${String(m.format)} (this firmware reads format ${MANIFEST_FORMAT})`);
  if (!isName(m.board)) throw bad(`board: 1 to ${MANIFEST_NAME_MAX} printable ASCII characters`);
  parseVersion(m.version);
  if (!isUint(m.security, SECURITY_MAX)) throw bad(`security: an integer from 0 to ${SECURITY_MAX}`);
  parseVersion(m.minVersion);
  if (!isUint(m.buildTime, Number.MAX_SAFE_INTEGER)) throw bad('buildTime: ms since 1970, a non-negative integer');
  if (!isUint(m.size, IMAGE_SIZE_MAX) || m.size < 1) throw bad(`size: an integer from 1 to ${IMAGE_SIZE_MAX}`);
  if (!(m.sha256 instanceof Uint8Array) || m.sha256.length !== 32) throw bad('sha256: 32 bytes');
  if (!isName(m.keyId)) throw bad(`keyId: 1 to ${MANIFEST_NAME_MAX} printable ASCII characters`);
}

/**
 * The manifest's CBOR bytes (what the vendor signs).
 * @throws UpdateError 'update-manifest' for a field out of range
 */
export function encodeManifest(m: Manifest): Uint8Array {
  checkManifest(m);
  const w = new CborWriter(256);
  w.map(FIELDS.length);
  w.text('format').uint(m.format);
  w.text('board').text(m.board);
  w.text('version').text(m.version);
  w.text('security').uint(m.security);
  w.text('minVersion').text(m.minVersion);
  w.text('buildTime').uint(m.buildTime);
  w.text('size').uint(m.size);
  w.text('sha256').bytes(m.sha256);
  w.text('keyId').text(m.keyId);
  const bytes = w.finish();
  if (bytes.length > MANIFEST_MAX_BYTES) throw bad(`${bytes.length} bytes, more than ${MANIFEST_MAX_BYTES}`);
  return bytes;
}

/** A cursor over the manifest's bytes; every read is bounds-checked. */
class Reader {
  at = 0;
  /** The last head's major type and argument. */
  major = 0;
  arg = 0;
  /** The last head was a float64 (major 7, 0xfb): its value is in `arg`. */
  float = false;
  constructor(readonly bytes: Uint8Array) {}

  #byte(): number {
    if (this.at >= this.bytes.length) throw bad(`ends early at byte ${this.at}`);
    return this.bytes[this.at++];
  }

  /** Reads one head (RFC 8949 §3): definite lengths and 1/2/4/8-byte arguments only. */
  head(): void {
    const first = this.#byte();
    const major = first >> 5;
    const info = first & 31;
    this.major = major;
    this.float = false;
    if (major === 7) {
      if (info !== 27) throw bad(`simple value or float 0x${first.toString(16)} at byte ${this.at - 1}`);
      if (this.at + 8 > this.bytes.length) throw bad(`ends early at byte ${this.at}`);
      this.arg = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, 8).getFloat64(0);
      this.at += 8;
      this.float = true;
      return;
    }
    if (major === 6) throw bad(`tag at byte ${this.at - 1}`);
    if (info < 24) this.arg = info;
    else if (info === 24) this.arg = this.#byte();
    else if (info === 25) this.arg = this.#byte() * 0x100 + this.#byte();
    else if (info === 26) this.arg = ((this.#byte() * 0x100 + this.#byte()) * 0x100 + this.#byte()) * 0x100 + this.#byte();
    else if (info === 27) {
      let high = 0;
      for (let i = 0; i < 4; i++) high = high * 0x100 + this.#byte();
      let low = 0;
      for (let i = 0; i < 4; i++) low = low * 0x100 + this.#byte();
      if (high > 0x1fffff) throw bad(`integer past 2^53 at byte ${this.at - 9}`);
      this.arg = high * 0x100000000 + low;
    } else throw bad(`indefinite or reserved length at byte ${this.at - 1}`);
  }

  /** A text string of printable ASCII, at most `max` characters. */
  text(what: string, max: number): string {
    this.head();
    if (this.major !== 3) throw bad(`${what}: not a text string`);
    const n = this.arg;
    if (n > max) throw bad(`${what}: longer than ${max} characters`);
    if (this.at + n > this.bytes.length) throw bad(`${what}: ends early`);
    let out = '';
    for (let i = 0; i < n; i++) {
      const c = this.bytes[this.at + i];
      if (c < 0x20 || c > 0x7e) throw bad(`${what}: not printable ASCII`);
      out += String.fromCharCode(c);
    }
    this.at += n;
    return out;
  }

  /** A non-negative integer; a float64 only for an integer past 2³² − 1 (as CborWriter and cbor-x write one). */
  uint(what: string): number {
    this.head();
    const ok = this.float ? Number.isSafeInteger(this.arg) && this.arg > 0xffffffff : this.major === 0;
    if (!ok) throw bad(`${what}: not a non-negative integer`);
    return this.arg;
  }

  bytesOf(what: string, length: number): Uint8Array {
    this.head();
    if (this.major !== 2 || this.arg !== length) throw bad(`${what}: not a ${length}-byte string`);
    if (this.at + length > this.bytes.length) throw bad(`${what}: ends early`);
    const out = this.bytes.slice(this.at, this.at + length);
    this.at += length;
    return out;
  }
}

/**
 * Reads and checks a manifest: the map, then each field as checkManifest says.
 * @throws UpdateError 'update-manifest' (never another error, whatever the bytes)
 */
export function decodeManifest(bytes: Uint8Array): Manifest {
  if (!(bytes instanceof Uint8Array)) throw bad('a manifest is bytes');
  if (bytes.length > MANIFEST_MAX_BYTES) throw bad(`${bytes.length} bytes, more than ${MANIFEST_MAX_BYTES}`);
  const r = new Reader(bytes);
  r.head();
  if (r.major !== 5 || r.float) throw bad('not a CBOR map');
  if (r.arg !== FIELDS.length) throw bad(`${r.arg} entries; a manifest has ${FIELDS.length}`);
  let seen = 0;
  let format = -1;
  let board = '';
  let version = '';
  let security = -1;
  let minVersion = '';
  let buildTime = -1;
  let size = -1;
  let sha256: Uint8Array | undefined;
  let keyId = '';
  for (let i = 0; i < FIELDS.length; i++) {
    const key = r.text('a key', 16);
    const index = FIELDS.indexOf(key as (typeof FIELDS)[number]);
    if (index < 0) throw bad(`unknown key "${key}"`);
    if (seen & (1 << index)) throw bad(`key "${key}" twice`);
    seen |= 1 << index;
    if (index === 0) format = r.uint(key);
    else if (index === 1) board = r.text(key, MANIFEST_NAME_MAX);
    else if (index === 2) version = r.text(key, 20);
    else if (index === 3) security = r.uint(key);
    else if (index === 4) minVersion = r.text(key, 20);
    else if (index === 5) buildTime = r.uint(key);
    else if (index === 6) size = r.uint(key);
    else if (index === 7) sha256 = r.bytesOf(key, 32);
    else keyId = r.text(key, MANIFEST_NAME_MAX);
  }
  if (r.at !== bytes.length) throw bad(`${bytes.length - r.at} bytes after the map`);
  const m: Manifest = { format, board, version, security, minVersion, buildTime, size, sha256: sha256!, keyId };
  checkManifest(m);
  return m;
}
