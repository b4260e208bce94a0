/**
 * PN532 host-side framing (NXP PN532 User Manual UM0701-02 §6.2).
 *
 * - Normal information frame: 00 00 FF LEN LCS TFI PD0…PDn DCS 00. LEN counts TFI and data
 *   (1…255); LEN + LCS ≡ 0 and TFI + data + DCS ≡ 0 (mod 256).
 * - Extended information frame: 00 00 FF FF FF LENm LENl LCS TFI … DCS 00, for more than 254
 *   data bytes; LENm + LENl + LCS ≡ 0. The PN532 takes at most 265 bytes of TFI and data.
 * - ACK 00 00 FF 00 FF 00, NACK 00 00 FF FF 00 00, error frame 00 00 FF 01 FF 7F 81 00.
 * - HSU wake-up (§7.2.11): a long preamble 55 55 00 … before the first command.
 *
 * TFI is D4 host → chip and D5 chip → host.
 */
import { CardError } from '../errors';

export const TFI_HOST = 0xd4;
export const TFI_CHIP = 0xd5;
/** TFI + data of one frame at most (UM0701-02 §6.2.1.2: the PN532's 265-byte buffer). */
export const MAX_FRAME_BODY = 265;
/** Largest TFI + data a normal frame's one-byte LEN can say. */
const MAX_NORMAL_BODY = 255;

/** Read-only: module-level typed arrays are frozen in flash on the device. */
export const PN532_ACK: Uint8Array = new Uint8Array([0x00, 0x00, 0xff, 0x00, 0xff, 0x00]);
export const PN532_NACK: Uint8Array = new Uint8Array([0x00, 0x00, 0xff, 0xff, 0x00, 0x00]);
export const PN532_ERROR_FRAME: Uint8Array = new Uint8Array([0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00]);
/**
 * The HSU wake-up long preamble (UM0701-02 §7.2.11): 55 55 and fourteen 00. Its last two
 * zeros are the first command frame's preamble and first start-code byte (see withWakeUp).
 */
export const HSU_WAKE_UP: Uint8Array = new Uint8Array([0x55, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

export type Pn532Frame = { readonly kind: 'ack' } | { readonly kind: 'nack' } | { readonly kind: 'error' } | { kind: 'info'; tfi: number; data: Uint8Array };

/** The frames without data, one frozen object each: the reader allocates nothing for them. */
const ACK_FRAME: Pn532Frame = Object.freeze({ kind: 'ack' as const });
const NACK_FRAME: Pn532Frame = Object.freeze({ kind: 'nack' as const });
const ERROR_FRAME: Pn532Frame = Object.freeze({ kind: 'error' as const });

/** Read-only and never written: the no-parameter case of encodeFrame's `lead`. */
const NO_BYTES: Uint8Array = new Uint8Array(0);

/**
 * The frame carrying `command` and `params` host → chip (TFI D4): a normal frame, or an
 * extended one when TFI + command + params pass 255 bytes. `lead` (0…255), when given, is a
 * parameter byte sent before `params` (InDataExchange's Tg), so callers need not copy.
 * @throws CardError pn532-length past 265 bytes of TFI and data
 */
export function encodeHostFrame(command: number, params: Uint8Array = NO_BYTES, lead?: number): Uint8Array {
  return encodeFrame(TFI_HOST, command, params, lead);
}

/** A frame of `tfi` (host-side tests and tools build chip answers with TFI D5 too). */
export function encodeFrame(tfi: number, command: number, params: Uint8Array, lead?: number): Uint8Array {
  const extra = lead === undefined ? 0 : 1;
  const body = params.length + 2 + extra;
  if (body > MAX_FRAME_BODY) throw new CardError('pn532-length', `a frame of ${body} bytes of TFI and data is past the PN532's ${MAX_FRAME_BODY}`);
  const extended = body > MAX_NORMAL_BODY;
  const head = extended ? 8 : 5;
  const out = new Uint8Array(head + body + 2);
  out[2] = 0xff;
  if (extended) {
    out[3] = 0xff;
    out[4] = 0xff;
    out[5] = body >> 8;
    out[6] = body & 0xff;
    out[7] = (0x100 - ((out[5] + out[6]) & 0xff)) & 0xff;
  } else {
    out[3] = body;
    out[4] = (0x100 - body) & 0xff;
  }
  out[head] = tfi & 0xff;
  out[head + 1] = command & 0xff;
  if (lead !== undefined) out[head + 2] = lead & 0xff;
  if (params.length > 0) out.set(params, head + 2 + extra);
  out[head + body] = (0x100 - (byteSum(out, head, head + body) & 0xff)) & 0xff;
  return out;
}

/** The sum of bytes[from..to), eight a step (a loop turn costs more than an addition on XS). */
function byteSum(bytes: Uint8Array, from: number, to: number): number {
  let sum = 0;
  let i = from;
  for (const end = to - 7; i < end; i += 8) sum += bytes[i] + bytes[i + 1] + bytes[i + 2] + bytes[i + 3] + bytes[i + 4] + bytes[i + 5] + bytes[i + 6] + bytes[i + 7];
  for (; i < to; i++) sum += bytes[i];
  return sum;
}

/**
 * The HSU wake-up followed by `frame`, as NXP's example sends it (UM0701-02 §7.2.11:
 * 55 55 00 00 00 00 00 00 00 00 00 00 00 00 00 00 FF 03 FD D4 14 01 17 00): the preamble's
 * last two zeros double as the frame's 00 00.
 */
export function withWakeUp(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(HSU_WAKE_UP.length + frame.length - 2);
  out.set(HSU_WAKE_UP, 0);
  out.set(frame.subarray(2), HSU_WAKE_UP.length);
  return out;
}

/** Bytes the reader holds at most: two largest frames with their heads (older bytes are dropped past it). */
const BUFFER_CAP = 2 * (MAX_FRAME_BODY + 10);

/**
 * A streaming reader of frames from one direction (chip → host by default). Bytes arrive in
 * chunks of any size through `push`; `next` gives each complete frame. Bytes before a 00 FF
 * start code (preambles, postambles, line noise) are skipped. A frame that is bad throws a
 * CardError after the reader has stepped past its start code, so the next call resyncs on the
 * next start code. Lengths are judged before anything is allocated.
 */
export class Pn532FrameReader {
  #buffer = new Uint8Array(64);
  #start = 0;
  #end = 0;
  #lost = 0;
  readonly #tfi: number;

  /** `tfi`: the TFI of the frames read (D5, chip → host; D4 to read what a host sends). */
  constructor(tfi: number = TFI_CHIP) {
    this.#tfi = tfi;
  }

  push(bytes: Uint8Array): void {
    let incoming = bytes;
    if (incoming.length >= BUFFER_CAP) {
      this.#lost += this.#end - this.#start + incoming.length - BUFFER_CAP;
      incoming = incoming.subarray(incoming.length - BUFFER_CAP);
      this.#start = this.#end = 0;
    } else if (this.#end - this.#start + incoming.length > BUFFER_CAP) {
      const drop = this.#end - this.#start + incoming.length - BUFFER_CAP;
      this.#lost += drop;
      this.#start += drop;
    }
    if (this.#end + incoming.length > this.#buffer.length) {
      const held = this.#end - this.#start;
      let size = this.#buffer.length;
      while (size < held + incoming.length) size *= 2;
      if (size > this.#buffer.length) {
        const grown = new Uint8Array(Math.min(size, BUFFER_CAP));
        grown.set(this.#buffer.subarray(this.#start, this.#end), 0);
        this.#buffer = grown;
      } else {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = held;
    }
    this.#buffer.set(incoming, this.#end);
    this.#end += incoming.length;
  }

  /** Bytes held that are not yet a frame (a partial frame when a start code is among them). */
  get pending(): number {
    return this.#end - this.#start;
  }

  /** Whether a frame has started (00 FF seen) and not yet ended. */
  get inFrame(): boolean {
    return this.#findStart() >= 0;
  }

  /** Drops everything held. */
  reset(): void {
    this.#start = this.#end = 0;
    this.#lost = 0;
  }

  /**
   * The next complete frame, or undefined when more bytes are needed.
   * @throws CardError pn532-checksum | pn532-length | pn532-tfi | pn532-unexpected (bytes lost to overflow)
   */
  next(): Pn532Frame | undefined {
    if (this.#lost > 0) {
      const lost = this.#lost;
      this.#lost = 0;
      throw new CardError('pn532-unexpected', `${lost} received bytes dropped: more than ${BUFFER_CAP} held without a frame`);
    }
    const s = this.#findStart();
    if (s < 0) {
      // Keep a trailing 00: it may be the first byte of a start code.
      const keep = this.#end > this.#start && this.#buffer[this.#end - 1] === 0 ? 1 : 0;
      this.#start = this.#end - keep;
      return undefined;
    }
    this.#start = s;
    const b = this.#buffer;
    const avail = this.#end - s;
    if (avail < 4) return undefined;
    const len = b[s + 2];
    const lcs = b[s + 3];
    if (len === 0x00 && lcs === 0xff) return this.#consume(4, ACK_FRAME);
    if (len === 0xff && lcs === 0x00) return this.#consume(4, NACK_FRAME);
    let head: number;
    let body: number;
    if (len === 0xff && lcs === 0xff) {
      if (avail < 7) return undefined;
      if (((b[s + 4] + b[s + 5] + b[s + 6]) & 0xff) !== 0) this.#fail('pn532-checksum', 'extended frame LCS does not sum to zero');
      body = (b[s + 4] << 8) | b[s + 5];
      head = 7;
    } else {
      if (((len + lcs) & 0xff) !== 0) this.#fail('pn532-checksum', `LCS ${lcs} does not sum to zero with LEN ${len}`);
      body = len;
      head = 4;
    }
    if (body === 0) this.#fail('pn532-length', 'an information frame of length 0 (no TFI)');
    if (body > MAX_FRAME_BODY) this.#fail('pn532-length', `frame length ${body} is past the PN532's ${MAX_FRAME_BODY}`);
    if (avail < head + body + 1) return undefined;
    if ((byteSum(b, s + head, s + head + body + 1) & 0xff) !== 0) this.#fail('pn532-checksum', 'DCS does not sum to zero with TFI and data');
    const tfi = b[s + head];
    if (tfi === 0x7f && body === 1) return this.#consume(head + 2, ERROR_FRAME);
    if (tfi !== this.#tfi) this.#fail('pn532-tfi', `TFI ${tfi.toString(16)} where ${this.#tfi.toString(16)} was due`);
    const data = b.slice(s + head + 1, s + head + body);
    return this.#consume(head + body + 1, { kind: 'info', tfi, data });
  }

  /** Index of the next 00 FF at or after #start, or -1. */
  #findStart(): number {
    const b = this.#buffer;
    for (let i = this.#start; i + 1 < this.#end; i++) if (b[i] === 0x00 && b[i + 1] === 0xff) return i;
    return -1;
  }

  #consume(count: number, frame: Pn532Frame): Pn532Frame {
    this.#start += count;
    // The postamble, when it has come.
    if (this.#start < this.#end && this.#buffer[this.#start] === 0x00 && !(this.#start + 1 < this.#end && this.#buffer[this.#start + 1] === 0xff))
      this.#start++;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return frame;
  }

  /** Steps past the start code so the next call resyncs, then throws. */
  #fail(code: 'pn532-checksum' | 'pn532-length' | 'pn532-tfi', message: string): never {
    this.#start += 2;
    throw new CardError(code, message);
  }
}

/**
 * One frame from a whole buffer (tests, tools): the first frame in `bytes`.
 * @throws CardError pn532-truncated when `bytes` end before the frame does, or hold none; the reader's errors otherwise
 */
export function decodeFrame(bytes: Uint8Array, tfi: number = TFI_CHIP): Pn532Frame {
  const reader = new Pn532FrameReader(tfi);
  reader.push(bytes);
  const frame = reader.next();
  if (!frame) throw new CardError('pn532-truncated', `${bytes.length} bytes end before a whole frame`);
  return frame;
}
