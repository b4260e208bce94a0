/**
 * Simulated serial input modules: the magstripe reader (ASCII track 2 per swipe) and the
 * code scanner (one decoded symbol per scan). Fitted, healthy unless told otherwise; what is
 * swiped or scanned goes to the callback the core started, at once (like SimKeypad.press).
 * Engine-neutral (the XS lane runs them in XS).
 */
import type { CodeScannerPort, InputModuleStatus, MagstripePort } from '../../firmware/core/ports';

export interface SimInputOptions {
  /** The module is not there or its line is dead: check() reports not ok. */
  noAnswer?: boolean;
}

export class SimMagstripe implements MagstripePort {
  readonly fitted = true;
  readonly #noAnswer: boolean;
  #onSwipe: ((track2: string) => void) | undefined;

  constructor(options: SimInputOptions = {}) {
    this.#noAnswer = options.noAnswer ?? false;
  }
  async check(): Promise<InputModuleStatus> {
    return this.#noAnswer ? { ok: false, detail: 'virtual magstripe module: no answer' } : { ok: true, detail: 'virtual magstripe module (track 2, UART)' };
  }
  start(onSwipe: (track2: string) => void): void {
    this.#onSwipe = onSwipe;
  }
  stop(): void {
    this.#onSwipe = undefined;
  }
  /** A swipe: the module's raw track 2 characters (`;PAN=YYMM…?`). Nothing happens when the core is not listening. */
  swipe(ascii: string): void {
    if (!this.#noAnswer) this.#onSwipe?.(ascii);
  }
}

export class SimScanner implements CodeScannerPort {
  readonly fitted = true;
  readonly #noAnswer: boolean;
  #onCode: ((bytes: Uint8Array) => void) | undefined;

  constructor(options: SimInputOptions = {}) {
    this.#noAnswer = options.noAnswer ?? false;
  }
  async check(): Promise<InputModuleStatus> {
    return this.#noAnswer ? { ok: false, detail: 'virtual code scanner: no answer' } : { ok: true, detail: 'virtual code scanner (UART)' };
  }
  start(onCode: (bytes: Uint8Array) => void): void {
    this.#onCode = onCode;
  }
  stop(): void {
    this.#onCode = undefined;
  }
  /** A scan: the decoded symbol's bytes. Nothing happens when the core is not listening. */
  scan(bytes: Uint8Array): void {
    if (!this.#noAnswer) this.#onCode?.(bytes.slice());
  }
}
