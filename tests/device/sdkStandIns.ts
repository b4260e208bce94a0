/**
 * Stand-ins for the Moddable SDK modules the device crypto adapter calls, made of node:crypto,
 * so the adapter's own code (validation, KDF input, modes, truncation, key vault) runs on Node:
 * - `crypt`: kcl's BlockCipher (AES, TDES, DES), Mode (ECB, CBC without padding, keeping its chain)
 *   and Digest (SHA256);
 * - `ec` / `ecp`: k·P by node's ECDH on prime256v1. ECDH gives only x(k·P) for a point other
 *   than G, so y is rebuilt from the curve equation (either root: the adapter reads only X).
 *   k1·A + k2·B (`mul2`, which the ECDSA verifier calls) needs a true point sum, which ECDH
 *   cannot give: it is textbook BigInt arithmetic in Jacobian coordinates (the SEC 1 §2.2.1
 *   group law written out here, on any short-Weierstrass curve the instance is made with).
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
    this.#hash = createHash(type.toLowerCase()); // 'SHA1', 'SHA256', 'SHA384', …
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
  /** k1·A + k2·B (k ≥ 0), both points affine and on this curve; the identity when the sum is. */
  mul2(a: ECPoint, k1: bigint, b: ECPoint, k2: bigint): ECPoint {
    const sum = this.#add(this.#times(a, k1), this.#times(b, k2));
    if (sum[2] === 0n) return new ECPoint(0n, 0n, true);
    const zi = modPow(sum[2], this.p - 2n, this.p);
    const zi2 = (zi * zi) % this.p;
    return new ECPoint((sum[0] * zi2) % this.p, (sum[1] * zi2 * zi) % this.p);
  }
  #mod(v: bigint): bigint {
    const r = v % this.p;
    return r < 0n ? r + this.p : r;
  }
  /** Jacobian (X, Y, Z): x = X/Z², y = Y/Z³; Z = 0 is the identity. */
  #double([x, y, z]: Jacobian): Jacobian {
    if (z === 0n || y === 0n) return [1n, 1n, 0n];
    const yy = this.#mod(y * y);
    const s = this.#mod(4n * x * yy);
    const z2 = this.#mod(z * z);
    const m = this.#mod(3n * x * x + this.a * z2 * z2);
    const x3 = this.#mod(m * m - 2n * s);
    return [x3, this.#mod(m * (s - x3) - 8n * yy * yy), this.#mod(2n * y * z)];
  }
  #add(p1: Jacobian, p2: Jacobian): Jacobian {
    if (p1[2] === 0n) return p2;
    if (p2[2] === 0n) return p1;
    const z1z1 = this.#mod(p1[2] * p1[2]);
    const z2z2 = this.#mod(p2[2] * p2[2]);
    const u1 = this.#mod(p1[0] * z2z2);
    const u2 = this.#mod(p2[0] * z1z1);
    const s1 = this.#mod(p1[1] * p2[2] * z2z2);
    const s2 = this.#mod(p2[1] * p1[2] * z1z1);
    if (u1 === u2) return s1 === s2 ? this.#double(p1) : [1n, 1n, 0n];
    const h = this.#mod(u2 - u1);
    const r = this.#mod(s2 - s1);
    const hh = this.#mod(h * h);
    const hhh = this.#mod(h * hh);
    const v = this.#mod(u1 * hh);
    const x3 = this.#mod(r * r - hhh - 2n * v);
    return [x3, this.#mod(r * (v - x3) - s1 * hhh), this.#mod(p1[2] * p2[2] * h)];
  }
  #times(point: ECPoint, k: bigint): Jacobian {
    let result: Jacobian = [1n, 1n, 0n];
    let addend: Jacobian = point.identity ? [1n, 1n, 0n] : [point.X, point.Y, 1n];
    for (let e = k; e > 0n; e >>= 1n) {
      if (e & 1n) result = this.#add(result, addend);
      addend = this.#double(addend);
    }
    return result;
  }
}

type Jacobian = [bigint, bigint, bigint];

export const ec = { __esModule: true, default: EC };
export const ecp = { __esModule: true, default: ECPoint };
