/**
 * The host's books per terminal: who is registered (and in what state), the working keys the
 * last sign-on issued, and the batch totals by batch number. Totals count approved sales not
 * reversed; a reversal undoes its sale once, however often the terminal resends it.
 */
import type { ActivationSlot, MasterKeyAlgorithm, MerchantStatus, RegisteredTerminal } from './config';

export interface WorkingKeys {
  pin: Uint8Array;
  mac: Uint8Array;
  data?: Uint8Array;
}

interface SaleEntry {
  amountMinor: number;
  reversed: boolean;
}

export type SettlementResult = 'balanced' | 'unbalanced';

export interface BatchTotals {
  batchNo: string;
  /** Approved sales not reversed. */
  count: number;
  amountMinor: number;
  /** Reversals that undid a sale (a resent reversal is not counted again). */
  reversals: number;
  settlement?: SettlementResult;
  /** Batch-upload sale records (0320 field 48) received, and whether the end-of-upload message came. */
  uploaded: number;
  uploadEnded: boolean;
}

interface Batch extends BatchTotals {
  sales: Map<string, SaleEntry>;
}

export type Standing = { ok: true; terminal: RegisteredTerminal } | { ok: false; why: 'unknown-terminal' | 'not-activated' | 'disabled' | 'merchant-mismatch' };

/** Wrong activation codes a slot (or a serial number naming no TID) may try before it is locked. */
export const ACTIVATION_TRIES = 5;

export type ActivationSlotFound = { tid: string; mid: string; status: RegisteredTerminal['status']; activation: ActivationSlot };

/** Two codes compared in time that depends only on the longer length, never on where they differ. */
function sameCode(a: string, b: string): boolean {
  const n = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) diff |= (i < a.length ? a.charCodeAt(i) : 0) ^ (i < b.length ? b.charCodeAt(i) : 0);
  return diff === 0;
}

/** Batches kept per terminal (the oldest go first): the simulator runs days, not years. */
const BATCHES_KEPT = 16;

export class TerminalBook {
  readonly #terminals = new Map<string, RegisteredTerminal>();
  readonly #keys = new Map<string, WorkingKeys>();
  /** tid → batch number → batch, in insertion order. */
  readonly #batches = new Map<string, Map<string, Batch>>();
  /** "tid:<TID>" or "serial:<serial>" → wrong activation codes tried (slotByCode). */
  readonly #wrongCodes = new Map<string, number>();

  constructor(terminals: RegisteredTerminal[]) {
    for (const t of terminals) this.#terminals.set(t.tid, { ...t, ...(t.activation ? { activation: { ...t.activation } } : {}) });
  }

  /** Whether the terminal may talk to the host at all, and with this merchant id. */
  standing(tid: string | undefined, mid: string | undefined): Standing {
    const terminal = tid === undefined ? undefined : this.#terminals.get(tid);
    if (!terminal) return { ok: false, why: 'unknown-terminal' };
    if (terminal.status === 'registered' || terminal.masterKey === undefined) return { ok: false, why: 'not-activated' };
    if (terminal.status === 'disabled') return { ok: false, why: 'disabled' };
    if (mid !== undefined && mid !== terminal.mid) return { ok: false, why: 'merchant-mismatch' };
    return { ok: true, terminal };
  }

  known(tid: string): boolean {
    return this.#terminals.has(tid);
  }

  merchantStatus(tid: string): MerchantStatus {
    return this.#terminals.get(tid)?.merchantStatus ?? 'ok';
  }

  /** Changes a terminal's registration between scenario steps (activation, disabling, freezing). */
  update(tid: string, change: Partial<Pick<RegisteredTerminal, 'status' | 'merchantStatus' | 'mid'>>): void {
    const terminal = this.#terminals.get(tid);
    if (!terminal) throw new RangeError(`no terminal ${tid} in the registry`);
    Object.assign(terminal, change);
  }

  /** The terminal's master key and its algorithm (the working keys are wrapped under it). */
  masterKey(tid: string): { key: Uint8Array; algorithm: MasterKeyAlgorithm } | undefined {
    const t = this.#terminals.get(tid);
    return t?.masterKey === undefined ? undefined : { key: new Uint8Array(Buffer.from(t.masterKey, 'hex')), algorithm: t.masterKeyAlgorithm ?? 'tdes2' };
  }

  /**
   * The slot an activation code belongs to. A terminal that already has a TID (not the
   * placeholder "00000000") only finds its own slot: a code of another TID is a wrong code.
   * Codes are compared in constant time (every slot's, every digit), and wrong codes are
   * counted: against the slot a request names by TID, or against the serial number of one that
   * names none. After ACTIVATION_TRIES wrong codes the slot (or the serial) is 'locked': even the
   * right code is refused until the registry is loaded again. A granted activation clears the count.
   */
  slotByCode(code: string, tid: string | undefined, serial: string): ActivationSlotFound | 'locked' | undefined {
    const placeholder = tid === undefined || /^[0 ]{8}$/.test(tid);
    const counter = placeholder ? `serial:${serial}` : `tid:${tid}`;
    if ((this.#wrongCodes.get(counter) ?? 0) >= ACTIVATION_TRIES) return 'locked';
    let found: RegisteredTerminal | undefined;
    for (const t of this.#terminals.values()) {
      if (!t.activation || (!placeholder && t.tid !== tid)) continue;
      if (sameCode(t.activation.code, code) && !found) found = t;
    }
    if (!found) {
      this.#wrongCodes.set(counter, (this.#wrongCodes.get(counter) ?? 0) + 1);
      return undefined;
    }
    return { tid: found.tid, mid: found.mid, status: found.status, activation: { ...found.activation! } };
  }

  /** Binds a slot to a device: a new master key, the old working keys gone, the terminal activated. */
  bind(tid: string, serial: string, masterKeyHex: string, algorithm: MasterKeyAlgorithm): void {
    const t = this.#terminals.get(tid);
    if (!t?.activation) throw new RangeError(`no activation slot for ${tid}`);
    Object.assign(t, { status: 'activated', masterKey: masterKeyHex, masterKeyAlgorithm: algorithm });
    t.activation.boundSerial = serial;
    this.#keys.delete(tid);
    this.#wrongCodes.delete(`tid:${tid}`);
    this.#wrongCodes.delete(`serial:${serial}`);
  }

  setKeys(tid: string, keys: WorkingKeys): void {
    this.#keys.set(tid, keys);
  }

  keys(tid: string): WorkingKeys | undefined {
    return this.#keys.get(tid);
  }

  /** Sign-off: the working keys are no longer valid. */
  dropKeys(tid: string): void {
    this.#keys.delete(tid);
  }

  #batch(tid: string, batchNo: string): Batch {
    let batches = this.#batches.get(tid);
    if (!batches) this.#batches.set(tid, (batches = new Map()));
    let batch = batches.get(batchNo);
    if (!batch) {
      batch = { batchNo, count: 0, amountMinor: 0, reversals: 0, uploaded: 0, uploadEnded: false, sales: new Map() };
      batches.set(batchNo, batch);
      if (batches.size > BATCHES_KEPT) batches.delete(batches.keys().next().value as string);
    }
    return batch;
  }

  /** Whether the batch has already seen this STAN (a sale sent twice, or a STAN reused). */
  seen(tid: string, batchNo: string, stan: string): boolean {
    return this.#batch(tid, batchNo).sales.has(stan);
  }

  /** Books an approved sale. */
  approve(tid: string, batchNo: string, stan: string, amountMinor: number): void {
    const batch = this.#batch(tid, batchNo);
    batch.sales.set(stan, { amountMinor, reversed: false });
    batch.count++;
    batch.amountMinor += amountMinor;
  }

  /** Undoes the approved sale with this STAN, once. @returns what happened, for the log */
  reverse(tid: string, batchNo: string, stan: string): 'undone' | 'already-reversed' | 'no-original' {
    const batch = this.#batch(tid, batchNo);
    const sale = batch.sales.get(stan);
    if (!sale) return 'no-original';
    if (sale.reversed) return 'already-reversed';
    sale.reversed = true;
    batch.count--;
    batch.amountMinor -= sale.amountMinor;
    batch.reversals++;
    return 'undone';
  }

  settle(tid: string, batchNo: string, result: SettlementResult): void {
    this.#batch(tid, batchNo).settlement = result;
  }

  /** Batch upload: `records` sale records arrived (one 0320 carries up to eight). */
  upload(tid: string, batchNo: string, records: number): void {
    this.#batch(tid, batchNo).uploaded += records;
  }

  endUpload(tid: string, batchNo: string): void {
    this.#batch(tid, batchNo).uploadEnded = true;
  }

  /** Totals of one batch, or of the terminal's latest; undefined before its first message. */
  totals(tid: string, batchNo?: string): BatchTotals | undefined {
    const batches = this.#batches.get(tid);
    if (!batches) return undefined;
    const batch = batchNo === undefined ? [...batches.values()].pop() : batches.get(batchNo);
    if (!batch) return undefined;
    const { sales: _sales, ...totals } = batch;
    return totals;
  }
}
