/**
 * XS side of modelXsParity.test.ts, in the lane's device-strict worker (frozen built-ins, no
 * TextEncoder): {"sources", "tried", "now"} as JSON → the diagnosis of those sources and the
 * history record written from its evidence (hex), and that record read back.
 */
import { diagnose } from '../../firmware/core/diagnosis/diagnose';
import { gatherEvidence, type EvidenceSources } from '../../firmware/core/diagnosis/gather';
import { decodeHistory, encodeHistory } from '../../firmware/core/diagnosis/history';
import type { ActionOutcome } from '../../firmware/core/diagnosis/types';
import { createCborCodec } from '../../firmware/core/store/cbor';

declare const globalThis: Record<string, unknown>;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };

export interface ModelCommand {
  sources: EvidenceSources;
  tried: ActionOutcome[];
  now: { wallMs: number; uptimeMs: number };
}

/** What both lanes compute from one command (the Node side calls it directly). */
export function modelRun(command: ModelCommand): string {
  const cbor = createCborCodec();
  const d = diagnose(gatherEvidence(command.sources), command.tried, command.now);
  const record = encodeHistory(cbor, d.evidence);
  let hex = '';
  for (const b of record) hex += (b < 16 ? '0' : '') + b.toString(16);
  return JSON.stringify({ d, hex, read: decodeHistory(cbor, record) });
}

globalThis.handleCommand = (message: ArrayBuffer) => {
  let reply: string;
  try {
    reply = modelRun(JSON.parse(text.decode(new Uint8Array(message))) as ModelCommand);
  } catch (e) {
    reply = `error: ${(e as Error).name}: ${(e as Error).message}`;
  }
  return text.encode(reply).slice().buffer;
};
