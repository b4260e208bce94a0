/**
 * The parts this board is built without: no card reader IC, no magstripe head, no code
 * scanner. Each adapter says so with PortError 'reader' the moment it is asked to work, so a
 * probe or a transaction reports "not fitted" instead of waiting for a card that cannot come.
 * A board with a PN532 or a serial scanner gets real adapters in their place.
 */
import { PortError, type CardPresence, type CardReaderPort, type CodeScannerPort, type MagstripePort } from '../core/ports';

export class UnfittedReader implements CardReaderPort {
  async identify(): Promise<{ model: string; firmware: string }> {
    throw new PortError('reader', 'no card reader fitted on this board');
  }
  async detect(): Promise<CardPresence> {
    throw new PortError('reader', 'no card reader fitted on this board');
  }
  async transmit(): Promise<Uint8Array> {
    throw new PortError('reader', 'no card reader fitted on this board');
  }
  release(): void {}
}

export class UnfittedMagstripe implements MagstripePort {
  /** @throws PortError 'reader' always */
  start(): void {
    throw new PortError('reader', 'no magstripe head fitted on this board');
  }
  stop(): void {}
}

export class UnfittedScanner implements CodeScannerPort {
  /** @throws PortError 'reader' always */
  start(): void {
    throw new PortError('reader', 'no code scanner fitted on this board');
  }
  stop(): void {}
}
