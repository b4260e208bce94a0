/**
 * The acquirer link's durable state, as records of the record log:
 *
 * - hostState (durable): the STAN reservation, the batch number, the last sign-on.
 * - journal (durable): the batch's running totals, the highest STAN a sale used, and at most one
 *   sale record: the sale in flight ("pending", written BEFORE its 0200 leaves) or its pending
 *   reversal (reason, attempts). Never a PIN block.
 * - advices (durable): the store-and-forward queue: offline advices, and reversals that used
 *   their resends (sent again at settlement), capped by the size of one durable record.
 * - lastTransaction (durable, type transaction): the last answered sale (approved or not). Its
 *   older versions, still in flash until the ring comes round, are the batch upload's records.
 *
 * A sale costs at most two appends: the journal put before the 0200 leaves, then either the
 * lastTransaction put (the host answered) or a journal put (nothing left: the pending sale
 * dropped; no answer or a bad one: it becomes a reversal). lastTransaction is the sale's "done":
 * at boot, a pending sale that lastTransaction names (STAN and batch) was answered; one it does
 * not name was not (or its answer was lost with the power), and becomes a reversal (reason 98).
 * The "done" is durable, not a ring record, because the journal keeps naming the answered sale
 * as pending until its next put: events in between may rotate the ring past a ring record, and
 * the boot would then reverse a sale the terminal reported approved. Rotation carries the live
 * version forward, so the newest "done" is never lost.
 *
 * The durable set (cap: 1,304 B on 4 KiB sectors, store/recordLog.ts durableCapFor) holds keySet (≤ 240 B
 * of footprint: three tdes2 keys), hostState (~48 B), journal and advices (each ≤ one durable
 * payload, 256 B of footprint; the advices queue refuses an item past it, `#fits`) and
 * lastTransaction (≤ 80 B): at most ~880 B (with issue 10's update and reset records and the
 * evidence history, ≤ 1,284 B). tests/host/journalDurableSizes.test.ts fills each
 * to its largest and checks the sum against the cap.
 *
 * STAN (field 11, 1..999999, wrapping): a sale's STAN is made durable by its pending put; other
 * messages take STANs from a block reserved ahead in hostState (16 at a time), so a STAN is never
 * used twice, across reboots too (gaps are allowed). Counted as a serial that only grows.
 *
 * The PAN and track 2 are in these records and nowhere else: never traced, never shown.
 */
import { DurableKey, RecordType, type RecordLog } from '../store/recordLog';
import type { CborCodec } from '../store/cbor';
import { CborWriter } from '../store/cborWriter';
import { pad, type SaleRecord, type SaleTotals, type UploadRecord } from './messages';

const STAN_MAX = 999999;
/** STANs reserved ahead for messages other than sales. */
const STAN_BLOCK = 16;
/** Sends of a reversal before it waits for settlement: the first and 3 resends. */
export const REVERSAL_SENDS = 4;

export interface QueuedItem {
  kind: 'reversal' | 'advice';
  sale: SaleRecord;
  /** Reversal reason ('' for an advice). */
  reason: string;
  attempts: number;
}

export interface PendingReversal {
  sale: SaleRecord;
  reason: string;
  attempts: number;
}

type Stored = Record<string, unknown>;

const stanOf = (serial: number): string => pad(((serial - 1) % STAN_MAX) + 1, 6);
const num = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function encodeSale(s: SaleRecord): Stored {
  const out: Stored = { s: s.stan, a: s.amountMinor, e: s.entryMode, f: s.field60, c: s.ic ? 1 : 0 };
  if (s.pan !== undefined) out.p = s.pan;
  if (s.track2 !== undefined) out.t = s.track2;
  if (s.paymentCode !== undefined) out.g = s.paymentCode;
  if (s.expiry !== undefined) out.x = s.expiry;
  if (s.cardSeq !== undefined) out.q = s.cardSeq;
  if (s.icc !== undefined) out.i = s.icc;
  return out;
}

/**
 * The map `encodeSale` makes, written straight into `w` (the bytes the codec writes for it),
 * with `extra` more pairs for the caller to add. The sale path's records are written this way:
 * no object per put, no cbor-x (issue 7, item 11).
 */
function writeSale(w: CborWriter, s: SaleRecord, extra: number): CborWriter {
  const pairs = 5 + extra + (s.pan !== undefined ? 1 : 0) + (s.track2 !== undefined ? 1 : 0) + (s.paymentCode !== undefined ? 1 : 0) + (s.expiry !== undefined ? 1 : 0) + (s.cardSeq !== undefined ? 1 : 0) + (s.icc !== undefined ? 1 : 0);
  w.map(pairs).text('s').text(s.stan).text('a').uint(s.amountMinor).text('e').text(s.entryMode).text('f').text(s.field60).text('c').uint(s.ic ? 1 : 0);
  if (s.pan !== undefined) w.text('p').text(s.pan);
  if (s.track2 !== undefined) w.text('t').text(s.track2);
  if (s.paymentCode !== undefined) w.text('g').text(s.paymentCode);
  if (s.expiry !== undefined) w.text('x').text(s.expiry);
  if (s.cardSeq !== undefined) w.text('q').text(s.cardSeq);
  if (s.icc !== undefined) w.text('i').bytes(s.icc);
  return w;
}

function decodeSale(v: unknown): SaleRecord | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Stored;
  const stan = text(r.s);
  const entryMode = text(r.e);
  const field60 = text(r.f);
  if (!stan || !entryMode || !field60) return undefined;
  const sale: SaleRecord = { stan, amountMinor: num(r.a), entryMode, field60, ic: r.c === 1 };
  if (text(r.p) !== undefined) sale.pan = text(r.p);
  if (text(r.t) !== undefined) sale.track2 = text(r.t);
  if (text(r.g) !== undefined) sale.paymentCode = text(r.g);
  if (text(r.x) !== undefined) sale.expiry = text(r.x);
  if (text(r.q) !== undefined) sale.cardSeq = text(r.q);
  if (r.i instanceof Uint8Array) sale.icc = r.i;
  return sale;
}

/** The PAN of a sale: keyed, or track 2 up to its separator. */
export const panOf = (s: SaleRecord): string => s.pan ?? (s.track2 ?? '').split('=')[0];

export class HostJournal {
  readonly #log: RecordLog | undefined;
  readonly #cbor: CborCodec;
  /** Highest STAN serial used. */
  #serial = 0;
  /** STAN serials up to this one are reserved in hostState. */
  #reserved = 0;
  #batch = 1;
  #signedOnWallMs = 0;
  #generation = 0;
  #signedOn = false;
  #totals: SaleTotals = { count: 0, amountMinor: 0 };
  #pending: SaleRecord | undefined;
  #reversal: PendingReversal | undefined;
  #queue: QueuedItem[] = [];

  constructor(log: RecordLog | undefined, cbor: CborCodec) {
    this.#log = log;
    this.#cbor = cbor;
  }

  get batch(): number {
    return this.#batch;
  }
  get totals(): Readonly<SaleTotals> {
    return this.#totals;
  }
  /** The last STAN used, as a number. */
  get stan(): number {
    return this.#serial === 0 ? 0 : ((this.#serial - 1) % STAN_MAX) + 1;
  }
  get pending(): SaleRecord | undefined {
    return this.#pending;
  }
  get reversal(): Readonly<PendingReversal> | undefined {
    return this.#reversal;
  }
  get queue(): readonly QueuedItem[] {
    return this.#queue;
  }
  get signedOn(): { signedOn: boolean; wallMs: number; generation: number } {
    return { signedOn: this.#signedOn, wallMs: this.#signedOnWallMs, generation: this.#generation };
  }

  #decode(payload: Uint8Array): Stored {
    const v = this.#cbor.decode(payload);
    return typeof v === 'object' && v !== null ? (v as Stored) : {};
  }

  /**
   * Reads the durable state at boot. A pending sale with no answer recorded becomes a reversal
   * (reason 98): the 0200 may have reached the host. Writes nothing.
   * @throws StoreError when flash cannot be read; CborError for a record this firmware did not write
   */
  restore(): void {
    const log = this.#log;
    if (!log) return;
    const state = log.get(DurableKey.hostState);
    if (state) {
      const s = this.#decode(state.payload);
      this.#reserved = num(s.s);
      this.#batch = num(s.b) || 1;
      this.#signedOnWallMs = num(s.w);
      this.#generation = num(s.g);
      this.#signedOn = s.o === 1;
    }
    this.#serial = this.#reserved;
    const journal = log.get(DurableKey.journal);
    if (journal) {
      const j = this.#decode(journal.payload);
      this.#serial = Math.max(this.#serial, num(j.s));
      // Totals of a batch settled since (the settlement moved hostState on) are dropped.
      if (num(j.b) === this.#batch) this.#totals = { count: num(j.n), amountMinor: num(j.m) };
      const r = j.r as Stored | undefined;
      const reversed = r ? decodeSale(r) : undefined;
      if (reversed) this.#reversal = { sale: reversed, reason: text(r?.r) ?? '06', attempts: num(r?.k) };
      const pending = decodeSale(j.p);
      if (pending) this.#resolve(pending);
    }
    const advices = log.get(DurableKey.advices);
    if (advices) {
      const list = this.#decode(advices.payload).q;
      if (Array.isArray(list))
        for (const item of list) {
          const sale = decodeSale(item);
          if (!sale) continue;
          const i = item as Stored;
          this.#queue.push({ kind: i.k === 'a' ? 'advice' : 'reversal', sale, reason: text(i.r) ?? '', attempts: num(i.n) });
        }
    }
    // A reversal moved to the queue, cut before the journal let it go: the queue's copy is the one.
    if (this.#reversal && this.#queue.some((q) => q.kind === 'reversal' && q.sale.stan === this.#reversal!.sale.stan)) this.#reversal = undefined;
  }

  /** A sale pending at boot: answered if lastTransaction names it (a STAN is never reused within a batch). */
  #resolve(pending: SaleRecord) {
    const done = this.#log!.get(DurableKey.lastTransaction);
    const t = done ? this.#decode(done.payload) : undefined;
    // The sale's own batch is in its field 60 (60.2); the batch may have been settled since.
    const batch = Number(pending.field60.slice(2, 8));
    if (t && t.s === pending.stan && num(t.b) === batch) {
      if (t.ok === 1 && batch === this.#batch) this.#count(pending.amountMinor);
      return;
    }
    this.#reversal = { sale: pending, reason: '98', attempts: 0 };
  }

  #count(amountMinor: number) {
    this.#totals = { count: this.#totals.count + 1, amountMinor: this.#totals.amountMinor + amountMinor };
  }

  #putState() {
    const w = new CborWriter(48).map(5).text('s').uint(this.#reserved).text('b').uint(this.#batch).text('w').uint(this.#signedOnWallMs);
    w.text('g').uint(this.#generation).text('o').uint(this.#signedOn ? 1 : 0);
    this.#log?.put(DurableKey.hostState, RecordType.hostState, w.finish());
  }

  /** The journal: { b, n, m, s, p?: sale, r?: sale + r (reason) + k (attempts) }. */
  #putJournal(pending: SaleRecord | undefined, reversal: PendingReversal | undefined) {
    if (!this.#log) return;
    const w = new CborWriter().map(4 + (pending ? 1 : 0) + (reversal ? 1 : 0));
    w.text('b').uint(this.#batch).text('n').uint(this.#totals.count).text('m').uint(this.#totals.amountMinor).text('s').uint(this.#serial);
    if (pending) writeSale(w.text('p'), pending, 0);
    if (reversal) writeSale(w.text('r'), reversal.sale, 2).text('r').text(reversal.reason).text('k').uint(reversal.attempts);
    this.#log.put(DurableKey.journal, RecordType.journal, w.finish());
  }

  #putQueue(queue: QueuedItem[]) {
    if (!this.#log) return;
    if (queue.length === 0) {
      this.#log.remove(DurableKey.advices);
      return;
    }
    const q = queue.map((item) => ({ ...encodeSale(item.sale), k: item.kind === 'advice' ? 'a' : 'r', r: item.reason, n: item.attempts }));
    this.#log.put(DurableKey.advices, RecordType.advices, this.#cbor.encode({ q }));
  }

  /** A STAN for a message other than a sale, reserved in hostState first when the block is used up. @throws StoreError */
  nextStan(): string {
    const serial = this.#serial + 1;
    if (serial > this.#reserved) {
      this.#reserved = serial + STAN_BLOCK - 1;
      this.#putState();
    }
    this.#serial = serial;
    return stanOf(serial);
  }

  /** The STAN the next sale will use (made durable by `beginSale`). */
  peekSaleStan(): string {
    return stanOf(this.#serial + 1);
  }

  /** Append 1 of a sale: the pending record, before the 0200 leaves. @throws StoreError (then nothing may be sent) */
  beginSale(sale: SaleRecord): void {
    const serial = this.#serial + 1;
    if (stanOf(serial) !== sale.stan) throw new RangeError(`sale STAN ${sale.stan} is not the next one`);
    this.#serial = serial;
    this.#putJournal(sale, this.#reversal);
    this.#pending = sale;
  }

  /** Append 2 when the host answered: the lastTransaction put (approved or not). @throws StoreError */
  completeSale(approved: boolean, code: string): void {
    const sale = this.#pending;
    if (!sale) return;
    const w = new CborWriter(64).map(6).text('b').uint(this.#batch).text('s').text(sale.stan).text('a').uint(sale.amountMinor);
    w.text('p').text(panOf(sale)).text('ok').uint(approved ? 1 : 0).text('c').text(code);
    this.#log?.put(DurableKey.lastTransaction, RecordType.transaction, w.finish());
    this.#pending = undefined;
    if (approved) this.#count(sale.amountMinor);
  }

  /** Append 2 when the 0200 never left: the pending sale is dropped. @throws StoreError */
  abandonSale(): void {
    this.#pending = undefined;
    this.#putJournal(undefined, this.#reversal);
  }

  /** Append 2 when the 0200 may have reached the host and no good answer came: it becomes a reversal. @throws StoreError */
  reverseSale(reason: string): void {
    const sale = this.#pending;
    if (!sale) return;
    const reversal = { sale, reason, attempts: 0 };
    this.#putJournal(undefined, reversal);
    this.#pending = undefined;
    this.#reversal = reversal;
  }

  /** Counts one more send of the pending reversal, durably, before it goes. @throws StoreError */
  reversalAttempt(): void {
    const r = this.#reversal;
    if (!r) return;
    const next = { ...r, attempts: r.attempts + 1 };
    this.#putJournal(undefined, next);
    this.#reversal = next;
  }

  /** The host answered the reversal: it is done. @throws StoreError */
  reversalDone(): void {
    this.#putJournal(undefined, undefined);
    this.#reversal = undefined;
  }

  /**
   * A reversal that used its sends moves to the store-and-forward queue (sent again at
   * settlement), freeing the journal for sales. False when the queue has no room: it stays.
   * @throws StoreError
   */
  parkReversal(maxPayload: number): boolean {
    const r = this.#reversal;
    if (!r) return true;
    const queue = [...this.#queue, { kind: 'reversal' as const, sale: r.sale, reason: r.reason, attempts: r.attempts }];
    if (!this.#fits(queue, maxPayload)) return false;
    this.#putQueue(queue);
    this.#queue = queue;
    this.reversalDone();
    return true;
  }

  #fits(queue: QueuedItem[], maxPayload: number): boolean {
    const q = queue.map((item) => ({ ...encodeSale(item.sale), k: 'a', r: item.reason, n: item.attempts + 1 }));
    return this.#cbor.encode({ q }).length <= maxPayload;
  }

  /** Queues an offline advice. False when the queue has no room. @throws StoreError */
  queueAdvice(sale: SaleRecord, maxPayload: number): boolean {
    const queue = [...this.#queue, { kind: 'advice' as const, sale, reason: '', attempts: 0 }];
    if (!this.#fits(queue, maxPayload)) return false;
    this.#putQueue(queue);
    this.#queue = queue;
    return true;
  }

  /** Counts a send of queue item `index` before it goes. @throws StoreError */
  queueAttempt(index: number): void {
    const queue = this.#queue.map((item, i) => (i === index ? { ...item, attempts: item.attempts + 1 } : item));
    this.#putQueue(queue);
    this.#queue = queue;
  }

  /** The host answered queue item `index`: it leaves the queue. @throws StoreError */
  queueDone(index: number): void {
    const queue = this.#queue.filter((_, i) => i !== index);
    this.#putQueue(queue);
    this.#queue = queue;
  }

  /** A sign-on succeeded (keys of `generation`), or a sign-off. @throws StoreError */
  recordSignOn(signedOn: boolean, wallMs: number, generation: number, batch?: number): void {
    this.#signedOn = signedOn;
    if (signedOn) {
      this.#signedOnWallMs = wallMs;
      this.#generation = generation;
    }
    if (batch !== undefined) this.#batch = batch;
    this.#putState();
  }

  /** The batch is settled: the next one starts with zero totals (the journal's old totals name the old batch). @throws StoreError */
  closeBatch(): void {
    this.#batch = this.#batch >= STAN_MAX ? 1 : this.#batch + 1;
    this.#putState();
    this.#totals = { count: 0, amountMinor: 0 };
    // The journal no longer names the last sale: its batch is over.
    this.#putJournal(undefined, this.#reversal);
  }

  /**
   * The approved sales of the current batch whose lastTransaction versions are still in flash,
   * oldest first. A version carried forward by a rotation is a copy of the newest one at the time,
   * so it follows its original (or stands alone, the original erased): skipped when it repeats
   * the previous STAN.
   */
  *uploadRecords(): Generator<UploadRecord> {
    if (!this.#log) return;
    let previous: unknown;
    for (const record of this.#log.versions(DurableKey.lastTransaction)) {
      const t = this.#decode(record.payload);
      const repeat = t.s === previous;
      previous = t.s;
      if (repeat || num(t.b) !== this.#batch || t.ok !== 1 || typeof t.s !== 'string' || typeof t.p !== 'string') continue;
      yield { stan: t.s, pan: t.p, amountMinor: num(t.a) };
    }
  }
}
