/**
 * The data bit stream of one segment (ISO/IEC 18004:2015 7.4): mode indicator, character count,
 * data, terminator, then padding to the version's data capacity at level M, and the choice of
 * the smallest version that holds it.
 */
import { ALPHANUMERIC, COUNT_BITS, dataCapacity, MAX_VERSION, MODE_INDICATOR, PAD_CODEWORDS } from './tables';

export type QrMode = 'byte' | 'alphanumeric';

/** What a segment carries: bytes (byte mode) or a text of ALPHANUMERIC characters. */
export type QrPayload = { mode: 'byte'; bytes: Uint8Array } | { mode: 'alphanumeric'; text: string };

function countBits(mode: QrMode, version: number): number {
  return COUNT_BITS[mode][version < 10 ? 0 : 1];
}

function payloadLength(payload: QrPayload): number {
  return payload.mode === 'byte' ? payload.bytes.length : payload.text.length;
}

/** 7.4.4, 7.4.5: 8 bits a byte; 11 bits per pair of alphanumeric characters, 6 for a last one. */
function dataBits(payload: QrPayload): number {
  if (payload.mode === 'byte') return payload.bytes.length * 8;
  const n = payload.text.length;
  return 11 * (n >> 1) + 6 * (n & 1);
}

/** The smallest version 1–10 whose level-M capacity holds the segment; 0 when none does. */
export function smallestVersion(payload: QrPayload): number {
  const length = payloadLength(payload);
  const bits = dataBits(payload);
  for (let version = 1; version <= MAX_VERSION; version++) {
    const count = countBits(payload.mode, version);
    if (length < 2 ** count && 4 + count + bits <= dataCapacity(version) * 8) return version;
  }
  return 0;
}

/** Appends bits MSB first into a zeroed byte array. */
class BitWriter {
  at = 0;
  constructor(readonly out: Uint8Array) {}

  put(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      if ((value >>> i) & 1) this.out[this.at >> 3] |= 0x80 >> (this.at & 7);
      this.at++;
    }
  }
}

/** The data codewords of `version` (it must hold the segment: see smallestVersion). */
export function dataCodewords(payload: QrPayload, version: number): Uint8Array {
  const capacity = dataCapacity(version);
  const writer = new BitWriter(new Uint8Array(capacity));
  writer.put(MODE_INDICATOR[payload.mode], 4);
  writer.put(payloadLength(payload), countBits(payload.mode, version));
  if (payload.mode === 'byte') for (let i = 0; i < payload.bytes.length; i++) writer.put(payload.bytes[i], 8);
  else {
    const { text } = payload;
    for (let i = 0; i + 1 < text.length; i += 2) writer.put(45 * ALPHANUMERIC.indexOf(text[i]) + ALPHANUMERIC.indexOf(text[i + 1]), 11);
    if (text.length & 1) writer.put(ALPHANUMERIC.indexOf(text[text.length - 1]), 6);
  }
  // 7.4.9: a terminator of up to four 0 bits, then 0 bits to the codeword boundary (the array is zeroed).
  const used = Math.ceil(Math.min(writer.at + 4, capacity * 8) / 8);
  // 7.4.10: the pad codewords 11101100 and 00010001 alternate to the end.
  for (let i = used; i < capacity; i++) writer.out[i] = PAD_CODEWORDS[(i - used) & 1];
  return writer.out;
}

/** True when every character of `text` is one of the 45 of alphanumeric mode. */
export function isAlphanumeric(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (ALPHANUMERIC.indexOf(text[i]) < 0) return false;
  return true;
}
