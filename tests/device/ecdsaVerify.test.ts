/**
 * The device's ECDSA verifier (firmware/device/signature/ecdsa.ts through verifySignature.ts,
 * the path CryptoPort.verifySignature takes for a seal's manifest) gives node:crypto's (OpenSSL's)
 * verdict on every signature here: valid ones, each DER malleation OpenSSL refuses (a redundant
 * leading 00, a missing 00 before a byte ≥ 0x80, an empty or negative INTEGER, long-form or
 * indefinite lengths, trailing bytes, a third element), the algebraic edge cases (r or s zero,
 * r or s ≥ n, high-S which OpenSSL accepts) and seeded random tampering of signature and data.
 * The SDK's `crypt`/`ec`/`ecp` are the node:crypto and BigInt stand-ins of sdkStandIns.ts
 * (`mul2` is written-out Jacobian arithmetic); the SDK's own EC code is run in the Moddable simulator.
 */
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { verifySignature } from '../../firmware/device/signature/verifySignature';
import { mulberry32 as prng } from '../../host-sim/ports/norFlash';

jest.mock('crypt', () => require('./sdkStandIns').crypt, { virtual: true });
jest.mock('ec', () => require('./sdkStandIns').ec, { virtual: true });
jest.mock('ecp', () => require('./sdkStandIns').ecp, { virtual: true });

/** SEC 2 §2.4.2 / §2.5.1 group orders, written here rather than imported from the device's table. */
const ORDER = {
  'prime256v1': BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  'secp384r1': BigInt('0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
} as const;
type Curve = keyof typeof ORDER;
const HASH = { prime256v1: 'sha256', secp384r1: 'sha384' } as const;
const SCHEME = { prime256v1: 'ecdsa-sha256', secp384r1: 'ecdsa-sha384' } as const;

const unsignedBytes = (v: bigint): Buffer => {
  if (v === 0n) return Buffer.alloc(0);
  const hex = v.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
};
const tlv = (tag: number, body: Buffer): Buffer => {
  if (body.length < 0x80) return Buffer.concat([Buffer.of(tag, body.length), body]);
  return Buffer.concat([Buffer.of(tag, 0x81, body.length), body]);
};
/** X.690 INTEGER content of a non-negative value: minimal, 00 before a high bit. */
const intContent = (v: bigint): Buffer => {
  const bytes = unsignedBytes(v);
  return bytes.length === 0 || bytes[0] & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
};
const int = (v: bigint) => tlv(0x02, intContent(v));
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));

/** (r, s) and the two INTEGER TLVs of a DER signature node:crypto wrote (short-form lengths on both curves). */
function split(sig: Buffer) {
  const bodyAt = sig[1] & 0x80 ? 3 : 2;
  const rLen = sig[bodyAt + 1];
  const rTlv = sig.subarray(bodyAt, bodyAt + 2 + rLen);
  const sTlv = sig.subarray(bodyAt + 2 + rLen);
  const value = (t: Buffer) => BigInt(`0x${t.subarray(2).toString('hex') || '0'}`);
  return { r: value(rTlv), s: value(sTlv), rTlv, sTlv };
}

interface Verdicts {
  total: number;
  accepted: number;
  disagreements: string[];
}

function judge(curve: Curve, publicKey: KeyObject, spki: Uint8Array, data: Buffer, sig: Buffer, label: string, out: Verdicts) {
  const reference = verify(HASH[curve], data, publicKey, sig);
  const device = verifySignature(SCHEME[curve], spki, new Uint8Array(data), new Uint8Array(sig));
  out.total++;
  if (reference) out.accepted++;
  if (reference !== device) out.disagreements.push(`${label}: node:crypto ${reference}, device ${device} (${sig.toString('hex')})`);
}

/** Every malleated form of one genuine signature (those that only apply to some r, s say so). */
function malleations(sig: Buffer, n: bigint): Record<string, Buffer> {
  const { r, s, rTlv, sTlv } = split(sig);
  const forms: Record<string, Buffer> = {
    'genuine': sig,
    'high-S (n - s)': seq(rTlv, int(n - s)),
    'r with an extra leading 00': seq(tlv(0x02, Buffer.concat([Buffer.of(0), intContent(r)])), sTlv),
    's with an extra leading 00': seq(rTlv, tlv(0x02, Buffer.concat([Buffer.of(0), intContent(s)]))),
    'r = 0': seq(int(0n), sTlv),
    's = 0': seq(rTlv, int(0n)),
    'r + n': seq(int(r + n), sTlv),
    's + n': seq(rTlv, int(s + n)),
    's = n': seq(rTlv, int(n)),
    'r empty INTEGER': seq(tlv(0x02, Buffer.alloc(0)), sTlv),
    's empty INTEGER': seq(rTlv, tlv(0x02, Buffer.alloc(0))),
    'r negative (two’s complement of -r)': seq(tlv(0x02, unsignedBytes((1n << BigInt(8 * (intContent(r).length + 1))) - r)), sTlv),
    'SEQUENCE long-form length': Buffer.concat([Buffer.of(0x30, 0x81, sig[1]), sig.subarray(2)]),
    'r long-form length': seq(Buffer.concat([Buffer.of(0x02, 0x81, rTlv[1]), rTlv.subarray(2)]), sTlv),
    'indefinite SEQUENCE': Buffer.concat([Buffer.of(0x30, 0x80), rTlv, sTlv, Buffer.of(0, 0)]),
    'trailing 00': Buffer.concat([sig, Buffer.of(0)]),
    'a third INTEGER': seq(rTlv, sTlv, int(1n)),
    'r and s swapped': seq(sTlv, rTlv),
    'SET instead of SEQUENCE': Buffer.concat([Buffer.of(0x31), sig.subarray(1)]),
  };
  // The sign bit: only a value whose top byte is ≥ 0x80 can lose its 00 (then it reads negative).
  if (rTlv[2] === 0) forms['r without its 00 (high bit set)'] = seq(tlv(0x02, unsignedBytes(r)), sTlv);
  if (sTlv[2] === 0) forms['s without its 00 (high bit set)'] = seq(rTlv, tlv(0x02, unsignedBytes(s)));
  return forms;
}

function tamper(next: () => number, sig: Buffer, data: Buffer): { sig: Buffer; data: Buffer; what: string } {
  const at = (b: Buffer) => Math.floor(next() * b.length);
  const choice = Math.floor(next() * 5);
  if (choice === 0) {
    const i = at(data);
    const d = Buffer.from(data);
    d[i] ^= 1 << Math.floor(next() * 8);
    return { sig, data: d, what: `data bit flipped at ${i}` };
  }
  const out = Buffer.from(sig);
  const i = at(sig);
  if (choice === 1) {
    out[i] ^= 1 << Math.floor(next() * 8);
    return { sig: out, data, what: `signature bit flipped at ${i}` };
  }
  if (choice === 2) {
    out[i] = Math.floor(next() * 256);
    return { sig: out, data, what: `signature byte ${i} replaced` };
  }
  if (choice === 3) return { sig: Buffer.concat([sig.subarray(0, i), sig.subarray(i + 1)]), data, what: `signature byte ${i} removed` };
  return { sig: Buffer.concat([sig.subarray(0, i), Buffer.of(Math.floor(next() * 256)), sig.subarray(i)]), data, what: `byte inserted at ${i}` };
}

function run(curve: Curve, signatures: number, tamperings: number, seed: number) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const verdicts: Verdicts = { total: 0, accepted: 0, disagreements: [] };
  const seen = new Set<string>();
  const next = prng(seed);
  for (let i = 0; i < signatures; i++) {
    const data = Buffer.from(`manifest ${curve} ${i}`);
    const sig = sign(HASH[curve], data, privateKey);
    for (const [label, form] of Object.entries(malleations(sig, ORDER[curve]))) {
      seen.add(label);
      judge(curve, publicKey, spki, data, form, `#${i} ${label}`, verdicts);
    }
    for (let t = 0; t < tamperings; t++) {
      const { sig: bad, data: badData, what } = tamper(next, sig, data);
      judge(curve, publicKey, spki, badData, bad, `#${i} ${what}`, verdicts);
    }
  }
  return { verdicts, seen };
}

describe('device ECDSA verifier against node:crypto', () => {
  test('P-256 (the seal signature): every verdict the same as node:crypto, sign-bit and 00 forms seen', () => {
    const { verdicts, seen } = run('prime256v1', 32, 8, 0x5ea1);
    expect(verdicts.disagreements).toEqual([]);
    // Not vacuous: node accepted the genuine and high-S forms (64), and the sign-bit forms occurred.
    expect(verdicts.accepted).toBeGreaterThanOrEqual(64);
    expect(seen).toContain('r without its 00 (high bit set)');
    expect(seen).toContain('s without its 00 (high bit set)');
    expect(verdicts.total).toBeGreaterThan(32 * 25);
  });

  test('P-384 with SHA-384: the same verdicts', () => {
    const { verdicts } = run('secp384r1', 6, 6, 0x384);
    expect(verdicts.disagreements).toEqual([]);
    expect(verdicts.accepted).toBeGreaterThanOrEqual(12);
  });

  test('a malleated form of a valid signature is refused however the INTEGER is padded', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    const data = Buffer.from('one manifest');
    const sig = sign('sha256', data, privateKey);
    const { rTlv, sTlv } = split(sig);
    const padded = (t: Buffer, zeros: number) => tlv(0x02, Buffer.concat([Buffer.alloc(zeros), t.subarray(2)]));
    for (let zeros = 1; zeros <= 3; zeros++) {
      for (const form of [seq(padded(rTlv, zeros), sTlv), seq(rTlv, padded(sTlv, zeros))]) {
        expect(verify('sha256', data, publicKey, form)).toBe(false);
        expect(verifySignature('ecdsa-sha256', spki, new Uint8Array(data), new Uint8Array(form))).toBe(false);
      }
    }
    expect(verifySignature('ecdsa-sha256', spki, new Uint8Array(data), new Uint8Array(sig))).toBe(true);
  });
});
