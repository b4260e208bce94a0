/**
 * The reset and crash history (issue 10 item 6). STUB (skeleton): the reset-history helper
 * implements it. Contract: /work/notes/issue10-contract.md.
 */
import type { Ports } from '../ports';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import type { SafeModeFacts } from '../ui/safeModeScreen';

export interface ResetHistoryDeps {
  readonly ports: Ports;
  readonly cbor: CborCodec;
  log(): RecordLog | undefined;
  /** Appends an event (a FactEvent for power.brownout, reset.crash-loop) to the log and the diagnosis. */
  record(type: number, value: unknown): void;
}

export class ResetHistory {
  readonly #deps: ResetHistoryDeps;
  #safe: SafeModeFacts | undefined;

  constructor(deps: ResetHistoryDeps) {
    this.#deps = deps;
  }

  /** Counts this boot's reset reason durably and decides the safe mode. Never throws. */
  atBoot(): void {
    void this.#deps;
    this.#safe = undefined;
  }

  /** The safe mode's facts while it holds (fault screen, no acquirer link), else undefined. */
  get safeMode(): SafeModeFacts | undefined {
    return this.#safe;
  }
}
