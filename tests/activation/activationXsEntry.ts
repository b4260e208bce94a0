/**
 * XS side of the activation lane test: the core's activation codec and the crypto port's
 * activation operations, on XS, whose crypto and system ports cross the bridge to the Node world.
 * Commands (JSON): {op: 'request', code, stan} → the device key made on the Node side and the
 * 0800 packed here; {op: 'answer', hex, serial} → the 0810 parsed here and, for a grant, the
 * envelope opened, its check value, and the key stored.
 */
import { activationRequest, parseActivationAnswer } from '../../firmware/core/activation/activationMessages';
import { fromHex, toHex } from '../../firmware/core/bytes';
import { errorText } from '../../firmware/core/errorText';
import { CUP_POS_DIALECT } from '../../firmware/core/host/cupDialect';
import { packMessage, unpackMessage } from '../../firmware/core/host/iso8583';
import { envelopeSharedInfo } from '../../firmware/core/security/keyEnvelope';
import { MASTER_KEY_SLOT } from '../../firmware/core/security/keyStore';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { parseScenario } from '../../host-sim/scenario/schema';
import { makeCaller } from '../../host-sim/xs/bridge';
import { bridgedWorld } from '../../host-sim/xs/xsPorts';

declare const globalThis: Record<string, unknown>;
declare const issueCommand: (request: ArrayBuffer) => ArrayBuffer;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };
const call = makeCaller(createCborCodec(), (request) => new Uint8Array(issueCommand(request.slice().buffer)));
const { crypto, system } = bridgedWorld(call, parseScenario({ name: 'activation', steps: [{ do: 'boot' }] })).ports;

function run(command: { op: string; code?: string; stan?: string; hex?: string }): unknown {
  if (command.op === 'request') {
    const message = activationRequest({ stan: command.stan!, batch: 0, serial: system.serialNumber, publicKey: crypto.createDeviceKey(), code: command.code! });
    return { serial: system.serialNumber, message: toHex(packMessage(CUP_POS_DIALECT, message)) };
  }
  const answer = parseActivationAnswer(unpackMessage(CUP_POS_DIALECT, fromHex(command.hex!)));
  if (answer.kind !== 'granted') return answer;
  const key = crypto.openMasterKeyEnvelope(answer.ephemeralPoint, answer.wrappedKey, answer.algorithm, envelopeSharedInfo(system.serialNumber));
  const kcv = toHex(crypto.checkValue(key, answer.algorithm === 'aes128' ? 'cmac' : 'zeros').subarray(0, 4));
  crypto.storeMasterKey(MASTER_KEY_SLOT, key);
  crypto.forgetKey(key);
  return { kind: answer.kind, tid: answer.terminalId, kcv, stored: crypto.provisionedKey(MASTER_KEY_SLOT)?.usage, protection: crypto.keyProtection() };
}

globalThis.handleCommand = (message: ArrayBuffer) => {
  let reply: unknown;
  try {
    reply = run(JSON.parse(text.decode(new Uint8Array(message))));
  } catch (error) {
    reply = { error: errorText(error), field: (error as { field?: string }).field };
  }
  return text.encode(JSON.stringify(reply)).slice().buffer;
};
