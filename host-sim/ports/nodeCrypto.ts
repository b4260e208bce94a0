/**
 * The crypto port on node:crypto. Keys stay in this adapter's table with their usage; the core
 * holds handles, and every operation is checked against the usage table the device shares
 * (firmware/core/security/keyUsage.ts).
 *
 * Random bytes: `new NodeCrypto(seed)` gives a seeded SHA-256 counter generator so scenario
 * runs repeat exactly; `NodeCrypto.secure()` gives node:crypto's CSPRNG, for everything that
 * is not a scenario (the toolbox).
 */
import { createCipheriv, createDecipheriv, createECDH, createHash, createPublicKey, randomBytes as secureRandomBytes, verify, type ECDH } from 'node:crypto';
import { KEY_LENGTH, assertKeyLength, blockSize } from '../../firmware/core/security/blocks';
import { assertEnvelope, envelopeKek } from '../../firmware/core/security/keyEnvelope';
import { checkValueBlock } from '../../firmware/core/security/checkValue';
import { assertKeyUsage, assertWorkingKeyUsage, type KeyOperation } from '../../firmware/core/security/keyUsage';
import { encipherPinFields } from '../../firmware/core/security/pinBlock';
import {
  PortError,
  type CheckValueMethod,
  type CipherMode,
  type CryptoPort,
  type DigestAlgorithm,
  type KeyAlgorithm,
  type KeyHandle,
  type KeyUsage,
  type PinBlockFormat,
  type SignatureScheme,
  type WorkingKeyUsage,
} from '../../firmware/core/ports';

const SIGNATURE_HASH: Record<SignatureScheme, string> = {
  'rsa-pkcs1-sha1': 'sha1',
  'rsa-pkcs1-sha256': 'sha256',
  'rsa-pkcs1-sha384': 'sha384',
  'ecdsa-sha256': 'sha256',
  'ecdsa-sha384': 'sha384',
};
// Single DES runs as 3DES with K1 = K2 = K3: OpenSSL 3 keeps plain DES in its legacy provider only.
const CIPHER: Record<KeyAlgorithm, string> = { des: 'des-ede3', tdes2: 'des-ede', tdes3: 'des-ede3', aes128: 'aes-128', aes192: 'aes-192', aes256: 'aes-256' };

/** A key injected at the factory, as a key-loading device would: it is a master key. */
export interface ProvisionedKey {
  algorithm: KeyAlgorithm;
  key: Uint8Array;
}

interface HeldKey {
  algorithm: KeyAlgorithm;
  usage: KeyUsage;
  key: Uint8Array;
}

/** The order n of the P-256 base point (SEC 2 §2.4.2): a private key is an integer in [1, n-1]. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** How the simulated board protects stored keys (ports.ts `keyProtection`); a production board's by default. */
export type KeyProtection = ReturnType<CryptoPort['keyProtection']>;

/** Only `NodeCrypto.secure()` can pass it: an unseeded adapter is asked for by name. */
const UNSEEDED = Symbol('unseeded');

export class NodeCrypto implements CryptoPort {
  readonly #keys = new Map<KeyHandle, HeldKey>();
  readonly #provisioned = new Map<string, KeyHandle>();
  readonly #seed: Buffer | undefined;
  readonly #protection: KeyProtection;
  #counter = 0;
  /** The activation key pair's private half: never leaves this adapter, replaced by each createDeviceKey. */
  #deviceKey: ECDH | undefined;

  /** An adapter whose random bytes come from node:crypto's CSPRNG (the toolbox; anything not a scenario). */
  static secure(provisioned: Record<string, ProvisionedKey> = {}): NodeCrypto {
    return new NodeCrypto(UNSEEDED, provisioned);
  }

  /**
   * A scenario's adapter: `seed` makes `randomBytes` (and so the device key pair) repeatable
   * (not secret: never for real PINs). Master keys, provisioned or stored, live as long as the
   * adapter: the world keeps one across a scenario's reboots, as the board's NVS would.
   * @param provisioned master keys by slot
   * @param protection what `keyProtection()` reports (default 'encrypted', a production board)
   */
  constructor(seed: number | typeof UNSEEDED, provisioned: Record<string, ProvisionedKey> = {}, protection: KeyProtection = 'encrypted') {
    this.#seed = seed === UNSEEDED ? undefined : createHash('sha256').update(`xspos-sim-seed:${seed}`).digest();
    this.#protection = protection;
    for (const [slot, entry] of Object.entries(provisioned)) this.#provisioned.set(slot, this.#hold(entry.algorithm, 'master', entry.key));
  }

  digest(algorithm: DigestAlgorithm) {
    if (algorithm !== 'SHA-1' && algorithm !== 'SHA-256') throw new PortError('crypto', `no digest ${String(algorithm)}`);
    const hash = createHash(algorithm === 'SHA-1' ? 'sha1' : 'sha256');
    return {
      update: (bytes: Uint8Array) => void hash.update(bytes),
      close: () => new Uint8Array(hash.digest()),
    };
  }

  randomBytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw new PortError('crypto', `cannot make ${length} random bytes`);
    if (!this.#seed) return new Uint8Array(secureRandomBytes(length));
    const out = new Uint8Array(length);
    for (let filled = 0; filled < length; ) {
      const block = createHash('sha256').update(this.#seed).update(String(this.#counter++)).digest();
      const take = Math.min(block.length, length - filled);
      out.set(block.subarray(0, take), filled);
      filled += take;
    }
    return out;
  }

  provisionedKey(slot: string): KeyHandle | undefined {
    return this.#provisioned.get(slot);
  }

  unwrapKey(kek: KeyHandle, algorithm: KeyAlgorithm, wrapped: Uint8Array, usage: WorkingKeyUsage): KeyHandle {
    const held = this.#use(kek, 'unwrap');
    assertWorkingKeyUsage(usage);
    assertKeyLength(algorithm, wrapped.length, 'key block');
    const clear = this.#cipher(false, held, 'ecb', wrapped);
    try {
      return this.#hold(algorithm, usage, clear);
    } finally {
      clear.fill(0);
    }
  }

  checkValue(key: KeyHandle, method: CheckValueMethod): Uint8Array {
    const held = this.#use(key, 'check-value');
    return checkValueBlock(method, blockSize(held.algorithm), (blocks) => this.#chainEnd(held, blocks));
  }

  encrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    return this.#cipher(true, this.#use(key, 'encrypt'), mode, data, iv);
  }

  decrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    return this.#cipher(false, this.#use(key, 'decrypt'), mode, data, iv);
  }

  encipherPinBlock(key: KeyHandle, format: PinBlockFormat, pinField: Uint8Array, panField: Uint8Array): Uint8Array {
    const held = this.#use(key, 'pin-block');
    return encipherPinFields(format, blockSize(held.algorithm), pinField, panField, (block) => this.#cipher(true, held, 'ecb', block));
  }

  cbcMac(key: KeyHandle, data: Uint8Array): Uint8Array {
    const held = this.#use(key, 'cbc-mac');
    if (data.length === 0) throw new PortError('crypto', 'CBC-MAC data must be at least one block');
    return this.#chainEnd(held, data);
  }

  importKey(algorithm: KeyAlgorithm, material: Uint8Array): KeyHandle {
    return this.#hold(algorithm, 'test', material);
  }

  /** Injects (or re-injects) a provisioned master key, as a key-loading device would. */
  provision(slot: string, algorithm: KeyAlgorithm, key: Uint8Array): void {
    this.eraseProvisionedKey(slot);
    this.#provisioned.set(slot, this.#hold(algorithm, 'master', key));
  }

  eraseProvisionedKey(slot: string): void {
    const handle = this.#provisioned.get(slot);
    if (handle) this.forgetKey(handle);
    this.#provisioned.delete(slot);
  }

  retailMac(key: KeyHandle, data: Uint8Array): Uint8Array {
    const entry = this.#use(key, 'retail-mac');
    if (entry.algorithm !== 'tdes2') throw new PortError('crypto', 'the retail MAC takes a double-length 3DES key');
    if (data.length === 0 || data.length % 8) throw new PortError('crypto', 'retail MAC data must be whole 8-byte blocks');
    // ISO 9797-1 MAC algorithm 3: single-DES CBC-MAC under the left half, then D(K_R), E(K_L) on the last
    // block. Single DES is 3DES with K1 = K2 = K3 (OpenSSL 3 has plain DES only in its legacy provider).
    const left = Buffer.concat([entry.key.subarray(0, 8), entry.key.subarray(0, 8), entry.key.subarray(0, 8)]);
    const right = Buffer.concat([entry.key.subarray(8, 16), entry.key.subarray(8, 16), entry.key.subarray(8, 16)]);
    const run = (decrypt: boolean, k: Buffer, mode: 'ecb' | 'cbc', input: Uint8Array) => {
      const c = decrypt ? createDecipheriv(`des-ede3-${mode}`, k, mode === 'cbc' ? Buffer.alloc(8) : null) : createCipheriv(`des-ede3-${mode}`, k, mode === 'cbc' ? Buffer.alloc(8) : null);
      c.setAutoPadding(false);
      return Buffer.concat([c.update(input), c.final()]);
    };
    const chained = run(false, left, 'cbc', data);
    const last = chained.subarray(chained.length - 8);
    return new Uint8Array(run(false, left, 'ecb', run(true, right, 'ecb', last)));
  }

  verifySignature(scheme: SignatureScheme, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    const hash = SIGNATURE_HASH[scheme];
    if (!hash) throw new PortError('crypto', `no signature scheme ${String(scheme)}`);
    let key;
    try {
      key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    } catch (error) {
      throw new PortError('crypto', `public key unusable: ${error instanceof Error ? error.message : 'error'}`);
    }
    const kind = key.asymmetricKeyType;
    if ((scheme.startsWith('rsa') && kind !== 'rsa') || (scheme.startsWith('ecdsa') && kind !== 'ec')) return false;
    try {
      return verify(hash, data, key, signature);
    } catch {
      return false; // a malformed signature is a signature that does not verify
    }
  }

  createDeviceKey(): Uint8Array {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(this.#privateScalar());
    const point = ecdh.getPublicKey();
    this.#deviceKey = ecdh;
    const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
    return new Uint8Array(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' }));
  }

  openMasterKeyEnvelope(ephemeralPoint: Uint8Array, wrapped: Uint8Array, algorithm: KeyAlgorithm, sharedInfo: Uint8Array): KeyHandle {
    if (!this.#deviceKey) throw new PortError('crypto', 'envelope: no device key (createDeviceKey first)');
    assertEnvelope(ephemeralPoint, wrapped, algorithm);
    let z: Buffer;
    try {
      z = this.#deviceKey.computeSecret(Buffer.from(ephemeralPoint));
    } catch {
      throw new PortError('crypto', 'envelope: the ephemeral key is not a point on P-256');
    }
    const kek = envelopeKek(z, sharedInfo, (parts) => {
      const hash = createHash('sha256');
      for (const part of parts) hash.update(part);
      return new Uint8Array(hash.digest());
    });
    z.fill(0);
    const decipher = createDecipheriv('aes-128-cbc', kek, Buffer.alloc(16));
    decipher.setAutoPadding(false);
    const clear = Buffer.concat([decipher.update(wrapped), decipher.final()]);
    kek.fill(0);
    try {
      return this.#hold(algorithm, 'master', clear.subarray(0, KEY_LENGTH[algorithm]));
    } finally {
      clear.fill(0);
    }
  }

  /**
   * As the board's vault (firmware/device/keyVault.ts vaultPolicy): an 'encrypted' board or a
   * devKeys=1 one ('unprotected') stores; a 'volatile' one (encryption off, no devKeys) refuses
   * with the vault's words and keeps the slot as it was. After a store the device key pair is
   * dropped: its envelope is opened, and a later activation makes a new one.
   */
  storeMasterKey(slot: string, key: KeyHandle): void {
    const held = this.#use(key, 'store');
    if (this.#protection === 'volatile')
      throw new PortError('crypto', `cannot store the key in slot "${slot}": flash encryption and NVS encryption off: this build stores no keys (devKeys=1 is for dev boards only)`);
    const copy = this.#hold(held.algorithm, 'master', held.key);
    this.eraseProvisionedKey(slot);
    this.#provisioned.set(slot, copy);
    this.#deviceKey = undefined;
  }

  keyProtection(): KeyProtection {
    return this.#protection;
  }

  forgetKey(key: KeyHandle): void {
    const entry = this.#keys.get(key);
    if (entry) entry.key.fill(0);
    this.#keys.delete(key);
  }

  /** A P-256 private key from randomBytes: 32 bytes in [1, n-1], drawn again when outside (FIPS 186-5 A.4.2 rejection). */
  #privateScalar(): Buffer {
    for (;;) {
      const d = Buffer.from(this.randomBytes(32));
      const value = BigInt(`0x${d.toString('hex')}`);
      if (value > 0n && value < P256_ORDER) return d;
    }
  }

  #hold(algorithm: KeyAlgorithm, usage: KeyUsage, key: Uint8Array): KeyHandle {
    assertKeyLength(algorithm, key.length);
    const handle = Object.freeze({ algorithm, usage }) as KeyHandle;
    this.#keys.set(handle, { algorithm, usage, key: Uint8Array.from(key) });
    return handle;
  }

  /** The held key behind `handle`, if its usage (as held here, not as the handle says) allows `operation`. */
  #use(handle: KeyHandle, operation: KeyOperation): HeldKey {
    const entry = this.#keys.get(handle);
    if (!entry) throw new PortError('crypto', 'unknown or forgotten key handle');
    assertKeyUsage(entry.usage, operation);
    return entry;
  }

  /** CBC with a zero IV over whole blocks, the last block out: the CBC-MAC every MAC and check value is built on. */
  #chainEnd(entry: HeldKey, data: Uint8Array): Uint8Array {
    const block = blockSize(entry.algorithm);
    const chained = this.#cipher(true, entry, 'cbc', data, new Uint8Array(block));
    return chained.slice(chained.length - block);
  }

  #cipher(encrypt: boolean, entry: HeldKey, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    const block = blockSize(entry.algorithm);
    if (data.length % block) throw new PortError('crypto', `data must be whole ${block}-byte blocks`);
    if (mode !== 'ecb' && mode !== 'cbc') throw new PortError('crypto', `no cipher mode ${String(mode)}`);
    if (mode === 'cbc' && (!iv || iv.length !== block)) throw new PortError('crypto', `CBC needs a ${block}-byte IV`);
    const name = `${CIPHER[entry.algorithm]}-${mode}`;
    const key = entry.algorithm === 'des' ? Buffer.concat([entry.key, entry.key, entry.key]) : entry.key;
    const cipher = encrypt ? createCipheriv(name, key, mode === 'cbc' ? iv! : null) : createDecipheriv(name, key, mode === 'cbc' ? iv! : null);
    cipher.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
  }
}
