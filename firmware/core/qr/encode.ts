/**
 * The core's QR Code encoder (ISO/IEC 18004:2015, model 2): byte or alphanumeric mode, error
 * correction level M, versions 1–10, the mask chosen by the penalty rules. The support page
 * draws its summary with it (qrOps.ts).
 *
 * Memory: one byte per module while building (3,249 B at version 10), the mask choice's packed
 * words (2.7 KB at version 10, mask.ts) and one bit per module in the result; no arrays of
 * objects. Cost in xsnap (npm run bench): 0.47M computrons at version 1, 0.97M at version 4
 * (62 bytes), 2.4M at version 10; the eight masks are scored on packed words (mask.ts), a scan
 * per module and mask took two thirds of an encode before (1.2M, 2.8M, 8.1M).
 */
import { deepFreeze } from '../freeze';
import { changeMask, chooseMask, MASK_TILE_BYTES } from './mask';
import { QrMatrix } from './qrMatrix';
import { interleavedCodewords } from './codewords';
import { dataCodewords, isAlphanumeric, smallestVersion, type QrPayload } from './segment';
import { DARK, drawFormat, drawFunctionPatterns, placeCodewords, symbolSize } from './symbol';
import { MAX_VERSION } from './tables';

export { QrMatrix } from './qrMatrix';

export type QrErrorCode = 'qr-too-long' | 'qr-bad-mask';

export class QrError extends Error {
  override readonly name = 'QrError';
  constructor(
    readonly code: QrErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface QrOptions {
  /** Forces mask pattern 0–7 instead of the lowest-penalty one (for tests and comparisons). */
  mask?: number;
}

/**
 * A byte-mode symbol holding `bytes` exactly, in the smallest version that fits.
 * @throws QrError 'qr-too-long' past 213 bytes (version 10-M), 'qr-bad-mask' for a mask outside 0–7
 */
export function encodeQr(bytes: Uint8Array, options?: QrOptions): QrMatrix {
  return encodePayload({ mode: 'byte', bytes }, options);
}

/**
 * A symbol holding `text`: alphanumeric mode when every character is one of its 45
 * (0–9, A–Z, space, $ % * + - . / :), else byte mode with the text in UTF-8.
 * @throws QrError as encodeQr (alphanumeric holds up to 311 characters)
 */
export function encodeQrText(text: string, options?: QrOptions): QrMatrix {
  return encodePayload(isAlphanumeric(text) ? { mode: 'alphanumeric', text } : { mode: 'byte', bytes: utf8(text) }, options);
}

function encodePayload(payload: QrPayload, options: QrOptions | undefined): QrMatrix {
  const forced = options?.mask;
  if (forced !== undefined && !(Number.isInteger(forced) && forced >= 0 && forced <= 7)) throw new QrError('qr-bad-mask', `mask ${forced} is not 0-7`);
  const version = smallestVersion(payload);
  if (version === 0) {
    const what = payload.mode === 'byte' ? `${payload.bytes.length} bytes` : `${payload.text.length} alphanumeric characters`;
    throw new QrError('qr-too-long', `${what} do not fit a version ${MAX_VERSION}-M symbol`);
  }
  const size = symbolSize(version);
  const cells = drawFunctionPatterns(version);
  placeCodewords(cells, size, interleavedCodewords(dataCodewords(payload, version), version));

  // 7.8.3: each mask scored with its own format information; the lowest, the first of equals.
  const mask = forced ?? chooseMask(cells, size);
  changeMask(cells, size, -1, mask, new Uint8Array(MASK_TILE_BYTES));
  drawFormat(cells, size, mask);

  const bits = new Uint8Array((size * size + 7) >> 3);
  for (let n = 0; n < cells.length; n++) if (cells[n] & DARK) bits[n >> 3] |= 0x80 >> (n & 7);
  return new QrMatrix(size, version, mask, bits);
}

/** Lead byte prefixes of 1- to 4-byte UTF-8 sequences. */
const UTF8_LEAD = deepFreeze([0x00, 0xc0, 0xe0, 0xf0]);

/** The Unicode scalar value of one string iteration step: a lone surrogate becomes U+FFFD. */
function scalar(ch: string): number {
  const c = ch.codePointAt(0) as number;
  return c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
}

/** Continuation bytes after the lead byte of `c` in UTF-8. */
function continuations(c: number): number {
  return c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
}

/** UTF-8 of `text` (RFC 3629), as TextEncoder writes it (the device has none): two passes, no intermediate array. */
function utf8(text: string): Uint8Array {
  let length = 0;
  for (const ch of text) length += 1 + continuations(scalar(ch));
  const out = new Uint8Array(length);
  let at = 0;
  for (const ch of text) {
    const c = scalar(ch);
    const extra = continuations(c);
    out[at++] = UTF8_LEAD[extra] | (c >>> (6 * extra));
    for (let k = extra - 1; k >= 0; k--) out[at++] = 0x80 | ((c >>> (6 * k)) & 63);
  }
  return out;
}
