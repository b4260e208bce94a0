/**
 * The clock keeper (issue 10 item 5). STUB (skeleton): the clock helper implements it.
 * Contract: /work/notes/issue10-contract.md.
 */
import type { AcquirerProfile } from '../config/acquirerProfile';
import type { Ports } from '../ports';
import type { ClockSource, ClockTrust } from '../selftest/types';

export interface ClockKeeperDeps {
  readonly ports: Ports;
  record(type: number, value: unknown): void;
  acquirerProfile(): AcquirerProfile | undefined;
  stopped(): boolean;
}

export class ClockKeeper implements ClockTrust {
  readonly #deps: ClockKeeperDeps;

  constructor(deps: ClockKeeperDeps) {
    this.#deps = deps;
  }

  /** At boot, once the link is open: asks SNTP when the network is up, and again every 24 h. */
  start(): void {
    void this.#deps;
  }

  source(): ClockSource {
    return { kind: 'rtc' };
  }

  trusted(): boolean {
    return true;
  }

  whenTrusted(_maxMs: number): Promise<boolean> {
    return Promise.resolve(this.trusted());
  }

  stop(): void {}
}
