/**
 * MACs computed outside the code under test, with openssl as the block cipher: the references
 * the MAC tests (macs.test.ts) and the MAC self-check tests (macSelfCheck.test.ts) judge by.
 */
import { execFileSync } from 'node:child_process';

/**
 * The CUP POS "ECB" MAC of `data` under a double-length key: the spec's E(first 8 characters),
 * XOR the last 8, E again, is 3DES-CBC with a zero IV over the 16 characters
 * (`openssl enc -des-ede-cbc`), last block. The fold and the hex expansion are done here with
 * BigInt and Buffer's hex encoder. Returns the 8 ASCII characters.
 */
export function cupMacReference(keyHex: string, data: Buffer): string {
  let folded = 0n;
  const padded = Buffer.concat([data, Buffer.alloc((8 - (data.length % 8)) % 8)]);
  for (let at = 0; at < padded.length; at += 8) folded ^= padded.readBigUInt64BE(at);
  const characters = Buffer.from(folded.toString(16).padStart(16, '0').toUpperCase(), 'latin1');
  const chained = execFileSync('openssl', ['enc', '-des-ede-cbc', '-K', keyHex, '-iv', '0000000000000000', '-nopad'], { input: characters });
  return chained.subarray(8, 16).toString('hex').toUpperCase().slice(0, 8);
}

/** ISO 9797-1 MAC algorithm 3 by openssl's single DES (legacy provider): CBC under K_L, then D(K_R), E(K_L). */
export function retailMacReference(keyHex: string, padded: Buffer): Buffer {
  const des = (args: string[], input: Buffer) => execFileSync('openssl', ['enc', ...args, '-nopad', '-provider', 'legacy', '-provider', 'default'], { input });
  const [left, right] = [keyHex.slice(0, 16), keyHex.slice(16, 32)];
  const chained = des(['-des-cbc', '-K', left, '-iv', '0000000000000000'], padded);
  const last = chained.subarray(chained.length - 8);
  return des(['-des-ecb', '-K', left], des(['-d', '-des-ecb', '-K', right], last));
}
