/**
 * An independent reading of the record log's documented flash layout (firmware/core/store's
 * file header and notes/store-api.md), with zlib's CRC-32: where each sector header and record
 * lies and what it holds. Tests use it to know which record a flipped bit or a cut write hits;
 * it never decides what recovery should do.
 */
import { crc32 } from 'node:zlib';

export const SECTOR_HEADER = 16;
export const RECORD_HEADER = 12;
const MAGIC = 'XSRL';
const COMMIT = 'CMIT';

/** Header byte 9 of a record. */
export const Kind = { ring: 0, put: 1, remove: 2, eraseIntent: 3 } as const;

export interface SectorView {
  index: number;
  /** Header magic, version and CRC hold. */
  valid: boolean;
  seq: number;
  records: RecordView[];
  /** Where the first erased slot starts (or the sector size). */
  end: number;
}

export interface RecordView {
  sector: number;
  /** Offset in the region. */
  at: number;
  /** align4(12 + length + 8). */
  footprint: number;
  length: number;
  seq: number;
  type: number;
  kind: number;
  key: number;
  payload: Uint8Array;
  committed: boolean;
  crcOk: boolean;
}

export const footprintOf = (length: number) => (RECORD_HEADER + length + 8 + 3) & ~3;

/** Reads every sector of a log written without damage: stops a sector at its first erased slot or unparsable header. */
export function readLayout(bytes: Uint8Array, sectorSize: number): SectorView[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sectors: SectorView[] = [];
  for (let index = 0; index * sectorSize < b.length; index++) {
    const base = index * sectorSize;
    const valid = b.toString('latin1', base, base + 4) === MAGIC && b[base + 4] === 1 && b.readUInt32LE(base + 12) === crc32(b.subarray(base, base + 12));
    const view: SectorView = { index, valid, seq: b.readUInt32LE(base + 8), records: [], end: sectorSize };
    let offset = SECTOR_HEADER;
    while (offset + RECORD_HEADER <= sectorSize) {
      const at = base + offset;
      if (b.subarray(at, at + RECORD_HEADER).every((x) => x === 0xff)) {
        view.end = offset;
        break;
      }
      const length = b.readUInt16LE(at);
      if (length === 0 || (length ^ 0xffff) !== b.readUInt16LE(at + 2) || offset + footprintOf(length) > sectorSize) break;
      const body = b.subarray(at, at + RECORD_HEADER + length);
      view.records.push({
        sector: index,
        at,
        footprint: footprintOf(length),
        length,
        seq: b.readUInt32LE(at + 4),
        type: b[at + 8],
        kind: b[at + 9],
        key: b.readUInt16LE(at + 10),
        payload: Uint8Array.from(body.subarray(RECORD_HEADER)),
        crcOk: b.readUInt32LE(at + RECORD_HEADER + length) === crc32(body),
        committed: b.toString('latin1', at + RECORD_HEADER + length + 4, at + RECORD_HEADER + length + 8) === COMMIT,
      });
      offset += footprintOf(length);
    }
    sectors.push(view);
  }
  return sectors;
}

/** Every record of the region, in flash order. */
export const allRecords = (bytes: Uint8Array, sectorSize: number) => readLayout(bytes, sectorSize).flatMap((s) => s.records);
