/**
 * ISO 8583:1987 messages packed and unpacked from a dialect table (the field specifications are
 * data, `types.ts`): MTI (n4, 2 BCD bytes) ‖ primary bitmap (b8) ‖ secondary bitmap (b8, when
 * bit 1 is set) ‖ the fields in ascending order. LLVAR / LLLVAR prefixes are BCD (1 byte "LL",
 * 2 bytes "0LLL") counting digits for n/z and bytes for an/ans/b (CUP POS spec, 报文格式).
 *
 * Strict on input: every malformed message is an Iso8583Error naming the field, and a message
 * that decodes re-encodes to the same bytes (pad nibbles must be 0, no empty secondary bitmap).
 * Packing writes into one buffer sized by a first pass over the fields; both directions visit
 * only the bitmap's set bits. The codec runs on XS for every sale (issue 7, item 11).
 */
import { readBcd, readBcdNumber, writeBcd, writeBcdNumber } from './bcd';
import { Iso8583Error, type Dialect, type FieldSpec, type FieldValue, type Iso8583Message } from './types';

const MTI_BYTES = 2;
const BITMAP_BYTES = 8;

/** Whether a byte may appear in an (printable ASCII) or ans (printable ASCII and 0x80–0xFF: CUP hosts send GBK text in field 63). */
function textByteAllowed(code: number, ans: boolean): boolean {
  return (code >= 0x20 && code < 0x7f) || (ans && code >= 0x80 && code <= 0xff);
}

/** Units (digits, characters or bytes) of a value, after checking its type and length against the spec. */
function unitsOf(spec: FieldSpec, value: FieldValue, field: number): number {
  const binary = spec.format === 'b';
  if (binary ? !(value instanceof Uint8Array) : typeof value !== 'string') throw new Iso8583Error('iso-bad-value', field, binary ? 'a b field takes bytes' : `an ${spec.format} field takes text`);
  const units = value.length;
  if (spec.prefix === 0 ? units !== spec.length : units > spec.length) {
    throw new Iso8583Error('iso-bad-value', field, `${units} ${binary ? 'bytes' : 'characters'}, the dialect says ${spec.prefix === 0 ? '' : 'at most '}${spec.length}`);
  }
  return units;
}

function writeText(out: Uint8Array, at: number, text: string, ans: boolean, field: number): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    // Printable ASCII inline; anything else asks textByteAllowed (ans takes 0x80–0xFF too).
    if ((code < 0x20 || code >= 0x7f) && !textByteAllowed(code, ans)) throw new Iso8583Error('iso-bad-value', field, `character ${code} at ${i} is not allowed in ${ans ? 'ans' : 'an'} data`);
    out[at + i] = code;
  }
  return at + text.length;
}

/**
 * Packs a message: MTI ‖ bitmap(s) ‖ fields. A field above 64 adds the secondary bitmap.
 * Two passes: the first checks each value and sizes the buffer, the second visits only the
 * bitmap's set bits (Math.clz32 per bit), so a message pays for its fields, not for 128 numbers.
 * @throws Iso8583Error('iso-bad-value', field) for a bad MTI (field 0), a field the dialect does not define, or a value that does not fit its spec
 */
export function packMessage(dialect: Dialect, message: Iso8583Message): Uint8Array {
  const mti = message.mti;
  if (mti.length !== 4) throw new Iso8583Error('iso-bad-value', 0, `MTI ${JSON.stringify(mti)} is not 4 digits`);
  const bitmap = new Uint8Array(2 * BITMAP_BYTES);
  const specs = dialect.fields;
  let size = MTI_BYTES + BITMAP_BYTES;
  let last = 0;
  message.fields.forEach((value, field) => {
    const spec = field >= 2 && field <= 128 && field === (field | 0) ? specs[field] : undefined;
    if (spec === undefined) throw new Iso8583Error('iso-bad-value', field, `not a field of dialect ${dialect.id}`);
    const units = unitsOf(spec, value, field);
    const format = spec.format;
    size += (spec.prefix === 0 ? 0 : spec.prefix - 1) + (format === 'n' || format === 'z' ? (units + 1) >> 1 : units);
    bitmap[(field - 1) >> 3] |= 0x80 >> ((field - 1) & 7);
    if (field > last) last = field;
  });
  const bitmapBytes = last > 64 ? 2 * BITMAP_BYTES : BITMAP_BYTES;
  if (last > 64) {
    bitmap[0] |= 0x80;
    size += BITMAP_BYTES;
  }
  const out = new Uint8Array(size);
  writeBcd(out, 0, mti, false, false, 0);
  out.set(bitmapBytes === BITMAP_BYTES ? bitmap.subarray(0, BITMAP_BYTES) : bitmap, MTI_BYTES);
  const fields = message.fields;
  const numericPadLeft = dialect.numericPad === 'left';
  let at = MTI_BYTES + bitmapBytes;
  for (let byte = 0; byte < bitmapBytes; byte++) {
    // Bit 1 (the secondary bitmap) is not a field.
    let bits = byte === 0 ? bitmap[0] & 0x7f : bitmap[byte];
    while (bits) {
      const bit = Math.clz32(bits) - 24;
      bits ^= 0x80 >> bit;
      const field = byte * 8 + bit + 1;
      const spec = specs[field];
      const value = fields.get(field) as FieldValue;
      if (spec.prefix !== 0) {
        writeBcdNumber(out, at, value.length, spec.prefix - 1);
        at += spec.prefix - 1;
      }
      switch (spec.format) {
        case 'b':
          out.set(value as Uint8Array, at);
          at += value.length;
          break;
        case 'n':
        case 'z':
          at = writeBcd(out, at, value as string, spec.pad === undefined ? numericPadLeft : spec.pad === 'left', spec.format === 'z', field);
          break;
        default:
          at = writeText(out, at, value as string, spec.format === 'ans', field);
      }
    }
  }
  return out;
}

function readText(bytes: Uint8Array, at: number, size: number, ans: boolean, field: number): string {
  const end = at + size;
  for (let i = at; i < end; i++) {
    const code = bytes[i];
    if ((code < 0x20 || code >= 0x7f) && !textByteAllowed(code, ans))
      throw new Iso8583Error('iso-bad-char', field, `byte 0x${code.toString(16).padStart(2, '0')} at ${i - at} is not allowed in ${ans ? 'ans' : 'an'} data`);
  }
  // One character per byte (0x80–0xFF as U+0080–U+00FF), made natively in one call.
  return String.fromCharCode.apply(null, bytes.subarray(at, end) as unknown as number[]);
}

/**
 * Unpacks a message (MTI onwards: no TPDU or header). Text fields come back as strings (digits
 * for n, '=' for the separator in z, one character per byte for an/ans), b fields as copies.
 * Visits only the bitmap's set bits, in field order.
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
  const bitmapBytes = secondary ? 2 * BITMAP_BYTES : BITMAP_BYTES;
  const specs = dialect.fields;
  const numericPadLeft = dialect.numericPad === 'left';
  let empty = secondary;
  for (let byte = 0; byte < bitmapBytes; byte++) {
    // Bit 1 (the secondary bitmap) is not a field.
    let bits = byte === 0 ? bytes[MTI_BYTES] & 0x7f : bytes[MTI_BYTES + byte];
    if (bits && byte >= BITMAP_BYTES) empty = false;
    while (bits) {
      const bit = Math.clz32(bits) - 24;
      bits ^= 0x80 >> bit;
      const field = byte * 8 + bit + 1;
      const spec = specs[field];
      if (spec === undefined) throw new Iso8583Error('iso-undefined-field', field, `the bitmap names a field dialect ${dialect.id} does not define`);
      const format = spec.format;
      let units = spec.length;
      if (spec.prefix !== 0) {
        const p = spec.prefix - 1;
        if (at + p > end) throw new Iso8583Error('iso-short', field, 'the bytes end in the length prefix');
        units = readBcdNumber(bytes, at, p);
        if (units < 0) throw new Iso8583Error('iso-bad-length', field, 'the length prefix is not BCD');
        if (units > spec.length) throw new Iso8583Error('iso-bad-length', field, `length ${units} is past the maximum ${spec.length}`);
        at += p;
      }
      const digits = format === 'n' || format === 'z';
      const size = digits ? (units + 1) >> 1 : units;
      if (at + size > end) throw new Iso8583Error('iso-short', field, `needs ${size} bytes, ${end - at} left`);
      let value: FieldValue;
      if (format === 'b') value = bytes.slice(at, at + size);
      else if (digits) value = readBcd(bytes, at, units, spec.pad === undefined ? numericPadLeft : spec.pad === 'left', format === 'z', field);
      else value = readText(bytes, at, size, format === 'ans', field);
      fields.set(field, value);
      at += size;
    }
  }
  if (empty) throw new Iso8583Error('iso-undefined-field', 1, 'bit 1 announces a secondary bitmap that names no field');
  if (at !== end) {
    let last = 0;
    for (const field of fields.keys()) last = field;
    throw new Iso8583Error('iso-trailing', last, `${end - at} bytes after the last field`);
  }
  return { mti, fields };
}
