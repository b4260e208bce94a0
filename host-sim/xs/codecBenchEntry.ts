/**
 * XS side of the codec bench (bench/iso8583.ts): {"what":"ours"|"peer","mti":"0200"|"0810","n":N}
 * runs N pack + unpack round trips by our codec or by the iso_8583 npm package (bundled with it).
 * Replies with the packed size, or "error: …" when the peer cannot run on XS (it needs Node's Buffer).
 */
import { ourRoundTrips, peerFormats, peerJson, peerRoundTrips, SALE_0200, SIGN_ON_0810 } from '../../bench/iso8583Messages';

declare const globalThis: Record<string, unknown>;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };

function run(command: { what: string; mti: string; n: number }): string {
  const message = command.mti === '0200' ? SALE_0200 : SIGN_ON_0810;
  if (command.what === 'ours') return String(ourRoundTrips(message, command.n));
  try {
    // Loaded on first use, so that a peer that cannot load leaves our codec's rows standing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Peer = require('iso_8583');
    return String(peerRoundTrips(Peer, peerJson(message), peerFormats(), command.n));
  } catch (e) {
    return `error: ${(e as Error).name}: ${(e as Error).message}`;
  }
}

globalThis.handleCommand = (message: ArrayBuffer) => text.encode(run(JSON.parse(text.decode(new Uint8Array(message))))).slice().buffer;
