/**
 * Check values, CMAC, the CUP ECB MAC and the X9.19 retail MAC against openssl and node:crypto
 * used independently of the core (on messages of 0, 1, 7, 8, 9 and 100 bytes), and against
 * published examples. Keys are imported in the clear ('test' usage).
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { checkValue } from '../../firmware/core/security/checkValue';
import { cmac } from '../../firmware/core/security/cmac';
import { cupEcbMac } from '../../firmware/core/security/cupMac';
import { computeMac, padIso9797, verifyMac } from '../../firmware/core/security/mac';
import type { KeyAlgorithm } from '../../firmware/core/ports';
import { cupMacReference, retailMacReference } from './macReferences';

const SIZES = [0, 1, 7, 8, 9, 100];
const message = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 73 + 11) & 0xff));

function handle(algorithm: KeyAlgorithm, hex: string) {
  const crypto = new NodeCrypto(1);
  return { crypto, key: crypto.importKey(algorithm, Buffer.from(hex, 'hex')) };
}

const opensslCmac = (cipher: string, keyHex: string, data: Buffer) =>
  execFileSync('openssl', ['mac', '-cipher', cipher, '-macopt', `hexkey:${keyHex}`, 'CMAC'], { input: data }).toString().trim().toLowerCase();

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

  it('either method on request: CMAC(K, 0⁸) for 3DES, the legacy E(K, 0¹⁶) for AES, as openssl computes them', () => {
    const tdesHex = '0123456789abcdeffedcba9876543210';
    const tdes = handle('tdes2', tdesHex);
    expect(Buffer.from(checkValue(tdes.crypto, tdes.key, 8, 'cmac')).toString('hex')).toBe(opensslCmac('DES-EDE-CBC', tdesHex, Buffer.alloc(8)));
    const aesHex = '000102030405060708090a0b0c0d0e0f';
    const aes = handle('aes128', aesHex);
    const legacy = execFileSync('openssl', ['enc', '-aes-128-ecb', '-K', aesHex, '-nopad'], { input: Buffer.alloc(16) });
    expect(Buffer.from(checkValue(aes.crypto, aes.key, 16, 'zeros'))).toEqual(legacy);
    expect(Buffer.from(aes.crypto.checkValue(aes.key, 'zeros'))).toEqual(legacy);
  });
});

describe('CUP ECB MAC', () => {
  // The worked example published with its intermediate values (solo123/pgate,
  // test/integration/pos_mac_test.rb): MAB 1234567890ABCDEF ABCDEF1234567890, MAK 2222222222222222;
  // XOR B9F9B96AA4FDB57F; E("B9F9B96A") = 9FDE90A34CF73B2E; XOR "A4FDB57F" = DEEAD6E70EC20C68;
  // E(...) = E267B6E21913D339; MAC "E267B6E2".
  const MAB = Buffer.from('1234567890abcdefabcdef1234567890', 'hex');
  it.each([
    ['single-length DES', 'des', '2222222222222222'],
    ['a double-length key with equal halves (single DES in effect)', 'tdes2', '22222222222222222222222222222222'],
  ] as const)('gives the published example with %s', (_, algorithm, keyHex) => {
    const { crypto, key } = handle(algorithm, keyHex);
    expect(Buffer.from(cupEcbMac(crypto, key, MAB)).toString('latin1')).toBe('E267B6E2');
  });

  it('the openssl reference below gives the published example too', () => {
    expect(cupMacReference('22'.repeat(16), MAB)).toBe('E267B6E2');
  });

  it.each(SIZES)('agrees with openssl\'s 3DES (macReferences.ts) on %i-byte messages', (n) => {
    const keyHex = randomBytes(16).toString('hex');
    const { crypto, key } = handle('tdes2', keyHex);
    expect(Buffer.from(cupEcbMac(crypto, key, message(n))).toString('latin1')).toBe(cupMacReference(keyHex, message(n)));
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

describe('ISO 9797-1 MAC algorithm 3 (ANSI X9.19 retail MAC)', () => {
  it.each([1, 2] as const)('agrees with openssl single DES, padding method %i, on 0, 1, 7, 8, 9 and 100 bytes', (method) => {
    const keyHex = randomBytes(16).toString('hex');
    const { crypto, key } = handle('tdes2', keyHex);
    for (const n of SIZES) {
      const padded = Buffer.from(padIso9797(message(n), method));
      expect(padded.length % 8).toBe(0);
      expect([n, Buffer.from(computeMac(crypto, key, { algorithm: 'x9.19', padding: method }, message(n))).toString('hex')]).toEqual([n, retailMacReference(keyHex, padded).toString('hex')]);
    }
  });

  it('pads as ISO 9797-1 says: method 1 zero-fills (empty → one block), method 2 adds 0x80', () => {
    expect(Buffer.from(padIso9797(new Uint8Array(0), 1)).toString('hex')).toBe('0000000000000000');
    expect(Buffer.from(padIso9797(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 1)).toString('hex')).toBe('0102030405060708');
    expect(Buffer.from(padIso9797(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 2)).toString('hex')).toBe('01020304050607088000000000000000');
    expect(Buffer.from(padIso9797(Uint8Array.of(0xaa), 2)).toString('hex')).toBe('aa80000000000000');
  });

  it('verifies the MAC openssl computes and refuses a changed one', () => {
    const keyHex = '0123456789abcdeffedcba9876543210';
    const { crypto, key } = handle('tdes2', keyHex);
    const scheme = { algorithm: 'x9.19' as const, padding: 2 as const };
    const mac = new Uint8Array(retailMacReference(keyHex, Buffer.from(padIso9797(message(100), 2))));
    expect(verifyMac(crypto, key, scheme, message(100), mac)).toBe(true);
    mac[7] ^= 1;
    expect(verifyMac(crypto, key, scheme, message(100), mac)).toBe(false);
    expect(verifyMac(crypto, key, scheme, message(100), mac.subarray(0, 4))).toBe(false);
  });
});
