/**
 * The crypto port on node:crypto. Keys stay in this adapter's table; the core holds handles.
 * Random bytes come from a seeded SHA-256 counter generator so simulator runs repeat exactly.
 */
import { createCipheriv, createDecipheriv, createHash, createPublicKey, verify } from 'node:crypto';
import { blockSize, KEY_LENGTH } from '../../firmware/core/security/blocks';
import { PortError, type CipherMode, type CryptoPort, type DigestAlgorithm, type KeyAlgorithm, type KeyHandle, type SignatureScheme } from '../../firmware/core/ports';

const SIGNATURE_HASH: Record<SignatureScheme, string> = {
  'rsa-pkcs1-sha1': 'sha1',
  'rsa-pkcs1-sha256': 'sha256',
  'rsa-pkcs1-sha384': 'sha384',
  'ecdsa-sha256': 'sha256',
  'ecdsa-sha384': 'sha384',
};
// Single DES runs as 3DES with K1 = K2 = K3: OpenSSL 3 keeps plain DES in its legacy provider only.
const CIPHER: Record<KeyAlgorithm, string> = { des: 'des-ede3', tdes2: 'des-ede', tdes3: 'des-ede3', aes128: 'aes-128', aes192: 'aes-192', aes256: 'aes-256' };

export interface ProvisionedKey {
  algorithm: KeyAlgorithm;
  key: Uint8Array;
}

export class NodeCrypto implements CryptoPort {
  readonly #keys = new Map<KeyHandle, ProvisionedKey>();
  readonly #provisioned = new Map<string, KeyHandle>();
  readonly #seed: Buffer;
  #counter = 0;

  /** @param seed makes `randomBytes` repeatable; @param provisioned keys injected at the factory */
  constructor(seed: number, provisioned: Record<string, ProvisionedKey> = {}) {
    this.#seed = createHash('sha256').update(`xspos-sim-seed:${seed}`).digest();
    for (const [slot, entry] of Object.entries(provisioned)) this.#provisioned.set(slot, this.#hold(entry.algorithm, entry.key));
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

  unwrapKey(kek: KeyHandle, algorithm: KeyAlgorithm, wrapped: Uint8Array): KeyHandle {
    if (wrapped.length !== KEY_LENGTH[algorithm]) throw new PortError('crypto', `${algorithm} key block must be ${KEY_LENGTH[algorithm]} bytes`);
    return this.#hold(algorithm, this.decrypt(kek, 'ecb', wrapped));
  }

  encrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    return this.#run(true, key, mode, data, iv);
  }

  decrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    return this.#run(false, key, mode, data, iv);
  }

  importKey(algorithm: KeyAlgorithm, material: Uint8Array): KeyHandle {
    return this.#hold(algorithm, material);
  }

  /** Injects (or re-injects) a provisioned key, as a key-loading device would. */
  provision(slot: string, algorithm: KeyAlgorithm, key: Uint8Array): void {
    this.eraseProvisionedKey(slot);
    this.#provisioned.set(slot, this.#hold(algorithm, key));
  }

  eraseProvisionedKey(slot: string): void {
    const handle = this.#provisioned.get(slot);
    if (handle) this.forgetKey(handle);
    this.#provisioned.delete(slot);
  }

  retailMac(key: KeyHandle, data: Uint8Array): Uint8Array {
    const entry = this.#keys.get(key);
    if (!entry) throw new PortError('crypto', 'unknown or forgotten key handle');
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

  forgetKey(key: KeyHandle): void {
    const entry = this.#keys.get(key);
    if (entry) entry.key.fill(0);
    this.#keys.delete(key);
  }

  #hold(algorithm: KeyAlgorithm, key: Uint8Array): KeyHandle {
    if (key.length !== KEY_LENGTH[algorithm]) throw new PortError('crypto', `${algorithm} key must be ${KEY_LENGTH[algorithm]} bytes`);
    const handle = Object.freeze({ algorithm }) as KeyHandle;
    this.#keys.set(handle, { algorithm, key: Uint8Array.from(key) });
    return handle;
  }

  #run(encrypt: boolean, handle: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    const entry = this.#keys.get(handle);
    if (!entry) throw new PortError('crypto', 'unknown or forgotten key handle');
    const block = blockSize(entry.algorithm);
    if (data.length % block) throw new PortError('crypto', `data must be whole ${block}-byte blocks`);
    if (mode === 'cbc' && (!iv || iv.length !== block)) throw new PortError('crypto', `CBC needs a ${block}-byte IV`);
    const name = `${CIPHER[entry.algorithm]}-${mode}`;
    const key = entry.algorithm === 'des' ? Buffer.concat([entry.key, entry.key, entry.key]) : entry.key;
    const cipher = encrypt ? createCipheriv(name, key, mode === 'cbc' ? iv! : null) : createDecipheriv(name, key, mode === 'cbc' ? iv! : null);
    cipher.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
  }
}
