/**
 * The firmware update duties (issue 10 items 1-2). STUB (skeleton): the update helper
 * implements it. Contract: /work/notes/issue10-contract.md.
 */
import type { Ports } from '../ports';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import type { SelfTestReport } from '../selftest/types';
import type { UpdateOutcome, UpdateStatus } from '../update/types';
import type { UpdateScreen } from '../ui/updateScreens';
import type { TerminalState } from './states';

export interface UpdateDutiesDeps {
  readonly ports: Ports;
  readonly cbor: CborCodec;
  log(): RecordLog | undefined;
  record(type: number, value: unknown): void;
  state(): TerminalState;
  stopped(): boolean;
  /** Why an update may not switch or restart now ('card sale', 'reversal pending', 'self-test', 'action'), or undefined. */
  busyReason(): string | undefined;
  /** Shows an update screen (progress, result). */
  showUpdate(screen: UpdateScreen): void;
  /** The board's restart (TerminalOptions.restart); without it an installed image waits for the next power-on. */
  readonly restart?: () => void;
}

export class UpdateDuties {
  readonly #deps: UpdateDutiesDeps;

  constructor(deps: UpdateDutiesDeps) {
    this.#deps = deps;
  }

  /** Before the boot self-test: the durable state, the running slot; a failed update found. Never throws. */
  atBoot(): void {
    void this.#deps;
  }

  /** The gate, after the boot self-test: confirm the trial image, or roll back. Never throws. */
  afterBootSelfTest(_report: SelfTestReport): void {}

  /** Starts the scheduled check (the configured hour). */
  schedule(): void {}

  /** Checks the server now; downloads, verifies and installs what it offers. Never rejects. */
  check(_trigger: 'demand' | 'scheduled'): Promise<UpdateOutcome> {
    return Promise.resolve({ kind: 'unavailable', detail: 'not built yet' });
  }

  status(): UpdateStatus {
    return { phase: 'idle', running: this.#deps.ports.system.firmwareVersion, floor: 0, trial: false };
  }

  stop(): void {}
}
