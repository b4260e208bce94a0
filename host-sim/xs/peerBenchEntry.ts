/**
 * XS side of the codec bench for the iso_8583 npm package (bench/iso8583.ts bundles it with
 * `Buffer` injected from the `buffer` package, since the peer's pack and unpack are written on
 * Node's Buffer): {"what":"check"|"peer","mti":"0200"|"0810","n":N}, as codecBenchEntry.ts.
 *
 * It runs in a worker of its own whose built-ins are NOT frozen: the peer is not our firmware, so
 * the device's frozen-primordials rule does not apply to it, and its dependency xmldom (through
 * jxon) assigns `constructor` on a prototype that inherits Object.prototype, which throws at load
 * when Object.prototype is frozen (the override mistake). No lane prelude either: this worker uses
 * xsnap's own TextEncoder/TextDecoder.
 */
import { checkPeer } from '../../bench/iso8583Agreement';
import { peerFormats, peerJson, peerRoundTrips, SALE_0200, SIGN_ON_0810 } from '../../bench/iso8583Messages';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Peer = require('iso_8583');

declare const globalThis: Record<string, unknown>;
declare const TextEncoder: new () => { encode(s: string): Uint8Array };
declare const TextDecoder: new () => { decode(b: Uint8Array): string };

// Built at load, outside the metered commands, as the Node bench builds them outside its timing.
const FORMATS = peerFormats();
const JSONS = { '0200': peerJson(SALE_0200), '0810': peerJson(SIGN_ON_0810) };

function run(command: { what: string; mti: '0200' | '0810'; n: number }): string {
  try {
    if (command.what === 'check') return (checkPeer(Peer, command.mti === '0200' ? SALE_0200 : SIGN_ON_0810), 'ok');
    return String(peerRoundTrips(Peer, JSONS[command.mti], FORMATS, command.n));
  } catch (e) {
    return `error: ${(e as Error).name}: ${(e as Error).message}`;
  }
}

globalThis.handleCommand = (message: ArrayBuffer) => new TextEncoder().encode(run(JSON.parse(new TextDecoder().decode(new Uint8Array(message))))).slice().buffer;
