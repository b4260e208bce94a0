/**
 * Key check values: how a terminal knows a key is the one the host meant without ever seeing
 * it. 3DES: the first bytes of E(K, 0⁸) (3 or 4, per acquirer profile; the CUP field-62 key
 * block carries 4). AES: the first bytes of CMAC(K, 0¹⁶) (ANSI X9.24-1:2017). Either method
 * can be asked for (the toolbox gives the CMAC one for 3DES and the legacy one for AES). The
 * port computes the block, so no key usage needs an encryption oracle to give its check value.
 */
import type { CheckValueMethod, CryptoPort, KeyAlgorithm, KeyHandle } from '../ports';
import { PortError } from '../ports';
import { isDesFamily } from './blocks';
import { cmacOn } from './cmac';

/** The method a key's check value uses unless told otherwise. */
export function defaultCheckValueMethod(algorithm: KeyAlgorithm): CheckValueMethod {
  return isDesFamily(algorithm) ? 'zeros' : 'cmac';
}

/** The first `length` bytes (at most one block) of `key`'s check value. */
export function checkValue(crypto: CryptoPort, key: KeyHandle, length: number, method: CheckValueMethod = defaultCheckValueMethod(key.algorithm)): Uint8Array {
  const full = crypto.checkValue(key, method);
  return full.slice(0, Math.min(length, full.length));
}

/**
 * Adapter side: the full check-value block from the key's CBC-MAC (zero IV, whole `n`-byte
 * blocks, last block out). E(K, 0ⁿ) is the CBC-MAC of one zero block.
 * @throws PortError 'crypto' for an unknown method
 */
export function checkValueBlock(method: CheckValueMethod, n: 8 | 16, cbcMac: (blocks: Uint8Array) => Uint8Array): Uint8Array {
  if (method === 'zeros') return cbcMac(new Uint8Array(n));
  if (method === 'cmac') return cmacOn(cbcMac, n, new Uint8Array(n));
  throw new PortError('crypto', `no check value method ${String(method)}`);
}
