/**
 * The crypto port on node:crypto. Keys stay in this adapter's table; the core holds handles.
 * Random bytes come from a seeded SHA-256 counter generator so simulator runs repeat exactly.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { PortError, type CipherMode, type CryptoPort, type DigestAlgorithm, type KeyAlgorithm, type KeyHandle } from '../../firmware/core/ports';

const KEY_BYTES: Record<KeyAlgorithm, number> = { tdes2: 16, tdes3: 24, aes128: 16, aes192: 24, aes256: 32 };
const BLOCK: Record<KeyAlgorithm, number> = { tdes2: 8, tdes3: 8, aes128: 16, aes192: 16, aes256: 16 };
const CIPHER: Record<KeyAlgorithm, string> = { tdes2: 'des-ede', tdes3: 'des-ede3', aes128: 'aes-128', aes192: 'aes-192', aes256: 'aes-256' };

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
    if (wrapped.length !== KEY_BYTES[algorithm]) throw new PortError('crypto', `${algorithm} key block must be ${KEY_BYTES[algorithm]} bytes`);
    return this.#hold(algorithm, this.decrypt(kek, 'ecb', wrapped));
  }

  encrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    return this.#run(true, key, mode, data, iv);
  }

  decrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    return this.#run(false, key, mode, data, iv);
  }

  forgetKey(key: KeyHandle): void {
    const entry = this.#keys.get(key);
    if (entry) entry.key.fill(0);
    this.#keys.delete(key);
  }

  #hold(algorithm: KeyAlgorithm, key: Uint8Array): KeyHandle {
    if (key.length !== KEY_BYTES[algorithm]) throw new PortError('crypto', `${algorithm} key must be ${KEY_BYTES[algorithm]} bytes`);
    const handle = Object.freeze({ algorithm }) as KeyHandle;
    this.#keys.set(handle, { algorithm, key: Uint8Array.from(key) });
    return handle;
  }

  #run(encrypt: boolean, handle: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array {
    const entry = this.#keys.get(handle);
    if (!entry) throw new PortError('crypto', 'unknown or forgotten key handle');
    const block = BLOCK[entry.algorithm];
    if (data.length % block) throw new PortError('crypto', `data must be whole ${block}-byte blocks`);
    if (mode === 'cbc' && (!iv || iv.length !== block)) throw new PortError('crypto', `CBC needs a ${block}-byte IV`);
    const name = `${CIPHER[entry.algorithm]}-${mode}`;
    const cipher = encrypt ? createCipheriv(name, entry.key, mode === 'cbc' ? iv! : null) : createDecipheriv(name, entry.key, mode === 'cbc' ? iv! : null);
    cipher.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
  }
}
