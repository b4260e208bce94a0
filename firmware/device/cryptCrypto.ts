/**
 * The crypto port on Moddable's `crypt` (the kcl library, in C): SHA-1 and SHA-256 digests,
 * DES-EDE (2- and 3-key) and AES block ciphers in ECB and CBC without padding, CBC-MAC, check
 * values, ISO 9564 PIN blocks, the ISO 9797-1 retail MAC, certificate signature checks
 * (signature/: RSA PKCS#1 v1.5, ECDSA), and field activation's P-256 key pair and master-key
 * envelope (deviceKey/).
 *
 * Keys: each handle maps to a `BlockCipher` and the key's usage, checked on every operation
 * against the table the Node adapter shares (core/security/keyUsage.ts). A `BlockCipher`
 * copies the key into its native context (a host chunk in the XS heap) when it is made; this
 * adapter wipes its own copies and keeps no key bytes in JavaScript, and the core only ever
 * holds the handle. `forgetKey` drops the cipher; the next garbage collection frees its
 * context without wiping it (the SDK's destructor is empty), a limit of the SDK to lift
 * before keys of value live here. One exception: a master key opened from the activation
 * envelope keeps its bytes here until it is stored (the vault needs them) or forgotten.
 *
 * Stored keys (the terminal master key) live in the board's key vault (keyVault.ts: its own
 * NVS partition on the ESP32, a file on the simulator). At boot the master key is read from
 * the vault into a cipher (`provisionedKey('tmk')`); `storeMasterKey` writes one there, and the
 * vault refuses when the board's flash is not protected and the build is not a dev build.
 */
import { BlockCipher, Digest, Mode } from 'crypt';
import {
  PortError,
  type CheckValueMethod,
  type CipherMode,
  type CryptoPort,
  type DigestAlgorithm,
  type DigestContext,
  type KeyAlgorithm,
  type KeyHandle,
  type KeyUsage,
  type PinBlockFormat,
  type SignatureScheme,
  type WorkingKeyUsage,
} from '../core/ports';
import { asArrayBuffer } from './arrayBuffer';
import { DeviceKeyPair } from './deviceKey/deviceKeyPair';
import { randomBytes } from './entropy';
import type { KeyProtection, KeyVault } from './keyVault';
import { errorText } from '../core/errorText';
import { verifySignature } from './signature/verifySignature';
import { assertKeyLength, blockSize, KEY_LENGTH } from '../core/security/blocks';
import { checkValueBlock } from '../core/security/checkValue';
import { assertEnvelope, ENVELOPE_KEK_BYTES, envelopeKek } from '../core/security/keyEnvelope';
import { MASTER_KEY_SLOT } from '../core/security/keyStore';
import { assertKeyUsage, assertWorkingKeyUsage, type KeyOperation } from '../core/security/keyUsage';
import { encipherPinFields } from '../core/security/pinBlock';

// Tables are frozen so the preloaded module keeps them in flash without a RAM pointer each.
/** kcl's TDES takes K1 K2 and reuses K1 as K3 when given 16 bytes (modCrypt.c). */
const CIPHER: Readonly<Record<KeyAlgorithm, 'DES' | 'TDES' | 'AES'>> = Object.freeze({ des: 'DES', tdes2: 'TDES', tdes3: 'TDES', aes128: 'AES', aes192: 'AES', aes256: 'AES' });
const DIGEST: Readonly<Record<DigestAlgorithm, 'SHA1' | 'SHA256'>> = Object.freeze({ 'SHA-1': 'SHA1', 'SHA-256': 'SHA256' });

interface HeldKey {
  algorithm: KeyAlgorithm;
  usage: KeyUsage;
  cipher: BlockCipher;
  /** Single DES under the left half of a double-length key, for the retail MAC's chain. */
  macLeft?: BlockCipher;
  /** Only a master key from the activation envelope, until it is stored or forgotten. */
  material?: Uint8Array;
}

export class CryptCrypto implements CryptoPort {
  readonly #keys = new Map<KeyHandle, HeldKey>();
  readonly #provisioned = new Map<string, KeyHandle>();
  readonly #vault: KeyVault;
  /** The activation key pair: replaced by each createDeviceKey, never given out. */
  #deviceKey: DeviceKeyPair | undefined;

  /** @param vault the board's key vault; its master key, if any, is read into a cipher now and the bytes read wiped */
  constructor(vault: KeyVault) {
    this.#vault = vault;
    const stored = vault.load(MASTER_KEY_SLOT);
    if (stored) {
      try {
        this.#provisioned.set(MASTER_KEY_SLOT, this.#hold(stored.algorithm, 'master', stored.key));
      } finally {
        stored.key.fill(0);
      }
    }
  }

  /** @throws PortError 'crypto' for an algorithm other than SHA-1 or SHA-256 */
  digest(algorithm: DigestAlgorithm): DigestContext {
    const name = DIGEST[algorithm];
    if (!name) throw new PortError('crypto', `no digest ${String(algorithm)}`);
    const digest = new Digest(name);
    let closed = false;
    return {
      update(bytes) {
        if (closed) throw new PortError('crypto', 'digest already closed');
        digest.write(asArrayBuffer(bytes));
      },
      close() {
        if (closed) throw new PortError('crypto', 'digest already closed');
        closed = true;
        return new Uint8Array(digest.close());
      },
    };
  }

  /** The hardware RNG (entropy.c: esp_fill_random on the ESP32, getrandom(2) on the simulator). */
  randomBytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) throw new PortError('crypto', `cannot make ${length} random bytes`);
    return randomBytes(length);
  }

  provisionedKey(slot: string): KeyHandle | undefined {
    return this.#provisioned.get(slot);
  }

  /** Drops a provisioned key for good (a wipe), from the vault too: the slot answers undefined from now on. */
  eraseProvisionedKey(slot: string): void {
    const handle = this.#provisioned.get(slot);
    if (handle) this.forgetKey(handle);
    this.#provisioned.delete(slot);
    this.#vault.erase(slot);
  }

  /** A P-256 key pair with d from the hardware RNG (deviceKey/): the public key as SPKI DER. */
  createDeviceKey(): Uint8Array {
    this.#deviceKey = new DeviceKeyPair(randomBytes);
    return this.#deviceKey.spki.slice();
  }

  /**
   * ECDH with the device key, the X9.63 KDF on `crypt`'s SHA-256 (core/security/keyEnvelope.ts),
   * then AES-128-CBC with a zero IV on `crypt`'s AES: a 'master' handle, not stored.
   */
  openMasterKeyEnvelope(ephemeralPoint: Uint8Array, wrapped: Uint8Array, algorithm: KeyAlgorithm, sharedInfo: Uint8Array): KeyHandle {
    if (!this.#deviceKey) throw new PortError('crypto', 'envelope: no device key (createDeviceKey first)');
    assertEnvelope(ephemeralPoint, wrapped, algorithm);
    const z = this.#deviceKey.sharedSecret(ephemeralPoint);
    const kek = envelopeKek(z, sharedInfo, (parts) => {
      const sha256 = this.digest('SHA-256');
      for (const part of parts) sha256.update(part);
      return sha256.close();
    });
    z.fill(0);
    const kekBytes = kek.slice().buffer;
    kek.fill(0);
    let clear: Uint8Array;
    try {
      clear = new Uint8Array(new Mode('CBC', new BlockCipher('AES', kekBytes), new ArrayBuffer(ENVELOPE_KEK_BYTES), false).decrypt(wrapped));
    } finally {
      new Uint8Array(kekBytes).fill(0);
    }
    try {
      const key = clear.subarray(0, KEY_LENGTH[algorithm]);
      const handle = this.#hold(algorithm, 'master', key);
      this.#keys.get(handle)!.material = key.slice();
      return handle;
    } finally {
      clear.fill(0);
    }
  }

  /** Writes the key to the vault (which may refuse), then holds the slot's own cipher; the envelope's bytes are wiped. */
  storeMasterKey(slot: string, key: KeyHandle): void {
    const held = this.#use(key, 'store');
    const material = held.material;
    if (!material) throw new PortError('crypto', 'only a master key opened from the activation envelope can be stored');
    this.#vault.store(slot, { algorithm: held.algorithm, key: material });
    const stored = this.#hold(held.algorithm, 'master', material);
    material.fill(0);
    delete held.material;
    const earlier = this.#provisioned.get(slot);
    if (earlier) this.forgetKey(earlier);
    this.#provisioned.set(slot, stored);
  }

  keyProtection(): KeyProtection {
    return this.#vault.protection;
  }

  unwrapKey(kek: KeyHandle, algorithm: KeyAlgorithm, wrapped: Uint8Array, usage: WorkingKeyUsage): KeyHandle {
    const held = this.#use(kek, 'unwrap');
    assertWorkingKeyUsage(usage);
    assertKeyLength(algorithm, wrapped.length, 'key block');
    const key = new Uint8Array(this.#prepare(held, 'ecb', wrapped).decrypt(wrapped));
    try {
      return this.#hold(algorithm, usage, key);
    } finally {
      key.fill(0);
    }
  }

  checkValue(key: KeyHandle, method: CheckValueMethod): Uint8Array {
    const held = this.#use(key, 'check-value');
    return checkValueBlock(method, blockSize(held.algorithm), (blocks) => this.#chainEnd(held, blocks));
  }

  encrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    return new Uint8Array(this.#prepare(this.#use(key, 'encrypt'), mode, data, iv).encrypt(data));
  }

  decrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    return new Uint8Array(this.#prepare(this.#use(key, 'decrypt'), mode, data, iv).decrypt(data));
  }

  encipherPinBlock(key: KeyHandle, format: PinBlockFormat, pinField: Uint8Array, panField: Uint8Array): Uint8Array {
    const held = this.#use(key, 'pin-block');
    return encipherPinFields(format, blockSize(held.algorithm), pinField, panField, (block) => new Uint8Array(new Mode('ECB', held.cipher).encrypt(block)));
  }

  cbcMac(key: KeyHandle, data: Uint8Array): Uint8Array {
    const held = this.#use(key, 'cbc-mac');
    if (data.length === 0) throw new PortError('crypto', 'CBC-MAC data must be at least one block');
    return this.#chainEnd(held, data);
  }

  /** Holds key bytes the core obtained in the clear (test vectors): usage 'test'. The caller should wipe its copy. */
  importKey(algorithm: KeyAlgorithm, material: Uint8Array): KeyHandle {
    return this.#hold(algorithm, 'test', material);
  }

  /**
   * ISO 9797-1 MAC algorithm 3 (ANSI X9.19 retail MAC) over whole blocks, under a double-length
   * 3DES key K = KL ‖ KR: single-DES CBC under KL, and the last block E(KL) D(KR) E(KL). That last
   * step is 2-key 3DES-EDE, so it runs on the key's own TDES cipher; only the chain needs DES.
   * @throws PortError 'crypto' for another key type or usage, or data that is not whole 8-byte blocks
   */
  retailMac(key: KeyHandle, data: Uint8Array): Uint8Array {
    const held = this.#use(key, 'retail-mac');
    if (held.algorithm !== 'tdes2' || !held.macLeft) throw new PortError('crypto', 'the retail MAC takes a double-length 3DES key');
    if (data.length === 0 || data.length % 8) throw new PortError('crypto', 'retail MAC data must be whole 8-byte blocks');
    const last = data.slice(data.length - 8);
    if (data.length > 8) {
      const chained = new Uint8Array(new Mode('CBC', held.macLeft, new ArrayBuffer(8), false).encrypt(data.subarray(0, data.length - 8)));
      for (let i = 0; i < 8; i++) last[i] ^= chained[chained.length - 8 + i];
    }
    return new Uint8Array(new Mode('ECB', held.cipher).encrypt(last));
  }

  /** RSASSA-PKCS1-v1_5 and ECDSA (P-256, P-384) over the public key in `spki` (signature/). */
  verifySignature(scheme: SignatureScheme, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    return verifySignature(scheme, spki, data, signature);
  }

  forgetKey(key: KeyHandle): void {
    this.#keys.get(key)?.material?.fill(0);
    this.#keys.delete(key);
  }

  #hold(algorithm: KeyAlgorithm, usage: KeyUsage, key: Uint8Array): KeyHandle {
    assertKeyLength(algorithm, key.length);
    let held: HeldKey;
    const bytes = key.slice().buffer;
    try {
      held = { algorithm, usage, cipher: new BlockCipher(CIPHER[algorithm], bytes) };
      if (algorithm === 'tdes2') held.macLeft = new BlockCipher('DES', bytes.slice(0, 8));
    } catch (error) {
      throw new PortError('crypto', `${algorithm}: ${errorText(error)}`);
    } finally {
      new Uint8Array(bytes).fill(0);
    }
    const handle = Object.freeze({ algorithm, usage }) as KeyHandle;
    this.#keys.set(handle, held);
    return handle;
  }

  /** The held key behind `handle`, if its usage (as held here, not as the handle says) allows `operation`. */
  #use(handle: KeyHandle, operation: KeyOperation): HeldKey {
    const held = this.#keys.get(handle);
    if (!held) throw new PortError('crypto', 'unknown or forgotten key handle');
    assertKeyUsage(held.usage, operation);
    return held;
  }

  /** CBC with a zero IV over whole blocks, the last block out: the CBC-MAC MACs and check values are built on. */
  #chainEnd(held: HeldKey, data: Uint8Array): Uint8Array {
    const block = blockSize(held.algorithm);
    const chained = new Uint8Array(this.#prepare(held, 'cbc', data, new Uint8Array(block)).encrypt(data));
    return chained.slice(chained.length - block);
  }

  /** A fresh Mode per operation: kcl's CBC keeps its chain in the Mode between calls. */
  #prepare(held: HeldKey, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Mode {
    const block = blockSize(held.algorithm);
    if (data.length % block) throw new PortError('crypto', `data must be whole ${block}-byte blocks`);
    if (mode === 'ecb') return new Mode('ECB', held.cipher);
    if (mode !== 'cbc') throw new PortError('crypto', `no cipher mode ${String(mode)}`);
    if (!iv || iv.length !== block) throw new PortError('crypto', `CBC needs a ${block}-byte IV`);
    return new Mode('CBC', held.cipher, iv.slice().buffer, false);
  }
}
