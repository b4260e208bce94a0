/**
 * The PN532 driver: one command in flight over a byte link (HSU or I2C), after UM0701-02 §6.2.
 *
 * A command goes out as an information frame; the chip ACKs it (within ackTimeoutMs), then
 * answers (within answerTimeoutMs). Recovery is bounded to one step each:
 * - an answer that arrives damaged (checksum, length, TFI) is NACKed once, which asks the chip
 *   to send it again (§6.2.1.4); a second damaged answer is the error;
 * - a NACK from the chip has the command sent once more; a second NACK is pn532-nack;
 * - no ACK or no answer in time is pn532-timeout (pn532-truncated when a frame had started);
 *   after a missing answer the driver sends an ACK, which aborts the chip's command (§6.2.1.3).
 * Everything else (an error frame, an answer to another command) fails the command at once.
 *
 * On HSU the first command after construction, wake() or a missing ACK carries the wake-up
 * preamble (§7.2.11). Nothing fires after close(). A class with private methods: the device
 * pays XS slots for every closure, so there is none per call beyond the command's promise.
 */
import { concatBytes } from '../../bytes';
import type { ClockPort, ReaderLinkPort, TimerToken } from '../../ports';
import { CardError } from '../errors';
import {
  BRTY_106_A, BRTY_106_B, checkStatus, CMD_DIAGNOSE, CMD_GET_FIRMWARE_VERSION, CMD_IN_DATA_EXCHANGE, CMD_IN_LIST_PASSIVE_TARGET,
  CMD_IN_RELEASE, CMD_RF_CONFIGURATION, CMD_SAM_CONFIGURATION, type FirmwareVersion, hex2, MAX_EXCHANGE_DATA, need,
  parseDiagnose, parseFirmwareVersion, parseListPassiveTarget, type PassiveTarget, RF_ITEM_FIELD, RF_ITEM_MAX_RETRIES, STATUS_MI,
} from './commands';
import { encodeHostFrame, PN532_ACK, PN532_NACK, Pn532FrameReader, type Pn532Frame, withWakeUp } from './frames';

export interface Pn532Options {
  /** Wait for the ACK of a command (default 100 ms: the chip ACKs within a few ms of the frame). */
  ackTimeoutMs?: number;
  /** Wait for the answer after the ACK (default 1,500 ms: a card's GENERATE AC or DDA signature). */
  answerTimeoutMs?: number;
}

/** A response APDU longer than this is refused (EMV responses are at most 256 data bytes + SW). */
export const MAX_RESPONSE = 1024;
/** InDataExchange frames one APDU may take each way (MAX_RESPONSE / a short frame, rounded up). */
const MAX_CHAIN_FRAMES = 8;
/** Frames judged per chunk of bytes at most (each takes at least 2 bytes of the reader's bounded buffer). */
const MAX_FRAMES_PER_CHUNK = 300;

const IDLE = 0;
const WAIT_ACK = 1;
const WAIT_ANSWER = 2;

export class Pn532 {
  readonly #link: ReaderLinkPort;
  readonly #clock: ClockPort;
  readonly #ackTimeoutMs: number;
  readonly #answerTimeoutMs: number;
  readonly #reader = new Pn532FrameReader();
  readonly #onBytes: (bytes: Uint8Array) => void;
  readonly #onTimer: () => void;
  readonly #startCommand: (resolve: (answer: Uint8Array) => void, reject: (error: CardError) => void) => void;
  #opened = false;
  #closed = false;
  /** HSU only: whether the chip has had its wake-up since the last silence. */
  #awake = false;
  #state = IDLE;
  #command = 0;
  #sent: Uint8Array | undefined;
  #timer: TimerToken | undefined;
  /**
   * Uptime the answer is due by, while the ACK timer runs on past the ACK (one timer a command:
   * when it fires before this, it is set again for the rest of the answer's wait).
   */
  #answerDue = -1;
  #nacked = false;
  #resent = false;
  #resolve: ((answer: Uint8Array) => void) | undefined;
  #reject: ((error: CardError) => void) | undefined;

  constructor(link: ReaderLinkPort, clock: ClockPort, options: Pn532Options = {}) {
    this.#link = link;
    this.#clock = clock;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 100;
    this.#answerTimeoutMs = options.answerTimeoutMs ?? 1_500;
    // One bound function each for the driver's life, not one per command.
    this.#onBytes = this.#receive.bind(this);
    this.#onTimer = this.#expire.bind(this);
    this.#startCommand = this.#start.bind(this);
  }

  /** Wakes the chip (the HSU preamble before the frame) and puts it in normal mode: SAMConfiguration 01. */
  async wake(): Promise<void> {
    this.#awake = false;
    await this.samConfiguration(0x01);
  }

  /** GetFirmwareVersion (§7.2.2). */
  async firmwareVersion(): Promise<FirmwareVersion> {
    return parseFirmwareVersion(await this.#execute(CMD_GET_FIRMWARE_VERSION));
  }

  /**
   * SAMConfiguration (§7.2.10): mode 01 normal (no SAM); `timeout` in 50 ms units (virtual card
   * mode only); `irq` whether P70_IRQ is driven. Unset trailing parameters are not sent.
   */
  async samConfiguration(mode = 0x01, timeout?: number, irq?: boolean): Promise<void> {
    const params = timeout === undefined && irq === undefined ? [mode] : irq === undefined ? [mode, timeout ?? 0] : [mode, timeout ?? 0, irq ? 1 : 0];
    await this.#execute(CMD_SAM_CONFIGURATION, new Uint8Array(params));
  }

  /** RFConfiguration item 01 (§7.3.1): the RF field on or off, AutoRFCA off. */
  async rfField(on: boolean): Promise<void> {
    await this.#execute(CMD_RF_CONFIGURATION, new Uint8Array([RF_ITEM_FIELD, on ? 0x01 : 0x00]));
  }

  /** RFConfiguration item 05 (§7.3.1): MxRtyATR, MxRtyPSL, MxRtyPassiveActivation (FF = for ever). */
  async setRetries(atr: number, psl: number, passiveActivation: number): Promise<void> {
    await this.#execute(CMD_RF_CONFIGURATION, new Uint8Array([RF_ITEM_MAX_RETRIES, atr & 0xff, psl & 0xff, passiveActivation & 0xff]));
  }

  /**
   * InListPassiveTarget (§7.3.5) for one target: 106 kbps type A, or type B (AFI 00: all
   * application families). Undefined when no card answered within the chip's retries.
   */
  async listPassiveTarget(type: 'A106' | 'B106', max: 1 = 1): Promise<PassiveTarget | undefined> {
    const params = type === 'A106' ? new Uint8Array([max, BRTY_106_A]) : new Uint8Array([max, BRTY_106_B, 0x00]);
    return parseListPassiveTarget(await this.#execute(CMD_IN_LIST_PASSIVE_TARGET, params), type === 'A106' ? BRTY_106_A : BRTY_106_B);
  }

  /**
   * InDataExchange (§7.3.8): sends `apdu` to target `tg`, returns the card's answer. An APDU
   * past 262 bytes goes in several frames, each but the last with the MI bit (0x40) in Tg; an
   * answer whose status has MI set is continued by InDataExchange with Tg alone until MI clears.
   * @throws CardError pn532-status (the status byte's error, e.g. 01 time out: the card went away), pn532-length, and the transport's
   */
  async dataExchange(tg: number, apdu: Uint8Array): Promise<Uint8Array> {
    const frames = Math.max(1, Math.ceil(apdu.length / MAX_EXCHANGE_DATA));
    if (frames > MAX_CHAIN_FRAMES) throw new CardError('pn532-length', `an APDU of ${apdu.length} bytes is past ${MAX_CHAIN_FRAMES} frames`);
    let answer: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < frames; i++) {
      const last = i === frames - 1;
      const chunk = frames === 1 ? apdu : apdu.subarray(i * MAX_EXCHANGE_DATA, Math.min(apdu.length, (i + 1) * MAX_EXCHANGE_DATA));
      answer = await this.#execute(CMD_IN_DATA_EXCHANGE, chunk, (tg & 0x3f) | (last ? 0 : STATUS_MI));
      need('InDataExchange', answer, 1);
      checkStatus('InDataExchange', answer[0]);
      if (!last && answer.length > 1) throw new CardError('pn532-unexpected', `InDataExchange answered ${answer.length - 1} data bytes before the APDU's last frame`);
    }
    let status = answer[0];
    if (!(status & STATUS_MI)) return answer.slice(1);
    const parts: Uint8Array[] = [answer.subarray(1)];
    let total = answer.length - 1;
    for (let more = 0; status & STATUS_MI; more++) {
      if (more >= MAX_CHAIN_FRAMES) throw new CardError('pn532-length', `a response chained past ${MAX_CHAIN_FRAMES} frames`);
      const next = await this.#execute(CMD_IN_DATA_EXCHANGE, undefined, tg & 0x3f);
      need('InDataExchange', next, 1);
      checkStatus('InDataExchange', next[0]);
      status = next[0];
      total += next.length - 1;
      if (total > MAX_RESPONSE) throw new CardError('pn532-length', `a response past ${MAX_RESPONSE} bytes`);
      parts.push(next.subarray(1));
    }
    return concatBytes(parts);
  }

  /** InRelease (§7.3.11) of target `tg` (0: all). */
  async release(tg: number): Promise<void> {
    const answer = await this.#execute(CMD_IN_RELEASE, undefined, tg & 0xff);
    need('InRelease', answer, 1);
    checkStatus('InRelease', answer[0]);
  }

  /**
   * Diagnose (§7.2.1) test `test` with `data`: the line test (00) returns the echoed data; ROM
   * (01), RAM (02) and antenna (07, data = the threshold byte) return one result byte, 00 good.
   */
  async diagnose(test: number, data: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    const params = new Uint8Array(data.length + 1);
    params[0] = test;
    params.set(data, 1);
    return parseDiagnose(test, await this.#execute(CMD_DIAGNOSE, params));
  }

  /** Closes the link; a command in flight fails with reader-fault; nothing fires afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#opened) this.#link.close();
    if (this.#state !== IDLE) this.#finish(new CardError('reader-fault', 'the reader link was closed'), undefined);
  }

  // -------------------------------------------------------------------------------------

  /** Sends `command` with `lead` (a first parameter byte, when given) and `params`; the answer after its command code. */
  #execute(command: number, params?: Uint8Array, lead?: number): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new CardError('reader-fault', 'the reader link is closed'));
    if (this.#state !== IDLE)
      return Promise.reject(new CardError('pn532-unexpected', `command 0x${hex2(command)} while 0x${hex2(this.#command)} is in flight`));
    let frame: Uint8Array;
    try {
      frame = encodeHostFrame(command, params, lead);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#command = command;
    this.#sent = frame;
    return new Promise<Uint8Array>(this.#startCommand);
  }

  /** The command's promise executor (bound once): sends #sent, the frame of #command. */
  #start(resolve: (answer: Uint8Array) => void, reject: (error: CardError) => void): void {
    const frame = this.#sent as Uint8Array;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#nacked = false;
    this.#resent = false;
    this.#reader.reset();
    this.#state = WAIT_ACK;
    if (!this.#opened) {
      this.#opened = true;
      this.#link.open(this.#onBytes);
    }
    const bytes = this.#link.kind === 'hsu' && !this.#awake ? withWakeUp(frame) : frame;
    this.#awake = true;
    this.#answerDue = -1;
    this.#timer = this.#clock.setTimer(this.#ackTimeoutMs, this.#onTimer); // no timer runs while idle (#finish cleared it)
    this.#send(bytes);
  }

  /** Writes `bytes` and arms the timer; a link that refuses fails the command. */
  #write(bytes: Uint8Array, timeoutMs: number): void {
    this.#arm(timeoutMs);
    this.#send(bytes);
  }

  #send(bytes: Uint8Array): void {
    try {
      this.#link.write(bytes);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.#finish(new CardError('reader-fault', `the link refused the frame: ${detail}`), undefined);
    }
  }

  #arm(timeoutMs: number): void {
    this.#answerDue = -1;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = this.#clock.setTimer(timeoutMs, this.#onTimer);
  }

  #receive(bytes: Uint8Array): void {
    if (this.#closed || this.#state === IDLE) return; // late bytes of a finished command
    this.#reader.push(bytes);
    for (let n = 0; n < MAX_FRAMES_PER_CHUNK && this.#state !== IDLE; n++) {
      let frame: Pn532Frame | undefined;
      try {
        frame = this.#reader.next();
      } catch (error) {
        this.#damaged(error as CardError);
        continue;
      }
      if (!frame) return;
      this.#judge(frame);
    }
  }

  #judge(frame: Pn532Frame): void {
    switch (frame.kind) {
      case 'ack':
        if (this.#state === WAIT_ACK) {
          this.#state = WAIT_ANSWER;
          // The ACK timer (due no later than the answer when the answer's wait is the longer)
          // runs on; when it fires, #expire sets it again for the rest of the answer's wait.
          if (this.#answerTimeoutMs >= this.#ackTimeoutMs && this.#timer !== undefined) this.#answerDue = this.#clock.uptimeMs() + this.#answerTimeoutMs;
          else this.#arm(this.#answerTimeoutMs);
        }
        return; // a second ACK changes nothing
      case 'nack':
        if (this.#resent) {
          this.#finish(new CardError('pn532-nack', `the chip NACKed command 0x${hex2(this.#command)} again after one resend`), undefined);
          return;
        }
        this.#resent = true;
        this.#reader.reset();
        this.#state = WAIT_ACK;
        this.#write(this.#sent as Uint8Array, this.#ackTimeoutMs);
        return;
      case 'error':
        this.#finish(new CardError('pn532-error-frame', `the chip answered command 0x${hex2(this.#command)} with its error frame (syntax error)`), undefined);
        return;
      case 'info': {
        // An answer before the ACK is taken as the answer: the ACK was lost on the line.
        const due = (this.#command + 1) & 0xff;
        if (frame.data.length < 1 || frame.data[0] !== due) {
          const got = frame.data.length < 1 ? 'an empty answer' : `an answer 0x${hex2(frame.data[0])}`;
          this.#finish(new CardError('pn532-unexpected', `${got} where 0x${hex2(due)} was due`), undefined);
          return;
        }
        this.#finish(undefined, frame.data.subarray(1));
      }
    }
  }

  /** A frame that did not parse: NACK it once while an answer is due, else it is the error. */
  #damaged(error: CardError): void {
    if (this.#state === WAIT_ANSWER && !this.#nacked) {
      this.#nacked = true;
      this.#reader.reset();
      this.#write(PN532_NACK, this.#answerTimeoutMs);
      return;
    }
    this.#finish(error instanceof CardError ? error : new CardError('pn532-unexpected', String(error)), undefined);
  }

  #expire(): void {
    this.#timer = undefined;
    if (this.#closed || this.#state === IDLE) return;
    if (this.#answerDue >= 0 && this.#state === WAIT_ANSWER) {
      const rest = this.#answerDue - this.#clock.uptimeMs();
      this.#answerDue = -1;
      if (rest > 0) {
        this.#timer = this.#clock.setTimer(rest, this.#onTimer);
        return;
      }
    }
    const waitingAck = this.#state === WAIT_ACK;
    const started = this.#reader.inFrame;
    if (waitingAck) this.#awake = false; // a silent chip may be asleep: wake it with the next command
    else {
      try {
        this.#link.write(PN532_ACK); // aborts the chip's command (§6.2.1.3)
      } catch {
        // the link is gone; the timeout below says enough
      }
    }
    const what = waitingAck ? 'ACK' : 'answer';
    const ms = waitingAck ? this.#ackTimeoutMs : this.#answerTimeoutMs;
    this.#finish(
      started
        ? new CardError('pn532-truncated', `the ${what} to command 0x${hex2(this.#command)} stopped mid-frame (${ms} ms)`)
        : new CardError('pn532-timeout', `no ${what} to command 0x${hex2(this.#command)} in ${ms} ms`),
      undefined,
    );
  }

  #finish(error: CardError | undefined, answer: Uint8Array | undefined): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#answerDue = -1;
    this.#state = IDLE;
    this.#sent = undefined;
    const resolve = this.#resolve;
    const reject = this.#reject;
    this.#resolve = this.#reject = undefined;
    if (error) reject?.(error);
    else resolve?.(answer as Uint8Array); // a view of the reader's own copy of the frame's data: nobody else holds it
  }
}
