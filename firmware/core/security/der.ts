/**
 * A bounded DER reader (ITU-T X.690, distinguished encoding): one TLV at a time, definite
 * lengths only, minimal length encodings, never a read past the end it is given, no
 * recursion (callers walk the structures they expect, to a depth their code fixes).
 */
import { deepFreeze } from '../freeze';

export type DerErrorCode =
  | 'der-truncated' // a header or content runs past the end
  | 'der-length' // indefinite, non-minimal or over-long length
  | 'der-tag' // not the tag expected, or a tag form DER forbids
  | 'der-value' // a primitive's content is not valid for its type
  | 'der-trailing'; // bytes left where a structure should end

export class DerError extends Error {
  override readonly name = 'DerError';
  constructor(readonly code: DerErrorCode, readonly offset: number, message: string) {
    super(`${message} (at byte ${offset})`);
  }
}

/** Universal tags used by certificates. Context tags are 0xA0 | n (constructed). */
export const Tag = deepFreeze({
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const);

/** One TLV: where its header and content are in the buffer. */
export interface DerNode {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** One past the last content byte (= one past the node). */
  end: number;
}

/** Lengths past this are refused: no certificate or key table comes near 16 MB. */
const MAX_LENGTH_BYTES = 3;

/**
 * Reads the TLV at `offset`, which must end by `limit`.
 * @throws DerError
 */
export function readNode(bytes: Uint8Array, offset: number, limit = bytes.length): DerNode {
  if (limit > bytes.length) limit = bytes.length;
  if (offset + 2 > limit) throw new DerError('der-truncated', offset, 'no room for a tag and a length');
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('der-tag', offset, 'high tag numbers are not used here');
  let at = offset + 1;
  const first = bytes[at++];
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0) throw new DerError('der-length', offset, 'indefinite length is not DER');
    if (count > MAX_LENGTH_BYTES) throw new DerError('der-length', offset, `${count}-byte length`);
    if (at + count > limit) throw new DerError('der-truncated', offset, 'length runs past the end');
    if (bytes[at] === 0) throw new DerError('der-length', offset, 'length with a leading zero byte');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at++];
    if (length < 0x80) throw new DerError('der-length', offset, 'long form for a short length');
  }
  if (at + length > limit) throw new DerError('der-truncated', offset, `content of ${length} bytes runs past the end`);
  return { tag, start: offset, contentStart: at, end: at + length };
}

/** Reads a TLV and checks its tag. @throws DerError */
export function expectNode(bytes: Uint8Array, offset: number, tag: number, limit?: number): DerNode {
  const node = readNode(bytes, offset, limit);
  if (node.tag !== tag) throw new DerError('der-tag', offset, `tag 0x${hex2(node.tag)} where 0x${hex2(tag)} was expected`);
  return node;
}

/** The TLVs directly inside a constructed node, at most `max` of them. @throws DerError */
export function childrenOf(bytes: Uint8Array, parent: DerNode, max = 64): DerNode[] {
  if (!(parent.tag & 0x20)) throw new DerError('der-tag', parent.start, 'primitive node has no children');
  const out: DerNode[] = [];
  let at = parent.contentStart;
  while (at < parent.end) {
    if (out.length === max) throw new DerError('der-value', at, `more than ${max} elements`);
    const child = readNode(bytes, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

export function content(bytes: Uint8Array, node: DerNode): Uint8Array {
  return bytes.subarray(node.contentStart, node.end);
}

/** Dotted form of an OBJECT IDENTIFIER. @throws DerError */
export function readOid(bytes: Uint8Array, node: DerNode): string {
  if (node.tag !== Tag.oid) throw new DerError('der-tag', node.start, 'not an OID');
  const value = content(bytes, node);
  if (value.length === 0 || value.length > 64) throw new DerError('der-value', node.start, 'OID of no or too many bytes');
  const arcs: number[] = [];
  let arc = 0;
  for (let i = 0; i < value.length; i++) {
    if (arc === 0 && value[i] === 0x80) throw new DerError('der-value', node.start, 'OID arc with a leading 0x80');
    arc = arc * 128 + (value[i] & 0x7f);
    if (arc > 0xffffffff) throw new DerError('der-value', node.start, 'OID arc too large');
    if (!(value[i] & 0x80)) {
      arcs.push(arc);
      arc = 0;
    }
  }
  if (value[value.length - 1] & 0x80) throw new DerError('der-value', node.start, 'OID ends mid-arc');
  const first = arcs[0] < 40 ? 0 : arcs[0] < 80 ? 1 : 2;
  return [first, arcs[0] - first * 40, ...arcs.slice(1)].join('.');
}

/** Content of a BIT STRING with no unused bits (keys and signatures). @throws DerError */
export function readBitStringBytes(bytes: Uint8Array, node: DerNode): Uint8Array {
  if (node.tag !== Tag.bitString) throw new DerError('der-tag', node.start, 'not a BIT STRING');
  const value = content(bytes, node);
  if (value.length < 1 || value[0] !== 0) throw new DerError('der-value', node.start, 'BIT STRING with unused bits');
  return value.subarray(1);
}

/** A BOOLEAN: DER allows exactly one byte, 0x00 (FALSE) or 0xFF (TRUE) (X.690 11.1). @throws DerError */
export function readBoolean(bytes: Uint8Array, node: DerNode): boolean {
  if (node.tag !== Tag.boolean) throw new DerError('der-tag', node.start, 'not a BOOLEAN');
  const value = content(bytes, node);
  if (value.length !== 1 || (value[0] !== 0x00 && value[0] !== 0xff)) throw new DerError('der-value', node.start, 'BOOLEAN is not one byte 00 or FF');
  return value[0] === 0xff;
}

/** A small non-negative INTEGER (versions, path lengths). @throws DerError */
export function readSmallInteger(bytes: Uint8Array, node: DerNode): number {
  if (node.tag !== Tag.integer) throw new DerError('der-tag', node.start, 'not an INTEGER');
  const value = content(bytes, node);
  if (value.length < 1 || value.length > 4 || value[0] & 0x80) throw new DerError('der-value', node.start, 'INTEGER out of range');
  if (value.length > 1 && value[0] === 0 && !(value[1] & 0x80)) throw new DerError('der-value', node.start, 'INTEGER not minimally encoded');
  let n = 0;
  for (const b of value) n = n * 256 + b;
  return n;
}

/**
 * UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) as ms since 1970. Only UTCTime's
 * two-digit year is windowed, to 1950–2049 (RFC 5280 4.1.2.5.1); a GeneralizedTime year is
 * taken as written, 0000–9999 (Date.UTC would read years 0–99 as 1900–1999).
 * @throws DerError
 */
export function readTime(bytes: Uint8Array, node: DerNode): number {
  const text = readAscii(bytes, node);
  let m: RegExpExecArray | null;
  let year: number;
  if (node.tag === Tag.utcTime && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    const yy = Number(m[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else if (node.tag === Tag.generalizedTime && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text))) {
    year = Number(m[1]);
  } else throw new DerError('der-value', node.start, `not a DER time: ${text.slice(0, 20)}`);
  const [month, day, hour, minute, second] = [2, 3, 4, 5, 6].map((i) => Number(m![i]));
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, 0);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59)
    throw new DerError('der-value', node.start, `no such time: ${text}`);
  return check.getTime();
}

/** Content as text, for string and time types (ASCII-only types checked; UTF-8 decoded). @throws DerError */
export function readAscii(bytes: Uint8Array, node: DerNode): string {
  const value = content(bytes, node);
  if (node.tag === Tag.utf8String) return decodeUtf8(value, node.start);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] > 0x7e || value[i] < 0x20) throw new DerError('der-value', node.start, 'non-printable byte in a string');
    out += String.fromCharCode(value[i]);
  }
  return out;
}

/** Strict UTF-8 (no overlongs, no surrogates). @throws DerError */
export function decodeUtf8(value: Uint8Array, offset = 0): string {
  let out = '';
  for (let i = 0; i < value.length; ) {
    const b = value[i];
    let cp: number;
    let extra: number;
    if (b < 0x80) [cp, extra] = [b, 0];
    else if (b >= 0xc2 && b < 0xe0) [cp, extra] = [b & 0x1f, 1];
    else if (b >= 0xe0 && b < 0xf0) [cp, extra] = [b & 0x0f, 2];
    else if (b >= 0xf0 && b < 0xf5) [cp, extra] = [b & 0x07, 3];
    else throw new DerError('der-value', offset, 'invalid UTF-8');
    if (i + extra >= value.length + (extra ? 0 : 1)) throw new DerError('der-value', offset, 'truncated UTF-8');
    for (let k = 1; k <= extra; k++) {
      const c = value[i + k];
      if ((c & 0xc0) !== 0x80) throw new DerError('der-value', offset, 'invalid UTF-8');
      cp = (cp << 6) | (c & 0x3f);
    }
    if ((extra === 2 && cp < 0x800) || (extra === 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
      throw new DerError('der-value', offset, 'invalid UTF-8');
    out += String.fromCodePoint(cp);
    i += extra + 1;
  }
  return out;
}

function hex2(n: number) {
  return n.toString(16).padStart(2, '0');
}
