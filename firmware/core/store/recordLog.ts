/**
 * The record log: an append-only journal over a NOR-flash region that survives a power cut at
 * any byte.
 *
 * Layout (all integers little-endian). The region is a ring of sectors.
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
 *     9  3 × 0x00         reserved
 *    12  payload          `length` bytes (CBOR in practice)
 *     …  u32 CRC-32       over header and payload
 *     …  u32 commit mark  "CMIT", written by a second write after everything else
 *        then 0xFF padding to the next 4-byte boundary
 *
 * An append writes header + payload + CRC, then the commit mark. It returns only after both;
 * a record without its whole commit mark was cut by power and is dropped at recovery. Erased
 * flash reads 0xFF, so the first record slot whose 12 header bytes are all 0xFF is the end.
 *
 * Rotation: when the active sector is full, the next sector in the ring (the oldest) is
 * erased and formatted with the next sector seq. Capacity: with N sectors of S bytes the log
 * always keeps at least (N − 1) × (S − 16) bytes of records; a record of L payload bytes costs
 * 20 + L bytes rounded up to 4. See `capacity()`.
 *
 * Recovery (`open`) counts what it had to drop: torn records (a power cut), records whose CRC
 * fails although committed (corruption), and sectors that hold data under a broken header.
 */
import type { FlashRegionPort } from '../ports';
import { crc32, crc32Table } from './crc32';
import { deepFreeze } from '../freeze';
import { errorText } from '../errorText';

export const SECTOR_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 12;
/** CRC + commit mark. */
const RECORD_TRAILER_BYTES = 8;
const MAGIC = deepFreeze([0x58, 0x53, 0x52, 0x4c]); // "XSRL"
const VERSION = 1;
const COMMIT_MARK = deepFreeze([0x43, 0x4d, 0x49, 0x54]); // "CMIT"
/** Smallest sector the layout makes sense on. */
const MIN_SECTOR_BYTES = 256;

/** What a record holds. Values are stored in flash: never renumber. */
export const RecordType = deepFreeze({
  event: 1,
  selfTestReport: 2,
  /** Written and read back by the flash probe. */
  scratch: 3,
  /** The working keys as the host sent them (wrapped under the master key), with check values. */
  keySet: 4,
} as const);
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

export type StoreErrorCode = 'store-geometry' | 'store-record-size' | 'store-write' | 'store-read';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(readonly code: StoreErrorCode, message: string) {
    super(message);
  }
}

export interface LogRecord {
  seq: number;
  type: number;
  payload: Uint8Array;
}

export interface RecoveryReport {
  /** Committed records with a good CRC. */
  records: number;
  /** Records cut by power before their commit mark (or a rotation cut mid-erase): dropped. */
  tornRecords: number;
  /** Committed records whose CRC fails: storage corruption, dropped. */
  crcErrors: number;
  /** Sectors with data but no valid header (other than one cut while being erased): contents lost. */
  corruptSectors: number;
}

export interface LogCapacity {
  sectors: number;
  sectorSize: number;
  /** Bytes of records the log always keeps (N − 1 sectors). */
  guaranteedBytes: number;
  /** Largest payload one record can carry. */
  maxPayload: number;
}

interface SectorState {
  /** Sector seq from a valid header, or 0 when the sector is free or broken. */
  seq: number;
  /** Where the next record goes; sectorSize when the sector is closed. */
  writeOffset: number;
}

const align4 = (n: number) => (n + 3) & ~3;
const isErased = (bytes: Uint8Array) => bytes.every((b) => b === 0xff);

function u16(bytes: Uint8Array, at: number) {
  return bytes[at] | (bytes[at + 1] << 8);
}
function u32(bytes: Uint8Array, at: number) {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}
function putU16(bytes: Uint8Array, at: number, value: number) {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
}
function putU32(bytes: Uint8Array, at: number, value: number) {
  for (let i = 0; i < 4; i++) bytes[at + i] = (value >>> (8 * i)) & 0xff;
}

/** Cost in flash of a record with `payloadLength` bytes. */
export function recordFootprint(payloadLength: number): number {
  return align4(RECORD_HEADER_BYTES + payloadLength + RECORD_TRAILER_BYTES);
}

/** What one scan of a record slot found. */
type Slot =
  | { kind: 'end' }
  | { kind: 'broken' } // header torn or garbage: nothing after it in this sector can be trusted
  | { kind: 'record'; committed: boolean; crcOk: boolean; seq: number; type: number; length: number };

export class RecordLog {
  readonly #flash: FlashRegionPort;
  readonly #table = crc32Table();
  readonly #sectors: SectorState[];
  readonly #recovery: RecoveryReport;
  #active = -1;
  #nextSeq = 1;
  #rotations = 0;

  private constructor(flash: FlashRegionPort) {
    this.#flash = flash;
    const count = flash.byteLength / flash.sectorSize;
    if (!Number.isInteger(count) || count < 2 || flash.sectorSize < MIN_SECTOR_BYTES || flash.sectorSize % 4)
      throw new StoreError(
        'store-geometry',
        `flash region of ${flash.byteLength} bytes in sectors of ${flash.sectorSize} cannot hold a record log (needs ≥ 2 sectors of ≥ ${MIN_SECTOR_BYTES} bytes)`,
      );
    this.#sectors = [];
    this.#recovery = { records: 0, tornRecords: 0, crcErrors: 0, corruptSectors: 0 };
    this.#recover(count);
  }

  /**
   * Opens the log on `flash`, recovering whatever a previous run left there.
   * @throws StoreError 'store-geometry' when the region cannot hold a log; 'store-read' when flash fails
   */
  static open(flash: FlashRegionPort): RecordLog {
    return new RecordLog(flash);
  }

  /** What recovery found when the log was opened. */
  get recovery(): Readonly<RecoveryReport> {
    return this.#recovery;
  }

  capacity(): LogCapacity {
    const size = this.#flash.sectorSize;
    return {
      sectors: this.#sectors.length,
      sectorSize: size,
      guaranteedBytes: (this.#sectors.length - 1) * (size - SECTOR_HEADER_BYTES),
      maxPayload: Math.min(0xfffe, size - SECTOR_HEADER_BYTES - RECORD_HEADER_BYTES - RECORD_TRAILER_BYTES),
    };
  }

  /** Sectors erased and reused since the log was opened (0 until the log first fills up). */
  get rotations(): number {
    return this.#rotations;
  }

  /** The seq the next append will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /**
   * Appends one record and returns its seq once it is committed in flash.
   * @throws StoreError 'store-record-size' (empty or larger than maxPayload), 'store-write' (flash failed;
   *   the record is not committed and recovery will drop whatever part of it reached flash)
   */
  append(type: number, payload: Uint8Array): number {
    const { maxPayload } = this.capacity();
    if (payload.length < 1 || payload.length > maxPayload)
      throw new StoreError('store-record-size', `record payload of ${payload.length} bytes (allowed 1..${maxPayload})`);
    if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new StoreError('store-record-size', `record type ${type} is not a byte`);
    const footprint = recordFootprint(payload.length);
    try {
      if (this.#active < 0 || this.#sectors[this.#active].writeOffset + footprint > this.#flash.sectorSize) this.#rotate();
      const sector = this.#sectors[this.#active];
      const base = this.#active * this.#flash.sectorSize + sector.writeOffset;
      const seq = this.#nextSeq;
      const body = new Uint8Array(RECORD_HEADER_BYTES + payload.length + 4);
      putU16(body, 0, payload.length);
      putU16(body, 2, payload.length ^ 0xffff);
      putU32(body, 4, seq);
      body[8] = type;
      body[9] = body[10] = body[11] = 0;
      body.set(payload, RECORD_HEADER_BYTES);
      putU32(body, RECORD_HEADER_BYTES + payload.length, crc32(this.#table, body.subarray(0, RECORD_HEADER_BYTES + payload.length)));
      // From here on the slot is used, whatever happens: a failed write leaves a torn record.
      sector.writeOffset += footprint;
      this.#flash.write(base, body);
      this.#flash.write(base + body.length, Uint8Array.from(COMMIT_MARK));
      this.#nextSeq = seq + 1;
      return seq;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      // Whatever part of the record reached flash, nothing more goes into this sector: a gap of
      // erased bytes before a later record would end every scan early.
      if (this.#active >= 0) this.#sectors[this.#active].writeOffset = this.#flash.sectorSize;
      throw new StoreError('store-write', `append failed: ${errorText(error)}`);
    }
  }

  /**
   * Every committed record, oldest first. Reads flash as it goes; holds one record at a time.
   * @throws StoreError 'store-read'
   */
  *records(): Generator<LogRecord> {
    for (const index of this.#sectorsOldestFirst()) {
      const end = this.#sectors[index].writeOffset;
      let offset = SECTOR_HEADER_BYTES;
      while (offset + RECORD_HEADER_BYTES <= end) {
        const slot = this.#readSlot(index, offset);
        if (slot.kind !== 'record') break;
        if (slot.committed && slot.crcOk) {
          const payload = this.#read(index * this.#flash.sectorSize + offset + RECORD_HEADER_BYTES, slot.length);
          yield { seq: slot.seq, type: slot.type, payload };
        }
        offset += recordFootprint(slot.length);
      }
    }
  }

  /** The newest committed record of `type`, if any. */
  latest(type: number): LogRecord | undefined {
    let found: LogRecord | undefined;
    for (const record of this.records()) if (record.type === type) found = record;
    return found;
  }

  // -------------------------------------------------------------------------------------

  #recover(count: number) {
    let maxSectorSeq = 0;
    const broken: number[] = [];
    for (let index = 0; index < count; index++) {
      const header = this.#read(index * this.#flash.sectorSize, SECTOR_HEADER_BYTES);
      const seq = this.#headerSeq(header);
      // A sector without a valid header is free; formatting always erases it first.
      this.#sectors.push({ seq, writeOffset: this.#flash.sectorSize });
      if (seq === 0) {
        if (!isErased(header) || !this.#sectorErased(index)) broken.push(index);
        continue;
      }
      this.#sectors[index].writeOffset = this.#scanSector(index);
      if (seq > maxSectorSeq) {
        maxSectorSeq = seq;
        this.#active = index;
      }
    }
    // Data under a broken header is corruption, except in the sector the log was rotating
    // into: there a power cut during its erase or format leaves exactly that.
    const rotatingInto = (this.#active + 1) % count;
    for (const index of broken) {
      if (index === rotatingInto) this.#recovery.tornRecords++;
      else this.#recovery.corruptSectors++;
    }
  }

  /** Walks one sector's records, counting what recovery finds; returns the append offset. */
  #scanSector(index: number): number {
    const size = this.#flash.sectorSize;
    let offset = SECTOR_HEADER_BYTES;
    while (offset + RECORD_HEADER_BYTES <= size) {
      const slot = this.#readSlot(index, offset);
      if (slot.kind === 'end') {
        if (this.#restErased(index, offset)) return offset;
        // Erased bytes, then data: a write that failed before reaching flash left a gap. The data
        // after it is unreachable to a scan; appends continue in the next sector.
        this.#recovery.tornRecords++;
        return size;
      }
      if (slot.kind === 'broken') {
        this.#recovery.tornRecords++;
        return size; // close the sector: appends continue in the next one
      }
      if (!slot.committed) this.#recovery.tornRecords++;
      else if (!slot.crcOk) this.#recovery.crcErrors++;
      else this.#recovery.records++;
      // A seq counts only where the CRC vouches for it (a record cut before its commit mark may
      // be whole): a header cut mid-seq holds half-written bytes.
      if (slot.crcOk && slot.seq >= this.#nextSeq) this.#nextSeq = slot.seq + 1;
      offset += recordFootprint(slot.length);
    }
    return size;
  }

  #readSlot(index: number, offset: number): Slot {
    const size = this.#flash.sectorSize;
    const base = index * size + offset;
    const header = this.#read(base, RECORD_HEADER_BYTES);
    if (isErased(header)) return { kind: 'end' };
    const length = u16(header, 0);
    if (length === 0 || (length ^ 0xffff) !== u16(header, 2) || offset + recordFootprint(length) > size) return { kind: 'broken' };
    const rest = this.#read(base + RECORD_HEADER_BYTES, length + RECORD_TRAILER_BYTES);
    const committed = COMMIT_MARK.every((b, i) => rest[length + 4 + i] === b);
    const crc = crc32(this.#table, rest.subarray(0, length), crc32(this.#table, header));
    return { kind: 'record', committed, crcOk: crc === u32(rest, length), seq: u32(header, 4), type: header[8], length };
  }

  #headerSeq(header: Uint8Array): number {
    if (!MAGIC.every((b, i) => header[i] === b) || header[4] !== VERSION) return 0;
    if (crc32(this.#table, header.subarray(0, 12)) !== u32(header, 12)) return 0;
    return u32(header, 8);
  }

  #sectorErased(index: number): boolean {
    return this.#restErased(index, 0);
  }

  /** True when the sector is erased from `from` to its end. */
  #restErased(index: number, from: number): boolean {
    const size = this.#flash.sectorSize;
    const chunk = 256;
    for (let offset = from; offset < size; offset += chunk)
      if (!isErased(this.#read(index * size + offset, Math.min(chunk, size - offset)))) return false;
    return true;
  }

  /** Moves to the next sector of the ring, erasing the oldest records it held. */
  #rotate() {
    const count = this.#sectors.length;
    const next = this.#active < 0 ? 0 : (this.#active + 1) % count;
    const seq = this.#sectors.reduce((max, s) => Math.max(max, s.seq), 0) + 1;
    const sector = this.#sectors[next];
    if (sector.seq > 0) this.#rotations++;
    // Until the new header is written the sector is unusable; if power dies here, recovery sees it as free.
    sector.seq = 0;
    sector.writeOffset = this.#flash.sectorSize;
    this.#flash.eraseSector(next);
    const header = new Uint8Array(SECTOR_HEADER_BYTES);
    header.set(MAGIC, 0);
    header[4] = VERSION;
    putU32(header, 8, seq);
    putU32(header, 12, crc32(this.#table, header.subarray(0, 12)));
    this.#flash.write(next * this.#flash.sectorSize, header);
    sector.seq = seq;
    sector.writeOffset = SECTOR_HEADER_BYTES;
    this.#active = next;
  }

  #sectorsOldestFirst(): number[] {
    return this.#sectors
      .map((s, index) => ({ seq: s.seq, index }))
      .filter((s) => s.seq > 0)
      .sort((a, b) => a.seq - b.seq)
      .map((s) => s.index);
  }

  #read(offset: number, length: number): Uint8Array {
    try {
      return this.#flash.read(offset, length);
    } catch (error) {
      throw new StoreError('store-read', `flash read at ${offset}+${length} failed: ${errorText(error)}`);
    }
  }
}
