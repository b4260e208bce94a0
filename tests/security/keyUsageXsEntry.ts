/**
 * XS side of the key-usage test: runs every attempt (keyUsageAttempts.ts) in the core on XS,
 * whose crypto port crosses the bridge to the Node adapter. Command: the attempt setup as
 * JSON; reply: the outcomes as JSON.
 */
import { createCborCodec } from '../../firmware/core/store/cbor';
import { parseScenario } from '../../host-sim/scenario/schema';
import { makeCaller } from '../../host-sim/xs/bridge';
import { bridgedWorld } from '../../host-sim/xs/xsPorts';
import { attemptAll, type AttemptSetup } from './keyUsageAttempts';

declare const globalThis: Record<string, unknown>;
declare const issueCommand: (request: ArrayBuffer) => ArrayBuffer;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };
const call = makeCaller(createCborCodec(), (request) => new Uint8Array(issueCommand(request.slice().buffer)));

globalThis.handleCommand = (message: ArrayBuffer) => {
  const setup = JSON.parse(text.decode(new Uint8Array(message))) as AttemptSetup;
  const { crypto } = bridgedWorld(call, parseScenario({ name: 'key-usage', steps: [{ do: 'boot' }] })).ports;
  return text.encode(JSON.stringify(attemptAll(crypto, setup))).slice().buffer;
};
