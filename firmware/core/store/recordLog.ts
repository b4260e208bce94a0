/**
 * The record log: a journal over a NOR-flash region (a ring of sectors) that survives a power
 * cut at any byte. Byte layout: ./layout.ts.
 *
 * Two kinds of records:
 * - ring records (events, self-test reports) age out when the ring comes round;
 * - durable records (working keys, counters, journals) are keyed (1..0xFFFF): the latest
 *   version of each live key is never lost. Before rotation erases a sector, the live durable
 *   records it holds are written again in the active sector (carried forward), then an
 *   erase-intent record names the sector, then it is erased and formatted. A delete is itself a
 *   record (a tombstone), so a deleted record never comes back.
 *
 * An append writes header + payload + CRC, then the commit mark, and returns only after both.
 *
 * Capacity (see `capacity()`). With N sectors of S bytes, a durable cap D and durable records
 * of at most F bytes of footprint, every sector keeps back a reserve for the rotation that will
 * erase the next one: the live durable bytes that sector holds, one erase-intent record (24 B),
 * and room for two more records of the larger of F and 24 B, which two power cuts during that
 * rotation may leave torn. At most R = D + 24 + 2 × max(F, 24); each sector offers the rest,
 * U = S − 16 − R, to appends. So:
 * - with every record of payload L (footprint f = 20 + L rounded up to 4), the newest
 *   (N − 1) × ⌊U / f⌋ × f bytes of records are always kept (`keptBytesFor(L)`);
 * - with any mix of sizes, the newest ⌊(N − 1) / 2⌋ × U bytes are (two neighbouring sectors
 *   hold more than U between them: the first record of the second did not fit in the first).
 * The live durable set is capped at D bytes of footprint: a put past it is refused
 * ('store-durable-full'), and nothing is lost.
 *
 * Recovery (`open`) keeps every intact record. Only the newest record of the newest sector can
 * be torn by a power cut; recovery clears its first 4 bytes (an abandoned slot) so that it never
 * later looks like damage. A half-erased sector named by the newest record's erase intent is a
 * power cut too: recovery finishes the erase. Anything else damaged (a bad length pair, commit
 * mark, CRC or sector header) is corruption: counted with where it was, and read past.
 */
import type { FlashRegionPort } from '../ports';
import { crc32Table } from './crc32';
import { deepFreeze } from '../freeze';
import { errorText } from '../errorText';
import {
  encodeRecordBody, encodeSectorHeader, isErased, recordFootprint, sectorHeaderSeq, putU32, u32,
  INTENT_PAYLOAD_BYTES, RECORD_HEADER_BYTES, RecordKind, SECTOR_HEADER_BYTES, type RecordHeader,
} from './layout';
import { intactRecordAt, sectorBodyErased, walkSector, type FlashReader } from './sectorWalk';

export { recordFootprint, SECTOR_HEADER_BYTES, RECORD_HEADER_BYTES } from './layout';

/** Smallest sector the layout makes sense on. */
const MIN_SECTOR_BYTES = 256;
const INTENT_FOOTPRINT = recordFootprint(INTENT_PAYLOAD_BYTES);
/** Durable records are small (key sets, counters, journal entries); their size bounds the rotation reserve. */
const DEFAULT_MAX_DURABLE_PAYLOAD = 236;
/** Sectors this large or larger get the larger default durable cap (see `durableCapFor`). */
const LARGE_SECTOR_BYTES = 4096;
/** Footprints of issue 10's durable records at their bounds: the update's state (200 B payload) and the reset history (42 B). */
const ISSUE_10_DURABLE_BYTES = 220 + 64;

/**
 * The default cap on the live durable set for sectors of `sectorSize` bytes: a quarter of a sector
 * (1,020 B of 4,096: issues 7 to 9, whose worst-case durable set was 1,000 B) and, on sectors of
 * 4 KiB and more, the footprints of issue 10's update and reset records at their bounds (284 B):
 * 1,304 B. Not more: every byte of cap is a byte less for each ring record (maxPayload =
 * S − 16 − (cap + 24 + 2 × 256) − 20: 2,220 B on 4 KiB, where a self-test report takes about
 * 2,100 B and must stay one record). Smaller sectors keep a quarter (tests and small scenarios).
 * The cap is no part of the layout in flash: recovery, carrying forward and the rotation reserve
 * read the live durable set itself, so a log written under the older cap opens, rotates and keeps
 * every record under this one (tests/store/durableCapUpgrade.test.ts). An image before this cap
 * booted on a log whose durable set grew past 1,020 B would refuse its durable puts
 * ('store-durable-full'): the update flow never goes back that far (its rollback target is the
 * image that installed the update).
 */
export function durableCapFor(sectorSize: number): number {
  const quarter = Math.floor((sectorSize - SECTOR_HEADER_BYTES) / 16) * 4;
  return sectorSize >= LARGE_SECTOR_BYTES ? quarter + ISSUE_10_DURABLE_BYTES : quarter;
}
const MAX_KEY = 0xffff;
/** Places of corruption kept for the report. */
const CORRUPTION_PLACES = 8;

/** What a record holds. Values are stored in flash: never renumber. */
export const RecordType = deepFreeze({
  event: 1,
  selfTestReport: 2,
  /** Written and read back by the flash probe. */
  scratch: 3,
  /** The working keys as the host sent them (wrapped under the master key), with check values. Durable. */
  keySet: 4,
  /** The acquirer link's counters: STAN, batch number, last sign-on. Durable. */
  hostState: 5,
  /** The transaction in flight or its pending reversal, with the batch's running totals. Durable. */
  journal: 6,
  /** Offline advices waiting to be sent (store-and-forward). Durable. */
  advices: 7,
  /**
   * One completed transaction: the durable lastTransaction record, put once per answered sale; its
   * older versions still in flash are what the batch upload after a totals mismatch reads.
   */
  transaction: 8,
  /** The recent diagnosis evidence (diagnosis/history.ts: at most 100 bytes). Durable. */
  evidence: 9,
  /** The firmware update's progress and outcome, and the anti-rollback floor (update/updateState.ts). Durable. */
  update: 10,
  /** Reset reasons counted and the recent crashes' times (runtime/resetHistory.ts). Durable. */
  resets: 11,
} as const);
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** Keys of durable records. Stored in flash: never renumber. */
export const DurableKey = deepFreeze({
  keySet: 1,
  hostState: 2,
  journal: 3,
  advices: 4,
  /** The last answered sale (its "done"): outlives the ring, so a sale pending in the journal is never taken for unanswered. */
  lastTransaction: 5,
  /** The recent diagnosis evidence: survives a reboot, since a crash may be the cause. */
  evidence: 6,
  /** The firmware update's state: survives the reboots an update is made of. */
  update: 7,
  /** The reset and crash history: the safe mode counts crashes across reboots. */
  resets: 8,
} as const);

export type StoreErrorCode = 'store-geometry' | 'store-record-size' | 'store-write' | 'store-read' | 'store-durable-full' | 'store-full';

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

export interface DurableRecord extends LogRecord {
  key: number;
}

export interface RecoveryReport {
  /** Intact records found. */
  records: number;
  /** The newest record, cut by power before its commit mark: dropped (a warning). */
  tornRecords: number;
  /** A rotation's erase cut by power: finished at recovery (a warning). */
  interruptedErases: number;
  /** Damaged records anywhere else (length pair, commit mark, CRC, padding): corruption, read past. */
  corruptRecords: number;
  /** Sectors whose header is damaged (their intact records are still read): corruption. */
  corruptSectors: number;
  /** Where corruption was found (the first few). */
  corruption: { sector: number; offset: number }[];
}

export interface LogCapacity {
  sectors: number;
  sectorSize: number;
  /** Largest payload of a ring record. */
  maxPayload: number;
  /** Largest payload of a durable record. */
  maxDurablePayload: number;
  /** Cap on the live durable set, bytes of flash footprint. */
  durableCapBytes: number;
  /** Newest bytes of records always kept, whatever their sizes. */
  guaranteedBytes: number;
  /** Newest bytes of records always kept when every record has a payload of `payloadLength` bytes. */
  keptBytesFor(payloadLength: number): number;
}

export interface RecordLogOptions {
  /** Cap on the live durable set in bytes of footprint (default `durableCapFor(sectorSize)`: 1,304 B on 4 KiB sectors). */
  durableCapBytes?: number;
  /** Largest durable payload (default 236 bytes, a 256-byte footprint). */
  maxDurablePayload?: number;
}

interface SectorState {
  /** Sector seq from a valid header; 0 when the header is erased or damaged. */
  headerSeq: number;
  /** Header neither valid nor erased. */
  headerDamaged: boolean;
  /** Seq of its first and last intact records (0: none). */
  firstSeq: number;
  lastSeq: number;
  /** Where the next record goes. */
  end: number;
  /** Damaged bytes in the free space after `end` (found at recovery): records go around them. */
  junk?: { from: number; to: number };
}

interface DurableEntry {
  seq: number;
  type: number;
  sector: number;
  offset: number;
  length: number;
}

export class RecordLog {
  readonly #flash: FlashRegionPort;
  readonly #reader: FlashReader;
  readonly #sectors: SectorState[] = [];
  readonly #durable = new Map<number, DurableEntry>();
  readonly #recovery: RecoveryReport = { records: 0, tornRecords: 0, interruptedErases: 0, corruptRecords: 0, corruptSectors: 0, corruption: [] };
  readonly #durableCap: number;
  readonly #maxDurablePayload: number;
  /** Bytes of each sector open to appends at the least (S − 16 − the largest reserve). */
  readonly #usable: number;
  /** The largest record a rotation writes: a durable record or the erase intent. */
  readonly #largest: number;
  #active = -1;
  #nextSeq = 1;
  #rotations = 0;
  #durableRefusals = 0;

  private constructor(flash: FlashRegionPort, options: RecordLogOptions) {
    this.#flash = flash;
    const size = flash.sectorSize;
    const count = flash.byteLength / size;
    const geometry = (why: string) => new StoreError('store-geometry', `flash region of ${flash.byteLength} bytes in sectors of ${size}: ${why}`);
    if (!Number.isInteger(count) || count < 2 || size < MIN_SECTOR_BYTES || size % 4) throw geometry(`needs ≥ 2 sectors of ≥ ${MIN_SECTOR_BYTES} bytes`);
    const cap = options.durableCapBytes ?? durableCapFor(size);
    const maxDurable = Math.min(options.maxDurablePayload ?? DEFAULT_MAX_DURABLE_PAYLOAD, cap - recordFootprint(0));
    if (!Number.isInteger(cap) || cap < 0 || cap % 4 || !Number.isInteger(maxDurable)) throw geometry(`durable cap ${cap} is not a whole number of 4-byte words`);
    this.#durableCap = cap;
    this.#maxDurablePayload = Math.max(0, maxDurable);
    const largest = Math.max(maxDurable > 0 ? recordFootprint(maxDurable) : 0, INTENT_FOOTPRINT);
    this.#largest = largest;
    this.#usable = size - SECTOR_HEADER_BYTES - (cap + INTENT_FOOTPRINT + 2 * largest);
    if (this.#usable < recordFootprint(1)) throw geometry(`a durable cap of ${cap} bytes leaves no room for records`);
    const table = crc32Table();
    this.#reader = { sectorSize: size, table, read: (offset, length) => this.#read(offset, length) };
    this.#recover(count);
  }

  /**
   * Opens the log on `flash`, recovering whatever a previous run left there. Recovery may write:
   * it clears a torn record and finishes an interrupted erase.
   * @throws StoreError 'store-geometry' when the region cannot hold a log; 'store-read' | 'store-write' when flash fails
   */
  static open(flash: FlashRegionPort, options: RecordLogOptions = {}): RecordLog {
    return new RecordLog(flash, options);
  }

  /** What recovery found when the log was opened (and any damage met since, carrying records forward). */
  get recovery(): Readonly<RecoveryReport> {
    return this.#recovery;
  }

  capacity(): LogCapacity {
    const n = this.#sectors.length;
    const usable = this.#usable;
    return {
      sectors: n,
      sectorSize: this.#flash.sectorSize,
      maxPayload: Math.min(0xfffe, usable - recordFootprint(0)),
      maxDurablePayload: this.#maxDurablePayload,
      durableCapBytes: this.#durableCap,
      guaranteedBytes: Math.floor((n - 1) / 2) * usable,
      keptBytesFor(payloadLength: number) {
        const f = recordFootprint(payloadLength);
        return (n - 1) * Math.floor(usable / f) * f;
      },
    };
  }

  /** Sectors erased and reused since the log was opened. */
  get rotations(): number {
    return this.#rotations;
  }

  /** The seq the next append will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Flash footprint of the live durable set. */
  get durableBytes(): number {
    let total = 0;
    this.#durable.forEach((e) => (total += recordFootprint(e.length)));
    return total;
  }

  /** Durable puts refused since open because the set was at its cap (the flash probe fails on any). */
  get durableRefusals(): number {
    return this.#durableRefusals;
  }

  /**
   * Appends a ring record and returns its seq once it is committed in flash.
   * @throws StoreError 'store-record-size', 'store-write' (not committed; recovery drops what reached flash),
   *   'store-full' (a rotation could not carry the durable set forward: nothing erased)
   */
  append(type: number, payload: Uint8Array): number {
    this.#checkType(type);
    const { maxPayload } = this.capacity();
    if (payload.length < 1 || payload.length > maxPayload)
      throw new StoreError('store-record-size', `record payload of ${payload.length} bytes (allowed 1..${maxPayload})`);
    return this.#append(RecordKind.ring, 0, type, payload);
  }

  /**
   * Writes the newest version of durable record `key`.
   * @throws StoreError 'store-durable-full' (the live set would pass its cap; nothing written), and as append
   */
  put(key: number, type: number, payload: Uint8Array): number {
    this.#checkKey(key);
    this.#checkType(type);
    if (payload.length < 1 || payload.length > this.#maxDurablePayload)
      throw new StoreError('store-record-size', `durable payload of ${payload.length} bytes (allowed 1..${this.#maxDurablePayload})`);
    const old = this.#durable.get(key);
    const after = this.durableBytes - (old ? recordFootprint(old.length) : 0) + recordFootprint(payload.length);
    if (after > this.#durableCap) {
      this.#durableRefusals++;
      throw new StoreError('store-durable-full', `durable record ${key} would take the durable set to ${after} bytes (cap ${this.#durableCap})`);
    }
    return this.#append(RecordKind.put, key, type, payload);
  }

  /** Deletes durable record `key` (a tombstone); undefined when it is not live (nothing written). @throws StoreError as append */
  remove(key: number): number | undefined {
    this.#checkKey(key);
    const old = this.#durable.get(key);
    if (!old) return undefined;
    return this.#append(RecordKind.remove, key, old.type, Uint8Array.of(0));
  }

  /** The live version of durable record `key`. @throws StoreError 'store-read' */
  get(key: number): DurableRecord | undefined {
    const entry = this.#durable.get(key);
    if (!entry) return undefined;
    const payload = this.#read(entry.sector * this.#flash.sectorSize + entry.offset + RECORD_HEADER_BYTES, entry.length);
    return { key, seq: entry.seq, type: entry.type, payload };
  }

  /** Live durable keys, ascending. */
  durableKeys(): number[] {
    return [...this.#durable.keys()].sort((a, b) => a - b);
  }

  /**
   * Every intact ring record, oldest first. Reads flash as it goes; holds one record at a time.
   * @throws StoreError 'store-read'
   */
  *records(): Generator<LogRecord> {
    for (const { header, payload } of this.#intact((h) => h.kind === RecordKind.ring)) yield { seq: header.seq, type: header.type, payload };
  }

  /**
   * Every intact version of durable record `key` still in flash (puts, carried copies included),
   * oldest first; older versions age out with the ring. @throws StoreError 'store-read'
   */
  *versions(key: number): Generator<DurableRecord> {
    for (const { header, payload } of this.#intact((h) => h.kind === RecordKind.put && h.key === key)) yield { key, seq: header.seq, type: header.type, payload };
  }

  /** Intact records that `keep` accepts, oldest first, read one at a time. */
  *#intact(keep: (header: RecordHeader) => boolean): Generator<{ header: RecordHeader; payload: Uint8Array }> {
    const size = this.#flash.sectorSize;
    for (const index of this.#sectorsOldestFirst())
      for (const item of walkSector(this.#reader, index)) {
        if (item.kind !== 'record' || !keep(item.header)) continue;
        yield { header: item.header, payload: this.#read(index * size + item.offset + RECORD_HEADER_BYTES, item.header.length) };
      }
  }

  /** The newest ring record of `type`, if any. */
  latest(type: number): LogRecord | undefined {
    let found: LogRecord | undefined;
    for (const record of this.records()) if (record.type === type) found = record;
    return found;
  }

  // -------------------------------------------------------------------------------------

  #checkType(type: number) {
    if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new StoreError('store-record-size', `record type ${type} is not a byte`);
  }

  #checkKey(key: number) {
    if (!Number.isInteger(key) || key < 1 || key > MAX_KEY) throw new StoreError('store-record-size', `durable key ${key} is not 1..${MAX_KEY}`);
  }

  /** What carrying `sector`'s live durable records forward needs (checked on every append: no allocation). */
  #carryOf(sector: number): { bytes: number; reserve: number } {
    let bytes = 0;
    let largest = INTENT_FOOTPRINT;
    this.#durable.forEach((e) => {
      if (e.sector !== sector) return;
      const f = recordFootprint(e.length);
      bytes += f;
      if (f > largest) largest = f;
    });
    return { bytes, reserve: bytes + INTENT_FOOTPRINT + 2 * largest };
  }

  /** Keys of the live durable records `sector` holds, oldest first (at rotation only). */
  #liveIn(sector: number): number[] {
    const keys: number[] = [];
    this.#durable.forEach((e, key) => e.sector === sector && keys.push(key));
    return keys.sort((a, b) => this.#durable.get(a)!.seq - this.#durable.get(b)!.seq);
  }

  #append(kind: RecordKind, key: number, type: number, payload: Uint8Array): number {
    const footprint = recordFootprint(payload.length);
    if (this.#active < 0) this.#rotate();
    else {
      const next = (this.#active + 1) % this.#sectors.length;
      if (!this.#fits(footprint, this.#carryOf(next).reserve)) this.#rotate();
    }
    return this.#write(kind, key, type, payload);
  }

  /** Where a record of `footprint` bytes goes in the active sector: its end, or past damage in the free space. */
  #place(footprint: number): number {
    const { end, junk } = this.#sectors[this.#active];
    return junk && end < junk.to && end + footprint > junk.from ? junk.to : end;
  }

  /** Can the active sector take a record of `footprint` bytes and still keep `reserve` bytes for the next rotation? */
  #fits(footprint: number, reserve: number): boolean {
    const size = this.#flash.sectorSize;
    const { junk } = this.#sectors[this.#active];
    const after = this.#place(footprint) + footprint;
    if (after > size) return false;
    // Free space split by damage: the reserve's records cannot straddle it; count one record less.
    const left = junk && after <= junk.from ? junk.from - after + size - junk.to - Math.min(reserve, this.#largest) : size - after;
    return left >= reserve;
  }

  /** Writes one record at the active sector's end (past damage in its free space). */
  #write(kind: RecordKind, key: number, type: number, payload: Uint8Array): number {
    const index = this.#active;
    const sector = this.#sectors[index];
    const size = this.#flash.sectorSize;
    const footprint = recordFootprint(payload.length);
    const offset = this.#place(footprint);
    if (offset + footprint > size) throw new StoreError('store-full', `sector ${index} has no room for a ${footprint}-byte record`);
    const base = index * size + offset;
    const seq = this.#nextSeq;
    const body = encodeRecordBody(this.#reader.table, { seq, type, kind, key }, payload);
    // From here on the slot is used, whatever happens.
    sector.end = offset + footprint;
    try {
      this.#flash.write(base, body);
      this.#flash.write(base + body.length, Uint8Array.of(0x43, 0x4d, 0x49, 0x54));
    } catch (error) {
      // Mark the half-written record abandoned, so that it never reads as damage hiding later
      // records; if even that fails the flash is failing, and the flash probe will say so.
      try {
        this.#flash.write(base + 2, new Uint8Array(2));
      } catch {
        // nothing more to do here
      }
      throw new StoreError('store-write', `append failed: ${errorText(error)}`);
    }
    this.#nextSeq = seq + 1;
    if (!sector.firstSeq) sector.firstSeq = seq;
    sector.lastSeq = seq;
    if (kind === RecordKind.put) this.#durable.set(key, { seq, type, sector: index, offset, length: payload.length });
    else if (kind === RecordKind.remove) this.#durable.delete(key);
    return seq;
  }

  /** Moves to the next sector of the ring: carries its live durable records forward, records the intent, erases, formats. */
  #rotate() {
    const count = this.#sectors.length;
    const next = this.#active < 0 ? 0 : (this.#active + 1) % count;
    const target = this.#sectors[next];
    if (this.#active >= 0) {
      const carry = this.#carryOf(next);
      if (!this.#fits(carry.bytes + INTENT_FOOTPRINT, 0))
        throw new StoreError('store-full', `rotation needs ${carry.bytes + INTENT_FOOTPRINT} bytes in sector ${this.#active} to carry sector ${next}'s durable records forward`);
      for (const key of this.#liveIn(next)) this.#carry(key);
      const intent = new Uint8Array(INTENT_PAYLOAD_BYTES);
      putU32(intent, 0, target.headerSeq);
      this.#write(RecordKind.eraseIntent, next, 0, intent);
    }
    if (target.headerSeq > 0) this.#rotations++;
    const seq = this.#sectors.reduce((max, s) => Math.max(max, s.headerSeq), 0) + 1;
    // Until its new header is written the sector holds nothing: a power cut here is finished by recovery.
    this.#sectors[next] = { headerSeq: 0, headerDamaged: false, firstSeq: 0, lastSeq: 0, end: this.#flash.sectorSize };
    this.#erase(next);
    this.#flashWrite(next * this.#flash.sectorSize, encodeSectorHeader(this.#reader.table, seq));
    this.#sectors[next] = { headerSeq: seq, headerDamaged: false, firstSeq: 0, lastSeq: 0, end: SECTOR_HEADER_BYTES };
    this.#active = next;
  }

  /** Writes durable record `key` again in the active sector, checked against its CRC first. */
  #carry(key: number) {
    const entry = this.#durable.get(key)!;
    const header = intactRecordAt(this.#reader, entry.sector, entry.offset);
    if (header && header.kind === RecordKind.put && header.key === key) {
      const payload = this.#read(entry.sector * this.#flash.sectorSize + entry.offset + RECORD_HEADER_BYTES, entry.length);
      this.#write(RecordKind.put, key, entry.type, payload);
      return;
    }
    // The copy in flash went bad since it was written: nothing sound to carry.
    this.#durable.delete(key);
    this.#noteCorruption(entry.sector, entry.offset);
    this.#recovery.corruptRecords++;
  }

  #noteCorruption(sector: number, offset: number) {
    if (this.#recovery.corruption.length < CORRUPTION_PLACES) this.#recovery.corruption.push({ sector, offset });
  }

  // -------------------------------------------------------------------------------------
  // Recovery

  #recover(count: number) {
    const size = this.#flash.sectorSize;
    let validSectors = 0;
    for (let index = 0; index < count; index++) {
      const header = this.#read(index * size, SECTOR_HEADER_BYTES);
      const headerSeq = sectorHeaderSeq(this.#reader.table, header);
      if (headerSeq) validSectors++;
      this.#sectors.push({ headerSeq, headerDamaged: !headerSeq && !isErased(header), firstSeq: 0, lastSeq: 0, end: size });
    }
    // Sectors hold runs of seqs that never interleave: walking them in the order of their first
    // record applies every durable put and delete in the order it was written.
    const order: { index: number; first: number }[] = [];
    const bare: number[] = [];
    for (let index = 0; index < count; index++) {
      const s = this.#sectors[index];
      if (!s.headerSeq && !s.headerDamaged && sectorBodyErased(this.#reader, index)) continue; // free
      const first = this.#firstSeq(index);
      if (first) order.push({ index, first });
      else bare.push(index);
    }
    order.sort((a, b) => a.first - b.first);
    const walked = [...order.map((o) => o.index), ...bare].map((index) => this.#recoverSector(index));

    // The active sector: the newest header, unless the newest records sit under a damaged header.
    let newestHeader = -1;
    let newestRecords = -1;
    this.#sectors.forEach((s, i) => {
      if (s.headerSeq && (newestHeader < 0 || s.headerSeq > this.#sectors[newestHeader].headerSeq)) newestHeader = i;
      if (s.lastSeq && (newestRecords < 0 || s.lastSeq > this.#sectors[newestRecords].lastSeq)) newestRecords = i;
    });
    this.#active = newestRecords >= 0 && !this.#sectors[newestRecords].headerSeq ? newestRecords : newestHeader >= 0 ? newestHeader : newestRecords;

    const pending = this.#pendingErase(walked);
    for (const w of walked) {
      if (w.index === pending) continue;
      this.#recovery.records += w.records;
      const s = this.#sectors[w.index];
      if (s.headerDamaged && (w.records > 0 || validSectors > 0)) {
        this.#recovery.corruptSectors++;
        this.#noteCorruption(w.index, 0);
      }
      for (const d of w.damage) {
        if (w.index === this.#active && d.offset === w.tornTail) continue;
        this.#recovery.corruptRecords++;
        this.#noteCorruption(w.index, d.offset);
      }
    }
    const active = walked.find((w) => w.index === this.#active);
    if (active && active.tornTail >= 0) {
      this.#recovery.tornRecords++;
      // Clear the torn record's ~length: an abandoned slot, so that it never reads as damage later.
      this.#flashWrite(this.#active * size + active.tornTail + 2, new Uint8Array(2));
    }
    if (pending >= 0) this.#finishRotation(pending);
  }

  /**
   * Finishes the rotation a power cut interrupted after its erase intent: erases the sector (unless
   * that already happened), formats it and goes on in it. Retried by the next append instead, it
   * would take another intent from the active sector's reserve at every interrupted boot.
   */
  #finishRotation(sector: number) {
    const size = this.#flash.sectorSize;
    const target = this.#sectors[sector];
    const erased = !target.headerSeq && !target.headerDamaged && sectorBodyErased(this.#reader, sector);
    // Every live durable record it held was carried forward before the intent was written.
    this.#durable.forEach((e, key) => e.sector === sector && this.#durable.delete(key));
    this.#sectors[sector] = { headerSeq: 0, headerDamaged: false, firstSeq: 0, lastSeq: 0, end: size };
    if (!erased) {
      this.#recovery.interruptedErases++;
      this.#erase(sector);
    }
    const seq = this.#sectors.reduce((max, s) => Math.max(max, s.headerSeq), 0) + 1;
    this.#flashWrite(sector * size, encodeSectorHeader(this.#reader.table, seq));
    this.#sectors[sector] = { headerSeq: seq, headerDamaged: false, firstSeq: 0, lastSeq: 0, end: SECTOR_HEADER_BYTES };
    this.#active = sector;
  }

  /** Seq of the first intact record of a sector (0: none). */
  #firstSeq(index: number): number {
    for (const item of walkSector(this.#reader, index)) {
      if (item.kind === 'record') return item.header.seq;
      if (item.kind === 'end') break;
    }
    return 0;
  }

  /** Walks one sector at recovery: applies its durable records, counts what it finds. */
  #recoverSector(index: number) {
    const size = this.#flash.sectorSize;
    const sector = this.#sectors[index];
    const found = { index, records: 0, damage: [] as { offset: number }[], tornTail: -1, intent: undefined as { sector: number; seq: number } | undefined };
    for (const item of walkSector(this.#reader, index)) {
      if (item.kind === 'end') {
        sector.end = item.offset;
        sector.junk = item.junk;
      }
      else if (item.kind === 'damaged') {
        found.damage.push({ offset: item.offset });
        if (item.torn) found.tornTail = item.offset;
      } else if (item.kind === 'record') {
        const h = item.header;
        found.records++;
        if (item.paddingDamaged) found.damage.push({ offset: item.offset });
        if (!sector.firstSeq) sector.firstSeq = h.seq;
        sector.lastSeq = h.seq;
        if (h.seq >= this.#nextSeq) this.#nextSeq = h.seq + 1;
        found.intent = undefined;
        if (h.kind === RecordKind.put) this.#durable.set(h.key, { seq: h.seq, type: h.type, sector: index, offset: item.offset, length: h.length });
        else if (h.kind === RecordKind.remove) this.#durable.delete(h.key);
        else if (h.kind === RecordKind.eraseIntent && h.length === INTENT_PAYLOAD_BYTES)
          found.intent = { sector: h.key, seq: u32(this.#read(index * size + item.offset + RECORD_HEADER_BYTES, INTENT_PAYLOAD_BYTES), 0) };
      }
    }
    return found;
  }

  /** The sector a cut rotation was erasing or formatting, if the newest record says one was and it is not yet formatted anew. */
  #pendingErase(walked: { index: number; intent?: { sector: number; seq: number } }[]): number {
    const intent = walked.find((w) => w.index === this.#active)?.intent;
    if (!intent || intent.sector === this.#active || intent.sector >= this.#sectors.length) return -1;
    const target = this.#sectors[intent.sector];
    if (target.headerSeq && target.headerSeq !== intent.seq) return -1; // formatted anew: the rotation finished
    return intent.sector;
  }

  #sectorsOldestFirst(): number[] {
    return this.#sectors
      .map((s, index) => ({ first: s.firstSeq, index }))
      .filter((s) => s.first > 0)
      .sort((a, b) => a.first - b.first)
      .map((s) => s.index);
  }

  #erase(sector: number) {
    try {
      this.#flash.eraseSector(sector);
    } catch (error) {
      throw new StoreError('store-write', `erase of sector ${sector} failed: ${errorText(error)}`);
    }
  }

  #flashWrite(offset: number, bytes: Uint8Array) {
    try {
      this.#flash.write(offset, bytes);
    } catch (error) {
      throw new StoreError('store-write', `flash write at ${offset} failed: ${errorText(error)}`);
    }
  }

  #read(offset: number, length: number): Uint8Array {
    try {
      return this.#flash.read(offset, length);
    } catch (error) {
      throw new StoreError('store-read', `flash read at ${offset}+${length} failed: ${errorText(error)}`);
    }
  }
}
