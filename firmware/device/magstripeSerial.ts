/**
 * MagstripePort on a UART magstripe module (ASCII track 2, `;…=…?`, 9600 8N1 unless configured):
 * each swipe's frame goes to the sale as the module sent it; card/track2.ts reads it.
 */
import type { InputModuleStatus, MagstripePort } from '../core/ports';
import { SerialInputModule, type OpenSerial, type SerialModuleConfig } from './serialInput';

export interface MagstripeConfig extends SerialModuleConfig {
  /** The module appends an LRC character after '?' (default false). */
  lrc?: boolean;
}

export class MagstripeSerial implements MagstripePort {
  readonly fitted = true;
  readonly #module: SerialInputModule;

  constructor(config: MagstripeConfig, open: OpenSerial) {
    this.#module = new SerialInputModule('magstripe module', config, { kind: 'magstripe', lrc: config.lrc === true }, open);
  }

  check(): Promise<InputModuleStatus> {
    return this.#module.check();
  }

  /** @throws PortError 'reader' when the UART does not open */
  start(onSwipe: (track2: string) => void): void {
    this.#module.start(onSwipe);
  }

  stop(): void {
    this.#module.stop();
  }

  close(): void {
    this.#module.close();
  }
}
