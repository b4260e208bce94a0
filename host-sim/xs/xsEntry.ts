/**
 * Entry of the XS lane bundle: runs a scenario on the real XS engine inside xsnap. Node sends
 * the validated scenario as one command; the reply is the outcome as JSON text.
 * xsnap globals used: issueCommand (to Node, synchronous) and handleCommand (from Node).
 */
import { createCborCodec } from '../../firmware/core/store/cbor';
import { runScenario } from '../scenario/driver';
import type { Scenario } from '../scenario/schema';
import { makeCaller } from './bridge';
import { bridgedWorld } from './xsPorts';

declare const issueCommand: (request: ArrayBuffer) => ArrayBuffer;
declare const globalThis: Record<string, unknown>;

/** Text codecs the prelude kept aside for the bridge before removing the globals the device lacks. */
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };

const cbor = createCborCodec();
const call = makeCaller(cbor, (request) => {
  const copy = request.slice();
  return new Uint8Array(issueCommand(copy.buffer));
});

globalThis.handleCommand = (message: ArrayBuffer) => {
  const holder: { result?: ArrayBuffer } = {};
  const scenario = JSON.parse(text.decode(new Uint8Array(message))) as Scenario;
  const finish = (value: unknown) => {
    holder.result = text.encode(JSON.stringify(value)).slice().buffer;
  };
  runScenario(scenario, bridgedWorld(call, scenario)).then(finish, (error: unknown) =>
    finish({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
  return holder;
};
