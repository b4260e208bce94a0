/**
 * The XS lane's bridge: port calls from the core running on XS cross to Node through xsnap's
 * synchronous `issueCommand`, one CBOR request per call, one CBOR reply. Engine-neutral (each
 * side imports it). A PortError raised on the Node side is raised again on the XS side with
 * the same code.
 */
import { PortError, type PortErrorCode } from '../../firmware/core/ports';
import type { CborCodec } from '../../firmware/core/store/cbor';

export type BridgeCall =
  | 'flash.geometry' | 'flash.read' | 'flash.write' | 'flash.erase'
  | 'settings.get' | 'settings.set' | 'settings.delete'
  | 'crypto.digestOpen' | 'crypto.digestUpdate' | 'crypto.digestClose' | 'crypto.random'
  | 'crypto.provisioned' | 'crypto.eraseProvisioned' | 'crypto.import' | 'crypto.unwrap' | 'crypto.encrypt' | 'crypto.decrypt'
  | 'crypto.retailMac' | 'crypto.verify' | 'crypto.forget'
  | 'display.info' | 'display.status'
  | 'system.info' | 'system.memory' | 'system.resetReason' | 'system.imageRead'
  | 'world.powerOn' | 'trace';

export interface BridgeRequest {
  p: BridgeCall;
  a: unknown[];
}
/** A value, a PortError to raise on the XS side, or a bridge failure (a bug on the Node side). */
export type BridgeReply = { v: unknown } | { e: { code: PortErrorCode; message: string } } | { x: string };

/** The XS side: a synchronous call that either returns the value or throws the PortError. */
export function makeCaller(cbor: CborCodec, send: (request: Uint8Array) => Uint8Array) {
  return function call<T>(p: BridgeCall, ...a: unknown[]): T {
    const reply = cbor.decode(send(cbor.encode({ p, a } satisfies BridgeRequest))) as BridgeReply;
    if ('e' in reply) throw new PortError(reply.e.code, reply.e.message);
    if ('x' in reply) throw new Error(`bridge: ${reply.x}`);
    return reply.v as T;
  };
}
