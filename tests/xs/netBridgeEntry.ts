/** XS entry: the conversation of netExchange.ts over the bridged network port. */
import { createCborCodec } from '../../firmware/core/store/cbor';
import { QueuedNetwork } from '../../host-sim/ports/queuedNetwork';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { bridgedNetworkBackend, makeCaller } from '../../host-sim/xs/bridge';
import { converse } from './netExchange';

declare const issueCommand: (request: ArrayBuffer) => ArrayBuffer;
declare const globalThis: Record<string, unknown>;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array };

const call = makeCaller(createCborCodec(), (request) => new Uint8Array(issueCommand(request.slice().buffer)));

globalThis.handleCommand = (message: ArrayBuffer) => {
  const holder: { result?: ArrayBuffer } = {};
  const rtcMs = Number(String.fromCharCode(...new Uint8Array(message)));
  const network = new QueuedNetwork(bridgedNetworkBackend(call));
  const finish = (value: unknown) => (holder.result = text.encode(JSON.stringify(value)).slice().buffer);
  converse(network, new VirtualClock(rtcMs, network)).then(finish, (e: unknown) => finish({ error: String(e) }));
  return holder;
};
