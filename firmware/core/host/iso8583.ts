/**
 * ISO 8583:1987 messages packed and unpacked from a dialect table (the field specifications are
 * data, `types.ts`): MTI (n4, 2 BCD bytes) ‖ primary bitmap (b8) ‖ secondary bitmap (b8, when
 * bit 1 is set) ‖ the fields in ascending order. LLVAR / LLLVAR prefixes are BCD (1 byte "LL",
 * 2 bytes "0LLL") counting digits for n/z and bytes for an/ans/b (CUP POS spec, 报文格式).
 *
 * Strict on input: every malformed message is an Iso8583Error naming the field, and a message
 * that decodes re-encodes to the same bytes (pad nibbles must be 0, no empty secondary bitmap).
 * Packing writes into one buffer sized by a first pass over the fields; no closures per field.
 */
import { readBcd, readBcdNumber, writeBcd, writeBcdNumber } from './bcd';
import { Iso8583Error, type Dialect, type FieldSpec, type FieldValue, type Iso8583Message } from './types';

const MTI_BYTES = 2;
const BITMAP_BYTES = 8;

/** BCD bytes of a length prefix: LL → 1, LLL → 2 ("0LLL"). */
function prefixBytes(spec: FieldSpec): number {
  return spec.prefix === 0 ? 0 : spec.prefix - 1;
}

/** Bytes the data of `units` digits / characters / bytes takes. */
function dataBytes(spec: FieldSpec, units: number): number {
  return spec.format === 'n' || spec.format === 'z' ? (units + 1) >> 1 : units;
}

function padLeft(dialect: Dialect, spec: FieldSpec): boolean {
  return (spec.pad ?? dialect.numericPad) === 'left';
}

/** Whether a byte may appear in an (printable ASCII) or ans (printable ASCII and 0x80–0xFF: CUP hosts send GBK text in field 63). */
function textByteAllowed(code: number, ans: boolean): boolean {
  return (code >= 0x20 && code < 0x7f) || (ans && code >= 0x80 && code <= 0xff);
}

/** Units (digits, characters or bytes) of a value, after checking its type and length against the spec. */
function unitsOf(spec: FieldSpec, value: FieldValue, field: number): number {
  const binary = spec.format === 'b';
  if (binary !== value instanceof Uint8Array) throw new Iso8583Error('iso-bad-value', field, binary ? 'a b field takes bytes' : `an ${spec.format} field takes text`);
  const units = value.length;
  if (spec.prefix === 0 ? units !== spec.length : units > spec.length) {
    throw new Iso8583Error('iso-bad-value', field, `${units} ${binary ? 'bytes' : 'characters'}, the dialect says ${spec.prefix === 0 ? '' : 'at most '}${spec.length}`);
  }
  return units;
}

function writeText(out: Uint8Array, at: number, text: string, ans: boolean, field: number): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!textByteAllowed(code, ans)) throw new Iso8583Error('iso-bad-value', field, `character ${code} at ${i} is not allowed in ${ans ? 'ans' : 'an'} data`);
    out[at + i] = code;
  }
  return at + text.length;
}

/**
 * Packs a message: MTI ‖ bitmap(s) ‖ fields. A field above 64 adds the secondary bitmap.
 * @throws Iso8583Error('iso-bad-value', field) for a bad MTI (field 0), a field the dialect does not define, or a value that does not fit its spec
 */
export function packMessage(dialect: Dialect, message: Iso8583Message): Uint8Array {
  const mti = message.mti;
  if (mti.length !== 4) throw new Iso8583Error('iso-bad-value', 0, `MTI ${JSON.stringify(mti)} is not 4 digits`);
  const bitmap = new Uint8Array(2 * BITMAP_BYTES);
  let size = MTI_BYTES + BITMAP_BYTES;
  let last = 0;
  for (const [field, value] of message.fields) {
    const spec = field >= 2 && field <= 128 && field === (field | 0) ? dialect.fields[field] : undefined;
    if (spec === undefined) throw new Iso8583Error('iso-bad-value', field, `not a field of dialect ${dialect.id}`);
    size += prefixBytes(spec) + dataBytes(spec, unitsOf(spec, value, field));
    bitmap[(field - 1) >> 3] |= 0x80 >> ((field - 1) & 7);
    if (field > last) last = field;
  }
  const bitmapBytes = last > 64 ? 2 * BITMAP_BYTES : BITMAP_BYTES;
  if (last > 64) {
    bitmap[0] |= 0x80;
    size += BITMAP_BYTES;
  }
  const out = new Uint8Array(size);
  writeBcd(out, 0, mti, false, false, 0);
  out.set(bitmapBytes === BITMAP_BYTES ? bitmap.subarray(0, BITMAP_BYTES) : bitmap, MTI_BYTES);
  let at = MTI_BYTES + bitmapBytes;
  for (let field = 2; field <= last; field++) {
    if (!(bitmap[(field - 1) >> 3] & (0x80 >> ((field - 1) & 7)))) continue;
    const spec = dialect.fields[field];
    const value = message.fields.get(field) as FieldValue;
    const p = prefixBytes(spec);
    if (p) {
      writeBcdNumber(out, at, value.length, p);
      at += p;
    }
    switch (spec.format) {
      case 'b':
        out.set(value as Uint8Array, at);
        at += value.length;
        break;
      case 'n':
      case 'z':
        at = writeBcd(out, at, value as string, padLeft(dialect, spec), spec.format === 'z', field);
        break;
      default:
        at = writeText(out, at, value as string, spec.format === 'ans', field);
    }
  }
  return out;
}

function readText(bytes: Uint8Array, at: number, size: number, ans: boolean, field: number): string {
  let text = '';
  for (let i = at; i < at + size; i++) {
    const code = bytes[i];
    if (!textByteAllowed(code, ans)) throw new Iso8583Error('iso-bad-char', field, `byte 0x${code.toString(16).padStart(2, '0')} at ${i - at} is not allowed in ${ans ? 'ans' : 'an'} data`);
    text += String.fromCharCode(code);
  }
  return text;
}

/**
 * Unpacks a message (MTI onwards: no TPDU or header). Text fields come back as strings (digits
 * for n, '=' for the separator in z, one character per byte for an/ans), b fields as copies.
 * @throws Iso8583Error: iso-short, iso-trailing, iso-undefined-field, iso-bad-digit, iso-bad-length, iso-bad-char, each naming the field (0 = MTI/bitmap)
 */
export function unpackMessage(dialect: Dialect, bytes: Uint8Array): Iso8583Message {
  const end = bytes.length;
  if (end < MTI_BYTES + BITMAP_BYTES) throw new Iso8583Error('iso-short', 0, `${end} bytes: too short for MTI and bitmap`);
  const mti = readBcd(bytes, 0, 4, false, false, 0);
  const secondary = (bytes[MTI_BYTES] & 0x80) !== 0;
  let at = MTI_BYTES + BITMAP_BYTES;
  if (secondary) {
    if (end < at + BITMAP_BYTES) throw new Iso8583Error('iso-short', 1, 'the secondary bitmap is cut short');
    at += BITMAP_BYTES;
  }
  const fields = new Map<number, FieldValue>();
  const maxField = secondary ? 128 : 64;
  let empty = secondary;
  for (let field = 2; field <= maxField; field++) {
    if (!(bytes[MTI_BYTES + ((field - 1) >> 3)] & (0x80 >> ((field - 1) & 7)))) continue;
    if (field > 64) empty = false;
    const spec = dialect.fields[field];
    if (spec === undefined) throw new Iso8583Error('iso-undefined-field', field, `the bitmap names a field dialect ${dialect.id} does not define`);
    let units = spec.length;
    const p = prefixBytes(spec);
    if (p) {
      if (at + p > end) throw new Iso8583Error('iso-short', field, 'the bytes end in the length prefix');
      units = readBcdNumber(bytes, at, p);
      if (units < 0) throw new Iso8583Error('iso-bad-length', field, 'the length prefix is not BCD');
      if (units > spec.length) throw new Iso8583Error('iso-bad-length', field, `length ${units} is past the maximum ${spec.length}`);
      at += p;
    }
    const size = dataBytes(spec, units);
    if (at + size > end) throw new Iso8583Error('iso-short', field, `needs ${size} bytes, ${end - at} left`);
    let value: FieldValue;
    switch (spec.format) {
      case 'b':
        value = bytes.slice(at, at + size);
        break;
      case 'n':
      case 'z':
        value = readBcd(bytes, at, units, padLeft(dialect, spec), spec.format === 'z', field);
        break;
      default:
        value = readText(bytes, at, size, spec.format === 'ans', field);
    }
    fields.set(field, value);
    at += size;
  }
  if (empty) throw new Iso8583Error('iso-undefined-field', 1, 'bit 1 announces a secondary bitmap that names no field');
  if (at !== end) {
    let last = 0;
    for (const field of fields.keys()) last = field;
    throw new Iso8583Error('iso-trailing', last, `${end - at} bytes after the last field`);
  }
  return { mti, fields };
}
