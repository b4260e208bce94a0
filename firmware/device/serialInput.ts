/**
 * A serial input module (magstripe reader, code scanner) on an ECMA-419 `embedded:io/serial`
 * port: the adapter's logic, with no SDK import, so jest runs it against a fake port
 * (uartSerial.ts binds the SDK's class). The module only talks: the terminal never writes to it.
 * Bytes go through the core's bounded LineFramer; what it drops (overlong frames, frames cut
 * short, lines past its queue) is the line's framing errors, which check() reports: a module at
 * the wrong baud rate sends nothing but such garbage.
 */
import { LineFramer, type LineFramerOptions } from '../core/card/serialLines';
import { PortError, type InputModuleStatus } from '../core/ports';

/** The part of ECMA-419 Serial (format "buffer") the adapters use. */
export interface SerialLike {
  read(): ArrayBuffer | undefined;
  close(): void;
}

export interface SerialLikeOptions {
  port: number;
  receive: number;
  transmit?: number;
  baud: number;
  format: 'buffer';
  onReadable(this: SerialLike, count: number): void;
}

/** Opens a UART; throws when the port or pins cannot be had. */
export type OpenSerial = (options: SerialLikeOptions) => SerialLike;

/** Where the module is wired and how fast it talks: 8 data bits, no parity, 1 stop bit (the SDK's serial framing). */
export interface SerialModuleConfig {
  /** UART number (ESP32: 1 or 2; 0 is the console). */
  port: number;
  /** GPIO of the module's TX line (the board's RX). */
  receive: number;
  /** GPIO of the board's TX, when wired (the modules here never need it). */
  transmit?: number;
  /** Default 9600, as magstripe modules and scanners ship. */
  baud?: number;
}

/** Framing errors since the last check at which the line is judged garbled. */
const GARBLED_AFTER = 3;

export class SerialInputModule {
  readonly fitted = true;
  readonly #what: string;
  readonly #config: SerialModuleConfig;
  readonly #open: OpenSerial;
  readonly #framer: LineFramer;
  #serial: SerialLike | undefined;
  #deliver: ((line: string) => void) | undefined;
  #checkedDropped = 0;

  constructor(what: string, config: SerialModuleConfig, framing: LineFramerOptions, open: OpenSerial) {
    this.#what = what;
    this.#config = config;
    this.#framer = new LineFramer(framing);
    this.#open = open;
  }

  get baud(): number {
    return this.#config.baud ?? 9600;
  }

  /** Opens the port once (idempotent). @throws PortError 'reader' when the SDK refuses the port or pins */
  #ensureOpen(): void {
    if (this.#serial) return;
    const self = this;
    const { port, receive, transmit } = this.#config;
    try {
      this.#serial = this.#open({
        port,
        receive,
        ...(transmit === undefined ? {} : { transmit }),
        baud: this.baud,
        format: 'buffer',
        onReadable() {
          self.#readable(this);
        },
      });
    } catch (error) {
      throw new PortError('reader', `${this.#what}: UART ${port} (RX GPIO ${receive}) did not open: ${(error as Error).message}`);
    }
  }

  #readable(serial: SerialLike): void {
    // Bounded: each read takes what the driver holds; a read returning nothing ends the turn.
    for (let turns = 0; turns < 64; turns++) {
      const buffer = serial.read();
      if (!buffer || buffer.byteLength === 0) break;
      this.#framer.push(new Uint8Array(buffer));
    }
    for (let line = this.#framer.next(); line !== undefined; line = this.#framer.next()) {
      if (this.#deliver) this.#deliver(line);
    }
  }

  start(deliver: (line: string) => void): void {
    this.#ensureOpen();
    this.#framer.reset();
    this.#deliver = deliver;
  }

  stop(): void {
    this.#deliver = undefined;
  }

  /** The port opens and the line is not garbled (fewer than 3 framing errors since the last check). */
  async check(): Promise<InputModuleStatus> {
    try {
      this.#ensureOpen();
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
    const dropped = this.#framer.dropped;
    const recent = dropped - this.#checkedDropped;
    this.#checkedDropped = dropped;
    const line = `UART ${this.#config.port} ${this.baud} 8N1`;
    if (recent >= GARBLED_AFTER) return { ok: false, detail: `${line}: ${recent} framing errors since the last check (wrong baud rate or a loose wire?)` };
    return { ok: true, detail: `${line}, ${recent} framing errors since the last check` };
  }

  close(): void {
    this.#deliver = undefined;
    const serial = this.#serial;
    this.#serial = undefined;
    serial?.close();
  }
}
