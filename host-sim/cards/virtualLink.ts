/**
 * The reader link (ReaderLinkPort) to a virtual PN532, in-process, on the simulator's clock:
 * what the core writes goes to the chip at once; what the chip sends back arrives through
 * `clock.setTimer`, each transmission (the ACK, then the answer) as its own delivery
 * `latencyMs` after the one before, as bytes come off a UART. So the core's driver runs
 * deterministically on virtual time. Engine-neutral: the XS lane runs it in XS.
 */
import { PortError, type ClockPort, type ReaderLinkPort, type TimerToken } from '../../firmware/core/ports';
import type { VirtualPn532 } from './virtualPn532';

/** Deliveries waiting at once; a host that writes faster than this is a runaway loop. */
const MAX_QUEUED = 64;

export class VirtualLink implements ReaderLinkPort {
  readonly kind: 'hsu' | 'i2c';
  #chip: VirtualPn532;
  #clock: ClockPort;
  #latencyMs: number;
  #onBytes: ((bytes: Uint8Array) => void) | undefined;
  #open = false;
  #queue: Uint8Array[] = [];
  #timer: TimerToken | undefined;

  constructor(chip: VirtualPn532, clock: ClockPort, kind: 'hsu' | 'i2c' = 'hsu', latencyMs = 2) {
    this.#chip = chip;
    this.#clock = clock;
    this.kind = kind;
    this.#latencyMs = latencyMs;
  }

  open(onBytes: (bytes: Uint8Array) => void): void {
    this.#onBytes = onBytes;
    this.#open = true;
  }

  /** @throws PortError 'reader' when the link is closed */
  write(bytes: Uint8Array): void {
    if (!this.#open) throw new PortError('reader', 'the reader link is closed');
    // Over I2C the chip wakes from power-down on its own address, whatever the bytes; over HSU it needs the 0x55.
    if (this.kind === 'i2c' && this.#chip.asleep) this.#chip.wake();
    for (const part of this.#chip.receiveParts(bytes.slice())) {
      if (this.#queue.length >= MAX_QUEUED) throw new PortError('reader', 'the reader link is flooded');
      this.#queue.push(part);
    }
    this.#arm();
  }

  close(): void {
    this.#open = false;
    this.#onBytes = undefined;
    this.#queue = [];
    if (this.#timer) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#timer || this.#queue.length === 0) return;
    this.#timer = this.#clock.setTimer(this.#latencyMs, () => this.#deliver());
  }

  #deliver(): void {
    this.#timer = undefined;
    const part = this.#queue.shift();
    if (part && this.#open && this.#onBytes) this.#onBytes(part);
    this.#arm();
  }
}
