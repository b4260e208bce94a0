/**
 * The PN532's I2C link (UM0701-02 §6.2.4, 7-bit address 0x24) on ECMA-419 `embedded:io/i2c`
 * (opened through pn532Sdk.ts, so Node tests can hand it a stand-in).
 *
 * The host writes a frame as one I2C write. To read, it reads the status byte first: bit 0 set
 * (01) means an ACK or an answer is ready, and a read then returns the status byte again
 * followed by the frame. The chip does not say how long the frame is before it is read, so the
 * whole largest frame is read in one transaction, as libnfc's pn532_i2c driver does; the bytes
 * past the frame's end are dropped here. The core's driver sees a byte stream, as over HSU:
 * the status byte and the polling stay in this file. Polling runs on the device clock, while
 * a frame is due (from each write until POLL_WINDOW_MS after the last frame or write).
 *
 * Not wired into devicePorts.ts: the Moddable Two has no reader. See README.md for a board that has one.
 */
import { PortError, type ClockPort, type ReaderLinkPort, type TimerToken } from '../core/ports';

/** What the adapter calls of ECMA-419 I2C. */
export interface I2cBus {
  read(byteLength: number): ArrayBuffer;
  write(bytes: Uint8Array): void;
  close(): void;
}
export interface I2cBusOptions {
  data: number;
  clock: number;
  hz: number;
  address: number;
  port?: number;
}
/** Opens the bus (pn532Sdk.ts binds the SDK's); throws when the pins or the address cannot be had. */
export type OpenI2cBus = (options: I2cBusOptions) => I2cBus;

export interface Pn532I2cOptions {
  /** GPIO of SDA. */
  data: number;
  /** GPIO of SCL. */
  clock: number;
  /** Bus speed; the PN532 takes up to 400 kHz. */
  hz?: number;
  /** I2C controller number. */
  port?: number;
}

/** The PN532's 7-bit I2C address (0x48 as an 8-bit write address). */
export const PN532_I2C_ADDRESS = 0x24;
/** Status byte: bit 0 set when a frame is ready to be read. */
const READY = 0x01;
/** Status byte, then the largest frame: preamble, start code, extended length (5), 265 bytes, DCS, postamble. */
const READ_LENGTH = 1 + 8 + 265 + 2;
/** Status polled this often while a frame is due. */
const POLL_MS = 5;
/** Polling goes on this long after the last write or frame (past the driver's answer timeout). */
const POLL_WINDOW_MS = 2_500;

export class Pn532I2c implements ReaderLinkPort {
  readonly kind = 'i2c';
  readonly #options: Pn532I2cOptions;
  readonly #clock: ClockPort;
  readonly #onPoll: () => void;
  readonly #open: OpenI2cBus;
  #bus: I2cBus | undefined;
  #onBytes: ((bytes: Uint8Array) => void) | undefined;
  #timer: TimerToken | undefined;
  #pollUntil = 0;

  /** `clock`: the device clock, for the status polling. */
  constructor(options: Pn532I2cOptions, clock: ClockPort, open: OpenI2cBus) {
    this.#options = options;
    this.#clock = clock;
    this.#open = open;
    this.#onPoll = this.#poll.bind(this);
  }

  /** @throws PortError 'reader' when the bus cannot be opened (pins in use, address taken) */
  open(onBytes: (bytes: Uint8Array) => void): void {
    if (this.#bus) throw new PortError('reader', 'the PN532 I2C link is already open');
    try {
      this.#bus = this.#open({
        data: this.#options.data,
        clock: this.#options.clock,
        hz: this.#options.hz ?? 400_000,
        address: PN532_I2C_ADDRESS,
        ...(this.#options.port === undefined ? {} : { port: this.#options.port }),
      });
    } catch (error) {
      throw new PortError('reader', `PN532 I2C: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#onBytes = onBytes;
  }

  /**
   * One I2C write of the frame. A PN532 in power-down wakes on its address and may not
   * acknowledge that first transfer (§6.2.4), so a refused write is tried once more.
   * @throws PortError 'reader' when closed or the chip does not acknowledge
   */
  write(bytes: Uint8Array): void {
    const bus = this.#bus;
    if (!bus) throw new PortError('reader', 'the PN532 I2C link is not open');
    try {
      bus.write(bytes);
    } catch {
      try {
        bus.write(bytes);
      } catch (error) {
        throw new PortError('reader', `PN532 I2C write: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.#pollUntil = this.#clock.uptimeMs() + POLL_WINDOW_MS;
    if (this.#timer === undefined) this.#timer = this.#clock.setTimer(POLL_MS, this.#onPoll);
  }

  close(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    const bus = this.#bus;
    this.#bus = undefined;
    this.#onBytes = undefined;
    bus?.close();
  }

  #poll(): void {
    this.#timer = undefined;
    const bus = this.#bus;
    if (!bus) return;
    let frame: Uint8Array | undefined;
    try {
      const status = new Uint8Array(bus.read(1));
      if (status[0] & READY) frame = frameOf(new Uint8Array(bus.read(READ_LENGTH)));
    } catch {
      // A busy chip may not acknowledge its address: poll again; the driver's timeouts decide.
    }
    if (frame) {
      this.#pollUntil = this.#clock.uptimeMs() + POLL_WINDOW_MS;
      this.#onBytes?.(frame);
      if (!this.#bus) return; // closed by the driver on this frame
    }
    if (this.#clock.uptimeMs() < this.#pollUntil) this.#timer = this.#clock.setTimer(POLL_MS, this.#onPoll);
  }
}

/**
 * The frame in a ready read: the bytes after the status byte, up to the frame's end as its
 * header says (ACK/NACK 6 bytes; normal LEN + 7; extended LEN + 10). A header that says
 * nothing sensible is passed whole: the core's frame reader judges it.
 */
function frameOf(read: Uint8Array): Uint8Array {
  const bytes = read.subarray(1);
  let s = 0;
  while (s + 1 < bytes.length && s < 8 && !(bytes[s] === 0x00 && bytes[s + 1] === 0xff)) s++;
  if (s + 4 > bytes.length || s >= 8) return bytes.slice();
  const len = bytes[s + 2];
  const lcs = bytes[s + 3];
  // Index of the postamble: 00 FF LEN LCS [LENm LENl LCS] TFI…data DCS 00.
  let end: number;
  if ((len === 0x00 && lcs === 0xff) || (len === 0xff && lcs === 0x00)) end = s + 4;
  else if (len === 0xff && lcs === 0xff) end = s + 8 + ((bytes[s + 4] << 8) | bytes[s + 5]);
  else end = s + 5 + len;
  return bytes.slice(0, Math.min(bytes.length, end + 1));
}
