/**
 * The crypto port's activation operations on the node:crypto adapter (and across the XS
 * bridge's call table), against the host's half computed here on node:crypto
 * (referenceHost.ts) and, once, the KDF against the openssl CLI (pkeyutl -derive, dgst).
 */
import { execFileSync } from 'node:child_process';
import { createECDH, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelopeSharedInfo } from '../../firmware/core/security/keyEnvelope';
import { createCborCodec } from '../../firmware/core/store/cbor';
import type { CryptoPort, KeyHandle } from '../../firmware/core/ports';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { makeCaller, serveCrypto, type BridgeReply, type BridgeRequest } from '../../host-sim/xs/bridge';
import { aesCmac, kcv, kekFrom, seal, wrapUnder, type Algorithm } from './referenceHost';

const SERIAL = '24A1B2C3D4E5';
const KEYS: Record<Algorithm, Buffer> = {
  tdes2: Buffer.from('0123456789abcdeffedcba9876543210', 'hex'),
  tdes3: Buffer.from('0123456789abcdeffedcba987654321089abcdef01234567', 'hex'),
  aes128: Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex'),
};

const checkOf = (crypto: CryptoPort, key: KeyHandle, algorithm: Algorithm) => Buffer.from(crypto.checkValue(key, algorithm === 'aes128' ? 'cmac' : 'zeros').subarray(0, 4));

describe('the reference CMAC', () => {
  it('gives the RFC 4493 §4 vectors (empty and one block)', () => {
    expect(aesCmac(KEYS.aes128, Buffer.alloc(0)).toString('hex')).toBe('bb1d6929e95937287fa37d129b756746');
    expect(aesCmac(KEYS.aes128, Buffer.from('6bc1bee22e409f96e93d7e117393172a', 'hex')).toString('hex')).toBe('070a16b46b4d4144f79bdd9dd04a287c');
  });
});

describe('createDeviceKey', () => {
  it('gives a P-256 SubjectPublicKeyInfo', () => {
    const key = createPublicKey({ key: Buffer.from(new NodeCrypto(3).createDeviceKey()), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('repeats for a seed (scenario runs repeat), differs between seeds and between calls', () => {
    const a = new NodeCrypto(3);
    const first = Buffer.from(a.createDeviceKey());
    expect(Buffer.from(new NodeCrypto(3).createDeviceKey()).equals(first)).toBe(true);
    expect(Buffer.from(new NodeCrypto(4).createDeviceKey()).equals(first)).toBe(false);
    expect(Buffer.from(a.createDeviceKey()).equals(first)).toBe(false);
  });
});

describe('openMasterKeyEnvelope', () => {
  it.each(['tdes2', 'tdes3', 'aes128'] as const)('opens a %s key the host sealed on node:crypto: the check values agree', (algorithm) => {
    const crypto = new NodeCrypto(5);
    const spki = crypto.createDeviceKey();
    const { point, wrapped } = seal(spki, SERIAL, KEYS[algorithm]);
    const key = crypto.openMasterKeyEnvelope(point, wrapped, algorithm, envelopeSharedInfo(SERIAL));
    expect(key).toMatchObject({ algorithm, usage: 'master' });
    expect(checkOf(crypto, key, algorithm).equals(kcv(KEYS[algorithm], algorithm))).toBe(true);
  });

  it('derives the KEK as openssl does (pkeyutl -derive for Z, dgst -sha256 over Z ‖ 00000001 ‖ SharedInfo)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xspos-kdf-'));
    try {
      const crypto = new NodeCrypto(6);
      const spki = crypto.createDeviceKey();
      // The host's ephemeral key as a PEM file for openssl; the device's public key as DER.
      const ephemeral = createECDH('prime256v1');
      const point = ephemeral.generateKeys();
      const jwk = { kty: 'EC', crv: 'P-256', d: ephemeral.getPrivateKey().toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
      writeFileSync(join(dir, 'host.pem'), createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }));
      writeFileSync(join(dir, 'device.der'), spki);
      execFileSync('openssl', ['pkeyutl', '-derive', '-inkey', join(dir, 'host.pem'), '-peerkey', join(dir, 'device.der'), '-peerform', 'DER', '-out', join(dir, 'z.bin')]);
      const z = readFileSync(join(dir, 'z.bin'));
      expect(z.length).toBe(32);
      writeFileSync(join(dir, 'kdf-input.bin'), Buffer.concat([z, Buffer.of(0, 0, 0, 1), Buffer.from(`xspos-activation${SERIAL}`, 'ascii')]));
      const digest = execFileSync('openssl', ['dgst', '-sha256', '-r', join(dir, 'kdf-input.bin')]).toString().slice(0, 64);
      const kek = Buffer.from(digest, 'hex').subarray(0, 16);
      expect(kekFrom(z, SERIAL).equals(kek)).toBe(true);
      const key = crypto.openMasterKeyEnvelope(point, wrapUnder(kek, KEYS.tdes2), 'tdes2', envelopeSharedInfo(SERIAL));
      expect(checkOf(crypto, key, 'tdes2').equals(kcv(KEYS.tdes2, 'tdes2'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives another key (its check value does not match) for another serial number or an older device key', () => {
    const crypto = new NodeCrypto(7);
    const spki = crypto.createDeviceKey();
    const sealed = seal(spki, SERIAL, KEYS.tdes2);
    const other = crypto.openMasterKeyEnvelope(sealed.point, sealed.wrapped, 'tdes2', envelopeSharedInfo('OTHER-SERIAL'));
    expect(checkOf(crypto, other, 'tdes2').equals(kcv(KEYS.tdes2, 'tdes2'))).toBe(false);
    crypto.createDeviceKey();
    const stale = crypto.openMasterKeyEnvelope(sealed.point, sealed.wrapped, 'tdes2', envelopeSharedInfo(SERIAL));
    expect(checkOf(crypto, stale, 'tdes2').equals(kcv(KEYS.tdes2, 'tdes2'))).toBe(false);
  });

  it.each<[string, (c: NodeCrypto, point: Buffer, wrapped: Buffer) => unknown, RegExp]>([
    ['without a device key', (_c, p, w) => new NodeCrypto(1).openMasterKeyEnvelope(p, w, 'tdes2', envelopeSharedInfo(SERIAL)), /no device key/],
    ['a point not on the curve', (c, _p, w) => c.openMasterKeyEnvelope(Buffer.concat([Buffer.of(4), Buffer.alloc(64, 1)]), w, 'tdes2', envelopeSharedInfo(SERIAL)), /not a point on P-256/],
    ['a compressed point', (c, p, w) => c.openMasterKeyEnvelope(Buffer.concat([Buffer.of(2), p.subarray(1)]), w, 'tdes2', envelopeSharedInfo(SERIAL)), /uncompressed/],
    ['a wrapped key of the wrong length', (c, p, w) => c.openMasterKeyEnvelope(p, w.subarray(0, 8), 'tdes2', envelopeSharedInfo(SERIAL)), /16 bytes/],
    ['single DES', (c, p, w) => c.openMasterKeyEnvelope(p, w, 'des', envelopeSharedInfo(SERIAL)), /no master key algorithm/],
  ])('refuses %s (PortError crypto)', (_what, attempt, message) => {
    const crypto = new NodeCrypto(8);
    const { point, wrapped } = seal(crypto.createDeviceKey(), SERIAL, KEYS.tdes2);
    expect(() => attempt(crypto, point, wrapped)).toThrow(expect.objectContaining({ name: 'PortError', code: 'crypto', message: expect.stringMatching(message) }));
  });

  it('gives a master key: it unwraps and checks, never encrypts or decrypts chosen data', () => {
    const crypto = new NodeCrypto(9);
    const { point, wrapped } = seal(crypto.createDeviceKey(), SERIAL, KEYS.tdes2);
    const key = crypto.openMasterKeyEnvelope(point, wrapped, 'tdes2', envelopeSharedInfo(SERIAL));
    expect(() => crypto.encrypt(key, 'ecb', new Uint8Array(8))).toThrow(/master key cannot encrypt/);
    expect(() => crypto.decrypt(key, 'ecb', new Uint8Array(8))).toThrow(/master key cannot decrypt/);
  });
});

describe('storeMasterKey and keyProtection', () => {
  it('stores a copy in the slot: provisionedKey gives it after the caller forgets its handle', () => {
    const crypto = new NodeCrypto(10, { tmk: { algorithm: 'tdes2', key: KEYS.tdes3.subarray(0, 16) } });
    const { point, wrapped } = seal(crypto.createDeviceKey(), SERIAL, KEYS.aes128);
    const key = crypto.openMasterKeyEnvelope(point, wrapped, 'aes128', envelopeSharedInfo(SERIAL));
    crypto.storeMasterKey('tmk', key);
    crypto.forgetKey(key);
    const stored = crypto.provisionedKey('tmk')!;
    expect(stored).toMatchObject({ algorithm: 'aes128', usage: 'master' });
    expect(checkOf(crypto, stored, 'aes128').equals(kcv(KEYS.aes128, 'aes128'))).toBe(true);
  });

  it('refuses to store a key that is not a master key', () => {
    const crypto = new NodeCrypto(11);
    const test = crypto.importKey('tdes2', KEYS.tdes2);
    expect(() => crypto.storeMasterKey('tmk', test)).toThrow(/a test key cannot be stored as the master key/);
    expect(crypto.provisionedKey('tmk')).toBeUndefined();
  });

  it('refuses to store on a volatile board (encryption off, no devKeys=1) as the device vault does, the slot as it was', () => {
    const crypto = new NodeCrypto(13, { tmk: { algorithm: 'tdes2', key: KEYS.tdes2 } }, 'volatile');
    const { point, wrapped } = seal(crypto.createDeviceKey(), SERIAL, KEYS.aes128);
    const key = crypto.openMasterKeyEnvelope(point, wrapped, 'aes128', envelopeSharedInfo(SERIAL));
    expect(() => crypto.storeMasterKey('tmk', key)).toThrow(expect.objectContaining({ name: 'PortError', code: 'crypto', message: expect.stringMatching(/cannot store the key in slot "tmk": .*devKeys=1/) }));
    expect(checkOf(crypto, crypto.provisionedKey('tmk')!, 'tdes2').equals(kcv(KEYS.tdes2, 'tdes2'))).toBe(true);
    // A dev board (devKeys=1) stores, unprotected.
    const dev = new NodeCrypto(14, {}, 'unprotected');
    const sealed = seal(dev.createDeviceKey(), SERIAL, KEYS.aes128);
    dev.storeMasterKey('tmk', dev.openMasterKeyEnvelope(sealed.point, sealed.wrapped, 'aes128', envelopeSharedInfo(SERIAL)));
    expect(checkOf(dev, dev.provisionedKey('tmk')!, 'aes128').equals(kcv(KEYS.aes128, 'aes128'))).toBe(true);
  });

  it('drops the device key pair once a key is stored: the same envelope does not open again', () => {
    const crypto = new NodeCrypto(15);
    const { point, wrapped } = seal(crypto.createDeviceKey(), SERIAL, KEYS.tdes2);
    crypto.storeMasterKey('tmk', crypto.openMasterKeyEnvelope(point, wrapped, 'tdes2', envelopeSharedInfo(SERIAL)));
    expect(() => crypto.openMasterKeyEnvelope(point, wrapped, 'tdes2', envelopeSharedInfo(SERIAL))).toThrow(/no device key/);
  });

  it("reports the board's key protection: a production board's unless told", () => {
    expect(new NodeCrypto(1).keyProtection()).toBe('encrypted');
    expect(new NodeCrypto(1, {}, 'unprotected').keyProtection()).toBe('unprotected');
  });
});

describe('across the XS bridge', () => {
  /** The XS side's call, served by the Node side's table in process (the lane itself runs in tests/xs). */
  function bridged(crypto: NodeCrypto) {
    const cbor = createCborCodec();
    const table = serveCrypto(crypto);
    return makeCaller(cbor, (bytes) => {
      const request = cbor.decode(bytes) as BridgeRequest;
      let reply: BridgeReply;
      try {
        reply = { v: (table as Record<string, (...a: unknown[]) => unknown>)[request.p](...request.a) };
      } catch (error) {
        const e = error as { code: 'crypto'; message: string };
        reply = { e: { code: e.code, message: e.message } };
      }
      return cbor.encode(reply);
    });
  }

  it('makes the device key, opens the envelope and stores the key on the Node side; only the public key crosses', () => {
    const crypto = new NodeCrypto(12);
    const call = bridged(crypto);
    const spki = new Uint8Array(call<Uint8Array>('crypto.createDeviceKey'));
    const { point, wrapped } = seal(spki, SERIAL, KEYS.tdes2);
    const opened = call<{ id: number; algorithm: string; usage: string }>('crypto.openEnvelope', point, wrapped, 'tdes2', envelopeSharedInfo(SERIAL));
    expect(opened).toMatchObject({ algorithm: 'tdes2', usage: 'master' });
    expect(Buffer.from(call<Uint8Array>('crypto.checkValue', opened.id, 'zeros')).subarray(0, 4).equals(kcv(KEYS.tdes2, 'tdes2'))).toBe(true);
    call('crypto.storeMaster', 'tmk', opened.id);
    expect(checkOf(crypto, crypto.provisionedKey('tmk')!, 'tdes2').equals(kcv(KEYS.tdes2, 'tdes2'))).toBe(true);
    expect(call('crypto.keyProtection')).toBe('encrypted');
    expect(() => call('crypto.openEnvelope', point, wrapped.subarray(0, 8), 'tdes2', envelopeSharedInfo(SERIAL))).toThrow(expect.objectContaining({ name: 'PortError', code: 'crypto' }));
  });
});
