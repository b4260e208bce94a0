/**
 * Signed-image fixtures for the update tests: the demo vendor key, a second key the firmware does
 * not trust, and openssl as the independent signer and verifier (`openssl dgst -sha256 -sign` /
 * `-verify`, the commands the contract names).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateError, type UpdateErrorCode } from '../../firmware/core/update/errors';
import { encodeManifest, type Manifest } from '../../firmware/core/update/manifest';

export const ROOT = join(__dirname, '../..');
export const DEMO_KEY = join(ROOT, 'host-sim/update/demo-vendor-key.pem');

export const dir = mkdtempSync(join(tmpdir(), 'xspos-image-'));

let pubs = 0;
/** openssl's public key of a private key file, PEM, written in the fixtures' temporary folder. */
export function publicPem(privatePath: string): string {
  const out = join(dir, `pub-${pubs++}.pem`);
  execFileSync('openssl', ['pkey', '-in', privatePath, '-pubout', '-out', out]);
  return out;
}

/** A fresh P-256 key made by openssl (a key the firmware does not trust). */
export function opensslKey(name: string): string {
  const path = join(dir, `${name}.pem`);
  const sec1 = execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
  writeFileSync(path, execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt'], { input: sec1 }));
  return path;
}

export const DEMO_PUB = publicPem(DEMO_KEY);

/** `openssl dgst -sha256 -sign key`: DER ECDSA over SHA-256 of `data`. */
export function opensslSign(data: Uint8Array, keyPath: string): Uint8Array {
  return new Uint8Array(execFileSync('openssl', ['dgst', '-sha256', '-sign', keyPath], { input: data }));
}

let counter = 0;
/** The longest DER ECDSA P-256 signature: SEQUENCE of two 33-byte INTEGERs. */
const P256_SIGNATURE_MAX = 72;

/** `openssl dgst -sha256 -verify pub -signature sig`: true for "Verified OK" (exit 0). */
export function opensslVerifies(data: Uint8Array, signature: Uint8Array, pubPath: string): boolean {
  const sig = join(dir, `sig-${process.pid}-${counter++}.der`);
  writeFileSync(sig, signature);
  if (signature.length > P256_SIGNATURE_MAX) {
    // `openssl dgst -verify` reads at most EVP_PKEY_size bytes of the signature file (72 for
    // P-256): a 72-byte signature with a byte appended would be judged by its first 72 bytes and
    // pass. `openssl pkeyutl -verify` reads the whole file (over the SHA-256 openssl computes).
    const digest = spawnSync('openssl', ['dgst', '-sha256', '-binary'], { input: data }).stdout;
    const r = spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pubPath, '-sigfile', sig], { input: digest });
    if (r.status === 0 && !/Verified Successfully/.test(r.stdout.toString())) throw new Error(`openssl said ${r.stdout}`);
    return r.status === 0;
  }
  const r = spawnSync('openssl', ['dgst', '-sha256', '-verify', pubPath, '-signature', sig], { input: data });
  if (r.status === 0 && !/Verified OK/.test(r.stdout.toString())) throw new Error(`openssl said ${r.stdout}`);
  return r.status === 0;
}

export const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

/** A deterministic image of `n` bytes. */
export const imageBytes = (n: number, salt = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + (i >> 8) + salt * 7) & 0xff);

/** Manifest fields for `image`; `changes` override. */
export function fieldsFor(image: Uint8Array, changes: Partial<Manifest> = {}): Manifest {
  return {
    format: 1,
    board: 'xspos-sim',
    version: '1.2.3',
    security: 7,
    minVersion: '1.0.0',
    buildTime: Date.UTC(2026, 11, 1, 9, 0, 0),
    size: image.length,
    sha256: sha256(image),
    keyId: 'xspos-demo-1',
    ...changes,
  };
}

/** A manifest for `image` signed by openssl with `keyPath`. */
export function opensslSigned(image: Uint8Array, keyPath = DEMO_KEY, changes: Partial<Manifest> = {}) {
  const manifest = encodeManifest(fieldsFor(image, changes));
  return { manifest, signature: opensslSign(manifest, keyPath) };
}

/** A seeded PRNG (xorshift32): the fuzz cases are the same on every run. */
export class Prng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

/** The UpdateError code `action` throws, or 'ok'; any other error is thrown on. */
export function updateErrorCode(action: () => unknown): UpdateErrorCode | 'ok' {
  try {
    action();
    return 'ok';
  } catch (error) {
    if (error instanceof UpdateError) return error.code;
    throw error;
  }
}
