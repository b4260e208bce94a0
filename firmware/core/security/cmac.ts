/**
 * CMAC (NIST SP 800-38B; RFC 4493 for AES) on a CBC-MAC primitive, so the key stays a handle:
 * L = E(K, 0ⁿ) is the CBC-MAC of one zero block, and the tag is the CBC-MAC of the message
 * with its last block masked by subkey K1 (complete) or K2 (padded). Used for MACs, and by
 * the adapters for CMAC-based key check values.
 */
import type { CryptoPort, KeyHandle } from '../ports';
import { blockSize } from './blocks';

/** Doubling in GF(2^n) with the block size's constant: 0x87 (128-bit), 0x1B (64-bit). */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(block.length);
  let carry = 0;
  for (let i = block.length - 1; i >= 0; i--) {
    out[i] = ((block[i] << 1) | carry) & 0xff;
    carry = block[i] >> 7;
  }
  if (block[0] & 0x80) out[block.length - 1] ^= block.length === 16 ? 0x87 : 0x1b;
  return out;
}

/**
 * The full CMAC tag of `data` on `cbcMac` (zero IV, whole `n`-byte blocks, returns the last
 * block). The adapters call it with their own block cipher.
 */
export function cmacOn(cbcMac: (blocks: Uint8Array) => Uint8Array, n: 8 | 16, data: Uint8Array): Uint8Array {
  const k1 = double(cbcMac(new Uint8Array(n)));
  const k2 = double(k1);
  const blocks = Math.max(1, Math.ceil(data.length / n));
  const complete = data.length > 0 && data.length % n === 0;
  const padded = new Uint8Array(blocks * n);
  padded.set(data);
  if (!complete) padded[data.length] = 0x80;
  const subkey = complete ? k1 : k2;
  for (let i = 0; i < n; i++) padded[(blocks - 1) * n + i] ^= subkey[i];
  return cbcMac(padded);
}

/** The full CMAC tag (one block) of `data` under a MAC (or test) key. */
export function cmac(crypto: CryptoPort, key: KeyHandle, data: Uint8Array): Uint8Array {
  return cmacOn((blocks) => crypto.cbcMac(key, blocks), blockSize(key.algorithm), data);
}
