/**
 * The parts a board is built without: a card reader IC, a contact slot, a magstripe module or a
 * code scanner. Each says `fitted: false`, so the self-test skips it and no sale waits for it;
 * asked to work anyway, it says so with PortError 'reader' instead of waiting for a card that
 * cannot come. A board with a PN532 or a serial module gets real adapters in their place.
 */
import {
  PortError,
  type CardPresence,
  type CardReaderPort,
  type CodeScannerPort,
  type InputModuleStatus,
  type MagstripePort,
  type ReaderCheck,
} from '../core/ports';

export class UnfittedReader implements CardReaderPort {
  readonly fitted = false;
  /** @param what the part, for the error ("card reader", "contact card slot") */
  constructor(readonly what = 'card reader') {}
  async identify(): Promise<{ model: string; firmware: string }> {
    throw new PortError('reader', `no ${this.what} fitted on this board`);
  }
  async selfCheck(): Promise<readonly ReaderCheck[]> {
    throw new PortError('reader', `no ${this.what} fitted on this board`);
  }
  async detect(): Promise<CardPresence> {
    throw new PortError('reader', `no ${this.what} fitted on this board`);
  }
  async transmit(): Promise<Uint8Array> {
    throw new PortError('reader', `no ${this.what} fitted on this board`);
  }
  release(): void {}
}

/** A magstripe module or code scanner the board does not have. */
export class UnfittedInput implements MagstripePort, CodeScannerPort {
  readonly fitted = false;
  constructor(readonly what: string) {}
  async check(): Promise<InputModuleStatus> {
    return { ok: false, detail: `no ${this.what} fitted` };
  }
  /** @throws PortError 'reader' always */
  start(): void {
    throw new PortError('reader', `no ${this.what} fitted on this board`);
  }
  stop(): void {}
}
