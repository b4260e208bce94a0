/**
 * Key check values: how a terminal knows a key is the one the host meant without ever seeing
 * it. 3DES: the first bytes of E(K, 0⁸) (3 or 4, per acquirer profile; the CUP field-62 key
 * block carries 4). AES: the first bytes of CMAC(K, 0¹⁶) (ANSI X9.24-1 style).
 */
import type { CryptoPort, KeyHandle } from '../ports';
import { blockSize } from './blocks';
import { cmac } from './cmac';

export function checkValue(crypto: CryptoPort, key: KeyHandle, length: number): Uint8Array {
  const n = blockSize(key.algorithm);
  const full = n === 8 ? crypto.encrypt(key, 'ecb', new Uint8Array(8)) : cmac(crypto, key, new Uint8Array(16));
  return full.slice(0, Math.min(length, n));
}
