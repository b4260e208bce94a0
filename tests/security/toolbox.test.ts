/**
 * The integrator's toolbox, run as a process, gives the values openssl gives: check values by
 * both methods for every key algorithm, X9.19 and CUP MACs (the ANSI X9.19 example, and 1 MB
 * messages from a file and from standard input against compositions of openssl's ciphers), PIN
 * blocks of formats 0 and 4. Keys never appear in what it prints.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl, opensslCipher, tool, type Run } from '../toolbox/cli';

const KEYS = {
  des: '0123456789abcdef',
  tdes2: '0123456789abcdeffedcba9876543210',
  tdes3: '0123456789abcdeffedcba987654321089abcdef01234567',
  aes128: '2b7e151628aed2a6abf7158809cf4f3c',
  aes192: '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b',
  aes256: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
} as const;
type Algorithm = keyof typeof KEYS;
const ALGORITHMS = Object.keys(KEYS) as Algorithm[];
const BLOCK = { des: 8, tdes2: 8, tdes3: 8, aes128: 16, aes192: 16, aes256: 16 } as const;
/** openssl's name for each key, single DES as 3DES with K1 = K2 = K3 (plain DES is in openssl's legacy provider). */
const CIPHER = { des: 'des-ede3', tdes2: 'des-ede', tdes3: 'des-ede3', aes128: 'aes-128', aes192: 'aes-192', aes256: 'aes-256' } as const;
const opensslKey = (a: Algorithm) => (a === 'des' ? KEYS.des.repeat(3) : KEYS[a]);

const everything: Run[] = [];
async function run(args: string[], input?: Uint8Array | string) {
  const r = await tool(args, input);
  everything.push(r);
  return r;
}
const json = (r: Run) => {
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(r.stdout);
};
const upper = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

function referenceKcv(a: Algorithm, method: 'zeros' | 'cmac'): string {
  const zeros = Buffer.alloc(BLOCK[a]);
  if (method === 'zeros') return upper(opensslCipher(`${CIPHER[a]}-ecb`, opensslKey(a), zeros));
  return openssl(['mac', '-cipher', `${CIPHER[a]}-cbc`, '-macopt', `hexkey:${opensslKey(a)}`, 'CMAC'], zeros).toString().trim().toUpperCase();
}

/** ISO 9797-1 MAC algorithm 3 from openssl: single-DES CBC under K_L to the last block, then 3DES (K_L, K_R, K_L) chained on. */
function referenceRetailMac(keyHex: string, padded: Uint8Array): string {
  const left = keyHex.slice(0, 16);
  const head = padded.subarray(0, padded.length - 8);
  const chained = head.length ? opensslCipher('des-ede3-cbc', left.repeat(3), head, '0'.repeat(16)).subarray(-8) : Buffer.alloc(8);
  return upper(opensslCipher('des-ede-cbc', keyHex, padded.subarray(-8), chained.toString('hex')));
}

function pad(data: Uint8Array, method: 1 | 2): Buffer {
  const body = method === 2 ? Buffer.concat([data, Buffer.of(0x80)]) : Buffer.from(data);
  return Buffer.concat([body, Buffer.alloc((8 - (body.length % 8)) % 8 || (body.length ? 0 : 8))]);
}

/** The CUP POS MAC from openssl's 3DES: XOR-fold, hex-expand, E(first 8) XOR last 8, E again, first 8 hex digits (as ASCII). */
function referenceCupMac(keyHex: string, data: Uint8Array): string {
  const folded = Buffer.alloc(8);
  for (let i = 0; i < data.length; i++) folded[i % 8] ^= data[i];
  const expanded = Buffer.from(upper(folded), 'ascii');
  const first = opensslCipher('des-ede-ecb', keyHex, expanded.subarray(0, 8));
  for (let i = 0; i < 8; i++) first[i] ^= expanded[8 + i];
  return upper(Buffer.from(upper(opensslCipher('des-ede-ecb', keyHex, first)).slice(0, 8), 'ascii'));
}

/** PCI DSS 3.4 as card/pan.ts applies it: first 6 and last 4; a PAN under 13 digits shows none (6 + 4 of 12 would leave 2 hidden). */
const masked = (pan: string): string => (pan.length < 13 ? '*'.repeat(pan.length) : `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`);

describe('toolbox values, against openssl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xspos-toolbox-'));
  afterAll(() => {
    for (const r of everything) for (const key of Object.values(KEYS)) expect(`${r.stdout}${r.stderr}`.toLowerCase()).not.toContain(key);
  });

  it('kcv: both methods for every key algorithm, full blocks and the documented defaults', async () => {
    const cases = ALGORITHMS.flatMap((a) => (['zeros', 'cmac'] as const).map((method) => ({ a, method })));
    const full = await Promise.all(cases.map(({ a, method }) => run(['kcv', '--algorithm', a, '--key', KEYS[a], '--method', method, '--length', String(BLOCK[a]), '--json'])));
    cases.forEach(({ a, method }, i) => expect(json(full[i])).toEqual({ algorithm: a, method, kcv: referenceKcv(a, method) }));
    // Defaults: E(K, 0) to 3 bytes for the DES family, CMAC to 5 bytes for AES, and the text says which.
    const defaults = await Promise.all(ALGORITHMS.map((a) => run(['kcv', '--algorithm', a, '--key', KEYS[a]])));
    ALGORITHMS.forEach((a, i) => {
      const method = BLOCK[a] === 8 ? 'zeros' : 'cmac';
      expect(defaults[i]).toEqual({ status: 0, stderr: '', stdout: `KCV ${referenceKcv(a, method).slice(0, BLOCK[a] === 8 ? 6 : 10)} (${a}, ${method})\n` });
    });
  });

  it('kcv: the key from a file (white space around it ignored) and from standard input', async () => {
    writeFileSync(join(dir, 'key.hex'), `  ${KEYS.tdes2.toUpperCase()}\r\n`);
    const expected = { algorithm: 'tdes2', method: 'cmac', kcv: referenceKcv('tdes2', 'cmac').slice(0, 8) };
    expect(json(await run(['kcv', '--algorithm', 'tdes2', '--key-file', join(dir, 'key.hex'), '--method', 'cmac', '--length', '4', '--json']))).toEqual(expected);
    expect(json(await run(['kcv', '--algorithm', 'tdes2', '--key-file', '-', '--method', 'cmac', '--length', '4', '--json'], `${KEYS.tdes2}\n`))).toEqual(expected);
  });

  it('mac x9.19: the ANSI X9.19 example, padding 2 and --length against openssl', async () => {
    const message = Buffer.from('Now is the time for all ');
    const base = ['mac', '--algorithm', 'x9.19', '--key', KEYS.tdes2, '--data', message.toString('hex'), '--json'];
    const [one, two, four] = await Promise.all([run(base), run([...base, '--padding', '2']), run([...base, '--length', '4'])]);
    expect(json(one)).toEqual({ algorithm: 'x9.19', padding: 1, mac: 'A1C72E74EA3FA9B6', keyKcv: referenceKcv('tdes2', 'zeros').slice(0, 8) });
    expect(referenceRetailMac(KEYS.tdes2, pad(message, 1))).toBe('A1C72E74EA3FA9B6'); // the composition agrees with the published example
    expect(json(two)).toMatchObject({ padding: 2, mac: referenceRetailMac(KEYS.tdes2, pad(message, 2)) });
    expect(json(four)).toMatchObject({ mac: 'A1C72E74' });
  });

  it('mac: 1 MB messages from a file and from standard input, x9.19 and CUP', async () => {
    const mb = randomBytes(1 << 20);
    const odd = randomBytes((1 << 20) + 5);
    writeFileSync(join(dir, 'mb.bin'), mb);
    writeFileSync(join(dir, 'odd.bin'), odd);
    const key = ['--key', KEYS.tdes2, '--json'];
    const [fromFile, fromStdin, cup, cupStdin] = await Promise.all([
      run(['mac', '--algorithm', 'x9.19', '--data-file', join(dir, 'odd.bin'), ...key]),
      run(['mac', '--algorithm', 'x9.19', '--padding', '2', '--data-file', '-', ...key], mb),
      run(['mac', '--algorithm', 'cup-ecb', '--data-file', join(dir, 'odd.bin'), ...key]),
      run(['mac', '--algorithm', 'cup-ecb', '--data-file', '-', ...key], mb),
    ]);
    expect(json(fromFile).mac).toBe(referenceRetailMac(KEYS.tdes2, pad(odd, 1)));
    expect(json(fromStdin).mac).toBe(referenceRetailMac(KEYS.tdes2, pad(mb, 2)));
    expect(json(cup)).toMatchObject({ algorithm: 'cup-ecb', mac: referenceCupMac(KEYS.tdes2, odd) });
    expect(json(cupStdin).mac).toBe(referenceCupMac(KEYS.tdes2, mb));
  });

  it('pinblock format 0: openssl enciphers the ISO 9564-1 clear block, PAN masked in the output', async () => {
    const pans = ['4111111111111111', '6212345678901234567', '541234567890'];
    const runs = await Promise.all(pans.map((pan) => run(['pinblock', '--format', '0', '--key', KEYS.tdes2, '--pin', '1234', '--pan', pan, '--json'])));
    pans.forEach((pan, i) => {
      const panField = Buffer.from(`0000${pan.slice(0, -1).slice(-12).padStart(12, '0')}`, 'hex');
      const clear = Buffer.from('041234FFFFFFFFFF', 'hex').map((b, j) => b ^ panField[j]);
      expect(json(runs[i])).toEqual({ format: 0, algorithm: 'tdes2', pan: masked(pan), pinBlock: upper(opensslCipher('des-ede-ecb', KEYS.tdes2, clear)) });
    });
  });

  it('pinblock format 4: openssl deciphers each block to the PIN field, and every block has its own random fill', async () => {
    writeFileSync(join(dir, 'pan.txt'), '4111111111111111\n');
    const args = ['pinblock', '--format', '4', '--key', KEYS.aes128, '--pin-file', '-', '--pan-file', join(dir, 'pan.txt'), '--json'];
    const runs = await Promise.all([1, 2, 3, 4, 5].map(() => run(args, '98765\n')));
    const panField = Buffer.from(`4${'4111111111111111'.padEnd(31, '0')}`, 'hex');
    const fills = runs.map((r) => {
      const { pinBlock, pan } = json(r);
      expect(pan).toBe('411111******1111');
      const intermediate = opensslCipher('aes-128-ecb', KEYS.aes128, Buffer.from(pinBlock, 'hex'), undefined, true).map((b, j) => b ^ panField[j]);
      const pinField = opensslCipher('aes-128-ecb', KEYS.aes128, intermediate, undefined, true);
      expect(pinField.subarray(0, 8).toString('hex').toUpperCase()).toBe('4598765AAAAAAAAA');
      return pinField.subarray(8).toString('hex');
    });
    expect(new Set(fills).size).toBe(5);
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(5);
  });
});
