/**
 * Message authentication as the acquirer profile selects it: the CUP POS "ECB" MAC, or
 * ISO 9797-1 MAC algorithm 3 (ANSI X9.19 retail MAC) with padding method 1 or 2. Verifying
 * compares in constant time.
 */
import type { CryptoPort, KeyHandle } from '../ports';
import { constantTimeEqual } from './blocks';
import { cupEcbMac } from './cupMac';

export type MacAlgorithm = 'cup-ecb' | 'x9.19';

export interface MacScheme {
  algorithm: MacAlgorithm;
  /** ISO 9797-1 padding method for x9.19 (the CUP MAC zero-fills by its own rule). */
  padding: 1 | 2;
}

/**
 * ISO 9797-1 padding to whole 8-byte blocks. Method 1: zeros (an empty message becomes one
 * zero block). Method 2: one 0x80 byte, then zeros (always adds at least one byte).
 */
export function padIso9797(data: Uint8Array, method: 1 | 2): Uint8Array {
  const length = method === 2 ? data.length + 1 : Math.max(data.length, 1);
  const out = new Uint8Array(Math.ceil(length / 8) * 8);
  out.set(data);
  if (method === 2) out[data.length] = 0x80;
  return out;
}

export function computeMac(crypto: CryptoPort, key: KeyHandle, scheme: MacScheme, data: Uint8Array): Uint8Array {
  if (scheme.algorithm === 'cup-ecb') return cupEcbMac(crypto, key, data);
  return crypto.retailMac(key, padIso9797(data, scheme.padding));
}

/** True when `mac` is the MAC of `data`; the comparison takes the same time wherever they differ. */
export function verifyMac(crypto: CryptoPort, key: KeyHandle, scheme: MacScheme, data: Uint8Array, mac: Uint8Array): boolean {
  return constantTimeEqual(computeMac(crypto, key, scheme, data), mac);
}
