/**
 * Personalises the synthetic ODA cards (`npm run cards`): issuer and ICC RSA key pairs,
 * the issuer public key certificate under a CA key (EMV Book 2 §5.3, Table 13), the Signed
 * Static Application Data (§5.4) or the ICC public key certificate (§6.4), written as profile
 * cards (host-sim/cards/cardFile.ts) to host-sim/cards/samples/, and the CA key table the
 * terminals of card scenarios trust to host-sim/scenarios/capk/cards.json.
 *
 * The demo CA keys of make-capk.ts were made without keeping their private halves, so the
 * cards' CA keys are made here, under the UnionPay RID the sample cards' AIDs carry, at
 * indexes E1–E3 that no scheme table uses; cards.json is demo.json's keys plus E1 and E2
 * (E3 signs the card whose CA key the terminal lacks). None is a payment scheme's key.
 *
 * Every key comes from a seeded generator (SHA-256 counter, Miller–Rabin primes), so a run
 * writes the same files byte for byte; the signatures are node:crypto's raw RSA
 * (privateEncrypt without padding) with those keys.
 */
import { constants, createHash, createPrivateKey, privateEncrypt, publicEncrypt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// ---------------------------------------------------------------------------------------
// Seeded RSA keys

/** Bytes of SHA-256(seed ‖ counter), block after block: repeatable, not secret. */
class SeededBytes {
  #counter = 0;
  constructor(readonly seed: string) {}
  next(length: number): Buffer {
    const out: Buffer[] = [];
    for (let n = 0; n < length; n += 32) out.push(createHash('sha256').update(`${this.seed}/${this.#counter++}`).digest());
    return Buffer.concat(out).subarray(0, length);
  }
  bigint(bits: number): bigint {
    return BigInt(`0x${this.next(Math.ceil(bits / 8)).toString('hex')}`) >> BigInt(Math.ceil(bits / 8) * 8 - bits);
  }
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [((a % m) + m) % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return ((s0 % m) + m) % m;
}

const SMALL_PRIMES = [3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n, 59n, 61n, 67n, 71n, 73n, 79n, 83n, 89n, 97n];

/** Miller–Rabin with 32 seeded bases (error below 2^-64). */
function probablyPrime(n: bigint, rng: SeededBytes, bits: number): boolean {
  for (const p of SMALL_PRIMES) if (n % p === 0n) return n === p;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  for (let round = 0; round < 32; round++) {
    const a = 2n + (rng.bigint(bits) % (n - 3n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let r = 1; r < s && composite; r++) {
      x = (x * x) % n;
      if (x === n - 1n) composite = false;
    }
    if (composite) return false;
  }
  return true;
}

/** A prime of `bits` with its top two bits set (so p·q has all its bits) and gcd(e, p − 1) = 1. */
function prime(rng: SeededBytes, bits: number, e: bigint): bigint {
  for (let tries = 0; tries < 100_000; tries++) {
    const candidate = rng.bigint(bits) | (3n << BigInt(bits - 2)) | 1n;
    if ((candidate - 1n) % e === 0n) continue;
    if (probablyPrime(candidate, rng, bits)) return candidate;
  }
  throw new Error(`no ${bits}-bit prime found`);
}

export interface RsaKeyPair {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  bytes: number;
}

/** An RSA key of exactly `bits` (a multiple of 16) from `seed`. */
export function seededRsaKey(seed: string, bits: number, e: 3 | 65537): RsaKeyPair {
  const rng = new SeededBytes(seed);
  const E = BigInt(e);
  for (;;) {
    const p = prime(rng, bits / 2, E);
    const q = prime(rng, bits / 2, E);
    if (p === q) continue;
    const n = p * q;
    if (n.toString(2).length !== bits) continue;
    const d = modInverse(E, (p - 1n) * (q - 1n));
    return p > q ? { n, e: E, d, p, q, bytes: bits / 8 } : { n, e: E, d, p: q, q: p, bytes: bits / 8 };
  }
}

const big = (value: bigint, bytes: number): Buffer => Buffer.from(value.toString(16).padStart(2 * bytes, '0'), 'hex');
const minimal = (value: bigint): Buffer => {
  const h = value.toString(16);
  return Buffer.from(h.length % 2 ? `0${h}` : h, 'hex');
};
export const modulusOf = (k: RsaKeyPair): Buffer => big(k.n, k.bytes);
export const exponentOf = (k: RsaKeyPair): Buffer => minimal(k.e);

/** The key as node:crypto takes it (JWK with CRT parts). */
function keyObject(k: RsaKeyPair) {
  const b64 = (v: bigint) => minimal(v).toString('base64url');
  return createPrivateKey({
    key: { kty: 'RSA', n: b64(k.n), e: b64(k.e), d: b64(k.d), p: b64(k.p), q: b64(k.q), dp: b64(k.d % (k.p - 1n)), dq: b64(k.d % (k.q - 1n)), qi: b64(modInverse(k.q, k.p)) },
    format: 'jwk',
  });
}

/** block^d mod n by node:crypto (raw RSA), checked by the public operation. */
export function rawSign(k: RsaKeyPair, block: Buffer): Buffer {
  if (block.length !== k.bytes) throw new Error(`block of ${block.length} bytes for a ${k.bytes}-byte key`);
  const key = keyObject(k);
  const signature = privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, block);
  if (!publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, signature).equals(block)) throw new Error('raw RSA signature does not verify');
  return signature;
}

// ---------------------------------------------------------------------------------------
// EMV Book 2 certificates

const sha1 = (...parts: Buffer[]): Buffer => createHash('sha1').update(Buffer.concat(parts)).digest();
const hex = (h: string): Buffer => Buffer.from(h, 'hex');
const paddedDigits = (digits: string, bytes: number): Buffer => hex(digits.padEnd(2 * bytes, 'F'));

/** What an issuer certificate says besides the key (Book 2 Table 13). */
export interface IssuerCertificateFields {
  /** Leftmost 3–8 digits of the PAN. */
  issuerId: string;
  /** MMYY */
  expiry: string;
  /** 3 bytes as 6 hex digits. */
  serial: string;
}

/** Issuer public key certificate (90) and remainder (92) under `ca` (Book 2 §5.3, Table 13). */
export function issuerCertificate(ca: RsaKeyPair, issuer: RsaKeyPair, f: IssuerCertificateFields): { certificate: Buffer; remainder?: Buffer } {
  return keyCertificate(ca, issuer, Buffer.concat([Buffer.of(0x02), paddedDigits(f.issuerId, 4), hex(f.expiry), hex(f.serial)]), 36);
}

/**
 * A public key certificate of `subject` under `signer` (Book 2 Tables 13 and 14): `head` (format,
 * identifier, expiry, serial) ‖ 01 01 ‖ key and exponent lengths ‖ the modulus's leading part,
 * BB-padded to the signer's length less `overhead`; the rest of the modulus is the remainder.
 * The hash covers the fields, the remainder, the exponent and then `hashedAfter`.
 */
function keyCertificate(signer: RsaKeyPair, subject: RsaKeyPair, head: Buffer, overhead: number, ...hashedAfter: Buffer[]): { certificate: Buffer; remainder?: Buffer } {
  const modulus = modulusOf(subject);
  const exponent = exponentOf(subject);
  const room = signer.bytes - overhead;
  const inCertificate = modulus.subarray(0, room);
  const remainder = modulus.length > room ? modulus.subarray(room) : undefined;
  const fields = Buffer.concat([head, Buffer.of(0x01, 0x01, modulus.length, exponent.length), inCertificate, Buffer.alloc(room - inCertificate.length, 0xbb)]);
  const hash = sha1(fields, remainder ?? Buffer.alloc(0), exponent, ...hashedAfter);
  return { certificate: rawSign(signer, Buffer.concat([Buffer.of(0x6a), fields, hash, Buffer.of(0xbc)])), remainder };
}

/** Signed Static Application Data (93) over the static data to authenticate (Book 2 §5.4). */
export function signedStaticData(issuer: RsaKeyPair, dataAuthenticationCode: string, staticData: Buffer): Buffer {
  const fields = Buffer.concat([Buffer.of(0x03, 0x01), hex(dataAuthenticationCode), Buffer.alloc(issuer.bytes - 26, 0xbb)]);
  return rawSign(issuer, Buffer.concat([Buffer.of(0x6a), fields, sha1(fields, staticData), Buffer.of(0xbc)]));
}

/** ICC public key certificate (9F46) and remainder (9F48) under the issuer key (Book 2 §6.4). */
export function iccCertificate(issuer: RsaKeyPair, icc: RsaKeyPair, pan: string, expiry: string, serial: string, staticData: Buffer): { certificate: Buffer; remainder?: Buffer } {
  return keyCertificate(issuer, icc, Buffer.concat([Buffer.of(0x04), paddedDigits(pan, 10), hex(expiry), hex(serial)]), 42, staticData);
}

// ---------------------------------------------------------------------------------------
// Personalisation

/** BER-TLV of one object (lengths up to 82 xx xx). */
export function tlv(tag: string, value: Buffer): Buffer {
  const n = value.length;
  const length = n < 0x80 ? Buffer.of(n) : n < 0x100 ? Buffer.of(0x81, n) : Buffer.of(0x82, n >> 8, n & 0xff);
  return Buffer.concat([hex(tag), length, value]);
}

export type Tags = [string, string][];

export interface PersonaliseInput {
  ca: { key: RsaKeyPair; index: number };
  issuer: RsaKeyPair;
  issuerCertificate: IssuerCertificateFields;
  pan: string;
  /** The values of the records the AFL flags for ODA (SFI 1–10: without the 70 template), in AFL order. */
  odaRecords: Tags[];
  /** AIP (82), 4 hex digits; 9F4A names it, so it ends the static data. */
  aip: string;
  method: 'sda' | 'dda';
  /** DDA: the ICC key and what its certificate says. */
  icc?: { key: RsaKeyPair; expiry: string; serial: string };
}

export interface Personalised {
  /** The ODA data objects the card carries in its records: 8F, 90, 92, 9F32, 93 or 9F46, 9F47, 9F48, 9F49, and 9F4A. */
  tags: Tags;
  /** The ICC private key (DDA), as cardFile.ts's `dda.iccPrivateTest` takes it. */
  iccPrivateTest?: Record<'modulus' | 'publicExponent' | 'privateExponent' | 'p' | 'q' | 'dp' | 'dq' | 'qinv', string>;
}

const HEX = (b: Buffer): string => b.toString('hex').toUpperCase();

/** EMV Book 3 §10.3: the flagged records' values, then the tags 9F4A lists (here the AIP). */
export function staticDataToAuthenticate(odaRecords: Tags[], aip: string): Buffer {
  return Buffer.concat([...odaRecords.flatMap((record) => record.map(([t, v]) => tlv(t, hex(v)))), hex(aip)]);
}

/** The ODA data objects of one card: certificates and signatures under `input.ca`. */
export function personalise(input: PersonaliseInput): Personalised {
  const staticData = staticDataToAuthenticate(input.odaRecords, input.aip);
  const issuer = issuerCertificate(input.ca.key, input.issuer, input.issuerCertificate);
  const tags: Tags = [
    ['8F', input.ca.index.toString(16).toUpperCase().padStart(2, '0')],
    ['90', HEX(issuer.certificate)],
    ...(issuer.remainder ? [['92', HEX(issuer.remainder)] as [string, string]] : []),
    ['9F32', HEX(exponentOf(input.issuer))],
    ['9F4A', '82'],
  ];
  if (input.method === 'sda') {
    tags.push(['93', HEX(signedStaticData(input.issuer, 'DAC1', staticData))]);
    return { tags };
  }
  const icc = input.icc;
  if (!icc) throw new Error('a DDA card needs an ICC key');
  const cert = iccCertificate(input.issuer, icc.key, input.pan, icc.expiry, icc.serial, staticData);
  tags.push(['9F46', HEX(cert.certificate)], ['9F47', HEX(exponentOf(icc.key))]);
  if (cert.remainder) tags.push(['9F48', HEX(cert.remainder)]);
  tags.push(['9F49', '9F3704']);
  const k = icc.key;
  const h = (v: bigint) => HEX(minimal(v));
  return {
    tags,
    iccPrivateTest: {
      modulus: HEX(modulusOf(k)), publicExponent: h(k.e), privateExponent: HEX(big(k.d, k.bytes)),
      p: h(k.p), q: h(k.q), dp: h(k.d % (k.p - 1n)), dq: h(k.d % (k.q - 1n)), qinv: h(modInverse(k.q, k.p)),
    },
  };
}

// ---------------------------------------------------------------------------------------
// The sample cards

export const CARD_RID = 'A000000333';
const PAN = '6212345678901232';
/** The serial of the revoked sample's issuer certificate; a profile lists it under `card.revoked`. */
export const REVOKED = Object.freeze({ rid: CARD_RID, index: 0xe1, serial: 'C0FFEE' });

/** The CA keys the card scenarios' terminals trust (E1, E2) and the one they lack (E3). */
export function cardCaKeys() {
  return {
    e1: { key: seededRsaKey('xspos card CA A000000333/E1', 1152, 3), index: 0xe1 },
    e2: { key: seededRsaKey('xspos card CA A000000333/E2', 1408, 65537), index: 0xe2 },
    e3: { key: seededRsaKey('xspos card CA A000000333/E3', 1152, 3), index: 0xe3 },
  };
}

type CardSpec = { file: string; name: string; note: string; method: 'sda' | 'dda'; ca: 'e1' | 'e2' | 'e3'; expiry?: string; serial?: string; tamper?: boolean };

const SPECS: CardSpec[] = [
  { file: 'unionpay-contactless-sda.json', name: 'UnionPay contactless debit, SDA', note: 'SDA passes under A000000333/E1 (capk/cards.json).', method: 'sda', ca: 'e1' },
  { file: 'unionpay-contactless-dda.json', name: 'UnionPay contactless debit, DDA', note: 'DDA passes under A000000333/E2 (capk/cards.json): ICC key certified by the issuer, INTERNAL AUTHENTICATE over DDOL 9F3704.', method: 'dda', ca: 'e2' },
  { file: 'unionpay-contactless-sda-tampered.json', name: 'UnionPay contactless debit, SDA fails', note: 'The issuer signed the static data with 5F28 0156; the record now says 0344: SDA fails (hash mismatch).', method: 'sda', ca: 'e1', tamper: true },
  { file: 'unionpay-contactless-issuer-expired.json', name: 'UnionPay contactless debit, issuer certificate expired', note: 'The issuer public key certificate expired in December 2024: SDA fails (issuer certificate expired).', method: 'sda', ca: 'e1', expiry: '1224' },
  { file: 'unionpay-contactless-ca-missing.json', name: 'UnionPay contactless debit, CA key E3', note: 'Certificates are genuine under A000000333/E3, a CA key capk/cards.json does not hold: ODA fails (unknown CA key).', method: 'sda', ca: 'e3' },
  { file: 'unionpay-contactless-revoked.json', name: 'UnionPay contactless debit, issuer certificate revoked', note: 'Issuer certificate serial C0FFEE under A000000333/E1: a profile listing {rid A000000333, index 225 (E1), serial C0FFEE} in card.revoked refuses it (issuer certificate revoked); without that entry SDA passes.', method: 'sda', ca: 'e1', serial: 'C0FFEE' },
];

const RECORD_1: Tags = [['57', `${PAN}D301220100000000`], ['5F20', '544553542F43415244484F4C444552'], ['9F1F', '30303030303030303030']];
const RECORD_2: Tags = [
  ['5A', PAN], ['5F24', '301231'], ['5F25', '240101'], ['5F28', '0156'], ['5F34', '01'],
  ['8C', '9F02069F03069F1A0295055F2A029A039C019F37049F35019F3403'], ['8D', '8A029F02069F03069F1A0295055F2A029A039C019F3704'],
  ['8E', '000000000000000042031E031F03'], ['9F07', 'FF00'], ['9F08', '0030'], ['9F0D', 'D86004A800'], ['9F0E', '0010000000'], ['9F0F', 'D86804F800'],
];

/** Every sample card file (as JSON values) and the CA table, from the seeds: the same on every run. */
export function makeCards(demoKeys: unknown[]): { cards: { file: string; json: object }[]; capk: object } {
  const ca = cardCaKeys();
  const issuer = seededRsaKey('xspos card issuer 621234', 1024, 3);
  const icc = seededRsaKey(`xspos card ICC ${PAN}`, 768, 65537);
  const cards = SPECS.map((spec) => {
    const aip = spec.method === 'sda' ? '5880' : '3880';
    const p = personalise({
      ca: ca[spec.ca], issuer, pan: PAN, aip, method: spec.method,
      issuerCertificate: { issuerId: '621234', expiry: spec.expiry ?? '1230', serial: spec.serial ?? '000001' },
      odaRecords: [RECORD_2],
      icc: spec.method === 'dda' ? { key: icc, expiry: '1230', serial: '000001' } : undefined,
    });
    const record2 = spec.tamper ? RECORD_2.map(([t, v]): [string, string] => (t === '5F28' ? [t, '0344'] : [t, v])) : RECORD_2;
    const uid = `04${createHash('sha1').update(spec.file).digest('hex').slice(0, 12).toUpperCase()}`;
    const json = {
      name: spec.name,
      note: `Synthetic card made by host-sim/tools/make-cards.ts. ${spec.note} Test data only: a made-up Luhn-valid PAN, TEST keys.`,
      interface: 'contactless',
      uid,
      applications: [
        {
          aid: 'A000000333010101',
          label: 'UnionPay Debit',
          priority: 1,
          language: 'zhen',
          pdol: '9F66049F02069F03069F1A0295055F2A029A039C019F3704',
          // AFL: SFI 1 record 1; SFI 2 record 1, flagged for ODA; SFI 3 record 1 (the ODA objects).
          gpo: { format: 2, aip, afl: '080101001001010118010100' },
          records: [
            { sfi: 1, record: 1, tags: RECORD_1 },
            { sfi: 2, record: 1, tags: record2 },
            { sfi: 3, record: 1, tags: p.tags },
          ],
          atc: 16,
          pinTries: 3,
          ac: 'ARQC',
          acFormat: 2,
          iad: '07010103A00000010A010000000000',
          acKeyTest: '0123456789ABCDEFFEDCBA9876543210',
          ...(p.iccPrivateTest ? { dda: { iccPrivateTest: p.iccPrivateTest, dynamicNumberLength: 4, responseFormat: 2 } } : {}),
        },
      ],
    };
    return { file: spec.file, json };
  });
  const capkEntry = (k: { key: RsaKeyPair; index: number }, label: string) => {
    const index = Buffer.of(k.index);
    const modulus = modulusOf(k.key);
    const exponent = exponentOf(k.key);
    return {
      rid: CARD_RID, index: HEX(index), exponent: HEX(exponent), modulus: HEX(modulus),
      checksum: HEX(sha1(hex(CARD_RID), index, modulus, exponent)), label,
    };
  };
  const capk = {
    source: 'demo.json (host-sim/tools/make-capk.ts) and the synthetic card CA keys A000000333/E1, E2 of host-sim/tools/make-cards.ts (seeded test keys, not UnionPay\'s)',
    keys: [...demoKeys, capkEntry(ca.e1, 'card test CA 1152-bit A000000333/E1'), capkEntry(ca.e2, 'card test CA 1408-bit A000000333/E2')],
  };
  return { cards, capk };
}

const ROOT = join(__dirname, '..');
export const SAMPLES = join(ROOT, 'cards', 'samples');
export const CARDS_CAPK = join(ROOT, 'scenarios', 'capk', 'cards.json');
export const json = (value: object): string => `${JSON.stringify(value, null, 1)}\n`;

if (require.main === module) {
  const demo = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'capk', 'demo.json'), 'utf8')) as { keys: unknown[] };
  const { cards, capk } = makeCards(demo.keys);
  for (const c of cards) writeFileSync(join(SAMPLES, c.file), json(c.json));
  writeFileSync(CARDS_CAPK, json(capk));
  console.log(`wrote ${cards.length} cards to ${SAMPLES} and their CA table to ${CARDS_CAPK}`);
}
