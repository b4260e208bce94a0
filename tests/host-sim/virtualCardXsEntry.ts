/**
 * XS entry for tests/host-sim/virtualCardXs.test.ts: a card file (given as JSON) answers a list
 * of command APDUs inside the real XS engine (xsnap), as the XS lane's cards will. Message:
 * the card's JSON, a newline, the APDUs as hex separated by commas; reply: JSON of the
 * response hex strings, or { error }.
 */
import { fromHex, toHex } from '../../firmware/core/bytes';
import { cardFromFile } from '../../host-sim/cards/virtualCard';

declare const globalThis: Record<string, unknown>;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };

globalThis.handleCommand = (message: ArrayBuffer) => {
  const all = text.decode(new Uint8Array(message));
  const json = all.slice(0, all.lastIndexOf('\n'));
  const script = all.slice(all.lastIndexOf('\n') + 1);
  let reply: unknown;
  try {
    const card = cardFromFile(JSON.parse(json));
    reply = script.split(',').map((h) => toHex(card.answer(fromHex(h))).toUpperCase());
  } catch (e) {
    reply = { error: String(e) };
  }
  return { result: text.encode(JSON.stringify(reply)).slice().buffer };
};
