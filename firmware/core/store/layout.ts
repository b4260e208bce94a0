/**
 * The record log's bytes in flash. All integers little-endian.
 *
 *   sector header, 16 bytes
 *     0  "XSRL"           magic
 *     4  u8  version (1)
 *     5  3 × 0x00         reserved
 *     8  u32 sector seq   increases by one each time a sector is (re)formatted
 *    12  u32 CRC-32 of bytes 0..11
 *
 *   record, from offset 16, each starting on a 4-byte boundary
 *     0  u16 length       payload bytes, 1..maxPayload
 *     2  u16 ~length      length XOR 0xFFFF: a torn header never looks whole
 *     4  u32 record seq   one more than the record before it, across sectors
 *     8  u8  type         what the payload is (RecordType)
 *     9  u8  kind         RecordKind: ring, durable put, durable delete, erase intent
 *    10  u16 key          the durable key (put, delete); the sector about to be erased (intent)
 *    12  payload          `length` bytes (CBOR in practice)
 *     …  u32 CRC-32       over header and payload
 *     …  u32 commit mark  "CMIT", written by a second write after everything else
 *        then 0xFF padding to the next 4-byte boundary
 *
 *   abandoned slot: a record slot whose bytes 2..3 (~length) are 0x00, which no record has (its
 *   length would be 0xFFFF). Recovery clears them in a record a power cut tore, so that only the
 *   newest record can ever look torn; readers resynchronise past it. A cut during that clearing
 *   leaves ~length's bits partly cleared over the torn record: still the newest, still torn.
 */
import { crc32 } from './crc32';
import { deepFreeze } from '../freeze';

export const SECTOR_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 12;
/** CRC + commit mark. */
export const RECORD_TRAILER_BYTES = 8;
export const MAGIC = deepFreeze([0x58, 0x53, 0x52, 0x4c]); // "XSRL"
export const VERSION = 1;
export const COMMIT_MARK = deepFreeze([0x43, 0x4d, 0x49, 0x54]); // "CMIT"
/** Payload of an erase-intent record: the u32 sector seq of the sector about to be erased. */
export const INTENT_PAYLOAD_BYTES = 4;

/** Header byte 9. Stored in flash: never renumber. */
export const RecordKind = deepFreeze({
  /** Events, self-test reports: may age out when the ring rotates. */
  ring: 0,
  /** The newest version of a durable record (working keys, counters, journals). */
  put: 1,
  /** A durable record deleted (a reversal acknowledged): it must not come back. */
  remove: 2,
  /** Written just before a rotation erases a sector: tells recovery a half-erased sector is a power cut. */
  eraseIntent: 3,
} as const);
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];
const LAST_KIND = 3;

export const align4 = (n: number) => (n + 3) & ~3;
export const isErased = (bytes: Uint8Array) => bytes.every((b) => b === 0xff);

export function u16(bytes: Uint8Array, at: number) {
  return bytes[at] | (bytes[at + 1] << 8);
}
export function u32(bytes: Uint8Array, at: number) {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}
function putU16(bytes: Uint8Array, at: number, value: number) {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
}
export function putU32(bytes: Uint8Array, at: number, value: number) {
  for (let i = 0; i < 4; i++) bytes[at + i] = (value >>> (8 * i)) & 0xff;
}

/** Cost in flash of a record with `payloadLength` bytes. */
export function recordFootprint(payloadLength: number): number {
  return align4(RECORD_HEADER_BYTES + payloadLength + RECORD_TRAILER_BYTES);
}

/** What a record header says, when its length pair holds and its kind is known. */
export interface RecordHeader {
  length: number;
  seq: number;
  type: number;
  kind: RecordKind;
  key: number;
}

/** Reads a record header; undefined when the length pair is broken, the kind unknown or the record would not fit. */
export function parseRecordHeader(header: Uint8Array, offset: number, sectorSize: number): RecordHeader | undefined {
  const length = u16(header, 0);
  if (length === 0 || (length ^ 0xffff) !== u16(header, 2) || offset + recordFootprint(length) > sectorSize) return undefined;
  if (header[9] > LAST_KIND) return undefined;
  return { length, seq: u32(header, 4), type: header[8], kind: header[9] as RecordKind, key: u16(header, 10) };
}

/** Header, payload and CRC of a record: what the first write puts in flash (the commit mark is the second). */
export function encodeRecordBody(table: Uint32Array, fields: Omit<RecordHeader, 'length'>, payload: Uint8Array): Uint8Array {
  const body = new Uint8Array(RECORD_HEADER_BYTES + payload.length + 4);
  putU16(body, 0, payload.length);
  putU16(body, 2, payload.length ^ 0xffff);
  putU32(body, 4, fields.seq);
  body[8] = fields.type;
  body[9] = fields.kind;
  putU16(body, 10, fields.key);
  body.set(payload, RECORD_HEADER_BYTES);
  putU32(body, RECORD_HEADER_BYTES + payload.length, crc32(table, body.subarray(0, RECORD_HEADER_BYTES + payload.length)));
  return body;
}

export function encodeSectorHeader(table: Uint32Array, seq: number): Uint8Array {
  const header = new Uint8Array(SECTOR_HEADER_BYTES);
  header.set(MAGIC, 0);
  header[4] = VERSION;
  putU32(header, 8, seq);
  putU32(header, 12, crc32(table, header.subarray(0, 12)));
  return header;
}

/** The sector seq of a valid sector header; 0 when the header is not one. */
export function sectorHeaderSeq(table: Uint32Array, header: Uint8Array): number {
  if (!MAGIC.every((b, i) => header[i] === b) || header[4] !== VERSION) return 0;
  if (crc32(table, header.subarray(0, 12)) !== u32(header, 12)) return 0;
  return u32(header, 8);
}

/**
 * Could `commit` (the 4 commit-mark bytes of a record) be what a power cut during the commit
 * write leaves? NOR programs bytes in order, each only clearing bits: a whole prefix of the mark,
 * then at most one byte with some of its bits still set, then erased bytes.
 */
export function commitTornShape(commit: Uint8Array): 'none' | 'partial' | 'whole' | 'other' {
  let k = 0;
  while (k < 4 && commit[k] === COMMIT_MARK[k]) k++;
  if (k === 4) return 'whole';
  if (k === 0 && isErased(commit)) return 'none';
  // Byte k was being programmed: it may have cleared only some of the bits the mark clears.
  if ((commit[k] & COMMIT_MARK[k]) !== COMMIT_MARK[k]) return 'other';
  for (let i = k + 1; i < 4; i++) if (commit[i] !== 0xff) return 'other';
  return 'partial';
}
