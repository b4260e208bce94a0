/**
 * Check values, CMAC, the CUP ECB MAC and PIN blocks against openssl and node:crypto used
 * independently of the core, on messages of 0, 1, 7, 8, 9 and 100 bytes.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { checkValue } from '../../firmware/core/security/checkValue';
import { cmac } from '../../firmware/core/security/cmac';
import { cupEcbMac } from '../../firmware/core/security/cupMac';
import { computeMac, padIso9797, verifyMac } from '../../firmware/core/security/mac';
import { pinBlockFormat0, pinBlockFormat4, PinBlockError } from '../../firmware/core/security/pinBlock';
import type { KeyAlgorithm } from '../../firmware/core/ports';

const SIZES = [0, 1, 7, 8, 9, 100];
const message = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 73 + 11) & 0xff));

function handle(algorithm: KeyAlgorithm, hex: string) {
  const crypto = new NodeCrypto(1, { k: { algorithm, key: Buffer.from(hex, 'hex') } });
  return { crypto, key: crypto.provisionedKey('k')! };
}

const opensslCmac = (cipher: string, keyHex: string, data: Buffer) =>
  execFileSync('openssl', ['mac', '-cipher', cipher, '-macopt', `hexkey:${keyHex}`, 'CMAC'], { input: data }).toString().trim().toLowerCase();

const ecb = (cipher: string, key: Buffer, data: Buffer) => {
  const c = createCipheriv(cipher, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
};

describe('CMAC against openssl mac', () => {
  it.each([
    ['aes128', 'AES-128-CBC', '2b7e151628aed2a6abf7158809cf4f3c'],
    ['aes256', 'AES-256-CBC', '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'],
    ['tdes2', 'DES-EDE-CBC', '0123456789abcdeffedcba9876543210'],
  ] as const)('%s on messages of 0, 1, 7, 8, 9 and 100 bytes', (algorithm, cipher, keyHex) => {
    const { crypto, key } = handle(algorithm, keyHex);
    for (const n of SIZES) expect([n, Buffer.from(cmac(crypto, key, message(n))).toString('hex')]).toEqual([n, opensslCmac(cipher, keyHex, message(n))]);
  });

  it('matches RFC 4493 example 2 (AES-128, 16 bytes)', () => {
    const { crypto, key } = handle('aes128', '2b7e151628aed2a6abf7158809cf4f3c');
    const tag = cmac(crypto, key, Buffer.from('6bc1bee22e409f96e93d7e117393172a', 'hex'));
    expect(Buffer.from(tag).toString('hex')).toBe('070a16b46b4d4144f79bdd9dd04a287c');
  });
});

describe('key check values', () => {
  it('3DES: first 3 or 4 bytes of E(K, 0⁸), as openssl computes', () => {
    const keyHex = '0123456789abcdeffedcba9876543210';
    const { crypto, key } = handle('tdes2', keyHex);
    const reference = execFileSync('openssl', ['enc', '-des-ede-ecb', '-K', keyHex, '-nopad'], { input: Buffer.alloc(8) });
    expect(Buffer.from(checkValue(crypto, key, 4))).toEqual(reference.subarray(0, 4));
    expect(Buffer.from(checkValue(crypto, key, 3))).toEqual(reference.subarray(0, 3));
  });

  it('AES: first bytes of CMAC(K, 0¹⁶)', () => {
    const keyHex = '000102030405060708090a0b0c0d0e0f';
    const { crypto, key } = handle('aes128', keyHex);
    expect(Buffer.from(checkValue(crypto, key, 5)).toString('hex')).toBe(opensslCmac('AES-128-CBC', keyHex, Buffer.alloc(16)).slice(0, 10));
  });
});

describe('CUP ECB MAC', () => {
  /** The algorithm as the CUP terminal specification states it, written again with node:crypto. */
  function reference(key: Buffer, data: Buffer): Buffer {
    const folded = Buffer.alloc(8);
    for (let i = 0; i < data.length; i++) folded[i % 8] ^= data[i];
    const expanded = Buffer.from(folded.toString('hex').toUpperCase(), 'latin1');
    const first = ecb('des-ede-ecb', key, expanded.subarray(0, 8));
    for (let i = 0; i < 8; i++) first[i] ^= expanded[8 + i];
    const second = ecb('des-ede-ecb', key, first);
    return Buffer.from(second.toString('hex').toUpperCase().slice(0, 8), 'latin1');
  }

  it.each(SIZES)('agrees with the specification on %i-byte messages', (n) => {
    const keyBytes = randomBytes(16);
    const { crypto, key } = handle('tdes2', keyBytes.toString('hex'));
    expect(Buffer.from(cupEcbMac(crypto, key, message(n)))).toEqual(reference(keyBytes, message(n)));
  });

  it('is 8 ASCII hex characters and changes when one bit of the message does', () => {
    const { crypto, key } = handle('tdes2', '0123456789abcdeffedcba9876543210');
    const a = Buffer.from(cupEcbMac(crypto, key, message(100)));
    const flipped = message(100);
    flipped[57] ^= 1;
    expect(a.toString('latin1')).toMatch(/^[0-9A-F]{8}$/);
    expect(Buffer.from(cupEcbMac(crypto, key, flipped)).equals(a)).toBe(false);
  });
});

describe('PIN blocks', () => {
  it('format 0: decrypts with openssl to the ISO 9564 layout', () => {
    const keyHex = '0123456789abcdeffedcba9876543210';
    const { crypto, key } = handle('tdes2', keyHex);
    const block = pinBlockFormat0(crypto, key, '1234', '4111111111111111');
    const clear = execFileSync('openssl', ['enc', '-d', '-des-ede-ecb', '-K', keyHex, '-nopad'], { input: Buffer.from(block) });
    // 041234FFFFFFFFFF XOR 0000111111111111 (12 PAN digits before the check digit)
    expect(clear.toString('hex')).toBe('041225eeeeeeeeee');
  });

  it('format 4: deciphers (AES) to PIN field ⊕ PAN field as ISO 9564-1 lays them out', () => {
    const keyBytes = randomBytes(16);
    const { crypto, key } = handle('aes128', keyBytes.toString('hex'));
    const fill = Buffer.from('0102030405060708', 'hex');
    const block = pinBlockFormat4(crypto, key, '1234', '43219876543210987', fill);
    const decipher = (b: Buffer) => {
      const d = require('node:crypto').createDecipheriv('aes-128-ecb', keyBytes, null);
      d.setAutoPadding(false);
      return Buffer.concat([d.update(b), d.final()]);
    };
    const intermediate = decipher(Buffer.from(block));
    const panField = Buffer.from('5' + '43219876543210987' + '0'.repeat(14), 'hex');
    for (let i = 0; i < 16; i++) intermediate[i] ^= panField[i];
    expect(decipher(intermediate).toString('hex')).toBe('441234aaaaaaaaaa0102030405060708');
  });

  it('refuses bad PINs, PANs and the wrong kind of key with a typed error', () => {
    const tdes = handle('tdes2', '0123456789abcdeffedcba9876543210');
    const aes = handle('aes128', '000102030405060708090a0b0c0d0e0f');
    expect(() => pinBlockFormat0(tdes.crypto, tdes.key, '12a4', '4111111111111111')).toThrow(PinBlockError);
    expect(() => pinBlockFormat0(tdes.crypto, tdes.key, '1234', '41111')).toThrow(expect.objectContaining({ code: 'pan-format' }));
    expect(() => pinBlockFormat0(aes.crypto, aes.key, '1234', '4111111111111111')).toThrow(expect.objectContaining({ code: 'pin-key' }));
    expect(() => pinBlockFormat4(tdes.crypto, tdes.key, '1234', '4111111111111111')).toThrow(expect.objectContaining({ code: 'pin-key' }));
  });
});

describe('ISO 9797-1 MAC algorithm 3 (ANSI X9.19 retail MAC)', () => {
  /** The retail MAC by openssl's single DES (legacy provider): CBC under K_L, then D(K_R), E(K_L). */
  function reference(keyHex: string, padded: Buffer): Buffer {
    const des = (args: string[], input: Buffer) => execFileSync('openssl', ['enc', ...args, '-nopad', '-provider', 'legacy', '-provider', 'default'], { input });
    const [left, right] = [keyHex.slice(0, 16), keyHex.slice(16, 32)];
    const chained = des(['-des-cbc', '-K', left, '-iv', '0000000000000000'], padded);
    const last = chained.subarray(chained.length - 8);
    return des(['-des-ecb', '-K', left], des(['-d', '-des-ecb', '-K', right], last));
  }

  it.each([1, 2] as const)('agrees with openssl single DES, padding method %i, on 0, 1, 7, 8, 9 and 100 bytes', (method) => {
    const keyHex = randomBytes(16).toString('hex');
    const { crypto, key } = handle('tdes2', keyHex);
    for (const n of SIZES) {
      const padded = Buffer.from(padIso9797(message(n), method));
      expect(padded.length % 8).toBe(0);
      expect([n, Buffer.from(computeMac(crypto, key, { algorithm: 'x9.19', padding: method }, message(n))).toString('hex')]).toEqual([n, reference(keyHex, padded).toString('hex')]);
    }
  });

  it('pads as ISO 9797-1 says: method 1 zero-fills (empty → one block), method 2 adds 0x80', () => {
    expect(Buffer.from(padIso9797(new Uint8Array(0), 1)).toString('hex')).toBe('0000000000000000');
    expect(Buffer.from(padIso9797(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 1)).toString('hex')).toBe('0102030405060708');
    expect(Buffer.from(padIso9797(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 2)).toString('hex')).toBe('01020304050607088000000000000000');
    expect(Buffer.from(padIso9797(Uint8Array.of(0xaa), 2)).toString('hex')).toBe('aa80000000000000');
  });

  it('verifies its own MAC and refuses a changed one', () => {
    const { crypto, key } = handle('tdes2', '0123456789abcdeffedcba9876543210');
    const scheme = { algorithm: 'x9.19' as const, padding: 2 as const };
    const mac = computeMac(crypto, key, scheme, message(100));
    expect(verifyMac(crypto, key, scheme, message(100), mac)).toBe(true);
    mac[7] ^= 1;
    expect(verifyMac(crypto, key, scheme, message(100), mac)).toBe(false);
    expect(verifyMac(crypto, key, scheme, message(100), mac.subarray(0, 4))).toBe(false);
  });
});
