/**
 * Walks one sector of the record log slot by slot, the way recovery and readers see it.
 *
 * A slot is an intact record (length pair, commit mark and CRC all hold), an abandoned slot
 * (a torn record recovery cleared), or damage. Past damage the walk resynchronises: it tries
 * each following 4-byte boundary for a header whose length pair, CRC and commit mark all hold,
 * so one bad record never hides the intact records after it. Damage with nothing intact after
 * it is the sector's tail: `torn` says whether it is shaped as a power cut leaves a record
 * (written in order, each byte only clearing bits); whether a torn tail may be called a power cut
 * is recovery's call (only the newest sector's can).
 */
import { crc32 } from './crc32';
import {
  align4, commitTornShape, isErased, parseRecordHeader, recordFootprint, u16, u32,
  RECORD_HEADER_BYTES, RECORD_TRAILER_BYTES, SECTOR_HEADER_BYTES, type RecordHeader,
} from './layout';

export type SectorItem =
  | { kind: 'record'; offset: number; header: RecordHeader; /** Padding after the commit mark not erased: the record is intact, the flash is not. */ paddingDamaged: boolean }
  | { kind: 'abandoned'; offset: number }
  | { kind: 'damaged'; offset: number; torn: boolean }
  /**
   * Where the next record would go (sectorSize when full). Always the last item. `junk`: bytes
   * programmed in the free space after it (damage, reported before); appends go around them.
   */
  | { kind: 'end'; offset: number; junk?: { from: number; to: number } };

export interface FlashReader {
  readonly sectorSize: number;
  readonly table: Uint32Array;
  read(offset: number, length: number): Uint8Array;
}

const ZEROS = 4;

/** Is the record at `offset`, whose header parsed, intact? Returns its bytes after the header (payload, CRC, mark, padding) when it is. */
function intactRest(reader: FlashReader, base: number, head: Uint8Array, header: RecordHeader): { rest: Uint8Array; ok: boolean } {
  const span = recordFootprint(header.length) - RECORD_HEADER_BYTES;
  const rest = reader.read(base + RECORD_HEADER_BYTES, span);
  const ok = commitTornShape(rest.subarray(header.length + 4, header.length + 8)) === 'whole' &&
    crc32(reader.table, rest.subarray(0, header.length), crc32(reader.table, head)) === u32(rest, header.length);
  return { rest, ok };
}

/** The header of the record at `offset` of sector `index` when that record is intact. */
export function intactRecordAt(reader: FlashReader, index: number, offset: number): RecordHeader | undefined {
  const base = index * reader.sectorSize + offset;
  const head = reader.read(base, RECORD_HEADER_BYTES);
  const header = parseRecordHeader(head, offset, reader.sectorSize);
  return header && intactRest(reader, base, head, header).ok ? header : undefined;
}

/** Offset just past the last byte of the sector that is not 0xFF (0 when all erased). */
function usedEnd(reader: FlashReader, index: number): number {
  const size = reader.sectorSize;
  const chunk = 256;
  for (let end = size; end > 0; end -= chunk) {
    const start = Math.max(0, end - chunk);
    const bytes = reader.read(index * size + start, end - start);
    for (let i = bytes.length - 1; i >= 0; i--) if (bytes[i] !== 0xff) return start + i + 1;
  }
  return 0;
}

/** True when nothing in the sector after its header was ever programmed. */
export function sectorBodyErased(reader: FlashReader, index: number): boolean {
  return usedEnd(reader, index) <= SECTOR_HEADER_BYTES;
}

export function* walkSector(reader: FlashReader, index: number): Generator<SectorItem> {
  const size = reader.sectorSize;
  const sectorBase = index * size;
  let used = -1;
  const lastUsed = () => (used < 0 ? (used = usedEnd(reader, index)) : used);

  /** The next intact record at or after `from`, on 4-byte boundaries. */
  const resync = (from: number): number | undefined => {
    for (let q = from; q + RECORD_HEADER_BYTES + RECORD_TRAILER_BYTES <= lastUsed(); q += 4) {
      const head = reader.read(sectorBase + q, RECORD_HEADER_BYTES);
      const header = parseRecordHeader(head, q, size);
      if (header && intactRest(reader, sectorBase + q, head, header).ok) return q;
    }
    return undefined;
  };

  let offset = SECTOR_HEADER_BYTES;
  while (offset + RECORD_HEADER_BYTES <= size) {
    const base = sectorBase + offset;
    const head = reader.read(base, RECORD_HEADER_BYTES);
    const erased = isErased(head);
    if (erased && lastUsed() <= offset) {
      yield { kind: 'end', offset };
      return;
    }
    if (erased) {
      // Erased space, then programmed bytes: damage in the free space, or a record past it.
      const junk = firstUsed(reader, index, offset);
      const next = resync(junk & ~3);
      yield { kind: 'damaged', offset: junk, torn: false };
      if (next === undefined) {
        yield { kind: 'end', offset, junk: { from: junk & ~3, to: align4(lastUsed()) } };
        return;
      }
      offset = next;
      continue;
    }
    // Recovery clears the ~length bytes of a torn record: no record header has ~length 0.
    const abandoned = head[2] === 0 && head[3] === 0;
    let torn = false;
    if (!abandoned) {
      const header = parseRecordHeader(head, offset, size);
      if (header) {
        const { rest, ok } = intactRest(reader, base, head, header);
        if (ok) {
          const paddingDamaged = !isErased(rest.subarray(header.length + RECORD_TRAILER_BYTES));
          yield { kind: 'record', offset, header, paddingDamaged };
          offset += recordFootprint(header.length);
          continue;
        }
        torn = tornShape(reader, header, head, rest, offset, lastUsed());
      } else torn = tornHeader(reader, head, sectorBase, offset, lastUsed());
    }
    const next = resync(offset + 4);
    if (abandoned) yield { kind: 'abandoned', offset };
    else yield { kind: 'damaged', offset, torn: next === undefined && torn };
    if (next === undefined) {
      yield { kind: 'end', offset: Math.max(align4(lastUsed()), offset + ZEROS) };
      return;
    }
    offset = next;
  }
  yield { kind: 'end', offset: size };
}

/** Offset of the first byte at or after `from` that is not 0xFF (the sector size when none). */
function firstUsed(reader: FlashReader, index: number, from: number): number {
  const size = reader.sectorSize;
  const chunk = 256;
  for (let start = from; start < size; start += chunk) {
    const bytes = reader.read(index * size + start, Math.min(chunk, size - start));
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0xff) return start + i;
  }
  return size;
}

/**
 * Is a record whose header does not parse shaped as a power cut leaves one? A cut inside the
 * length pair leaves nothing programmed after it; a cut after a whole pair, nothing after the
 * header; a cut while recovery cleared a torn record's ~length leaves that pair's bits partly
 * cleared over a record that was torn-shaped.
 */
function tornHeader(reader: FlashReader, head: Uint8Array, sectorBase: number, offset: number, used: number): boolean {
  // Bytes are programmed in order: ~length cannot be written before the length.
  if (used <= offset + ZEROS) return head[0] !== 0xff || head[1] !== 0xff;
  const length = u16(head, 0);
  const expected = length ^ 0xffff;
  const inverse = u16(head, 2);
  if (length === 0 || (inverse & ~expected & 0xffff) !== 0) return false;
  if (inverse === expected) return used <= offset + RECORD_HEADER_BYTES;
  const whole = head.slice();
  whole[2] = expected & 0xff;
  whole[3] = expected >>> 8;
  const header = parseRecordHeader(whole, offset, reader.sectorSize);
  if (!header) return used <= offset + RECORD_HEADER_BYTES;
  const rest = reader.read(sectorBase + offset + RECORD_HEADER_BYTES, recordFootprint(header.length) - RECORD_HEADER_BYTES);
  return tornShape(reader, header, whole, rest, offset, used);
}

/**
 * Is a damaged record whose length pair holds shaped as a power cut leaves one? Nothing may be
 * programmed past its footprint; its commit mark is absent (the cut came during the first write:
 * any body), or partly written over a whole body (its CRC must hold).
 */
function tornShape(reader: FlashReader, header: RecordHeader, head: Uint8Array, rest: Uint8Array, offset: number, used: number): boolean {
  if (used > offset + recordFootprint(header.length)) return false;
  const shape = commitTornShape(rest.subarray(header.length + 4, header.length + 8));
  if (shape === 'none') return true;
  if (shape !== 'partial') return false;
  return crc32(reader.table, rest.subarray(0, header.length), crc32(reader.table, head)) === u32(rest, header.length);
}
