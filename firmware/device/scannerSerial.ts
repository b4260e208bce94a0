/**
 * CodeScannerPort on a UART code scanner (one decoded symbol per line, ended by CR and/or LF,
 * 9600 8N1 unless configured): each line's bytes go to the sale; card/qrCodes.ts classifies them.
 */
import type { CodeScannerPort, InputModuleStatus } from '../core/ports';
import { SerialInputModule, type OpenSerial, type SerialModuleConfig } from './serialInput';

export class ScannerSerial implements CodeScannerPort {
  readonly fitted = true;
  readonly #module: SerialInputModule;

  constructor(config: SerialModuleConfig, open: OpenSerial) {
    this.#module = new SerialInputModule('code scanner', config, { kind: 'scanner' }, open);
  }

  check(): Promise<InputModuleStatus> {
    return this.#module.check();
  }

  /** @throws PortError 'reader' when the UART does not open */
  start(onCode: (bytes: Uint8Array) => void): void {
    this.#module.start((line) => {
      const bytes = new Uint8Array(line.length);
      for (let i = 0; i < line.length; i++) bytes[i] = line.charCodeAt(i);
      onCode(bytes);
    });
  }

  stop(): void {
    this.#module.stop();
  }

  close(): void {
    this.#module.close();
  }
}
