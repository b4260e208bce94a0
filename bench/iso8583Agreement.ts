/**
 * The codec bench's sanity check (issue 7, item 11): before anything is timed, our codec and the
 * iso_8583 package each pack and unpack the message once, and each must decode every field to
 * the value it was given. Both are compared with the same expectation (the message in the peer's
 * JSON form, b fields as hex), so a ratio is only printed for equal work. Engine-neutral: the Node
 * bench and both XS workers run it.
 */
import { CUP_POS_DIALECT } from '../firmware/core/host/cupDialect';
import { packMessage, unpackMessage } from '../firmware/core/host/iso8583';
import type { Iso8583Message } from '../firmware/core/host/types';
import { peerFormats, peerJson, type PeerClass } from './iso8583Messages';

/** @throws naming the first field `who` decoded differently (or left out, or added) */
function sameFields(who: string, expected: Record<string, string>, decoded: Record<string, unknown>): void {
  if ('error' in decoded) throw new Error(`${who} failed: ${String(decoded.error)}`);
  for (const field of new Set([...Object.keys(expected), ...Object.keys(decoded)])) {
    if (decoded[field] !== expected[field]) throw new Error(`${who} decoded field ${field} as ${String(decoded[field])}, expected ${expected[field]}`);
  }
}

/** Our pack + unpack of `message` gives back every field. @throws otherwise */
export function checkOurs(message: Iso8583Message): void {
  sameFields('our codec', peerJson(message), peerJson(unpackMessage(CUP_POS_DIALECT, packMessage(CUP_POS_DIALECT, message))));
}

/** The peer's pack + unpack of `message` gives back every field. @throws otherwise */
export function checkPeer(Peer: PeerClass, message: Iso8583Message): void {
  const formats = peerFormats();
  const bytes = new Peer(peerJson(message), formats).getBufferMessage();
  if ('error' in bytes) throw new Error(`iso_8583 pack failed: ${bytes.error}`);
  sameFields('iso_8583', peerJson(message), new Peer(undefined, formats).getIsoJSON(bytes));
}
