/**
 * XS side of the codec bench (bench/iso8583.ts), our codec only, in the lane's device-strict
 * worker (frozen built-ins): {"what":"check"|"ours","mti":"0200"|"0810","n":N}. "check" packs and
 * unpacks once and compares every field (replies "ok" or "error: …"); "ours" runs N pack + unpack
 * round trips and replies with the packed size. The iso_8583 peer runs in its own worker
 * (peerBenchEntry.ts).
 */
import { checkOurs } from '../../bench/iso8583Agreement';
import { ourRoundTrips, SALE_0200, SIGN_ON_0810 } from '../../bench/iso8583Messages';

declare const globalThis: Record<string, unknown>;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };

function run(command: { what: string; mti: string; n: number }): string {
  const message = command.mti === '0200' ? SALE_0200 : SIGN_ON_0810;
  try {
    if (command.what === 'check') return (checkOurs(message), 'ok');
    return String(ourRoundTrips(message, command.n));
  } catch (e) {
    return `error: ${(e as Error).name}: ${(e as Error).message}`;
  }
}

globalThis.handleCommand = (message: ArrayBuffer) => text.encode(run(JSON.parse(text.decode(new Uint8Array(message))))).slice().buffer;
