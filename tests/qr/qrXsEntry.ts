/**
 * XS entry: encodes the command's payload with the core's QR encoder on the real XS engine.
 * Command: one byte 0 (bytes) or 1 (text, ASCII), then the payload. Reply: version, mask, then
 * the packed modules; or 0xff and the error's code when the encoder refuses.
 */
import { encodeQr, encodeQrText, QrError } from '../../firmware/core/qr/encode';

declare const globalThis: Record<string, unknown>;

globalThis.handleCommand = (message: ArrayBuffer): ArrayBuffer => {
  const command = new Uint8Array(message);
  const payload = command.subarray(1);
  try {
    const matrix = command[0] === 0 ? encodeQr(payload) : encodeQrText(String.fromCharCode(...payload));
    const reply = new Uint8Array(2 + matrix.bits.length);
    reply.set([matrix.version, matrix.mask]);
    reply.set(matrix.bits, 2);
    return reply.buffer;
  } catch (error) {
    const code = error instanceof QrError ? error.code : String(error);
    return Uint8Array.from([0xff, ...Array.from(code, (c) => c.charCodeAt(0))]).buffer;
  }
};
