/**
 * The acquirer's fault plan: what goes wrong next, and how many times. Faults are taken in the
 * order they were added; a request meets at most one fault, the first one that matches its host
 * and MTI and can apply to its answer (a wrong MAC needs an answer that carries one).
 *
 * 'refuse' is not per request: the host's listener is closed (connections are refused by the
 * kernel, ECONNREFUSED) until `clearFaults` or `restore(host)`, or for `delayMs` (virtual time
 * under the simulator's ledger, real time without), because a refused connection never
 * reaches the host to be counted. 'disable-tid' is not per request either: the host disables
 * the TID now, or after `delayMs` (a TID disabled mid-day), and it stays disabled.
 */

export type FaultKind =
  | 'refuse' // the port stops listening until cleared (or for delayMs)
  | 'hang' // the request is read and never answered
  | 'delay' // the answer is held until release() or the next request; with delayMs, sent after that many real ms
  | 'reset-mid-frame' // half the answer frame, then the host closes the connection
  | 'split-bytes' // the answer in 1-byte writes
  | 'garbage' // a frame of seeded random bytes instead of the answer
  | 'wrong-mac' // the answer's MAC with one bit flipped
  | 'duplicate' // the answer twice
  | 'wrong-stan' // the answer carries another STAN (and a valid MAC for it)
  | 'code' // the answer carries `code`, and the request changes nothing in the books
  | 'sign-on-again' // the answer's CUP header asks for a new sign-on (processing request 3)
  | 'disable-tid' // the host disables `tid` (now, or after delayMs): terminal-invalid with "TID disabled" from then on
  | 'wrong-kcv'; // test-only: the next activation answer's check value (D3) does not match its key

export interface Fault {
  kind: FaultKind;
  /** For 'code': the response code to answer with. */
  code?: string;
  /** For 'disable-tid': the TID the host disables. */
  tid?: string;
  /** For 'delay': milliseconds before the answer is written; for 'refuse': how long the port stays closed; for 'disable-tid': when. */
  delayMs?: number;
  /** Only requests of this MTI (e.g. "0200"). */
  mti?: string;
  /** How many requests it applies to; default 1. Ignored for 'refuse'. */
  times?: number;
  /** Only on this host (0 primary, 1 backup). */
  host?: 0 | 1;
}

interface Armed {
  fault: Fault;
  left: number;
}

export class FaultPlan {
  #armed: Armed[] = [];

  /** @throws RangeError for a fault that cannot be applied as written */
  add(faults: Fault[]): void {
    for (const fault of faults) {
      if (fault.kind === 'code' && (typeof fault.code !== 'string' || !/^[0-9A-Z]{2}$/.test(fault.code))) throw new RangeError('a code fault needs a 2-character code');
      if (fault.delayMs !== undefined && !(Number.isInteger(fault.delayMs) && fault.delayMs >= 0)) throw new RangeError('delayMs must be a whole number of milliseconds');
      if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= 1)) throw new RangeError('times must be 1 or more');
      if (fault.mti !== undefined && !/^\d{4}$/.test(fault.mti)) throw new RangeError('mti must be 4 digits');
      if (fault.kind === 'disable-tid' && (typeof fault.tid !== 'string' || !/^[\x20-\x7e]{8}$/.test(fault.tid))) throw new RangeError('a disable-tid fault needs the 8-character TID');
      if (fault.kind !== 'refuse' && fault.kind !== 'disable-tid') this.#armed.push({ fault: { ...fault }, left: fault.times ?? 1 });
    }
  }

  /**
   * Takes one use of the first fault that applies to this request.
   * @param canApply whether a fault kind can change this request's answer
   */
  take(host: number, mti: string, canApply: (kind: FaultKind) => boolean): Fault | undefined {
    const at = this.#armed.findIndex(({ fault }) => (fault.host === undefined || fault.host === host) && (fault.mti === undefined || fault.mti === mti) && canApply(fault.kind));
    if (at < 0) return undefined;
    const armed = this.#armed[at];
    if (--armed.left === 0) this.#armed.splice(at, 1);
    return armed.fault;
  }

  /** Faults not yet used up (for a scenario step's report). */
  pending(): Fault[] {
    return this.#armed.map(({ fault, left }) => ({ ...fault, times: left }));
  }

  clear(): void {
    this.#armed = [];
  }
}
