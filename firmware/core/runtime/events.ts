/** Events the terminal writes to the record log (CBOR maps, one per record). */
import type { ResetReason } from '../ports';
import type { CborCodec } from '../store/cbor';

export type TransitionCause = `selftest-${'boot' | 'periodic' | 'demand' | 'code83' | 'keys-wiped' | 'pass' | 'warn' | 'fail'}` | 'keys-wiped';

export type TerminalEvent =
  | { kind: 'transition'; from: string; to: string; cause: TransitionCause; uptimeMs: number; wallMs: number }
  | {
      kind: 'boot';
      firmwareVersion: string;
      resetReason: ResetReason;
      recovery: { records: number; tornRecords: number; interruptedErases: number; corruptRecords: number; corruptSectors: number };
      uptimeMs: number;
      wallMs: number;
    };

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
  const kind = (value as { kind?: unknown }).kind;
  if (kind !== 'transition' && kind !== 'boot') throw new EventError(`unknown event kind ${String(kind)}`);
  return value as TerminalEvent;
}
