/**
 * The host session: sign-on, echo test, sale, reversal and store-and-forward, settlement with
 * batch upload, and sign-off with the acquirer, over the link, with the durable state of
 * journal.ts. One operation at a time (the terminal's state machine calls it that way).
 *
 * Every request that carries field 64 is MACed with the profile's scheme under the MAC key
 * (input: the packed message without its last 8 bytes, CUP POS spec); every answer that carries
 * one is verified in constant time, and an approval without one is not trusted. A sale whose
 * answer fails that check is reversed (reason A0) and the terminal must sign on again.
 *
 * A sale that may have reached the host is never sent again: no answer → reversal 98, a bad
 * answer → 06 / A0. The reversal goes out before the next sale and before settlement; after
 * REVERSAL_SENDS sends it moves to the store-and-forward queue, which settlement must empty.
 *
 * Responses match their request by MTI (request + 10), STAN (11) and terminal id (41); the link
 * drops anything else as a stray.
 */
import type { Matcher } from './link';
import type { Iso8583Message } from './types';
import { HostRefusal, refused, saleProblem, type Exchanged, type HostAnswer, type HostContext, type HostOutcome, type HostStatus, type SaleRequest } from './sessionTypes';
import { computeMac, verifyMac, type MacScheme } from '../security/mac';
import { fromHex } from '../bytes';
import { errorText } from '../errorText';
import { packMessage, unpackMessage } from './iso8583';
import { decodeCupHeader, decodeFrame, encodeCupHeader, encodeFrame } from './frame';
import { asksSignOn, categorise } from './responses';
import { HostJournal, REVERSAL_SENDS } from './journal';
import {
  adviceRequest, echoRequest, entryMode, pad, reversalIcc, reversalRequest, saleField60, saleRequest, signOffRequest, signOnRequest,
  ReversalReason, type SaleRecord, type TerminalIds,
} from './messages';
import { settleBatch } from './settlement';

export * from './sessionTypes';

/** The answer the matcher accepted: unpacked once, with its raw bytes for the MAC. */
/** The matched answer's frame parts; its message is unpacked again once the link has let go of the connection (#sendNow). */
type Matched = { bytes: Uint8Array; header: Uint8Array };

const responseMti = (mti: string): string => pad(Number(mti) + 10, 4);

/** Sales a batch may hold: settlement's field 48 counts them in 3 digits (CUP POS spec). */
export const MAX_BATCH_SALES = 999;

export class HostSession {
  readonly #ctx: HostContext;
  readonly #journal: HostJournal;
  readonly #ids: TerminalIds;
  readonly #tpdu: Uint8Array;
  readonly #headers: [Uint8Array, Uint8Array];
  readonly #mac: MacScheme;
  readonly #match: Matcher;
  #needsSignOn = false;
  #lastAnswer: HostAnswer | undefined;
  #expectMti = '';
  #expectStan = '';
  #matched: Matched | undefined;
  onAnswer?: (answer: HostAnswer) => void;

  constructor(ctx: HostContext) {
    this.#ctx = ctx;
    const { profile } = ctx;
    this.#journal = new HostJournal(ctx.log, ctx.cbor);
    this.#ids = { terminalId: ctx.terminalId, merchantId: ctx.merchantId, currency: profile.currency, paymentCodeField: profile.card.paymentCodeField };
    this.#tpdu = fromHex(profile.tpdu);
    const header = decodeCupHeader(fromHex(profile.header));
    this.#headers = [encodeCupHeader({ ...header, appType: 0x60 }), encodeCupHeader({ ...header, appType: 0x61 })];
    this.#mac = { algorithm: profile.mac, padding: profile.macPadding };
    this.#match = (body) => this.#matchBody(body);
  }

  /** Settlement and tests read it. */
  get journal(): HostJournal {
    return this.#journal;
  }

  get ids(): TerminalIds {
    return this.#ids;
  }

  /** Reads the durable state at boot. Signed on only if the keys of that sign-on are the ones restored. @throws StoreError */
  restore(): void {
    this.#journal.restore();
    const { signedOn, generation } = this.#journal.signedOn;
    if (signedOn && (generation !== this.#ctx.keys.status().generation || !this.#ctx.keys.key('mac'))) this.#needsSignOn = true;
    const r = this.#journal.reversal;
    if (r) this.#ctx.ports.trace(`host: reversal of STAN ${r.sale.stan} pending (reason ${r.reason}, ${r.attempts} sent)`);
  }

  status(): HostStatus {
    const j = this.#journal;
    const parked = j.queue.find((q) => q.kind === 'reversal');
    const r = j.reversal ?? parked;
    return {
      signedOn: j.signedOn.signedOn,
      stan: j.stan,
      batch: j.batch,
      ...(r ? { pendingReversal: { stan: r.sale.stan, reason: r.reason, attempts: r.attempts } } : {}),
      advices: j.queue.filter((q) => q.kind === 'advice').length,
      ...(this.#lastAnswer ? { lastAnswer: this.#lastAnswer } : {}),
      needsSignOn: this.#needsSignOn,
    };
  }

  // Exchanges ---------------------------------------------------------------------------
  #matchBody(body: Uint8Array): 'match' | 'stray' {
    try {
      const { header, message: bytes } = decodeFrame(body, this.#ctx.dialect.headerLength);
      // MTI first (2 BCD bytes): most strays stop here without an unpack.
      if ((bytes[0] >> 4) * 1000 + (bytes[0] & 15) * 100 + (bytes[1] >> 4) * 10 + (bytes[1] & 15) !== Number(this.#expectMti)) return 'stray';
      const message = unpackMessage(this.#ctx.dialect, bytes);
      if (message.fields.get(11) !== this.#expectStan || message.fields.get(41) !== this.#ids.terminalId) return 'stray';
      // Only the bytes are kept: holding the unpacked answer (its field map and values) while
      // the link still held the socket, the frame reader and the attempt was a sale's lowest
      // moment in mcsim (the 0210's arrival); #sendNow unpacks it again once they are gone.
      this.#matched = { bytes, header };
      return 'match';
    } catch {
      return 'stray';
    }
  }

  /**
   * Packs `message`, MACs it when it carries field 64, and frames it.
   * @throws HostRefusal ('bad-input' when a field does not fit, 'no-keys' without a MAC key, 'crypto')
   */
  frame(message: Iso8583Message, ic: boolean): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = packMessage(this.#ctx.dialect, message);
    } catch (error) {
      throw new HostRefusal('bad-input', errorText(error));
    }
    if (message.fields.has(64)) {
      const key = this.#ctx.keys.key('mac');
      if (!key) throw new HostRefusal('no-keys', 'no MAC key: sign on first');
      try {
        bytes.set(computeMac(this.#ctx.ports.crypto, key, this.#mac, bytes.subarray(0, bytes.length - 8)), bytes.length - 8);
      } catch (error) {
        throw new HostRefusal('crypto', errorText(error));
      }
    }
    return encodeFrame(this.#tpdu, this.#headers[ic ? 1 : 0], bytes);
  }

  /**
   * Sends a framed request and waits for its answer; verifies the answer's MAC if it has one.
   * Exchanges take turns: the matcher expects one answer at a time, and a self-test's echo may
   * come while a sale waits for its answer.
   */
  send(frame: Uint8Array, mti: string, stan: string, resend: boolean): Promise<Exchanged> {
    const run = this.#turn.then(() => this.#sendNow(frame, mti, stan, resend));
    this.#turn = run.catch(() => undefined);
    return run;
  }

  #turn: Promise<unknown> = Promise.resolve();

  async #sendNow(frame: Uint8Array, mti: string, stan: string, resend: boolean): Promise<Exchanged> {
    this.#expectMti = responseMti(mti);
    this.#expectStan = stan;
    this.#matched = undefined;
    const result = await this.#ctx.link.exchange(frame, this.#match, resend);
    const matched = this.#matched as Matched | undefined;
    this.#matched = undefined;
    if (!result.ok) return { ok: false, stage: result.stage, sent: result.sent, detail: result.detail };
    if (!matched) return { ok: false, stage: 'garbage', sent: true, detail: 'the link matched an answer the session did not see' };
    let message: Iso8583Message;
    try {
      message = unpackMessage(this.#ctx.dialect, matched.bytes);
    } catch (error) {
      // The same bytes unpacked when they matched: only a changed dialect could get here.
      return { ok: false, stage: 'garbage', sent: true, detail: `the answer no longer unpacks: ${errorText(error)}` };
    }
    let processingRequest = 0;
    try {
      processingRequest = decodeCupHeader(matched.header).processingRequest;
    } catch {
      // A header that is not CUP's asks for nothing.
    }
    const mac = message.fields.get(64);
    let macState: 'ok' | 'bad' | 'absent' = 'absent';
    if (mac instanceof Uint8Array) {
      const key = this.#ctx.keys.key('mac');
      const data = matched.bytes.subarray(0, matched.bytes.length - 8);
      let good = false;
      try {
        good = key !== undefined && verifyMac(this.#ctx.ports.crypto, key, this.#mac, data, mac);
      } catch {
        good = false;
      }
      macState = good ? 'ok' : 'bad';
    }
    return { ok: true, message, processingRequest, mac: macState, host: result.host, roundTripMs: result.roundTripMs };
  }

  /** The answer's meaning, remembered and handed to the terminal. */
  answer(ex: Extract<Exchanged, { ok: true }>): HostAnswer {
    const f = ex.message.fields;
    const code = typeof f.get(39) === 'string' ? (f.get(39) as string) : '';
    const { category, text } = categorise(this.#ctx.profile.responseCodes, code);
    const note = f.get(44) ?? f.get(63);
    const answer: HostAnswer = { code, category, text, mti: ex.message.mti, host: ex.host, wallMs: this.#ctx.ports.clock.wallMs(), processingRequest: ex.processingRequest };
    if (typeof note === 'string') answer.hostText = note;
    const authCode = f.get(38);
    const rrn = f.get(37);
    if (typeof authCode === 'string') answer.authCode = authCode;
    if (typeof rrn === 'string') answer.rrn = rrn;
    this.#lastAnswer = answer;
    if (asksSignOn(category, ex.processingRequest)) this.#needsSignOn = true;
    this.onAnswer?.(answer);
    return answer;
  }

  /** One management exchange (sign-on, echo, sign-off): a fresh STAN, resent on timeout. */
  async #management(build: (stan: string, batch: number) => Iso8583Message): Promise<Exchanged | HostOutcome> {
    let frame: Uint8Array;
    let message: Iso8583Message;
    try {
      message = build(this.#journal.nextStan(), this.#journal.batch);
      frame = this.frame(message, false);
    } catch (error) {
      return error instanceof HostRefusal ? refused(error.code, error.message) : refused('journal', errorText(error));
    }
    return this.send(frame, message.mti, message.fields.get(11) as string, true);
  }

  // Operations --------------------------------------------------------------------------
  async signOn(): Promise<HostOutcome> {
    const { keys, profile } = this.#ctx;
    if (!keys.status().masterKey) return refused('keys.no-master-key', 'no terminal master key is provisioned');
    const ex = await this.#management((stan, batch) => signOnRequest(this.#ids, stan, batch, profile.signOn.networkCode));
    if ('kind' in ex) return ex;
    if (!ex.ok) return { kind: 'no-answer', stage: ex.stage, detail: ex.detail };
    const answer = this.answer(ex);
    if (answer.category !== 'approved') return { kind: 'answered', answer };
    const block = ex.message.fields.get(62);
    const single = profile.signOn.networkCode === '001';
    const installed =
      block instanceof Uint8Array
        ? keys.install(block, { algorithm: single ? 'des' : 'tdes2', kcvLength: profile.kcvLength, mac: this.#mac, legacySingleDes: profile.legacySingleDes })
        : ({ ok: false, code: 'keys.block-length', detail: 'the sign-on answer has no key block (field 62)' } as const);
    try {
      if (!installed.ok) {
        this.#journal.recordSignOn(false, 0, 0);
        return refused(installed.code, installed.detail);
      }
      // The host numbers the batch (0810 field 60.2); taken while this batch has no sales.
      const f60 = ex.message.fields.get(60);
      const batch = typeof f60 === 'string' && /^\d{8}/.test(f60) ? Number(f60.slice(2, 8)) : 0;
      const adopt = batch > 0 && batch !== this.#journal.batch && this.#journal.totals.count === 0;
      this.#journal.recordSignOn(true, answer.wallMs, installed.generation, adopt ? batch : undefined);
    } catch (error) {
      return refused('journal', errorText(error));
    }
    this.#needsSignOn = false;
    return { kind: 'answered', answer };
  }

  async echo(): Promise<HostOutcome & { roundTripMs?: number }> {
    const ex = await this.#management((stan, batch) => echoRequest(this.#ids, stan, batch));
    if ('kind' in ex) return ex;
    if (!ex.ok) return { kind: 'no-answer', stage: ex.stage, detail: ex.detail };
    return { kind: 'answered', answer: this.answer(ex), roundTripMs: ex.roundTripMs };
  }

  async signOff(): Promise<HostOutcome> {
    const ex = await this.#management((stan, batch) => signOffRequest(this.#ids, stan, batch));
    if ('kind' in ex) return ex;
    if (!ex.ok) return { kind: 'no-answer', stage: ex.stage, detail: ex.detail };
    const answer = this.answer(ex);
    if (answer.category === 'approved') {
      try {
        this.#journal.recordSignOn(false, 0, 0);
      } catch (error) {
        return refused('journal', errorText(error));
      }
    }
    return { kind: 'answered', answer };
  }

  async sale(req: SaleRequest): Promise<HostOutcome & { stan?: string }> {
    const problem = saleProblem(req);
    if (problem) return refused('bad-input', problem);
    if (!this.#journal.signedOn.signedOn || this.#needsSignOn) return refused('not-signed-on', 'sign on first');
    // CUP field 48 counts a batch's sales in 3 digits: the 1,000th sale could never be settled.
    if (this.#journal.totals.count >= MAX_BATCH_SALES) return refused('batch-full', `${MAX_BATCH_SALES} sales in batch ${this.#journal.batch}: settle first`);
    const pinKey = this.#ctx.keys.key('pin');
    if (req.pinBlock && !pinKey) return refused('no-keys', 'no PIN key: sign on first');
    await this.flushPending();
    const r = this.#journal.reversal;
    if (r) return refused('reversal-pending', `the reversal of STAN ${r.sale.stan} has not been answered yet`);
    const journal = this.#journal;
    const ic = req.entry === 'contact' || req.entry === 'contactless';
    const sale: SaleRecord = { stan: journal.peekSaleStan(), amountMinor: req.amountMinor, entryMode: entryMode(req.entry, req.pinBlock !== undefined, req.fallback === true), field60: saleField60(journal.batch, req.fallback === true), ic };
    if (req.entry !== 'magstripe' && req.pan !== undefined) sale.pan = req.pan;
    if (req.entry !== 'manual' && req.entry !== 'qr' && req.track2 !== undefined) sale.track2 = req.track2;
    if (req.entry === 'qr') sale.paymentCode = req.paymentCode;
    if (req.entry === 'manual' && req.expiry !== undefined) sale.expiry = req.expiry;
    if (ic && req.cardSeq !== undefined) sale.cardSeq = req.cardSeq;
    if (req.icc) sale.icc = reversalIcc(req.icc);
    let frame: Uint8Array;
    try {
      const pin = req.pinBlock ? { block: req.pinBlock, singleDes: pinKey!.algorithm === 'des' } : undefined;
      frame = this.frame(saleRequest(this.#ids, sale, req.icc, pin), ic);
      journal.beginSale(sale);
    } catch (error) {
      return error instanceof HostRefusal ? refused(error.code, error.message) : refused('journal', errorText(error));
    }
    const ex = await this.send(frame, '0200', sale.stan, false);
    const { stan } = sale;
    if (!ex.ok) {
      if (ex.sent) this.#reverse(ex.stage === 'timeout' ? ReversalReason.noAnswer : ReversalReason.other);
      else this.#write(() => journal.abandonSale());
      return { kind: 'no-answer', stage: ex.stage, detail: ex.detail, stan };
    }
    const code = ex.message.fields.get(39);
    if (typeof code !== 'string') {
      this.#reverse(ReversalReason.other);
      return { kind: 'no-answer', stage: 'format', detail: 'the answer has no response code (field 39)', stan };
    }
    const trusted = ex.mac === 'ok' || (ex.mac === 'absent' && categorise(this.#ctx.profile.responseCodes, code).category !== 'approved');
    if (!trusted) {
      this.#reverse(ReversalReason.macFailure);
      this.#needsSignOn = true;
      return { kind: 'no-answer', stage: 'mac', detail: ex.mac === 'bad' ? 'the answer MAC does not verify' : 'an approval without a MAC', stan };
    }
    const answer = this.answer(ex);
    try {
      journal.completeSale(answer.category === 'approved', code);
    } catch (error) {
      // Not recorded as answered: it must not stand as approved; the host gets a reversal.
      this.#reverse(ReversalReason.other);
      return { kind: 'no-answer', stage: 'journal', detail: errorText(error), stan };
    }
    return { kind: 'answered', answer, stan };
  }

  /** The sale in flight becomes a reversal (in memory even when flash refuses: the pending record there says the same at boot). */
  #reverse(reason: string) {
    const stan = this.#journal.pending?.stan;
    this.#write(() => this.#journal.reverseSale(reason));
    this.#ctx.ports.trace(`host: sale STAN ${stan} to be reversed (reason ${reason})`);
  }

  #write(step: () => void) {
    try {
      step();
    } catch (error) {
      this.#ctx.ports.trace(`host: journal write failed: ${errorText(error)}`);
    }
  }

  /**
   * Sends what must reach the host before the next transaction: the pending reversal (one send
   * per call, counted before it goes; after REVERSAL_SENDS it moves to the store-and-forward
   * queue), then the queued advices. `forSettlement` also sends the parked reversals and ignores
   * the send counts.
   */
  async flushPending(forSettlement = false): Promise<void> {
    const journal = this.#journal;
    const r = journal.reversal;
    if (r && (r.attempts < REVERSAL_SENDS || forSettlement)) {
      const answered = await this.#sendQueued(() => journal.reversalAttempt(), r.sale, r.reason, 'reversal');
      if (answered) this.#write(() => journal.reversalDone());
      else if (journal.reversal && journal.reversal.attempts >= REVERSAL_SENDS && !forSettlement) {
        let parked = false;
        this.#write(() => (parked = journal.parkReversal(this.#ctx.log?.capacity().maxDurablePayload ?? Infinity)));
        this.#ctx.ports.trace(`host: reversal of STAN ${r.sale.stan} unanswered after ${REVERSAL_SENDS} sends: ${parked ? 'queued for settlement' : 'kept (queue full)'}`);
      }
      if (!answered) return;
    }
    for (let i = 0; i < journal.queue.length; ) {
      const item = journal.queue[i];
      if (!forSettlement && (item.kind === 'reversal' || item.attempts >= REVERSAL_SENDS)) {
        i++;
        continue;
      }
      const answered = await this.#sendQueued(() => journal.queueAttempt(i), item.sale, item.reason, item.kind);
      if (!answered) return;
      this.#write(() => journal.queueDone(i));
    }
  }

  /** One send of a reversal or an advice, counted durably first. True when the host answered it (any code). */
  async #sendQueued(count: () => void, sale: SaleRecord, reason: string, kind: 'reversal' | 'advice'): Promise<boolean> {
    let frame: Uint8Array;
    const message = kind === 'reversal' ? reversalRequest(this.#ids, sale, reason) : adviceRequest(this.#ids, sale, this.#journal.batch);
    try {
      frame = this.frame(message, sale.ic);
      count();
    } catch (error) {
      this.#ctx.ports.trace(`host: ${kind} of STAN ${sale.stan} not sent: ${errorText(error)}`);
      return false;
    }
    const ex = await this.send(frame, message.mti, sale.stan, true);
    if (!ex.ok) return false;
    if (ex.mac === 'bad') {
      this.#needsSignOn = true;
      return false;
    }
    this.answer(ex);
    return true;
  }

  /** Queues a sale approved offline for its advice (0220), sent before the next transaction. */
  adviseOffline(req: SaleRequest): HostOutcome | { kind: 'queued'; stan: string } {
    const problem = saleProblem(req);
    if (problem) return refused('bad-input', problem);
    const ic = req.entry === 'contact' || req.entry === 'contactless';
    try {
      const sale: SaleRecord = { stan: this.#journal.nextStan(), amountMinor: req.amountMinor, entryMode: entryMode(req.entry, false, req.fallback === true), field60: saleField60(this.#journal.batch, req.fallback === true), ic };
      if (req.pan !== undefined) sale.pan = req.pan;
      else if (req.track2 !== undefined) sale.track2 = req.track2;
      else if (req.paymentCode !== undefined) sale.paymentCode = req.paymentCode;
      if (req.icc) sale.icc = req.icc;
      if (!this.#journal.queueAdvice(sale, this.#ctx.log?.capacity().maxDurablePayload ?? Infinity)) return refused('queue-full', 'the store-and-forward queue is full');
      return { kind: 'queued', stan: sale.stan };
    } catch (error) {
      return refused('journal', errorText(error));
    }
  }

  async settle(): Promise<HostOutcome & { uploaded?: number }> {
    if (!this.#journal.signedOn.signedOn || this.#needsSignOn) return refused('not-signed-on', 'sign on first');
    await this.flushPending(true);
    const left = this.#journal.reversal ?? this.#journal.queue[0];
    if (left) return refused('reversal-pending', `STAN ${left.sale.stan} has not reached the host yet`);
    return settleBatch(this);
  }
}
