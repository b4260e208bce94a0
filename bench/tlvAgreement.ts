/**
 * The TLV rows of the card bench (bench/card.ts), engine-neutral so that both XS workers run
 * the same code as Node: our EMV BER-TLV parser (firmware/core/card/emv/tlv.ts) and the
 * ber-tlv npm package (0.9.2) parse the same card answers; before anything is measured, both
 * trees must print the same (tags, nesting and values), on each engine.
 */
import { parseTlv, tagHex, type Tlv } from '../firmware/core/card/emv/tlv';

/** The shape ber-tlv 0.9.2 gives (its release/definitions; no types at its main entry). */
export interface PeerTlv {
  tag: string;
  value: ArrayLike<number> | null;
  items: PeerTlv[] | null;
}
export interface PeerFactory {
  parse(buffer: unknown): PeerTlv[];
}

const HEX = '0123456789ABCDEF';
function hexOf(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return out;
}

/** `TAG(children…)` for a constructed object, `TAG=value` for a primitive one. */
export function shapeOurs(nodes: readonly Tlv[]): string {
  return nodes.map((n) => (n.children ? `${tagHex(n.tag)}(${shapeOurs(n.children)})` : `${tagHex(n.tag)}=${hexOf(n.value)}`)).join(',');
}

export function shapePeer(nodes: readonly PeerTlv[]): string {
  return nodes.map((n) => (n.items ? `${n.tag.toUpperCase()}(${shapePeer(n.items)})` : `${n.tag.toUpperCase()}=${hexOf(n.value ?? [])}`)).join(',');
}

/** `n` passes of our parser over every input; returns the objects at the top levels (so no pass is dead code). */
export function ourParses(inputs: readonly Uint8Array[], n: number): number {
  let objects = 0;
  for (let i = 0; i < n; i++) for (const input of inputs) objects += parseTlv(input).length;
  return objects;
}

/** The same with ber-tlv, on its own buffers (Node's Buffer, or the `buffer` package's on XS). */
export function peerParses(peer: PeerFactory, inputs: readonly unknown[], n: number): number {
  let objects = 0;
  for (let i = 0; i < n; i++) for (const input of inputs) objects += peer.parse(input).length;
  return objects;
}
