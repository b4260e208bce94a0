/**
 * XS side of the card bench's TLV rows for the ber-tlv npm package (0.9.2): bench/card.ts bundles
 * it with `Buffer` injected from the `buffer` package (peerBuffer.ts), as ber-tlv is written on
 * Node's Buffer. A worker of its own without the lane's prelude (built-ins not frozen, xsnap's
 * own text codecs), as peerBenchEntry.ts for iso_8583: the peer is not our firmware.
 *   {"what":"tlvSetup","inputs":[hex…]}  the answers as the peer's buffers, built outside the metering
 *   {"what":"tlvCheck"}                  the parsed trees' shapes (bench/tlvAgreement.ts), one per line
 *   {"what":"tlv","n":N}                 N passes over every input
 */
import { peerParses, shapePeer, type PeerFactory } from '../../bench/tlvAgreement';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TlvFactory } = require('ber-tlv') as { TlvFactory: PeerFactory };

declare const globalThis: Record<string, unknown>;
declare const TextEncoder: new () => { encode(s: string): Uint8Array };
declare const TextDecoder: new () => { decode(b: Uint8Array): string };
declare const Buffer: { from(s: string, encoding: 'hex'): unknown };

let inputs: unknown[] = [];

function run(command: { what: string; n: number; inputs?: string[] }): string {
  try {
    if (command.what === 'tlvSetup') return ((inputs = command.inputs!.map((h) => Buffer.from(h, 'hex'))), `${inputs.length} inputs`);
    if (command.what === 'tlvCheck') return inputs.map((i) => shapePeer(TlvFactory.parse(i))).join('\n');
    if (command.what === 'tlv') return String(peerParses(TlvFactory, inputs, command.n));
    throw new Error(`unknown command ${command.what}`);
  } catch (e) {
    return `error: ${(e as Error).name}: ${(e as Error).message}`;
  }
}

globalThis.handleCommand = (message: ArrayBuffer) => new TextEncoder().encode(run(JSON.parse(new TextDecoder().decode(new Uint8Array(message))))).slice().buffer;
