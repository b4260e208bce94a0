/**
 * Stand-ins for the Moddable SDK modules the device crypto adapter calls, made of node:crypto,
 * so the adapter's own code (validation, KDF input, modes, truncation, key vault) runs on Node:
 * - `crypt`: kcl's BlockCipher (AES, TDES, DES), Mode (ECB, CBC without padding, keeping its chain)
 *   and Digest (SHA256);
 * - `ec` / `ecp`: k·P by node's ECDH on prime256v1. ECDH gives only x(k·P) for a point other
 *   than G, so y is rebuilt from the curve equation (either root: the adapter reads only X).
 * The SDK's own arithmetic is checked in the Moddable simulator, not here.
 * Use in a jest.mock factory: `jest.mock('crypt', () => require('./sdkStandIns').crypt, { virtual: true })`.
 */
import { createCipheriv, createDecipheriv, createECDH, createHash } from 'node:crypto';

class BlockCipher {
  readonly key: Buffer;
  readonly name: string;
  /** DES as 3DES with K1 = K2 = K3; TDES with 16 bytes is K1 K2 K1 (as kcl takes it). */
  constructor(cipher: string, key: ArrayBuffer) {
    const bytes = Buffer.from(new Uint8Array(key));
    this.key = cipher === 'DES' ? Buffer.concat([bytes, bytes, bytes]) : bytes;
    this.name = cipher === 'AES' ? `aes-${bytes.length * 8}` : this.key.length === 16 ? 'des-ede' : 'des-ede3';
  }
}

class Mode {
  #chain: Buffer | null;
  constructor(
    readonly mode: string,
    readonly cipher: BlockCipher,
    iv?: ArrayBuffer,
  ) {
    this.#chain = mode === 'CBC' ? Buffer.from(new Uint8Array(iv!)) : null;
  }
  #run(encrypt: boolean, data: ArrayBufferView): ArrayBuffer {
    const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const name = `${this.cipher.name}-${this.mode.toLowerCase()}`;
    const c = encrypt ? createCipheriv(name, this.cipher.key, this.#chain) : createDecipheriv(name, this.cipher.key, this.#chain);
    c.setAutoPadding(false);
    const out = Buffer.concat([c.update(input), c.final()]);
    if (this.#chain) this.#chain = (encrypt ? out : input).subarray(-this.#chain.length);
    return new Uint8Array(out).buffer;
  }
  encrypt(data: ArrayBufferView) {
    return this.#run(true, data);
  }
  decrypt(data: ArrayBufferView) {
    return this.#run(false, data);
  }
}

class Digest {
  readonly #hash;
  constructor(type: string) {
    this.#hash = createHash(type === 'SHA256' ? 'sha256' : 'sha1');
  }
  write(data: ArrayBuffer) {
    this.#hash.update(new Uint8Array(data));
  }
  close() {
    return new Uint8Array(this.#hash.digest()).buffer;
  }
}

export const crypt = { BlockCipher, Mode, Digest };

class ECPoint {
  constructor(
    readonly X: bigint,
    readonly Y: bigint,
    readonly identity = false,
  ) {}
  isZero() {
    return this.identity;
  }
}

const hex32 = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
const big = (bytes: Buffer) => BigInt(`0x${bytes.toString('hex')}`);

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

class EC {
  constructor(
    readonly a: bigint,
    readonly b: bigint,
    readonly p: bigint,
  ) {}
  mul(point: ECPoint, k: bigint): ECPoint {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(hex32(k));
    const g = createECDH('prime256v1');
    g.setPrivateKey(hex32(1n));
    const base = g.getPublicKey();
    if (big(base.subarray(1, 33)) === point.X && big(base.subarray(33)) === point.Y) {
      const q = ecdh.getPublicKey();
      return new ECPoint(big(q.subarray(1, 33)), big(q.subarray(33)));
    }
    const x = big(ecdh.computeSecret(Buffer.concat([Buffer.of(4), hex32(point.X), hex32(point.Y)])));
    const y = modPow((x * x * x + this.a * x + this.b) % this.p, (this.p + 1n) / 4n, this.p);
    return new ECPoint(x, y);
  }
}

export const ec = { __esModule: true, default: EC };
export const ecp = { __esModule: true, default: ECPoint };
