/**
 * The acquirer's own key and MAC arithmetic, on node:crypto directly: an implementation
 * independent of firmware/core/security, so a scenario where the terminal and the host agree is
 * evidence that both are right, not that one code base agrees with itself.
 *
 * OpenSSL 3 keeps single DES in its legacy provider; a single-length key K runs as 3DES with
 * K‖K (EDE with K1 = K2 is DES), which is how HSMs have always done it.
 */
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

import type { MasterKeyAlgorithm } from './config';

export type HostMacScheme = { algorithm: 'cup-ecb' | 'x9.19'; padding: 1 | 2 };

function tdesKey(key: Uint8Array): Buffer {
  if (key.length === 8) return Buffer.concat([key, key]);
  if (key.length === 16) return Buffer.from(key);
  throw new RangeError(`a DES key is 8 or 16 bytes, not ${key.length}`);
}

/** E(K, data), ECB, whole 8-byte blocks. */
export function encryptEcb(key: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv('des-ede-ecb', tdesKey(key), null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** D(K, data), ECB, whole 8-byte blocks. */
export function decryptEcb(key: Uint8Array, data: Uint8Array): Uint8Array {
  const d = createDecipheriv('des-ede-ecb', tdesKey(key), null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([d.update(data), d.final()]));
}

/** Key check value: the first `length` bytes of E(K, 0⁸). */
export function kcv(key: Uint8Array, length: number): Uint8Array {
  return encryptEcb(key, new Uint8Array(8)).slice(0, length);
}

/** A fresh DES-family key (8, 16 or 24 bytes) with odd parity in every byte, as a key HSM makes it. */
export function freshKey(length: 8 | 16 | 24, random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n))): Uint8Array {
  const key = random(length).slice();
  for (let i = 0; i < key.length; i++) {
    let ones = 0;
    for (let b = 1; b < 0x100; b <<= 1) if (key[i] & b) ones++;
    if (ones % 2 === 0) key[i] ^= 1;
  }
  return key;
}

/** CBC-MAC with a zero IV over whole blocks: the last cipher block. */
function cbcMac(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  const c = createCipheriv('des-ede-cbc', tdesKey(key), Buffer.alloc(8)).setAutoPadding(false);
  const out = Buffer.concat([c.update(blocks), c.final()]);
  return new Uint8Array(out.subarray(out.length - 8));
}

const hexUpper = (bytes: Uint8Array): Uint8Array => new Uint8Array(Buffer.from(Buffer.from(bytes).toString('hex').toUpperCase(), 'ascii'));

/**
 * CUP POS "ECB" MAC (银联 POS 终端规范, MAC 算法): XOR all 8-byte blocks of the zero-filled
 * message; expand the 8-byte result to 16 hex characters; encrypt the first 8, XOR with the
 * last 8, encrypt again; expand to hex; the MAC is the first 8 characters.
 */
export function cupEcbMac(mak: Uint8Array, data: Uint8Array): Uint8Array {
  const folded = Buffer.alloc(8);
  for (let i = 0; i < data.length; i++) folded[i % 8] ^= data[i];
  const chars = hexUpper(folded);
  const first = encryptEcb(mak, chars.subarray(0, 8));
  for (let i = 0; i < 8; i++) first[i] ^= chars[8 + i];
  return hexUpper(encryptEcb(mak, first)).slice(0, 8);
}

/**
 * ANSI X9.19 / ISO 9797-1 MAC algorithm 3 with a double-length key K1‖K2: single-DES CBC-MAC
 * under K1, then the last block decrypted under K2 and encrypted under K1.
 */
export function x919Mac(mak: Uint8Array, data: Uint8Array, padding: 1 | 2): Uint8Array {
  if (mak.length !== 16) throw new RangeError('X9.19 needs a double-length key');
  const length = padding === 2 ? data.length + 1 : Math.max(data.length, 1);
  const padded = new Uint8Array(Math.ceil(length / 8) * 8);
  padded.set(data);
  if (padding === 2) padded[data.length] = 0x80;
  const k1 = mak.subarray(0, 8);
  const k2 = mak.subarray(8, 16);
  return encryptEcb(k1, decryptEcb(k2, cbcMac(k1, padded)));
}

export function hostMac(mak: Uint8Array, scheme: HostMacScheme, data: Uint8Array): Uint8Array {
  return scheme.algorithm === 'cup-ecb' ? cupEcbMac(mak, data) : x919Mac(mak, data, scheme.padding);
}

/** node:crypto's ECB cipher for a master key of each algorithm the activation issues. */
const MASTER_ECB: Readonly<Record<MasterKeyAlgorithm, string>> = { tdes2: 'des-ede-ecb', tdes3: 'des-ede3-ecb', aes128: 'aes-128-ecb' };

/** E(TMK, data), ECB under the master key's own cipher: how the sign-on wraps working keys (16-byte keys are one AES block). */
export function encryptUnderMaster(master: { key: Uint8Array; algorithm: MasterKeyAlgorithm }, data: Uint8Array): Uint8Array {
  const c = createCipheriv(MASTER_ECB[master.algorithm], master.key, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/**
 * A master key's full check-value block: E(K, 0⁸) for the DES family; AES-CMAC(K, 0¹⁶) for
 * AES (ANSI X9.24-1:2017), from the NIST SP 800-38B subkey rule: a one-block message is
 * complete, so CMAC = E(K, 0¹⁶ ⊕ K1) = E(K, K1), K1 = L·x in GF(2¹²⁸), L = E(K, 0¹⁶).
 */
export function masterCheckValue(master: { key: Uint8Array; algorithm: MasterKeyAlgorithm }): Uint8Array {
  if (master.algorithm !== 'aes128') return encryptUnderMaster(master, new Uint8Array(8));
  const l = encryptUnderMaster(master, new Uint8Array(16));
  const k1 = new Uint8Array(16);
  for (let i = 0; i < 16; i++) k1[i] = ((l[i] << 1) | (i < 15 ? l[i + 1] >> 7 : 0)) & 0xff;
  if (l[0] & 0x80) k1[15] ^= 0x87;
  return encryptUnderMaster(master, k1);
}

export function macMatches(mak: Uint8Array, scheme: HostMacScheme, data: Uint8Array, mac: Uint8Array): boolean {
  const expected = hostMac(mak, scheme, data);
  return mac.length === expected.length && timingSafeEqual(expected, mac);
}
