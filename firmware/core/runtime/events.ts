/** Events the terminal writes to the record log (CBOR maps, one per record). */
import type { ResetReason } from '../ports';
import type { CborCodec } from '../store/cbor';

export type TransitionCause = `selftest-${'boot' | 'periodic' | 'demand' | 'host-83' | 'keys-wiped' | 'pass' | 'warn' | 'fail'}` | 'keys-wiped';

export type TerminalEvent =
  | { kind: 'transition'; from: string; to: string; cause: TransitionCause; uptimeMs: number; wallMs: number }
  | {
      kind: 'boot';
      firmwareVersion: string;
      resetReason: ResetReason;
      recovery: { records: number; tornRecords: number; interruptedErases: number; corruptRecords: number; corruptSectors: number };
      uptimeMs: number;
      wallMs: number;
    }
  /**
   * What the acquirer's host answered, when it is evidence: anything but an approval, and every
   * sign-on answer. The code-83 diagnosis and the account probe read these.
   */
  | {
      kind: 'host-answer';
      operation: HostOperation;
      code: string;
      category: string;
      mti: string;
      /** 0 primary, 1 backup. */
      host: number;
      /** Field 44 or 63 as the host sent it, if any. */
      hostText?: string;
      /** The CUP header's processing request (3: sign on again), when the writer recorded it. */
      processingRequest?: number;
      uptimeMs: number;
      wallMs: number;
    }
  | ReaderEvent
  | FactEvent;

/**
 * A fact for the diagnosis, named by an evidence code of diagnosis/evidence.ts's table: the
 * update's outcome (update.*), a clock jump (clock.jump), the crash loop (reset.crash-loop),
 * a brownout (power.brownout). gather.ts makes it evidence; a code this firmware does not know
 * (a newer firmware wrote it) is skipped there. `detail` never holds secrets.
 */
export type FactEvent = { kind: 'fact'; code: string; status: 'fail' | 'warn' | 'info' | 'pass'; detail?: string; uptimeMs: number; wallMs: number };

/**
 * Card reads that failed READER_EVIDENCE_RUN times running with the same reader error
 * (runtime/cardDuties.ts): evidence against the reader for the diagnosis (reader.repeated-error).
 * `error` is the CardError or PortError code; never card data.
 */
export type ReaderEvent = { kind: 'reader-error'; error: string; reads: number; interface: 'contactless' | 'contact'; uptimeMs: number; wallMs: number };

export type HostOperation = 'sign-on' | 'echo' | 'sale' | 'settle' | 'sign-off';

export class EventError extends Error {
  override readonly name = 'EventError';
  readonly code = 'event-malformed';
  constructor(message: string) {
    super(message);
  }
}

/** @throws EventError when a record's payload is not an event this firmware knows. */
export function decodeEvent(cbor: CborCodec, payload: Uint8Array): TerminalEvent {
  let value: unknown;
  try {
    value = cbor.decode(payload);
  } catch (error) {
    throw new EventError(error instanceof Error ? error.message : 'undecodable');
  }
  if (typeof value !== 'object' || value === null) throw new EventError('event is not a map');
  const e = value as Record<string, unknown>;
  const text = (field: string) => {
    if (typeof e[field] !== 'string') throw new EventError(`${String(e.kind)} event: ${field} is not text`);
  };
  const number = (field: string, from: Record<string, unknown> = e) => {
    if (typeof from[field] !== 'number' || !Number.isFinite(from[field])) throw new EventError(`${String(e.kind)} event: ${field} is not a number`);
  };
  if (e.kind === 'transition') {
    ['from', 'to', 'cause'].forEach(text);
  } else if (e.kind === 'boot') {
    ['firmwareVersion', 'resetReason'].forEach(text);
    const recovery = e.recovery;
    if (typeof recovery !== 'object' || recovery === null) throw new EventError('boot event: recovery is not a map');
    for (const field of Object.keys(recovery)) number(field, recovery as Record<string, unknown>);
  } else if (e.kind === 'host-answer') {
    ['operation', 'code', 'category', 'mti'].forEach(text);
    number('host');
    if (e.hostText !== undefined) text('hostText');
    if (e.processingRequest !== undefined) number('processingRequest');
  } else if (e.kind === 'reader-error') {
    ['error', 'interface'].forEach(text);
    number('reads');
  } else if (e.kind === 'fact') {
    ['code', 'status'].forEach(text);
    if (e.status !== 'fail' && e.status !== 'warn' && e.status !== 'info' && e.status !== 'pass') throw new EventError(`fact event: status ${String(e.status)}`);
    if (e.detail !== undefined) text('detail');
  } else throw new EventError(`unknown event kind ${typeof e.kind === 'string' ? e.kind : typeof e.kind}`);
  number('uptimeMs');
  number('wallMs');
  return value as TerminalEvent;
}
