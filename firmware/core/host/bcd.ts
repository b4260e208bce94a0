/**
 * Packed BCD for ISO 8583 numeric (n) and track-2 (z) data and for length prefixes: two
 * digits a byte, high nibble first (ISO 8583:1987 §4.2; CUP POS spec, "压缩时用BCD码表示").
 * An odd number of digits leaves one pad nibble, always 0, on the side the field declares:
 * 'right' = left-aligned (CUP 左靠: "123" → 12 30), 'left' = right-aligned (右靠: 01 23).
 * In z data the field separator '=' is the nibble D (ISO 7813 track 2 in BCD).
 *
 * Loops over char codes and nibbles, no regular expressions or per-digit closures: the codec
 * runs on XS, where every call and allocation costs (issue 7, item 11).
 */
import { deepFreeze } from '../freeze';
import { Iso8583Error } from './types';

/** "00".."99": one lookup and one concatenation per byte when decoding digits. */
const PAIRS: readonly string[] = deepFreeze(Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`)));

const ZERO = 0x30;
const EQUALS = 0x3d;
const SEPARATOR = 0xd;

/** The nibble of one character of n (or z, where '=' is D), or -1. */
function nibbleOf(code: number, track2: boolean): number {
  if (code >= ZERO && code <= ZERO + 9) return code - ZERO;
  return track2 && code === EQUALS ? SEPARATOR : -1;
}

/** The nibble of character `i` of `text`; throws the field's error for a character n/z does not allow. */
function nibbleAt(text: string, i: number, track2: boolean, field: number): number {
  const v = nibbleOf(text.charCodeAt(i), track2);
  if (v < 0) throw new Iso8583Error('iso-bad-value', field, `${JSON.stringify(text[i])} at ${i} is not allowed in ${track2 ? 'z' : 'n'} data`);
  return v;
}

/**
 * Writes `text` (digits; '=' too when `track2`) into `out` at `at` as packed BCD.
 * Two characters a loop turn, their nibbles taken inline ('=' − '0' is 13, the nibble D, so z
 * needs no table); any other character goes to `nibbleAt`, which names it.
 * @returns the offset after the last byte written
 * @throws Iso8583Error('iso-bad-value', field) on a character n/z does not allow
 */
export function writeBcd(out: Uint8Array, at: number, text: string, padLeft: boolean, track2: boolean, field: number): number {
  const digits = text.length;
  let pos = at;
  let i = 0;
  // With the pad on the left, an odd-length value starts in the low nibble of its first byte.
  if (padLeft && digits & 1) {
    out[pos++] = nibbleAt(text, 0, track2, field);
    i = 1;
  }
  const pairsEnd = digits - ((digits - i) & 1);
  for (; i < pairsEnd; i += 2) {
    let hi = text.charCodeAt(i) - ZERO;
    let lo = text.charCodeAt(i + 1) - ZERO;
    if (hi < 0 || hi > 9) hi = nibbleAt(text, i, track2, field);
    if (lo < 0 || lo > 9) lo = nibbleAt(text, i + 1, track2, field);
    out[pos++] = (hi << 4) | lo;
  }
  if (i < digits) out[pos++] = nibbleAt(text, i, track2, field) << 4;
  return pos;
}

/**
 * Reads `digits` BCD digits at `at` (the caller has checked that the bytes are there).
 * @throws Iso8583Error('iso-bad-digit', field) on a nibble that is not a digit (or D in z), or a pad nibble that is not 0
 */
export function readBcd(bytes: Uint8Array, at: number, digits: number, padLeft: boolean, track2: boolean, field: number): string {
  const size = (digits + 1) >> 1;
  const odd = digits & 1;
  // The byte that holds the pad nibble, if any: it takes the slow path below.
  const padByte = odd ? (padLeft ? 0 : size - 1) : -1;
  let text = '';
  for (let i = 0; i < size; i++) {
    const b = bytes[at + i];
    const hi = b >> 4;
    const lo = b & 15;
    if (hi < 10 && lo < 10 && i !== padByte) {
      text += PAIRS[hi * 10 + lo];
      continue;
    }
    // The slow path: a pad nibble, a separator, or a bad nibble.
    for (let n = 0; n < 2; n++) {
      const v = n ? lo : hi;
      const pad = i === padByte && n === (padLeft ? 0 : 1);
      if (pad) {
        if (v !== 0) throw new Iso8583Error('iso-bad-digit', field, `pad nibble ${v.toString(16)} (not 0) at byte ${i}`);
      } else if (v < 10) text += PAIRS[v][1];
      else if (track2 && v === SEPARATOR) text += '=';
      else throw new Iso8583Error('iso-bad-digit', field, `nibble ${v.toString(16)} at byte ${i} is not a digit`);
    }
  }
  return text;
}

/** Writes a non-negative integer as `size` BCD bytes (length prefixes: LL = 1 byte, LLL = 2 bytes "0LLL"). */
export function writeBcdNumber(out: Uint8Array, at: number, value: number, size: number): void {
  let v = value;
  for (let i = at + size - 1; i >= at; i--) {
    const low = v % 10;
    v = (v - low) / 10;
    const high = v % 10;
    v = (v - high) / 10;
    out[i] = (high << 4) | low;
  }
}

/**
 * Reads `size` BCD bytes as an integer, or -1 when a nibble is not a digit (the caller names the error).
 */
export function readBcdNumber(bytes: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = at; i < at + size; i++) {
    const hi = bytes[i] >> 4;
    const lo = bytes[i] & 15;
    if (hi > 9 || lo > 9) return -1;
    v = v * 100 + hi * 10 + lo;
  }
  return v;
}
