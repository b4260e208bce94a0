/**
 * XS entry: draws every diagnosis and activation screen of the screen tests on the real XS engine
 * (frozen built-ins, no TextEncoder, as on the device). Command: the UI font asset. Reply: the
 * display lists as JSON (bits as hex), one 32-bit code point each.
 */
import { diagnosisScreenSet } from './diagnosisScreenSet';

declare const globalThis: Record<string, unknown>;

globalThis.handleCommand = (message: ArrayBuffer): ArrayBuffer => {
  const json = diagnosisScreenSet(new Uint8Array(message));
  // XS keeps strings as UTF-8, so json.charCodeAt(i) walks from the start each time: read it in one pass.
  const reply = new Uint32Array(json.length);
  let n = 0;
  for (const ch of json) reply[n++] = ch.codePointAt(0) as number;
  return reply.buffer.slice(0, n * 4);
};
