/**
 * The acquirer link's shared vocabulary: ISO 8583 dialects (field specifications as data),
 * messages, the codec's typed errors, response categories, and what the link and the host
 * session report. The codec (`iso8583.ts`, `frame.ts`), the link (`link.ts`), the session
 * (`session.ts`) and the simulated acquirer (host-sim/acquirer) all speak these types.
 */

/**
 * Field formats (ISO 8583:1987 §4.2 / CUP POS spec):
 * - n: digits, packed BCD (two per byte); odd lengths padded with one 0 nibble on the side the
 *   dialect's `numericPad` says (CUP: 'right', i.e. left-aligned with a trailing 0 nibble).
 * - z: track-2 data, packed like n; '=' (the field separator) is the nibble D.
 * - an / ans: ASCII, one byte per character (an: letters and digits; ans: printable ASCII, space included).
 * - b: binary, one byte per byte (lengths of b fields count bytes).
 */
export type FieldFormat = 'n' | 'z' | 'an' | 'ans' | 'b';

export interface FieldSpec {
  /** Short name for traces and the toolbox ("pan", "processing code"). */
  name: string;
  format: FieldFormat;
  /**
   * 0: fixed length `length`. 2: LLVAR, 3: LLLVAR: a BCD length prefix of 1 byte (LL) or
   * 2 bytes (LLL, 0LLL), counting digits for n/z and bytes for an/ans/b; at most `length`.
   */
  prefix: 0 | 2 | 3;
  /** Fixed length, or the maximum: digits for n/z, characters for an/ans, bytes for b. */
  length: number;
  /** n/z only: the pad nibble's side for this field when it differs from the dialect's `numericPad` (CUP field 23 is right-aligned). */
  pad?: 'left' | 'right';
}

export interface Dialect {
  /** Stable id the acquirer profile names (e.g. "cup-pos"). */
  id: string;
  name: string;
  /** Where the pad nibble of an odd-length numeric field goes: 'right' = left-aligned (CUP), 'left' = right-aligned. */
  numericPad: 'left' | 'right';
  /** Bytes of the application header between TPDU and MTI (CUP: 6). */
  headerLength: number;
  /** Field number → spec. A bitmap naming a field not here is a format error. Fields 1 (secondary bitmap) is implicit. */
  fields: Readonly<Record<number, FieldSpec>>;
}

/** A field's value: text for n, z, an, ans (digits as characters, '=' in z), bytes for b. */
export type FieldValue = string | Uint8Array;

/** One ISO 8583 message: MTI (4 digits) and its fields by number (2..128). */
export interface Iso8583Message {
  mti: string;
  fields: Map<number, FieldValue>;
}

export type Iso8583ErrorCode =
  | 'iso-short' // the bytes end before the message does (field names which)
  | 'iso-trailing' // bytes left after the last field
  | 'iso-undefined-field' // the bitmap names a field the dialect does not define
  | 'iso-bad-digit' // a nibble that is not a digit in n/z (or D outside z), a bad MTI
  | 'iso-bad-length' // a length prefix past the field's maximum, or not BCD
  | 'iso-bad-value' // a value to pack that does not fit its spec (wrong length, bad character)
  | 'iso-bad-char' // a received an/ans byte the format does not allow (a control character; a non-ASCII byte in an)
  | 'iso-frame-short' // a frame shorter than TPDU + header + MTI + bitmap
  | 'iso-frame-overlong'; // a frame longer than the link accepts

/** A malformed message or frame. `field` names the field (0 = MTI/bitmap/frame level). */
export class Iso8583Error extends Error {
  override readonly name = 'Iso8583Error';
  constructor(readonly code: Iso8583ErrorCode, readonly field: number, message: string) {
    super(field > 0 ? `field ${field}: ${message}` : message);
  }
}

/** What a host response code means to the terminal (per acquirer: the profile's table). */
export type ResponseCategory =
  | 'approved'
  | 'declined'
  | 'retry'
  | 're-sign-on'
  | 'terminal-invalid'
  | 'merchant-restricted'
  | 'card-problem'
  | 'host-problem';

export interface ResponseCodeEntry {
  category: ResponseCategory;
  /** Short texts for the screen (≤ 24 characters zh, ≤ 40 en). */
  zh: string;
  en: string;
}
