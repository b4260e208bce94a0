/**
 * A sale as the ECR asks for it, from the card or code to the host's answer:
 *
 *   present (tap, insert, swipe or scan; 30 s, CANCEL) → reading → [PIN] → the host's sale
 *
 * The first of: a contactless card (the reader polled every CARD_POLL_MS), a chip card in the
 * slot, a swipe, a scan; only the parts the board has are used. A chip read goes through the
 * EMV flow (card/emv/flow.ts) with offline data authentication bound to the CA keys the
 * terminal holds; the contact slot's channel is wrapped in T=0 handling. A swiped chip card
 * (service code 2xx/6xx) is asked to be inserted, unless the profile allows fallback and a chip
 * read of this sale failed; a scanned code must be a payment code. A card taken away mid-read
 * is asked for again. Card reads failing READER_EVIDENCE_RUN times running with the same reader
 * error become reader evidence for the diagnosis (an event); ODA failures are the card's, not
 * the reader's: they go into the TVR (the flow does that) and the trace only.
 *
 * PANs never leave this file unmasked except in the sale request itself.
 */
import { CardError } from '../card/errors';
import { readEmvCard, type EmvParams, type EmvReadOptions, type EmvReadResult } from '../card/emv/flow';
import type { ApduChannel } from '../card/emv/apdu';
import { T0Channel } from '../card/emv/t0';
import { parseAtr } from '../card/emv/atr';
import { performOda, type OdaInput, type OdaOutcome } from '../card/emv/oda';
import { maskPan } from '../card/pan';
import { classifyPaymentCode } from '../card/qrCodes';
import { parseTrack2, validateTrack2 } from '../card/track2';
import { CARD_DEFAULTS, type CardProfile } from '../config/cardProfile';
import type { AcquirerProfile } from '../config/acquirerProfile';
import { toHex } from '../bytes';
import { errorText } from '../errorText';
import type { SaleRequest } from '../host/sessionTypes';
import { PortError, type CardPresence, type CardReaderPort, type KeyCode, type Ports, type TimerToken } from '../ports';
import { pinBlockFormat0 } from '../security/pinBlock';
import type { KeyStore } from '../security/keyStore';
import { readCapkTable } from '../security/provisionedData';
import type { CaPublicKey } from '../security/caPublicKeys';
import type { CborCodec } from '../store/cbor';
import { RecordType } from '../store/recordLog';
import type { CardNotice, CardScreen } from '../ui/cardScreens';
import type { ReaderEvent } from './events';
import type { SaleOutcome } from './hostDuties';
import type { TerminalState } from './states';

/** How often the contactless reader (and the contact slot) is asked whether a card is there. */
export const CARD_POLL_MS = 250;
/** The terminal waits this long for a card or a code, then cancels the sale. */
export const PRESENT_TIMEOUT_MS = 30_000;
/** Failed reads in a row with the same reader error that make reader evidence. */
export const READER_EVIDENCE_RUN = 3;
/** Presentations one sale takes (a removed card tapped again, a swiped chip card inserted…) before it stops. */
const MAX_PRESENTATIONS = 8;
/** The PIN entry gives up after this long without ENTER (the sale is cancelled). */
export const PIN_TIMEOUT_MS = 60_000;
/** PIN length (ISO 9564-1: 4–12 digits). */
const PIN_MIN = 4;
const PIN_MAX = 12;
/** EMV 9C for a purchase. */
const TXN_PURCHASE = 0x00;

/** What a card sale gives the ECR: the host's outcome (or a local stop, kind 'refused' code card.*), with what was read, masked. */
export type CardSaleOutcome = SaleOutcome & {
  card?: {
    entry: SaleRequest['entry'] | 'fallback';
    /** First 6 and last 4 digits. */
    pan?: string;
    scheme?: string;
    /** The EMV read's results (hex), for the technician and the scenario's report. */
    tvr?: string;
    cvm?: string;
    cryptogram?: string;
    oda?: string;
  };
};

export interface CardDutiesDeps {
  ports: Ports;
  cbor: CborCodec;
  state(): TerminalState;
  stopped(): boolean;
  keys(): KeyStore;
  /** The provisioned acquirer profile (card section, currency), if any. */
  acquirerProfile(): AcquirerProfile | undefined;
  /** Shows a card screen (undefined: nothing of the card's any more). */
  showCard(screen: CardScreen): void;
  /** The host's sale through the host duties (sign-on first, evidence, its screens). */
  hostSale(request: SaleRequest): Promise<SaleOutcome>;
  record(type: number, value: unknown): void;
}

type Presented =
  | { kind: 'card'; reader: CardReaderPort; presence: Exclude<CardPresence, { kind: 'none' }> }
  | { kind: 'swipe'; track: string }
  | { kind: 'scan'; bytes: Uint8Array }
  | { kind: 'cancel' }
  | { kind: 'timeout' }
  | { kind: 'stopped' };

/** What stop() settles a waiting sale with (one object, not one per stop). */
const STOPPED: Presented = Object.freeze({ kind: 'stopped' });
const stoppedOutcome = (): CardSaleOutcome => refused('card.stopped', 'terminal stopped');

const refused = (code: string, detail: string): CardSaleOutcome => ({ kind: 'refused', code, detail });

/**
 * The CardError code an error carries: a CardError's own, or the one a PortError 'reader' names
 * first in its message (Pn532Reader's PortErrors start "pn532-timeout: …"; ports.ts keeps
 * PortError to its port codes). Read without a RegExp: up to the first ':' when that is a code
 * of lower-case letters, digits and '-'.
 */
function cardCodeOf(error: unknown): string | undefined {
  if (error instanceof CardError) return error.code;
  if (!(error instanceof PortError) || error.code !== 'reader') return undefined;
  const message = error.message;
  const end = message.indexOf(':');
  if (end < 1 || end > 32) return undefined;
  for (let i = 0; i < end; i++) {
    const c = message.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d)) return undefined;
  }
  return message.slice(0, end);
}

/**
 * A reader's own failure (the chip, its link), as against the card's: only these make reader
 * evidence. The code is the underlying pn532-* one when the reader names it (so "the same error
 * three times" means the same chip error), else port.reader.
 */
function readerErrorCode(error: unknown): string | undefined {
  const code = cardCodeOf(error);
  if (code !== undefined && (code.startsWith('pn532-') || code === 'reader-fault')) return code;
  if (error instanceof PortError) return error.code === 'reader' && code === undefined ? `port.${error.code}` : undefined;
  return undefined;
}

/**
 * Whether a failed chip read was a technical failure of the chip or the reader, the only kind
 * after which magstripe fallback is allowed (CUP/EMV fallback rules): the card's answers
 * unusable (card-status on SELECT, GPO, READ RECORD or GENERATE AC; malformed TLV, AFL or DOL;
 * mandatory data missing; no application the terminal supports; a bad ATR) or the reader's own
 * failure (pn532-*, reader-fault, port.reader). A removed card, a cancelled choice, the
 * contactless limit, a card's decline or a blocked card are not: the chip works.
 */
function technicalChipFailure(error: unknown): boolean {
  if (readerErrorCode(error) !== undefined) return true;
  switch (cardCodeOf(error)) {
    case 'card-status':
    case 'tlv-malformed':
    case 'tlv-indefinite':
    case 'afl-malformed':
    case 'dol-malformed':
    case 'missing-tag':
    case 'no-application':
    case 'atr-malformed':
      return true;
    default:
      return false;
  }
}

/**
 * The contact card's ATR (ISO/IEC 7816-3, EMV Book 1 §8.3) before any command: malformed (TS,
 * lengths, TCK) or offering neither T=0 nor T=1 is atr-malformed; a T=1-only card is refused
 * too, with its own message: this slot speaks T=0 only (card/emv/t0.ts).
 * @throws CardError 'atr-malformed'
 */
function checkAtr(atr: Uint8Array): void {
  const { protocols } = parseAtr(atr);
  if (protocols.indexOf(0) >= 0) return;
  if (protocols.indexOf(1) >= 0) throw new CardError('atr-malformed', 'the card offers T=1 only; this slot speaks T=0');
  throw new CardError('atr-malformed', `the card offers neither T=0 nor T=1 (T=${protocols.join(', T=')})`);
}

/** The notice a failed chip read ends in, and whether the sale goes on waiting for another card. */
function chipNotice(error: unknown): { notice: CardNotice; again: boolean } {
  if (!(error instanceof CardError)) return { notice: 'readFailed', again: true };
  switch (error.code) {
    case 'card-removed':
      return { notice: 'removed', again: true };
    case 'limit-exceeded':
      return { notice: 'overLimit', again: true };
    case 'card-declined':
      return { notice: 'declinedByCard', again: false };
    case 'card-blocked':
      return { notice: 'blocked', again: false };
    case 'no-application':
      return { notice: 'notAccepted', again: false };
    case 'card-expired':
      return { notice: 'expired', again: false };
    default:
      return { notice: 'readFailed', again: true };
  }
}

/** YYMMDD of a wall-clock time (the RTC keeps UTC) in local time, `offsetMinutes` from UTC (profile card.utcOffsetMinutes). */
function dateOf(wallMs: number, offsetMinutes: number): string {
  const d = new Date(wallMs + offsetMinutes * 60_000);
  const two = (n: number) => String(n % 100).padStart(2, '0');
  return two(d.getUTCFullYear()) + two(d.getUTCMonth() + 1) + two(d.getUTCDate());
}

/**
 * A class held by the terminal core: its methods are made once at preload (docs/memory.md).
 * One sale at a time; the arrows a sale makes (its timers and input callbacks) live for that sale.
 */
export class CardDuties {
  readonly #deps: CardDutiesDeps;
  #active = false;
  /** The sale's wait for a presentation: resolves once, with the first. */
  #settle: ((p: Presented) => void) | undefined;
  #poll: TimerToken | undefined;
  #deadline: TimerToken | undefined;
  #polling = false;
  /** PIN entry under way: the digits so far and where they go when done. */
  #pin: { digits: string; done: (pin: string | undefined) => void; screen: Extract<CardScreen, { kind: 'pin' }> } | undefined;
  /** The last reader error of a failed read and how many reads in a row failed with it. */
  #failedWith = '';
  #failedRun = 0;
  #failedVia: 'contactless' | 'contact' = 'contactless';

  constructor(deps: CardDutiesDeps) {
    this.#deps = deps;
  }

  /** A sale is under way (keys go to it; the periodic self-test waits). */
  busy(): boolean {
    return this.#active;
  }

  /** The board has a way to take a card or a code. */
  fitted(): boolean {
    const { reader, contact, magstripe, scanner } = this.#deps.ports;
    return reader.fitted || contact.fitted || magstripe.fitted || scanner.fitted;
  }

  /**
   * The terminal stops (terminal.stop()): the presentation wait, its timers (30 s, the poll) and
   * the magstripe/scanner callbacks end now, a PIN entry ends with its 60 s timer, and the pending
   * sale settles as refused 'card.stopped'. A chip read under way ends within the reader's own
   * timeouts and then settles the same way; nothing is sent to the host after the stop.
   */
  stop(): void {
    if (this.#settle) this.#present(STOPPED);
    else this.#stopWaiting();
    if (this.#pin) this.#endPin(undefined);
  }

  /** A key while a sale is under way; false when no sale wants it. */
  key(key: KeyCode): boolean {
    if (!this.#active) return false;
    const pin = this.#pin;
    if (pin) {
      if (key >= '0' && key <= '9') {
        if (pin.digits.length < PIN_MAX) pin.digits += key;
      } else if (key === 'clear') pin.digits = pin.digits.slice(0, -1);
      else if (key === 'cancel') return this.#endPin(undefined);
      else if (key === 'enter' && pin.digits.length >= PIN_MIN) return this.#endPin(pin.digits);
      this.#deps.showCard({ ...pin.screen, digits: pin.digits.length });
      return true;
    }
    // While waiting for a card: CANCEL on a PIN pad, a press on the one-button board.
    if (this.#settle && (key === 'cancel' || (key === 'down' && this.#deps.ports.keypad.layout === 'one-button'))) this.#present({ kind: 'cancel' });
    return true;
  }

  /** One sale for `amountMinor`, from presentation to the host's answer. Never rejects. */
  async sale(amountMinor: number): Promise<CardSaleOutcome> {
    const deps = this.#deps;
    if (this.#active) return refused('card.busy', 'a card sale is already under way');
    if (deps.state() !== 'ready') return refused('terminal.out-of-service', `terminal is ${deps.state()}`);
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 1 || amountMinor > 999_999_999_999) return refused('card.bad-amount', 'amount must be 1–999999999999 minor units');
    const profile = deps.acquirerProfile();
    const currency = profile?.currency ?? '156';
    if (!this.fitted()) {
      deps.showCard({ kind: 'notice', notice: 'noReader', amountMinor, currency, waiting: false });
      return refused('card.no-reader', 'no card reader, slot, magstripe module or scanner fitted');
    }
    this.#active = true;
    try {
      return await this.#run(amountMinor, currency, profile?.card ?? (CARD_DEFAULTS as CardProfile));
    } catch (error) {
      deps.ports.trace(`card sale failed: ${errorText(error)}`);
      return refused('card.failed', errorText(error));
    } finally {
      this.#stopWaiting();
      this.#pin = undefined;
      this.#active = false;
    }
  }

  async #run(amountMinor: number, currency: string, card: CardProfile): Promise<CardSaleOutcome> {
    const deps = this.#deps;
    const { trace } = deps.ports;
    const base = { amountMinor, currency };
    let notice: CardNotice | undefined;
    let chipFailed = false;
    for (let round = 0; round < MAX_PRESENTATIONS; round++) {
      deps.showCard(notice ? { kind: 'notice', notice, ...base, waiting: true } : { kind: 'present', ...base });
      const presented = await this.#wait();
      if (deps.stopped() || presented.kind === 'stopped') return stoppedOutcome();
      if (presented.kind === 'cancel' || presented.kind === 'timeout') {
        deps.showCard({ kind: 'notice', notice: presented.kind === 'cancel' ? 'cancelled' : 'timeout', ...base, waiting: false });
        trace(`card sale ${presented.kind === 'cancel' ? 'cancelled' : 'timed out'}`);
        return refused(`card.${presented.kind === 'cancel' ? 'cancelled' : 'timeout'}`, presented.kind === 'cancel' ? 'cancelled at the terminal' : `no card in ${PRESENT_TIMEOUT_MS / 1000} s`);
      }
      if (presented.kind === 'scan') {
        let code;
        try {
          code = classifyPaymentCode(presented.bytes);
        } catch (error) {
          trace(`scan: ${errorText(error)}`);
          notice = 'notPaymentCode';
          continue;
        }
        trace(`scan: ${code.scheme} payment code ${maskPan(code.code)}`);
        const request: SaleRequest = { amountMinor, entry: 'qr', paymentCode: code.code };
        return this.#toHost(request, { entry: 'qr', pan: maskPan(code.code), scheme: code.scheme });
      }
      if (presented.kind === 'swipe') {
        let track;
        try {
          track = parseTrack2(presented.track);
          validateTrack2(track, dateOf(deps.ports.clock.wallMs(), card.utcOffsetMinutes).slice(0, 4));
        } catch (error) {
          trace(`swipe: ${errorText(error)}`);
          if (error instanceof CardError && error.code === 'card-expired') {
            deps.showCard({ kind: 'notice', notice: 'expired', ...base, waiting: false });
            return refused('card.card-expired', 'the card has expired');
          }
          notice = 'readFailed';
          continue;
        }
        const fallback = track.chip && card.fallback === 'after-chip-failure' && chipFailed;
        if (track.chip && !fallback) {
          trace(`swipe: chip card ${maskPan(track.pan)} (service code ${track.serviceCode}): insert it`);
          notice = 'insert';
          continue;
        }
        trace(`swipe: ${maskPan(track.pan)}${fallback ? ' (fallback after a chip failure)' : ''}`);
        const request: SaleRequest = { amountMinor, entry: 'magstripe', track2: track.equivalent, ...(fallback ? { fallback: true } : {}) };
        return this.#toHost(request, { entry: fallback ? 'fallback' : 'magstripe', pan: maskPan(track.pan) });
      }
      // A chip: contactless or contact.
      const via = presented.presence.kind;
      deps.showCard({ kind: 'reading', ...base });
      let read: EmvReadResult;
      try {
        if (presented.presence.kind === 'contact') checkAtr(presented.presence.atr);
        read = await this.#readChip(presented.reader, via, amountMinor, currency, card);
      } catch (error) {
        presented.reader.release();
        if (deps.stopped()) return stoppedOutcome();
        const gone = via === 'contactless' && (await this.#cardGone(presented.reader));
        const readerError = readerErrorCode(error);
        trace(`${via} read failed: ${errorText(error)}${gone ? ' (card gone)' : ''}`);
        if (readerError && !gone) this.#readFailed(readerError, via);
        if (via === 'contact' && technicalChipFailure(error)) chipFailed = true;
        const next = gone ? { notice: 'removed' as const, again: true } : chipNotice(error);
        if (!next.again) {
          deps.showCard({ kind: 'notice', notice: next.notice, ...base, waiting: false });
          return refused(`card.${error instanceof CardError ? error.code : 'read-failed'}`, errorText(error));
        }
        notice = next.notice;
        continue;
      }
      // The card powered down before the host part: a reader's release command in flight
      // (PN532 InRelease: its frames, timer and async frames) held ~130 slots at the sale's peak
      // while the 0210 was awaited, whenever the chip answered after the 0200 left (mcsim, docs/memory.md).
      await presented.reader.release();
      if (deps.stopped()) return stoppedOutcome();
      this.#failedRun = 0;
      this.#failedWith = '';
      const masked = maskPan(read.pan);
      const summary = { entry: via, pan: masked, tvr: toHex(read.tvr), cvm: read.cvm, cryptogram: read.cryptogram, oda: read.oda.ok ? `${read.oda.method} ok` : `${read.oda.method} ${read.oda.failure}` };
      trace(`${via} read: ${read.label} ${masked} ${read.cryptogram} cvm=${read.cvm} oda=${summary.oda} tvr=${summary.tvr}`);
      if (!read.oda.ok) trace(`ODA failed: ${read.oda.method} ${read.oda.failure} (the card's, in the TVR)`);
      let pinBlock: Uint8Array | undefined;
      if (read.cvm === 'online-pin') {
        if (deps.ports.keypad.layout !== 'pin-pad') {
          deps.showCard({ kind: 'notice', notice: 'pinUnavailable', ...base, waiting: false });
          return { ...refused('card.pin-unavailable', 'the card asks for an online PIN and the board has no PIN pad'), card: summary };
        }
        const pin = await this.#enterPin({ kind: 'pin', ...base, digits: 0 });
        if (deps.stopped()) return { ...stoppedOutcome(), card: summary };
        if (pin === undefined) {
          deps.showCard({ kind: 'notice', notice: 'cancelled', ...base, waiting: false });
          return { ...refused('card.cancelled', 'PIN entry cancelled'), card: summary };
        }
        const pinKey = deps.keys().key('pin');
        if (!pinKey) return { ...refused('no-keys', 'no PIN key: sign on first'), card: summary };
        pinBlock = pinBlockFormat0(deps.ports.crypto, pinKey, pin, read.pan);
      }
      const request: SaleRequest = {
        amountMinor,
        entry: via,
        pan: read.pan,
        expiry: read.expiry,
        icc: read.icc,
        ...(read.track2 ? { track2: read.track2 } : {}),
        ...(read.panSeq ? { cardSeq: read.panSeq.padStart(3, '0') } : {}),
        ...(pinBlock ? { pinBlock } : {}),
      };
      return this.#toHost(request, summary);
    }
    deps.showCard({ kind: 'notice', notice: 'readFailed', ...base, waiting: false });
    return refused('card.too-many-tries', `no usable card or code in ${MAX_PRESENTATIONS} presentations`);
  }

  async #toHost(request: SaleRequest, card: NonNullable<CardSaleOutcome['card']>): Promise<CardSaleOutcome> {
    const outcome = await this.#deps.hostSale(request);
    return { ...outcome, card };
  }

  /** The EMV read through `reader`, ODA bound to the terminal's CA keys and the profile's revocations. */
  #readChip(reader: CardReaderPort, via: 'contactless' | 'contact', amountMinor: number, currency: string, card: CardProfile): Promise<EmvReadResult> {
    const { ports, cbor } = this.#deps;
    const channel: ApduChannel = via === 'contact' ? new T0Channel(reader) : reader;
    const crypto = ports.crypto;
    const params = { amountMinor, currency: currency.padStart(4, '0'), txnType: TXN_PURCHASE, date: dateOf(ports.clock.wallMs(), card.utcOffsetMinutes), unpredictable: crypto.randomBytes(4), profile: card };
    return readEmvCard(channel, new ChipReadOptions(via, params, crypto, ports.settings, cbor, card.revoked));
  }

  /**
   * Whether the contactless card has left the field (one poll): only a detect that answers
   * 'none' says so. A reader that throws on detect (silent after a timeout, its link down) is a
   * reader failure, not a removed card: the read's error then counts as reader evidence.
   */
  async #cardGone(reader: CardReaderPort): Promise<boolean> {
    try {
      return (await reader.detect()).kind === 'none';
    } catch (error) {
      this.#deps.ports.trace(`contactless look after the failed read: ${errorText(error)}`);
      return false;
    }
  }

  /** A read failed with a reader error: READER_EVIDENCE_RUN in a row with the same one make an event. */
  #readFailed(error: string, via: 'contactless' | 'contact') {
    const deps = this.#deps;
    if (error === this.#failedWith && via === this.#failedVia) this.#failedRun++;
    else {
      this.#failedWith = error;
      this.#failedVia = via;
      this.#failedRun = 1;
    }
    if (this.#failedRun < READER_EVIDENCE_RUN) return;
    const { clock } = deps.ports;
    const event: ReaderEvent = { kind: 'reader-error', error, reads: this.#failedRun, interface: via, uptimeMs: clock.uptimeMs(), wallMs: clock.wallMs() };
    deps.record(RecordType.event, event);
    deps.ports.trace(`reader evidence: ${this.#failedRun} ${via} reads in a row failed with ${error}`);
    this.#failedRun = 0;
  }

  /** Waits for the first presentation, the timeout or CANCEL; the inputs are stopped again before it resolves. */
  #wait(): Promise<Presented> {
    const { ports } = this.#deps;
    return new Promise<Presented>((resolve) => {
      this.#settle = resolve;
      // A module whose UART will not start is traced and left out; the sale waits on the others.
      if (ports.magstripe.fitted) {
        try {
          ports.magstripe.start((track) => this.#present({ kind: 'swipe', track }));
        } catch (error) {
          ports.trace(`magstripe start failed: ${errorText(error)} (waiting on the other inputs)`);
        }
      }
      if (ports.scanner.fitted) {
        try {
          ports.scanner.start((bytes) => this.#present({ kind: 'scan', bytes }));
        } catch (error) {
          ports.trace(`scanner start failed: ${errorText(error)} (waiting on the other inputs)`);
        }
      }
      this.#deadline = ports.clock.setTimer(PRESENT_TIMEOUT_MS, () => this.#present({ kind: 'timeout' }));
      if (ports.reader.fitted || ports.contact.fitted) this.#schedulePoll(0);
    });
  }

  /**
   * The poll timer's callback: one function per wait, not a closure per 250 ms poll; made when a
   * wait starts polling and dropped when it ends, so the boot, the self-test and a sale's host
   * part hold none (mcsim: those peaks are within a few slots of the goal).
   */
  #onPollTimer: (() => void) | undefined;

  #schedulePoll(delayMs: number) {
    this.#onPollTimer ??= (): void => {
      this.#poll = undefined;
      void this.#pollOnce();
    };
    this.#poll = this.#deps.ports.clock.setTimer(delayMs, this.#onPollTimer);
  }

  /** One look at the slot and the field; the next in CARD_POLL_MS unless something was presented. */
  async #pollOnce() {
    if (!this.#waiting() || this.#polling || this.#deps.stopped()) return;
    const { reader, contact } = this.#deps.ports;
    this.#polling = true;
    try {
      // The slot first, then the field (no array per poll).
      if (await this.#look(contact, 'contact')) return;
      if (await this.#look(reader, 'contactless')) return;
    } finally {
      this.#polling = false;
    }
    if (this.#waiting()) this.#schedulePoll(CARD_POLL_MS);
  }

  /** One detect on `port`; true when it presented a card (the wait is over). */
  async #look(port: CardReaderPort, name: 'contact' | 'contactless'): Promise<boolean> {
    if (!port.fitted || !this.#waiting()) return false;
    let presence: CardPresence;
    try {
      presence = await port.detect();
    } catch (error) {
      this.#deps.ports.trace(`${name} poll: ${errorText(error)}`);
      return false;
    }
    // The wait may have ended meanwhile (a swipe, CANCEL, the timeout).
    if (presence.kind === 'none' || !this.#waiting()) return false;
    this.#present({ kind: 'card', reader: port, presence });
    return true;
  }

  /** A sale waits for a presentation (read through a call: it changes across awaits). */
  #waiting(): boolean {
    return this.#settle !== undefined;
  }

  #present(p: Presented) {
    const settle = this.#settle;
    if (!settle) return;
    this.#stopWaiting();
    settle(p);
  }

  #stopWaiting() {
    const { ports } = this.#deps;
    this.#settle = undefined;
    if (this.#poll) ports.clock.clearTimer(this.#poll);
    if (this.#deadline) ports.clock.clearTimer(this.#deadline);
    this.#poll = undefined;
    this.#onPollTimer = undefined;
    this.#deadline = undefined;
    try {
      if (ports.magstripe.fitted) ports.magstripe.stop();
    } catch (error) {
      ports.trace(`magstripe stop failed: ${errorText(error)}`);
    }
    try {
      if (ports.scanner.fitted) ports.scanner.stop();
    } catch (error) {
      ports.trace(`scanner stop failed: ${errorText(error)}`);
    }
  }

  #enterPin(screen: Extract<CardScreen, { kind: 'pin' }>): Promise<string | undefined> {
    const { clock } = this.#deps.ports;
    this.#deps.showCard(screen);
    return new Promise((done) => {
      this.#pin = { digits: '', done, screen };
      this.#deadline = clock.setTimer(PIN_TIMEOUT_MS, () => this.#endPin(undefined));
    });
  }

  #endPin(pin: string | undefined): boolean {
    const entry = this.#pin;
    this.#pin = undefined;
    if (this.#deadline) this.#deps.ports.clock.clearTimer(this.#deadline);
    this.#deadline = undefined;
    entry?.done(pin);
    return true;
  }
}

/** The stored CA keys of the card's RID and 8F index (none when the card names no index: ODA then reports missing data). */
/**
 * The read's options: a class, so ODA is a method made once at preload, not a closure per read
 * (docs/memory.md, issue 9). Only the CA key the card's 8F names is read from settings, when ODA needs it.
 */
class ChipReadOptions implements EmvReadOptions {
  readonly interface: 'contactless' | 'contact';
  constructor(
    via: 'contactless' | 'contact',
    readonly params: EmvParams,
    private readonly crypto: Ports['crypto'],
    private readonly settings: Ports['settings'],
    private readonly cbor: CborCodec,
    private readonly revoked: CardProfile['revoked'],
  ) {
    this.interface = via;
  }
  oda(input: OdaInput): Promise<OdaOutcome> {
    return performOda(this.crypto, caKeysFor(this.settings, this.cbor, input), this.revoked, input);
  }
}

function caKeysFor(settings: Ports['settings'], cbor: CborCodec, input: OdaInput): CaPublicKey[] {
  const index = input.tags.get(0x8f);
  return index && index.length === 1 ? readCapkTable(settings, cbor, { rid: input.rid, index: index[0] }).keys : [];
}
