/**
 * The terminal's code-83 diagnosis: what it gathers, when it judges, what it keeps.
 *
 * - Evidence of this run: the boot event, kept apart (its reset reason and recovery counts are
 *   evidence however many answers follow), and the host answers as the terminal logs them, the
 *   newest RECENT_EVENTS in a ring, so the diagnosis never reads the whole record log back (a
 *   full log holds thousands of events; the device's heap holds a few hundred slots).
 * - The durable history (diagnosis/history.ts, DurableKey.evidence) holds one boot: what the
 *   previous boot saw (a crash may be the cause). Read at boot and taken out of flash then, so a
 *   boot that never diagnoses hands nothing on; written when a diagnosis has something new to
 *   store (historyContent: ENTER on a PIN pad diagnoses at every press, flash wears), with this
 *   boot's evidence only, never the history read back. That is the bound on its age whatever the
 *   RTC says; gather.ts also drops an item older than a day by a trusted RTC, and lets it make a
 *   cause likely at most.
 * - The actions tried (ACTIONS_KEPT, the newest outcome of each action): evidence for the next
 *   diagnosis, until the terminal is back in service.
 * The diagnosis itself is computed only once a self-test's report exists (after the host-83
 * run, a failed demand run, an action), and is held while it is shown or asked for.
 */
import { gatherEvidence, type ActivationEvidence, type SessionEvidence } from '../diagnosis/gather';
import { diagnose } from '../diagnosis/diagnose';
import { decodeHistory, encodeHistory, historyContent } from '../diagnosis/history';
import type { ActionOutcome, Diagnosis, Evidence } from '../diagnosis/types';
import { errorText } from '../errorText';
import type { Ports } from '../ports';
import type { SelfTestReport } from '../selftest/types';
import type { CborCodec } from '../store/cbor';
import { DurableKey, RecordType, type RecordLog } from '../store/recordLog';
import type { TerminalEvent } from './events';

/** Host answers and reader-error events of this run the diagnosis reads, the newest kept (the boot event is kept apart). */
export const RECENT_EVENTS = 16;
/** Fact events of this run (runtime/events.ts FactEvent: reset history, updates, the clock) the diagnosis reads, the newest kept. */
export const RECENT_FACTS = 8;
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
  /** Reads the durable history and takes it out of flash (boot); a damaged record is traced and ignored. */
  restore(): void;
  /** Gathers, judges, writes the history; the new diagnosis stands. */
  compute(): Diagnosis;
  /** Keeps an action's outcome (replacing the older one of the same action). */
  noteAction(outcome: ActionOutcome): void;
  /** Back in service: the diagnosis and the actions tried are done with (the history stays). */
  clear(): void;
}

/** A class, not a closure factory: its methods are made once at preload, not per boot on the XS heap (docs/memory.md). */
export function createDiagnosisDuties(deps: DiagnosisDeps): DiagnosisDuties {
  return new TerminalDiagnosisDuties(deps);
}

class TerminalDiagnosisDuties implements DiagnosisDuties {
  readonly #deps: DiagnosisDeps;
  #bootEvent: TerminalEvent | undefined;
  /** Host answers, oldest first. */
  readonly #answers: TerminalEvent[] = [];
  /** Fact events, oldest first: apart from the answers, so that a run of answers never pushes a boot's facts out. */
  readonly #facts: TerminalEvent[] = [];
  readonly #tried: ActionOutcome[] = [];
  #history: Evidence[] = [];
  #current: Diagnosis | undefined;
  /** historyContent of the record in flash ('' for none), undefined when unknown (not restored, or a write failed). */
  #written: string | undefined;

  constructor(deps: DiagnosisDeps) {
    this.#deps = deps;
  }

  get current(): Diagnosis | undefined {
    return this.#current;
  }

  get tried(): readonly ActionOutcome[] {
    return this.#tried;
  }

  /** An arrow field: the runtime hands it on as a plain function (diagnosisRuntime.ts). */
  readonly noteEvent = (event: TerminalEvent): void => {
    if (event.kind === 'boot') this.#bootEvent = event;
    if (event.kind === 'fact') {
      const facts = this.#facts;
      facts.push(event);
      if (facts.length > RECENT_FACTS) facts.shift();
      return;
    }
    if (event.kind !== 'host-answer' && event.kind !== 'reader-error') return;
    const answers = this.#answers;
    answers.push(event);
    if (answers.length > RECENT_EVENTS) answers.shift();
  };

  restore(): void {
    const { ports, cbor } = this.#deps;
    const log = this.#deps.log();
    const record = log?.get(DurableKey.evidence);
    if (!log || !record) {
      this.#written = log ? '' : undefined;
      return;
    }
    try {
      this.#history = decodeHistory(cbor, record.payload);
    } catch (error) {
      ports.trace(`evidence history unreadable: ${errorText(error)}`);
    }
    // One boot: what the previous boot saw is read now, and not handed on to the next boot.
    try {
      log.remove(DurableKey.evidence);
      this.#written = '';
    } catch (error) {
      ports.trace(`evidence history not removed: ${errorText(error)}`);
    }
  }

  compute(): Diagnosis {
    const deps = this.#deps;
    const { ports } = deps;
    const now = { wallMs: ports.clock.wallMs(), uptimeMs: ports.clock.uptimeMs() };
    const session = deps.session();
    const activation = deps.activation();
    // The boot, then the facts (the reset history's come right after the boot), then the answers.
    const events = this.#bootEvent ? [this.#bootEvent, ...this.#facts, ...this.#answers] : [...this.#facts, ...this.#answers];
    const evidence = gatherEvidence({ report: deps.report(), events, history: this.#history, ...(session ? { session } : {}), ...(activation ? { activation } : {}), now });
    // Drop the previous diagnosis before judging: only one is ever held.
    this.#current = undefined;
    const current = diagnose(evidence, this.#tried, now);
    this.#current = current;
    // The record keeps what this boot saw (actions tried included), so the next boot sees it as history.
    this.#writeHistory(current.evidence);
    ports.trace(`diagnosis: ${current.top ? `${current.top.id} (${current.top.status})` : 'no cause'}, first step ${current.steps[0]?.id ?? 'none'}`);
    return current;
  }

  noteAction(outcome: ActionOutcome): void {
    const tried = this.#tried;
    for (let i = tried.length - 1; i >= 0; i--) if (tried[i].action === outcome.action) tried.splice(i, 1);
    tried.push(outcome);
    if (tried.length > ACTIONS_KEPT) tried.shift();
  }

  clear(): void {
    this.#current = undefined;
    this.#tried.length = 0;
  }

  #writeHistory(evidence: readonly Evidence[]) {
    const { ports, cbor } = this.#deps;
    const log = this.#deps.log();
    if (!log) return;
    const seen: Evidence[] = [];
    for (let i = 0; i < evidence.length; i++) if (!evidence[i].fromHistory) seen.push(evidence[i]);
    const content = historyContent(seen);
    if (content === this.#written || (this.#written === undefined && content === '' && !log.get(DurableKey.evidence))) return;
    this.#written = undefined;
    try {
      log.put(DurableKey.evidence, RecordType.evidence, encodeHistory(cbor, seen));
      this.#written = content;
    } catch (error) {
      // The flash probe reports storage trouble; the diagnosis on the screen stands without its record.
      ports.trace(`evidence history not written: ${errorText(error)}`);
    }
  }
}
