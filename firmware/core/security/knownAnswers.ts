/**
 * Known-answer tests of every algorithm the terminal relies on, run through the crypto port
 * as payments use it. Vectors: SHA "abc" (FIPS 180), AES-128 (FIPS-197 C.1), CMAC (RFC 4493
 * example 2), the ANSI X9.19 retail MAC example ("Now is the time for all "), the CUP POS
 * MAC worked example (MAB 1234567890ABCDEF ABCDEF1234567890, MAK 2222222222222222 → "E267B6E2",
 * as published with its intermediate values in solo123/pgate's pos_mac_test.rb), 3DES computed
 * with openssl, and an RSA-1024 / ECDSA P-256 signature over "xspos known answer" made once
 * with openssl (public keys only: nothing secret lives here).
 */
import type { CryptoPort, KeyAlgorithm } from '../ports';
import { ascii, fromHex, toHex } from '../bytes';
import { cmac } from './cmac';
import { cupEcbMac } from './cupMac';

const KAT_MESSAGE = 'xspos known answer';
const RSA_SPKI =
  '30819f300d06092a864886f70d010101050003818d0030818902818100ae195d126d85e0e60575acac44d8bdbf55b4007604c827e908902fd83b1212894824327563e00a2f308a8d160d580bf4a0cae4e57f0cace5174bb53c46a9931710d215cf827f06ab166fa75e627716d2c98e6739771edee8e1a8d34f39ee9f4bfcce687adbc65d1fa528e172e2f81c2ac62d04b4e005cfbaa5e448909395bc790203010001';
const RSA_SIGNATURE =
  '54195e69404d4a5c06c6eb8ef68c47bd9f13d0abbfb72a230d84521fa941ebf80f2a89d3e5ebd919c04abdc28cb3d4eda69b1558056813a362c3b5ac47beae1f2b62d176beae3139a14f74e5dbb1a3743c9c8e98c505c8a715b7ae850d5636000ef31bd5ebceeba1cd7df0a9b091dc6e30e5d48c7450c03e57d0fdaeff27b717';
const EC_SPKI =
  '3059301306072a8648ce3d020106082a8648ce3d03010703420004e587a61057179ab44b61a7d5c0d3f8de67769f25bd5dca4959fa5ebd3fe236ca19129c3e1e690839fc841b071a9e23503afdcab841b4a23bedfb8a8256992eb8';
const EC_SIGNATURE =
  '304502201e643b8fb9e1c5d6df7f3f9822698ecc76d3c59554fc7e1dcac95b3cfb65c9ca022100b444ebf39230c39eec867247f300c488fceb2dbf066759b58671266b0041f5f4';

export interface KnownAnswer {
  name: string;
  ok: boolean;
}

/** Runs every known-answer test; a test that throws counts as failed. */
export function runKnownAnswers(crypto: CryptoPort): KnownAnswer[] {
  const withKey = (algorithm: KeyAlgorithm, keyHex: string, use: (key: ReturnType<CryptoPort['importKey']>) => string) => () => {
    const key = crypto.importKey(algorithm, fromHex(keyHex));
    try {
      return use(key);
    } finally {
      crypto.forgetKey(key);
    }
  };
  const digest = (algorithm: 'SHA-1' | 'SHA-256') => () => {
    const d = crypto.digest(algorithm);
    d.update(ascii('abc'));
    return toHex(d.close());
  };
  const verify = (scheme: 'rsa-pkcs1-sha256' | 'ecdsa-sha256', spki: string, signature: string) => () => {
    const good = crypto.verifySignature(scheme, fromHex(spki), ascii(KAT_MESSAGE), fromHex(signature));
    const forged = crypto.verifySignature(scheme, fromHex(spki), ascii(`${KAT_MESSAGE}!`), fromHex(signature));
    return `${good}/${forged}`;
  };
  const cases: [string, () => string, string][] = [
    ['SHA-1', digest('SHA-1'), 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['SHA-256', digest('SHA-256'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['3DES-2 ECB', withKey('tdes2', '0123456789abcdeffedcba9876543210', (k) => toHex(crypto.encrypt(k, 'ecb', fromHex('0123456789abcdef1122334455667788')))), '1a4d672dca6cb3353eb3b72576bbbe83'],
    [
      '3DES-3 CBC',
      withKey('tdes3', '0123456789abcdeffedcba98765432100123456789abcdef', (k) =>
        toHex(crypto.encrypt(k, 'cbc', fromHex('0123456789abcdef11223344556677880123456789abcdef1122334455667788'), fromHex('0011223344556677'))),
      ),
      '4470b1b14c4df9199154e03103ecaa840447d6ad83576470403e1697f094a14a',
    ],
    ['AES-128 ECB', withKey('aes128', '000102030405060708090a0b0c0d0e0f', (k) => toHex(crypto.encrypt(k, 'ecb', fromHex('00112233445566778899aabbccddeeff')))), '69c4e0d86a7b0430d8cdb78070b4c55a'],
    [
      'AES-128 CBC',
      withKey('aes128', '000102030405060708090a0b0c0d0e0f', (k) => toHex(crypto.decrypt(k, 'cbc', fromHex('16628846f7334843bc7321cc79661680'), fromHex('0f0e0d0c0b0a09080706050403020100')))),
      '00112233445566778899aabbccddeeff',
    ],
    ['AES-CMAC', withKey('aes128', '2b7e151628aed2a6abf7158809cf4f3c', (k) => toHex(cmac(crypto, k, fromHex('6bc1bee22e409f96e93d7e117393172a')))), '070a16b46b4d4144f79bdd9dd04a287c'],
    ['X9.19 MAC', withKey('tdes2', '0123456789abcdeffedcba9876543210', (k) => toHex(crypto.retailMac(k, ascii('Now is the time for all ')))), 'a1c72e74ea3fa9b6'],
    ['CUP MAC', withKey('des', '2222222222222222', (k) => toHex(cupEcbMac(crypto, k, fromHex('1234567890abcdefabcdef1234567890')))), toHex(ascii('E267B6E2'))],
    ['RSA PKCS#1 v1.5', verify('rsa-pkcs1-sha256', RSA_SPKI, RSA_SIGNATURE), 'true/false'],
    ['ECDSA P-256', verify('ecdsa-sha256', EC_SPKI, EC_SIGNATURE), 'true/false'],
  ];
  return cases.map(([name, run, expected]) => {
    try {
      return { name, ok: run() === expected };
    } catch {
      return { name, ok: false };
    }
  });
}
