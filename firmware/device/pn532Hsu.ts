/**
 * The PN532's HSU link (UART, 115,200 8N1, UM0701-02 §6.2.5) on ECMA-419 `embedded:io/serial`
 * in the `buffer` format (opened through pn532Sdk.ts, so Node tests can hand it a stand-in). Bytes in go to the core's driver as they come; bytes out wait in a
 * bounded queue and go out as the UART's transmit FIFO has room (on ESP32 `write` throws
 * "output full" rather than take more than the FIFO holds: modules/io/serial/esp32/serial.c).
 *
 * Not wired into devicePorts.ts: the Moddable Two has no reader. See README.md for a board that has one.
 */
import { PortError, type ReaderLinkPort } from '../core/ports';

export interface Pn532HsuOptions {
  /** UART number (ESP32: 1 or 2; 0 is the console). */
  port: number;
  /** GPIO of the ESP32's RX (the PN532's TX). */
  receive: number;
  /** GPIO of the ESP32's TX (the PN532's RX). */
  transmit: number;
}

/** The PN532's HSU speed after reset. */
const BAUD = 115_200;
/** Bytes waiting to go out at most: the wake-up and two of the largest frames (a NACK, a resend). */
const OUT_CAP = 16 + 2 * 275;

/** What the adapter calls of ECMA-419 serial in the `buffer` format. */
export interface HsuSerial {
  read(byteLength: number): ArrayBuffer | undefined;
  write(bytes: Uint8Array): void;
  close(): void;
}
export interface HsuSerialOptions {
  port: number;
  receive: number;
  transmit: number;
  baud: number;
  format: 'buffer';
  /** Kept by the SDK as the instance's `target` (builtinInitializeTarget). */
  target: Pn532Hsu;
  onReadable(this: HsuSerial, count: number): void;
  onWritable(this: HsuSerial, count: number): void;
}
/** Opens the UART (pn532Sdk.ts binds the SDK's); throws when the port or pins cannot be had. */
export type OpenHsuSerial = (options: HsuSerialOptions) => HsuSerial;

/** The serial as its callbacks see it: `this` is the instance, `target` the option of that name. */
type SerialWithTarget = HsuSerial & { readonly target: Pn532Hsu };

export class Pn532Hsu implements ReaderLinkPort {
  readonly kind = 'hsu';
  readonly #options: Pn532HsuOptions;
  readonly #open: OpenHsuSerial;
  #serial: HsuSerial | undefined;
  #onBytes: ((bytes: Uint8Array) => void) | undefined;
  readonly #out = new Uint8Array(OUT_CAP);
  #outStart = 0;
  #outEnd = 0;
  /** Room in the transmit FIFO as the last onWritable said, less what was written since. */
  #room = 0;

  constructor(options: Pn532HsuOptions, open: OpenHsuSerial) {
    this.#options = options;
    this.#open = open;
  }

  /** @throws PortError 'reader' when the UART cannot be opened (pins or port in use) */
  open(onBytes: (bytes: Uint8Array) => void): void {
    if (this.#serial) throw new PortError('reader', 'the PN532 UART is already open');
    this.#onBytes = onBytes;
    try {
      this.#serial = this.#open({
        port: this.#options.port,
        receive: this.#options.receive,
        transmit: this.#options.transmit,
        baud: BAUD,
        format: 'buffer',
        target: this,
        onReadable: Pn532Hsu.#readable,
        onWritable: Pn532Hsu.#writable,
      });
    } catch (error) {
      this.#onBytes = undefined;
      throw new PortError('reader', `PN532 UART ${this.#options.port}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** @throws PortError 'reader' when closed or when the queue is full */
  write(bytes: Uint8Array): void {
    if (!this.#serial) throw new PortError('reader', 'the PN532 UART is not open');
    if (this.#outEnd + bytes.length > OUT_CAP) {
      this.#out.copyWithin(0, this.#outStart, this.#outEnd);
      this.#outEnd -= this.#outStart;
      this.#outStart = 0;
    }
    if (this.#outEnd + bytes.length > OUT_CAP) throw new PortError('reader', `PN532 UART output queue full (${OUT_CAP} bytes)`);
    this.#out.set(bytes, this.#outEnd);
    this.#outEnd += bytes.length;
    this.#drain();
  }

  close(): void {
    const serial = this.#serial;
    this.#serial = undefined;
    this.#onBytes = undefined;
    this.#outStart = this.#outEnd = 0;
    serial?.close();
  }

  #drain(): void {
    const serial = this.#serial;
    if (!serial) return;
    const count = Math.min(this.#room, this.#outEnd - this.#outStart);
    if (count <= 0) return;
    serial.write(this.#out.subarray(this.#outStart, this.#outStart + count));
    this.#room -= count;
    this.#outStart += count;
    if (this.#outStart === this.#outEnd) this.#outStart = this.#outEnd = 0;
  }

  static #readable(this: HsuSerial, count: number): void {
    const self = (this as SerialWithTarget).target;
    if (!self.#serial || count <= 0) return;
    const bytes = this.read(count);
    if (bytes) self.#onBytes?.(new Uint8Array(bytes));
  }

  static #writable(this: HsuSerial, count: number): void {
    const self = (this as SerialWithTarget).target;
    self.#room = count;
    self.#drain();
  }
}
