/**
 * The key commands: check values, MACs and PIN blocks from clear keys, by the firmware's own
 * core code. Only check values, MACs and PIN blocks come out, never a key or a PIN; PANs are
 * masked.
 */
import type { CheckValueMethod, KeyAlgorithm } from '../../firmware/core/ports';
import { toHex } from '../../firmware/core/bytes';
import { maskPan } from '../../firmware/core/card/pan';
import { blockSize, KEY_LENGTH } from '../../firmware/core/security/blocks';
import { checkValue, defaultCheckValueMethod } from '../../firmware/core/security/checkValue';
import { computeMac, type MacAlgorithm } from '../../firmware/core/security/mac';
import { pinBlockFormat0, pinBlockFormat4 } from '../../firmware/core/security/pinBlock';
import type { NodeCrypto } from '../ports/nodeCrypto';
import { hex, UsageError, type Args, type OptionSpec } from './args';
import { toolCrypto, type Command } from './command';

const ALGORITHMS = Object.keys(KEY_LENGTH) as KeyAlgorithm[];
const METHODS: readonly CheckValueMethod[] = ['zeros', 'cmac'];
const MAC_ALGORITHMS: readonly MacAlgorithm[] = ['cup-ecb', 'x9.19'];

const upper = (bytes: Uint8Array) => toHex(bytes).toUpperCase();

const KEY_OPTION: OptionSpec = { name: 'key', value: 'HEX', file: 'text', help: 'the clear key, hex.' };

function importKey(crypto: NodeCrypto, args: Args, algorithm: KeyAlgorithm) {
  const key = hex('key', args.secretText('key'));
  if (key.length !== KEY_LENGTH[algorithm]) throw new UsageError(`a ${algorithm} key is ${KEY_LENGTH[algorithm]} bytes, not ${key.length}`);
  const handle = crypto.importKey(algorithm, key);
  key.fill(0);
  return handle;
}

export const kcv: Command = {
  name: 'kcv',
  summary: 'the check value of a key (the key itself is never printed)',
  synopsis: '--algorithm ALG (--key HEX | --key-file FILE) [--method zeros|cmac] [--length N] [--json]',
  options: [
    { name: 'algorithm', value: 'ALG', help: `the key's algorithm: ${ALGORITHMS.join(', ')}.` },
    KEY_OPTION,
    { name: 'method', value: 'zeros|cmac', help: 'zeros: E(K, zero block), the legacy value (default for des, tdes2, tdes3); cmac: CMAC(K, zero block), ANSI X9.24-1:2017 (default for AES keys).' },
    { name: 'length', value: 'N', help: 'bytes of check value, a decimal integer from 1 to the block size (8 for DES family, 16 for AES); default 3 for zeros, 5 for cmac.' },
  ],
  notes: ['The method used is always printed; choose it with --method when the other side uses the other one.', 'Example: xspos-tool kcv --algorithm tdes2 --key-file key.hex --method cmac'],
  run(args) {
    args.positionals([]);
    const algorithm = args.choice('algorithm', ALGORITHMS);
    const method = args.choice('method', METHODS, defaultCheckValueMethod(algorithm));
    const length = args.integer('length', 1, blockSize(algorithm), method === 'zeros' ? 3 : 5);
    const crypto = toolCrypto();
    const value = upper(checkValue(crypto, importKey(crypto, args, algorithm), length, method));
    return { ok: true, value: { algorithm, method, kcv: value }, text: `KCV ${value} (${algorithm}, ${method})` };
  },
};

export const mac: Command = {
  name: 'mac',
  summary: 'the MAC of a message under a double-length 3DES key',
  synopsis: '--algorithm cup-ecb|x9.19 (--key HEX | --key-file FILE) (--data HEX | --data-file FILE) [--padding 1|2] [--length N] [--json]',
  options: [
    { name: 'algorithm', value: 'cup-ecb|x9.19', help: 'cup-ecb: the CUP POS "ECB" MAC; x9.19: ISO 9797-1 MAC algorithm 3 (ANSI X9.19 retail MAC).' },
    { ...KEY_OPTION, help: 'the clear MAC key (tdes2, 16 bytes), hex.' },
    { name: 'data', value: 'HEX', file: 'bytes', help: 'the message, hex.' },
    { name: 'padding', value: '1|2', help: 'x9.19 only: ISO 9797-1 padding method 1 (zeros, the default) or 2 (0x80 then zeros).' },
    { name: 'length', value: 'N', help: 'bytes of MAC to print (the leftmost), a decimal integer from 4 to 8; default 8.' },
  ],
  notes: ["The key's check value (4 bytes, zeros method) is printed with the MAC.", 'Example: xspos-tool mac --algorithm x9.19 --padding 2 --key-file mak.hex --data-file message.bin --length 4'],
  run(args) {
    args.positionals([]);
    const algorithm = args.choice('algorithm', MAC_ALGORITHMS);
    if (algorithm === 'cup-ecb' && args.has('padding')) throw new UsageError('--padding is for x9.19 only (the CUP MAC zero-fills by its own rule)');
    const padding = args.integer('padding', 1, 2, 1) as 1 | 2;
    const length = args.integer('length', 4, 8, 8);
    const crypto = toolCrypto();
    const key = importKey(crypto, args, 'tdes2');
    const full = computeMac(crypto, key, { algorithm, padding }, args.secretBytes('data'));
    const value = upper(full.subarray(0, length));
    const keyKcv = upper(checkValue(crypto, key, 4, 'zeros'));
    const scheme = algorithm === 'x9.19' ? { algorithm, padding } : { algorithm };
    return { ok: true, value: { ...scheme, mac: value, keyKcv }, text: `MAC ${value} (${algorithm}${algorithm === 'x9.19' ? `, padding ${padding}` : ''}; key KCV ${keyKcv})` };
  },
};

export const pinblock: Command = {
  name: 'pinblock',
  summary: 'an ISO 9564-1 PIN block (format 0 under a DES-family key, format 4 under an AES key)',
  synopsis: '--format 0|4 (--key HEX | --key-file FILE) (--pin DIGITS | --pin-file FILE) (--pan DIGITS | --pan-file FILE) [--algorithm ALG] [--json]',
  options: [
    { name: 'format', value: '0|4', help: 'ISO 9564-1 format.' },
    { name: 'algorithm', value: 'ALG', help: `the key's algorithm: ${ALGORITHMS.join(', ')}; default tdes2 for format 0, aes128 for format 4.` },
    { ...KEY_OPTION, help: 'the clear PIN key, hex.' },
    { name: 'pin', value: 'DIGITS', file: 'text', help: 'the PIN, 4 to 12 digits.' },
    { name: 'pan', value: 'DIGITS', file: 'text', help: 'the PAN, 12 to 19 digits (printed masked).' },
  ],
  notes: ["Format 4's 8 fill bytes are random (node:crypto), so every format 4 block differs.", 'Example: xspos-tool pinblock --format 4 --key-file pik.hex --pin-file - --pan 4111111111111111'],
  run(args) {
    args.positionals([]);
    const format = args.integer('format', 0, 4);
    if (format !== 0 && format !== 4) throw new UsageError('--format must be 0 or 4');
    const algorithm = args.choice('algorithm', ALGORITHMS, format === 0 ? 'tdes2' : 'aes128');
    const crypto = toolCrypto();
    const key = importKey(crypto, args, algorithm);
    const pin = args.secretText('pin');
    const pan = args.secretText('pan');
    const block = upper(format === 0 ? pinBlockFormat0(crypto, key, pin, pan) : pinBlockFormat4(crypto, key, pin, pan));
    const masked = maskPan(pan);
    return { ok: true, value: { format, algorithm, pan: masked, pinBlock: block }, text: `PIN block ${block} (format ${format}, PAN ${masked})` };
  },
};
