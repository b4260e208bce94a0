/**
 * The simulator's firmware image file (issue 10 contract, "Sim image"): what host-sim's OTA
 * slots hold and its update server offers, shaped like an ESP-IDF app image with
 * hash_appended = 1:
 *
 *   0..7   "XSPOSIMG"
 *   8..9   u16be header length
 *   10..   JSON header, ASCII: {"version","buildTime","board","behaviour","size"[,"hash":false]}
 *   …      deterministic filler (mulberry32 from `fillerSeed`)
 *   last 32 bytes: SHA-256 of everything before them (absent when the header says "hash": false,
 *          ESP-IDF's hash_appended = 0: the bootloader then checks nothing and the build recorded no digest)
 *
 * `size` is the whole file (filler and appended hash included): the signed manifest's size and
 * sha256 cover exactly these bytes. The running image's FirmwareImagePort gives that whole file
 * (byteLength = size), as the device's does (esp32/runningImage.ts): its expectedSha256 is the
 * appended hash, over the first size − 32 bytes.
 *
 * `behaviour` is how the simulated image acts once booted (the world applies it): 'normal',
 * 'selftest-fails' (a probe fails the way a broken build would) or 'crash-at-boot' (a panic
 * before the boot self-test ends).
 *
 * ENGINE-NEUTRAL: no Node imports (the SHA-256 is passed in), no TextEncoder (the header is ASCII).
 */

export const SIM_IMAGE_MAGIC = 'XSPOSIMG';
export const SIM_BOARD = 'xspos-sim';
export const APPENDED_HASH_BYTES = 32;
/** Longest header: a few short fields. */
export const SIM_HEADER_MAX = 512;
/** Smallest image: magic, length, a header and the hash. */
export const SIM_IMAGE_MIN = 256;

export type SimBehaviour = 'normal' | 'selftest-fails' | 'crash-at-boot';
const BEHAVIOURS: readonly SimBehaviour[] = ['normal', 'selftest-fails', 'crash-at-boot'];

export interface SimImageHeader {
  version: string;
  /** ms since 1970. */
  buildTime: number;
  board: string;
  behaviour: SimBehaviour;
  /** The whole file's bytes. */
  size: number;
  /** False: no SHA-256 appended (hash_appended = 0). */
  hash: boolean;
}

export type Sha256 = (bytes: Uint8Array) => Uint8Array;

export interface SimImageSpec {
  version: string;
  buildTime: number;
  /** Default "xspos-sim". */
  board?: string;
  behaviour?: SimBehaviour;
  /** Whole file bytes (≥ SIM_IMAGE_MIN). */
  size: number;
  /** Default true. */
  hash?: boolean;
  /** Seeds the filler (default 1). */
  fillerSeed?: number;
}

/** mulberry32, as host-sim/ports/norFlash.ts: the same bytes on XS and Node. */
function fill(bytes: Uint8Array, from: number, to: number, seed: number) {
  let state = seed >>> 0;
  for (let i = from; i < to; i += 4) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const word = (t ^ (t >>> 14)) >>> 0;
    for (let k = 0; k < 4 && i + k < to; k++) bytes[i + k] = (word >>> (8 * k)) & 0xff;
  }
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || c < 0x20) throw new RangeError('sim image header: ASCII only');
    out[i] = c;
  }
  return out;
}

/** Builds a sim image file. @throws RangeError for a size too small for its header */
export function buildSimImage(spec: SimImageSpec, sha256: Sha256): Uint8Array {
  const hash = spec.hash ?? true;
  const header: Record<string, unknown> = {
    version: spec.version,
    buildTime: spec.buildTime,
    board: spec.board ?? SIM_BOARD,
    behaviour: spec.behaviour ?? 'normal',
    size: spec.size,
  };
  if (!hash) header.hash = false;
  const json = ascii(JSON.stringify(header));
  const hashed = spec.size - (hash ? APPENDED_HASH_BYTES : 0);
  if (json.length > SIM_HEADER_MAX || 10 + json.length > hashed || spec.size < SIM_IMAGE_MIN)
    throw new RangeError(`sim image of ${spec.size} bytes cannot hold its ${json.length}-byte header`);
  const bytes = new Uint8Array(spec.size);
  bytes.set(ascii(SIM_IMAGE_MAGIC), 0);
  bytes[8] = json.length >> 8;
  bytes[9] = json.length & 0xff;
  bytes.set(json, 10);
  fill(bytes, 10 + json.length, hashed, spec.fillerSeed ?? 1);
  if (hash) bytes.set(sha256(bytes.subarray(0, hashed)), hashed);
  return bytes;
}

/**
 * Reads a sim image's header from its first bytes (`read(offset, length)`, bounded by `limit`).
 * Undefined when the bytes are not a sim image (erased flash, another format, a malformed or
 * oversized header): never throws on bad bytes.
 */
export function readSimHeader(read: (offset: number, length: number) => Uint8Array, limit: number): SimImageHeader | undefined {
  if (limit < SIM_IMAGE_MIN) return undefined;
  const head = read(0, 10);
  for (let i = 0; i < 8; i++) if (head[i] !== SIM_IMAGE_MAGIC.charCodeAt(i)) return undefined;
  const length = (head[8] << 8) | head[9];
  if (length < 2 || length > SIM_HEADER_MAX) return undefined;
  const raw = read(10, length);
  let text = '';
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] < 0x20 || raw[i] > 0x7e) return undefined;
    text += String.fromCharCode(raw[i]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const h = parsed as Record<string, unknown>;
  const { version, buildTime, board, behaviour, size } = h;
  if (typeof version !== 'string' || version.length > 32 || typeof board !== 'string' || board.length > 32) return undefined;
  if (typeof buildTime !== 'number' || !Number.isSafeInteger(buildTime) || buildTime < 0) return undefined;
  if (!BEHAVIOURS.includes(behaviour as SimBehaviour)) return undefined;
  if (h.hash !== undefined && h.hash !== false) return undefined;
  const hash = h.hash !== false;
  if (typeof size !== 'number' || !Number.isInteger(size) || size > limit || size < 10 + length + (hash ? APPENDED_HASH_BYTES : 0)) return undefined;
  return { version, buildTime, board, behaviour: behaviour as SimBehaviour, size, hash };
}

/** The header of a whole image file in memory (see readSimHeader). */
export function parseSimImage(bytes: Uint8Array): SimImageHeader | undefined {
  return readSimHeader((offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)), bytes.length);
}
