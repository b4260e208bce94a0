/**
 * The CUP POS "ECB" MAC (China UnionPay terminal specification): XOR the message's 8-byte
 * blocks (zero-padded), hex-expand the result to 16 ASCII characters, encrypt the first 8,
 * XOR with the last 8, encrypt again, hex-expand, and keep the first 8 characters. The two
 * encryptions are the CBC-MAC (zero IV) of the 16 characters, which a MAC key allows.
 */
import type { CryptoPort, KeyHandle } from '../ports';
import { xorInto } from './blocks';

const HEX = '0123456789ABCDEF';

function hexExpand(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(block.length * 2);
  for (let i = 0; i < block.length; i++) {
    out[2 * i] = HEX.charCodeAt(block[i] >> 4);
    out[2 * i + 1] = HEX.charCodeAt(block[i] & 15);
  }
  return out;
}

export function cupEcbMac(crypto: CryptoPort, mak: KeyHandle, data: Uint8Array): Uint8Array {
  const folded = new Uint8Array(8);
  for (let at = 0; at < data.length; at += 8) xorInto(folded, data.subarray(at, Math.min(at + 8, data.length)));
  return hexExpand(crypto.cbcMac(mak, hexExpand(folded))).slice(0, 8);
}
