/**
 * The device crypto adapter's activation side (firmware/device/cryptCrypto.ts, deviceKey/,
 * keyVault.ts), against node:crypto as the independent reference:
 * - the public key it sends is SubjectPublicKeyInfo DER that node:crypto reads as the same
 *   P-256 point node itself would encode, byte for byte;
 * - the private scalar is drawn by rejection into [1, n-1] and refused draws are wiped;
 * - an envelope built the way the host builds it (node's ECDH, SHA-256 and AES-128-CBC, the
 *   X9.63 KDF written out here) opens to the key node wrapped, whatever its length;
 * - a stored key reaches the vault as its record and comes back at the next boot; a vault that
 *   refuses makes storeMasterKey fail with PortError 'crypto'; the policy table as issue 8 says.
 * The SDK's `crypt` and `ec` are stand-ins made of node:crypto (sdkStandIns.ts); the SDK's own EC
 * arithmetic is exercised in the Moddable simulator.
 */
import { createCipheriv, createECDH, createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { PortError, type KeyAlgorithm } from '../../firmware/core/ports';
import { CryptCrypto } from '../../firmware/device/cryptCrypto';
import { bigIntBytes, drawP256Scalar, p256Spki, readP256Point } from '../../firmware/device/deviceKey/p256Key';
import { decodeVaultRecord, encodeVaultRecord, refusal, vaultPolicy, type KeyVault, type ProvisionedKey } from '../../firmware/device/keyVault';

jest.mock('crypt', () => require('./sdkStandIns').crypt, { virtual: true });
jest.mock('ec', () => require('./sdkStandIns').ec, { virtual: true });
jest.mock('ecp', () => require('./sdkStandIns').ecp, { virtual: true });
jest.mock('../../firmware/device/entropy', () => ({ randomBytes: (n: number) => new Uint8Array(require('node:crypto').randomBytes(n)) }));
jest.mock('../../firmware/device/signature/verifySignature', () => ({ verifySignature: () => false }));

/** SEC 2 §2.4.2, written here rather than imported: the order n and the field prime p of P-256. */
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const P = BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
const big = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

/** A vault that keeps records in a Map, as NVS would, or refuses like a production board with its flash unprotected. */
class MapVault implements KeyVault {
  readonly records = new Map<string, Uint8Array>();
  constructor(readonly protection: KeyVault['protection'] = 'unprotected') {}
  readonly note = 'test vault';
  load(slot: string) {
    const record = this.records.get(slot);
    return record ? decodeVaultRecord(record) : undefined;
  }
  store(slot: string, key: ProvisionedKey) {
    if (this.protection === 'volatile') throw refusal(slot, 'flash encryption off');
    this.records.set(slot, encodeVaultRecord(key));
  }
  erase(slot: string) {
    this.records.delete(slot);
  }
}

/** The device's public point, as node:crypto reads the SPKI. */
function pointOf(spki: Uint8Array): Buffer {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  expect(jwk.crv).toBe('P-256');
  return Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

/** The host's side, from the contract (§6) with node:crypto: the ephemeral point and the wrapped key. */
function hostEnvelope(devicePoint: Buffer, key: Buffer, sharedInfo: Uint8Array) {
  const ephemeral = createECDH('prime256v1');
  const point = ephemeral.generateKeys();
  const z = ephemeral.computeSecret(devicePoint);
  const kek = createHash('sha256').update(Buffer.concat([z, Buffer.from('00000001', 'hex'), Buffer.from(sharedInfo)])).digest().subarray(0, 16);
  const padded = Buffer.concat([key, Buffer.alloc((16 - (key.length % 16)) % 16)]);
  const aes = createCipheriv('aes-128-cbc', kek, Buffer.alloc(16));
  aes.setAutoPadding(false);
  return { point: new Uint8Array(point), wrapped: new Uint8Array(Buffer.concat([aes.update(padded), aes.final()])) };
}

/** E(K, 0) by node:crypto: the 'zeros' check value of a key. */
function zerosCheck(algorithm: KeyAlgorithm, key: Buffer): string {
  const name = algorithm === 'aes128' ? 'aes-128-ecb' : algorithm === 'tdes2' ? 'des-ede-ecb' : 'des-ede3-ecb';
  const c = createCipheriv(name, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.alloc(algorithm === 'aes128' ? 16 : 8)), c.final()]).toString('hex');
}

/** A Uint8Array, as the core passes it (a pooled Buffer's `slice` would not copy). */
const SHARED_INFO = new Uint8Array(Buffer.from('xspos-activationSIM000000000001', 'ascii'));

describe('the device key pair’s encodings', () => {
  it('writes the SPKI node:crypto writes for the same P-256 point', () => {
    for (let i = 0; i < 5; i++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const der = publicKey.export({ format: 'der', type: 'spki' });
      const point = pointOf(new Uint8Array(der));
      expect(Buffer.from(p256Spki(big(point.subarray(1, 33)), big(point.subarray(33))))).toEqual(der);
    }
  });

  it('draws the private scalar by rejection into [1, n-1] and wipes each refused draw', () => {
    const draws = [new Uint8Array(32), bigIntBytes(N, 32), new Uint8Array(32).fill(0xff), bigIntBytes(N - 1n, 32)];
    const given: Uint8Array[] = [];
    const d = drawP256Scalar(() => {
      const next = draws[given.length].slice();
      given.push(next);
      return next;
    });
    expect(d).toBe(N - 1n);
    expect(given).toHaveLength(4);
    for (const refused of given.slice(0, 3)) expect(refused.every((b) => b === 0)).toBe(true);
    expect(drawP256Scalar(() => bigIntBytes(1n, 32))).toBe(1n);
  });

  it('takes only an uncompressed point on P-256 as the host’s ephemeral key', () => {
    const good = createECDH('prime256v1');
    const point = new Uint8Array(good.generateKeys());
    expect(readP256Point(point).x).toBe(big(point.subarray(1, 33)));
    const offCurve = point.slice();
    offCurve[64] ^= 1;
    const xTooBig = Uint8Array.from([4, ...bigIntBytes(P, 32), ...point.subarray(33)]);
    const compressed = new Uint8Array(good.getPublicKey(null, 'compressed'));
    for (const bad of [offCurve, xTooBig, compressed, new Uint8Array(65)]) {
      expect(() => readP256Point(bad)).toThrow(PortError);
    }
  });
});

describe('the activation envelope on the device adapter', () => {
  it.each([
    ['tdes2', 16],
    ['tdes3', 24],
    ['aes128', 16],
  ] as const)('opens a %s key the host wrapped under the ECDH-derived KEK (node:crypto reference)', (algorithm, length) => {
    const crypto = new CryptCrypto(new MapVault());
    const devicePoint = pointOf(crypto.createDeviceKey());
    const key = randomBytes(length);
    const { point, wrapped } = hostEnvelope(devicePoint, key, SHARED_INFO);
    const handle = crypto.openMasterKeyEnvelope(point, wrapped, algorithm, SHARED_INFO);
    expect(handle.usage).toBe('master');
    expect(Buffer.from(crypto.checkValue(handle, 'zeros')).toString('hex')).toBe(zerosCheck(algorithm, key));
    // Bound to this board: another serial in SharedInfo gives another KEK, so another key.
    const other = crypto.openMasterKeyEnvelope(point, wrapped, algorithm, new Uint8Array(Buffer.from('xspos-activationSIM000000000002', 'ascii')));
    expect(Buffer.from(crypto.checkValue(other, 'zeros')).toString('hex')).not.toBe(zerosCheck(algorithm, key));
  });

  it('refuses an envelope before a device key, off the curve, or of the wrong length', () => {
    const crypto = new CryptCrypto(new MapVault());
    const key = randomBytes(16);
    const stranger = createECDH('prime256v1');
    stranger.generateKeys();
    const { point, wrapped } = hostEnvelope(stranger.getPublicKey(), key, SHARED_INFO);
    expect(() => crypto.openMasterKeyEnvelope(point, wrapped, 'tdes2', SHARED_INFO)).toThrow(/no device key/);
    crypto.createDeviceKey();
    const offCurve = point.slice();
    offCurve[64] ^= 1;
    expect(() => crypto.openMasterKeyEnvelope(offCurve, wrapped, 'tdes2', SHARED_INFO)).toThrow(PortError);
    expect(() => crypto.openMasterKeyEnvelope(point, wrapped.subarray(0, 8), 'tdes2', SHARED_INFO)).toThrow(PortError);
  });

  it('a new device key replaces the old one: an envelope for the old key no longer opens to its key', () => {
    const crypto = new CryptCrypto(new MapVault());
    const first = pointOf(crypto.createDeviceKey());
    const second = pointOf(crypto.createDeviceKey());
    expect(first.equals(second)).toBe(false);
    const key = randomBytes(16);
    const { point, wrapped } = hostEnvelope(first, key, SHARED_INFO);
    const handle = crypto.openMasterKeyEnvelope(point, wrapped, 'tdes2', SHARED_INFO);
    expect(Buffer.from(crypto.checkValue(handle, 'zeros')).toString('hex')).not.toBe(zerosCheck('tdes2', key));
  });
});

describe('storing the master key in the board’s vault', () => {
  function opened(crypto: CryptCrypto, key: Buffer) {
    const { point, wrapped } = hostEnvelope(pointOf(crypto.createDeviceKey()), key, SHARED_INFO);
    return crypto.openMasterKeyEnvelope(point, wrapped, 'tdes2', SHARED_INFO);
  }

  it('writes the key’s record, serves it from the slot, and loads it again at the next boot', () => {
    const vault = new MapVault('encrypted');
    const crypto = new CryptCrypto(vault);
    const key = randomBytes(16);
    const handle = opened(crypto, key);
    expect(crypto.provisionedKey('tmk')).toBeUndefined();
    crypto.storeMasterKey('tmk', handle);
    expect(Buffer.from(vault.records.get('tmk')!)).toEqual(Buffer.concat([Buffer.of(1, 1), key]));
    expect(Buffer.from(crypto.checkValue(crypto.provisionedKey('tmk')!, 'zeros')).toString('hex')).toBe(zerosCheck('tdes2', key));
    crypto.forgetKey(handle);
    expect(crypto.provisionedKey('tmk')).toBeDefined();
    expect(crypto.keyProtection()).toBe('encrypted');

    const rebooted = new CryptCrypto(vault);
    expect(Buffer.from(rebooted.checkValue(rebooted.provisionedKey('tmk')!, 'zeros')).toString('hex')).toBe(zerosCheck('tdes2', key));
    rebooted.eraseProvisionedKey('tmk');
    expect(vault.records.size).toBe(0);
    expect(new CryptCrypto(vault).provisionedKey('tmk')).toBeUndefined();
  });

  it('fails with PortError crypto where the vault refuses, and keeps nothing', () => {
    const vault = new MapVault('volatile');
    const crypto = new CryptCrypto(vault);
    const handle = opened(crypto, randomBytes(16));
    expect(() => crypto.storeMasterKey('tmk', handle)).toThrow(expect.objectContaining({ code: 'crypto', message: expect.stringMatching(/flash encryption off/) }));
    expect(crypto.provisionedKey('tmk')).toBeUndefined();
    expect(crypto.keyProtection()).toBe('volatile');
  });

  it('stores only a master key from the envelope, not a test key or a key already stored', () => {
    const crypto = new CryptCrypto(new MapVault());
    expect(() => crypto.storeMasterKey('tmk', crypto.importKey('tdes2', randomBytes(16)))).toThrow(PortError);
    const handle = opened(crypto, randomBytes(16));
    crypto.storeMasterKey('tmk', handle);
    expect(() => crypto.storeMasterKey('tmk2', handle)).toThrow(/activation envelope/);
  });
});

describe('the key vault’s policy and record (issue 8, deliver 7)', () => {
  it('stores encrypted with flash and NVS encryption, unprotected only with devKeys=1, else not at all', () => {
    const table = [
      [true, true, false, 'encrypted', 'secure'],
      [true, true, true, 'encrypted', 'secure'],
      [false, false, true, 'unprotected', 'plain'],
      [true, false, true, 'unprotected', 'plain'],
      [false, true, true, 'unprotected', 'secure'],
      [false, false, false, 'volatile', undefined],
      [true, false, false, 'volatile', undefined],
      [false, true, false, 'volatile', undefined],
    ] as const;
    for (const [flashEncrypted, nvsEncrypted, devKeys, protection, open] of table) {
      expect(vaultPolicy({ flashEncrypted, nvsEncrypted }, devKeys)).toMatchObject({ protection, open });
    }
    expect(vaultPolicy({ flashEncrypted: false, nvsEncrypted: false }, true).why).toMatch(/keys stored unprotected/);
  });

  it('reads back each algorithm’s record and nothing from bytes that are not one', () => {
    for (const [algorithm, length] of [['des', 8], ['tdes2', 16], ['tdes3', 24], ['aes128', 16], ['aes256', 32]] as const) {
      const key = new Uint8Array(randomBytes(length));
      expect(decodeVaultRecord(encodeVaultRecord({ algorithm, key }))).toEqual({ algorithm, key });
    }
    for (const bad of [[], [1], [2, 1, ...new Array(16).fill(0)], [1, 9, ...new Array(16).fill(0)], [1, 1, ...new Array(15).fill(0)]]) {
      expect(decodeVaultRecord(Uint8Array.from(bad))).toBeUndefined();
    }
    expect(() => encodeVaultRecord({ algorithm: 'tdes2', key: new Uint8Array(8) })).toThrow(PortError);
  });
});
