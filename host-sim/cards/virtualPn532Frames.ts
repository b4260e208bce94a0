/**
 * The PN532's host-link frames seen from the chip's side (NXP UM0701-02 §6.2.1): what the chip
 * takes from the host (TFI D4, normal or extended information frames, ACK, NACK, after any
 * HSU wake-up preamble) and what it sends back (ACK, TFI D5 answers, the syntax error frame).
 * Written apart from the core's driver (firmware/core/card/pn532) on purpose: the two meet
 * only on the wire, so each checks the other. Engine-neutral: the XS lane runs it in XS.
 */

/** ACK: 00 00 FF 00 FF 00 (UM0701-02 §6.2.1.3). */
export const CHIP_ACK = Uint8Array.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);
/** NACK: 00 00 FF FF 00 00 (§6.2.1.4). */
export const CHIP_NACK = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00);
/** Syntax error frame: 00 00 FF 01 FF 7F 81 00 (§6.2.1.5), for a command the chip does not know. */
export const CHIP_ERROR_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00);

export const TFI_HOST = 0xd4;
export const TFI_CHIP = 0xd5;

/** The largest TFI + data an information frame from the host may carry (extended frame, §6.2.1.2: 265 bytes). */
export const MAX_HOST_FRAME_DATA = 265;
/** Bytes held while a frame is incomplete; past this the oldest go (a host flooding garbage). */
const MAX_BUFFERED = 1024;

/** What the chip made of the bytes so far, one entry per complete frame. */
export type HostFrame =
  | { kind: 'ack' }
  | { kind: 'nack' }
  /** A well-formed information frame with TFI D4: the command code and its parameters. */
  | { kind: 'command'; code: number; params: Uint8Array }
  /** A frame whose LCS or DCS does not sum to zero, or whose TFI is not D4: the chip stays silent. */
  | { kind: 'bad' };

/**
 * Cuts the host's byte stream into frames. Anything before a start code 00 FF is preamble or
 * noise (the HSU wake-up's 55 55 00 00 …); a frame is taken once all of it has arrived.
 */
export class ChipFrameReader {
  #bytes: number[] = [];

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.#bytes.push(bytes[i]);
    if (this.#bytes.length > MAX_BUFFERED) this.#bytes.splice(0, this.#bytes.length - MAX_BUFFERED);
  }

  /** Bytes waiting (an incomplete frame or preamble). */
  get pending(): number {
    return this.#bytes.length;
  }

  /** Drops everything waiting (power-down: the chip's UART is off). */
  clear(): void {
    this.#bytes = [];
  }

  /** The next complete frame, or undefined when more bytes are needed. Each call consumes what it returns. */
  next(): HostFrame | undefined {
    const b = this.#bytes;
    // Find the start code 00 FF; bytes before it are preamble.
    let start = -1;
    for (let i = 0; i + 1 < b.length; i++) {
      if (b[i] === 0x00 && b[i + 1] === 0xff) {
        start = i + 2;
        break;
      }
    }
    if (start < 0) {
      // Keep a trailing 00, which may be the first half of a start code.
      const keep = b.length > 0 && b[b.length - 1] === 0x00 ? 1 : 0;
      b.splice(0, b.length - keep);
      return undefined;
    }
    if (b.length < start + 2) return undefined;
    const len = b[start];
    const lcs = b[start + 1];
    if (len === 0x00 && lcs === 0xff) return this.#take(start + 3, { kind: 'ack' }); // + postamble
    if (len === 0xff && lcs === 0x00) return this.#take(start + 3, { kind: 'nack' });
    let dataAt: number;
    let dataLen: number;
    if (len === 0xff && lcs === 0xff) {
      // Extended frame: 00 00 FF FF FF LENm LENl LCS TFI … DCS 00.
      if (b.length < start + 5) return undefined;
      const lenM = b[start + 2];
      const lenL = b[start + 3];
      if (((lenM + lenL + b[start + 4]) & 0xff) !== 0) return this.#take(start + 5, { kind: 'bad' });
      dataLen = (lenM << 8) | lenL;
      dataAt = start + 5;
    } else {
      if (((len + lcs) & 0xff) !== 0) return this.#take(start + 2, { kind: 'bad' });
      dataLen = len;
      dataAt = start + 2;
    }
    if (dataLen === 0 || dataLen > MAX_HOST_FRAME_DATA) return this.#take(dataAt, { kind: 'bad' });
    // TFI + data, DCS, postamble.
    if (b.length < dataAt + dataLen + 2) return undefined;
    let sum = 0;
    for (let i = 0; i <= dataLen; i++) sum += b[dataAt + i];
    const end = dataAt + dataLen + 2;
    if ((sum & 0xff) !== 0 || b[dataAt] !== TFI_HOST || dataLen < 2) return this.#take(end, { kind: 'bad' });
    const code = b[dataAt + 1];
    const params = Uint8Array.from(b.slice(dataAt + 2, dataAt + dataLen));
    return this.#take(end, { kind: 'command', code, params });
  }

  #take(count: number, frame: HostFrame): HostFrame {
    this.#bytes.splice(0, Math.min(count, this.#bytes.length));
    return frame;
  }
}

/**
 * The chip's answer frame for command `code`: TFI D5, code + 1, then `data`; a normal frame
 * while TFI + data fit in 255 bytes, else an extended frame. `corruptDcs` flips the data
 * checksum (the 'checksum' fault).
 */
export function encodeChipFrame(code: number, data: Uint8Array, corruptDcs = false): Uint8Array {
  const n = data.length + 2; // TFI, answer code
  const extended = n > 255;
  const head = extended ? 8 : 5;
  const out = new Uint8Array(head + n + 2);
  out[0] = 0x00;
  out[1] = 0x00;
  out[2] = 0xff;
  if (extended) {
    out[3] = 0xff;
    out[4] = 0xff;
    out[5] = (n >> 8) & 0xff;
    out[6] = n & 0xff;
    out[7] = (0x100 - ((out[5] + out[6]) & 0xff)) & 0xff;
  } else {
    out[3] = n;
    out[4] = (0x100 - n) & 0xff;
  }
  out[head] = TFI_CHIP;
  out[head + 1] = (code + 1) & 0xff;
  out.set(data, head + 2);
  let sum = 0;
  for (let i = head; i < head + n; i++) sum += out[i];
  out[head + n] = ((0x100 - (sum & 0xff)) & 0xff) ^ (corruptDcs ? 0x5a : 0);
  out[head + n + 1] = 0x00;
  return out;
}

/** The error frame, with its checksum flipped under the 'checksum' fault. */
export function chipErrorFrame(corruptDcs = false): Uint8Array {
  const out = CHIP_ERROR_FRAME.slice();
  if (corruptDcs) out[6] ^= 0x5a;
  return out;
}
