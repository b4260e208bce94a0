/**
 * The terminal's code-83 diagnosis: what it gathers, when it judges, what it keeps.
 *
 * - Evidence of this run: the host answers and the boot event as the terminal logs them, kept
 *   in a small ring here (RECENT_EVENTS) so the diagnosis never reads the whole record log
 *   back (a full log holds thousands of events; the device's heap holds a few hundred slots).
 * - The durable history (diagnosis/history.ts, DurableKey.evidence): read at boot, written each
 *   time a diagnosis is computed, so what an earlier boot saw (a crash may be the cause) counts.
 * - The actions tried (ACTIONS_KEPT, the newest outcome of each action): evidence for the next
 *   diagnosis, until the terminal is back in service.
 * The diagnosis itself is computed only once a self-test's report exists (after the host-83
 * run, a failed demand run, an action), and is held while it is shown or asked for.
 */
import { gatherEvidence, type ActivationEvidence, type SessionEvidence } from '../diagnosis/gather';
import { diagnose } from '../diagnosis/diagnose';
import { decodeHistory, encodeHistory } from '../diagnosis/history';
import type { ActionOutcome, Diagnosis, Evidence } from '../diagnosis/types';
import { errorText } from '../errorText';
import type { Ports } from '../ports';
import type { SelfTestReport } from '../selftest/types';
import type { CborCodec } from '../store/cbor';
import { DurableKey, RecordType, type RecordLog } from '../store/recordLog';
import type { TerminalEvent } from './events';

/** Events of this run the diagnosis reads (host answers, the boot), the newest kept. */
export const RECENT_EVENTS = 16;
/** Action outcomes kept: one per action (there are six), the newest. */
export const ACTIONS_KEPT = 6;

export interface DiagnosisDeps {
  ports: Ports;
  cbor: CborCodec;
  log(): RecordLog | undefined;
  /** The report the diagnosis judges: the last self-test's, with an action's fresh results merged in. */
  report(): SelfTestReport | undefined;
  session(): SessionEvidence | undefined;
  activation(): ActivationEvidence | undefined;
}

export interface DiagnosisDuties {
  /** The diagnosis last computed, while it stands. */
  readonly current: Diagnosis | undefined;
  /** What was tried since the terminal last went out of service, oldest first. */
  readonly tried: readonly ActionOutcome[];
  /** Notes an event the terminal logged (only those the diagnosis reads are kept). */
  noteEvent(event: TerminalEvent): void;
  /** Reads the durable history (boot); a damaged record is traced and ignored. */
  restore(): void;
  /** Gathers, judges, writes the history; the new diagnosis stands. */
  compute(): Diagnosis;
  /** Keeps an action's outcome (replacing the older one of the same action). */
  noteAction(outcome: ActionOutcome): void;
  /** Back in service: the diagnosis and the actions tried are done with (the history stays). */
  clear(): void;
}

export function createDiagnosisDuties(deps: DiagnosisDeps): DiagnosisDuties {
  const { ports, cbor } = deps;
  const events: TerminalEvent[] = [];
  const tried: ActionOutcome[] = [];
  let history: Evidence[] = [];
  let current: Diagnosis | undefined;

  function writeHistory(evidence: readonly Evidence[]) {
    const log = deps.log();
    if (!log) return;
    try {
      log.put(DurableKey.evidence, RecordType.evidence, encodeHistory(cbor, evidence));
    } catch (error) {
      // The flash probe reports storage trouble; the diagnosis on the screen stands without its record.
      ports.trace(`evidence history not written: ${errorText(error)}`);
    }
  }

  return {
    get current() {
      return current;
    },
    get tried() {
      return tried;
    },
    noteEvent(event) {
      if (event.kind !== 'host-answer' && event.kind !== 'boot') return;
      events.push(event);
      if (events.length > RECENT_EVENTS) events.shift();
    },
    restore() {
      const record = deps.log()?.get(DurableKey.evidence);
      if (!record) return;
      try {
        history = decodeHistory(cbor, record.payload);
      } catch (error) {
        ports.trace(`evidence history unreadable: ${errorText(error)}`);
      }
    },
    compute() {
      const now = { wallMs: ports.clock.wallMs(), uptimeMs: ports.clock.uptimeMs() };
      const session = deps.session();
      const activation = deps.activation();
      const evidence = gatherEvidence({ report: deps.report(), events, history, ...(session ? { session } : {}), ...(activation ? { activation } : {}), now });
      // Drop the previous diagnosis before judging: only one is ever held.
      current = undefined;
      current = diagnose(evidence, tried, now);
      // The record keeps what this diagnosis saw (actions tried included), so the next boot sees it as history.
      writeHistory(current.evidence);
      ports.trace(`diagnosis: ${current.top ? `${current.top.id} (${current.top.status})` : 'no cause'}, first step ${current.steps[0]?.id ?? 'none'}`);
      return current;
    },
    noteAction(outcome) {
      for (let i = tried.length - 1; i >= 0; i--) if (tried[i].action === outcome.action) tried.splice(i, 1);
      tried.push(outcome);
      if (tried.length > ACTIONS_KEPT) tried.shift();
    },
    clear() {
      current = undefined;
      tried.length = 0;
    },
  };
}
