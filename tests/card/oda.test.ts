/**
 * Offline data authentication (EMV Book 2 §5–6) against certificates and signatures made here
 * with node:crypto: RSA keys from generateKeyPairSync, every signature by privateEncrypt with
 * RSA_NO_PADDING (raw x^d mod n), every hash by node:crypto SHA-1 over the layouts of Book 2
 * Tables 13, 14, 15, 16 and 17. performOda accepts the good card and names each broken one.
 */
import { constants, createHash, createPublicKey, generateKeyPairSync, privateEncrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { RsaError, modPow, rsaRecover } from '../../firmware/core/security/rsaPublic';
import { performOda, type OdaInput, type OdaOutcome } from '../../firmware/core/card/emv/oda';
import { CardError } from '../../firmware/core/card/errors';
import type { CaPublicKey } from '../../firmware/core/security/caPublicKeys';

const crypto = new NodeCrypto(9);
const TODAY = '261126'; // 26 November 2026
const PAN = '6212345678901234';
const RID = 'F000000001';

interface Rsa { key: KeyObject; n: Buffer; e: Buffer }
function rsa(bits: number, e: 3 | 65537): Rsa {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e });
  const jwk = publicKey.export({ format: 'jwk' });
  return { key: privateKey, n: Buffer.from(jwk.n!, 'base64url'), e: Buffer.from(jwk.e!, 'base64url') };
}
/** Raw RSA signature: block^d mod n, by OpenSSL. */
const sign = (k: Rsa, block: Buffer) => privateEncrypt({ key: k.key, padding: constants.RSA_NO_PADDING }, block);
const sha1 = (...parts: Buffer[]) => createHash('sha1').update(Buffer.concat(parts)).digest();
const hex = (h: string) => Buffer.from(h, 'hex');
/** BCD digits padded on the right with F to `bytes`. */
const padded = (digits: string, bytes: number) => hex(digits.padEnd(2 * bytes, 'F'));

let CA: Rsa, CA_BIG: Rsa, OTHER: Rsa, ISSUER: Rsa, ISSUER_SMALL: Rsa, ICC: Rsa;
beforeAll(() => {
  CA = rsa(1152, 3);
  CA_BIG = rsa(1408, 65537);
  OTHER = rsa(1152, 3);
  ISSUER = rsa(1024, 3);
  ISSUER_SMALL = rsa(896, 65537);
  ICC = rsa(768, 3);
});

const capk = (k: Rsa, index: number, expiresMs?: number): CaPublicKey => ({
  rid: RID, index, modulus: new Uint8Array(k.n), exponent: new Uint8Array(k.e), checksum: new Uint8Array(20), expiresMs, label: 'test',
});

interface IssuerCert { format?: number; issuerId?: string; expiry?: string; serial?: string; hashAlgo?: number; header?: number; tamperHash?: boolean }
/** EMV Book 2 Table 13: the issuer public key certificate (90) and remainder (92) under `ca`. */
function issuerCertificate(ca: Rsa, issuer: Rsa, o: IssuerCert = {}): { cert: Buffer; remainder?: Buffer } {
  const nca = ca.n.length;
  const room = nca - 36;
  const inCert = issuer.n.subarray(0, room);
  const remainder = issuer.n.length > room ? issuer.n.subarray(room) : undefined;
  const fields = Buffer.concat([
    Buffer.of(o.format ?? 0x02), padded(o.issuerId ?? '621234', 4), hex(o.expiry ?? '1227'), hex(o.serial ?? '00A1B2'),
    Buffer.of(o.hashAlgo ?? 0x01, 0x01, issuer.n.length, issuer.e.length), inCert, Buffer.alloc(room - inCert.length, 0xbb),
  ]);
  const hash = sha1(fields, remainder ?? Buffer.alloc(0), issuer.e);
  if (o.tamperHash) hash[0] ^= 1;
  return { cert: sign(ca, Buffer.concat([Buffer.of(o.header ?? 0x6a), fields, hash, Buffer.of(0xbc)])), remainder };
}

/** EMV Book 2 Table 14 (v4.4 numbering): Signed Static Application Data (93). */
function ssad(issuer: Rsa, staticData: Buffer, format = 0x03): Buffer {
  const fields = Buffer.concat([Buffer.of(format, 0x01), hex('DAC1'), Buffer.alloc(issuer.n.length - 26, 0xbb)]);
  return sign(issuer, Buffer.concat([Buffer.of(0x6a), fields, sha1(fields, staticData), Buffer.of(0xbc)]));
}

/** EMV Book 2 Table 15 (v4.4 numbering): the ICC public key certificate (9F46) and remainder (9F48). */
function iccCertificate(issuer: Rsa, icc: Rsa, staticData: Buffer, o: { pan?: string; expiry?: string } = {}): { cert: Buffer; remainder?: Buffer } {
  const room = issuer.n.length - 42;
  const inCert = icc.n.subarray(0, room);
  const remainder = icc.n.length > room ? icc.n.subarray(room) : undefined;
  const fields = Buffer.concat([
    Buffer.of(0x04), padded(o.pan ?? PAN, 10), hex(o.expiry ?? '0628'), hex('000001'), Buffer.of(0x01, 0x01, icc.n.length, icc.e.length),
    inCert, Buffer.alloc(room - inCert.length, 0xbb),
  ]);
  const hash = sha1(fields, remainder ?? Buffer.alloc(0), icc.e, staticData);
  return { cert: sign(issuer, Buffer.concat([Buffer.of(0x6a), fields, hash, Buffer.of(0xbc)])), remainder };
}

/** EMV Book 2 Table 17 (v4.4 numbering): Signed Dynamic Application Data over the terminal's DDOL data. */
function sdad(icc: Rsa, ddolData: Buffer, o: { format?: number; signedData?: Buffer } = {}): Buffer {
  const dynamic = Buffer.concat([Buffer.of(8), hex('0102030405060708')]);
  const fields = Buffer.concat([Buffer.of(o.format ?? 0x05, 0x01, dynamic.length), dynamic, Buffer.alloc(icc.n.length - dynamic.length - 25, 0xbb)]);
  return sign(icc, Buffer.concat([Buffer.of(0x6a), fields, sha1(fields, o.signedData ?? ddolData), Buffer.of(0xbc)]));
}

const tlv = (tag: string, value: Buffer) => Buffer.concat([hex(tag), value.length < 0x80 ? Buffer.of(value.length) : Buffer.of(0x81, value.length), value]);

const STATIC = hex('5A0862123456789012345F24032812315F25032101019F0702FF00' + '3800'); // records, then AIP (9F4A → 82)
const u8 = (b: Buffer) => new Uint8Array(b);

interface Card { tags: Record<string, Buffer>; aip: string; staticData?: Buffer; answer?: (data: Buffer) => Buffer | Promise<Buffer>; ddolDefault?: Buffer }
function input(card: Card, seen: Buffer[] = []): OdaInput {
  const tags = new Map<number, Uint8Array>();
  for (const [t, v] of Object.entries(card.tags)) tags.set(parseInt(t, 16), u8(v));
  return {
    rid: RID, aip: u8(hex(card.aip)), tags, staticData: u8(card.staticData ?? STATIC), today: TODAY,
    ddolDefault: card.ddolDefault && u8(card.ddolDefault),
    internalAuthenticate: async (data) => {
      seen.push(Buffer.from(data));
      if (!card.answer) throw new Error('no INTERNAL AUTHENTICATE expected');
      return u8(await card.answer(Buffer.from(data)));
    },
  };
}

function sdaCard(o: IssuerCert = {}, ca = CA, issuer = ISSUER): Card {
  const { cert, remainder } = issuerCertificate(ca, issuer, o);
  const tags: Record<string, Buffer> = { '8F': Buffer.of(1), '90': cert, '9F32': issuer.e, '93': ssad(issuer, STATIC), '5A': hex('6212345678901234') };
  if (remainder) tags['92'] = remainder;
  return { tags, aip: '4000' };
}

function ddaCard(o: { iccPan?: string; iccExpiry?: string; format2?: boolean; signedData?: Buffer } = {}): Card {
  const card = sdaCard();
  delete card.tags['93'];
  const { cert, remainder } = iccCertificate(ISSUER, ICC, STATIC, { pan: o.iccPan, expiry: o.iccExpiry });
  Object.assign(card.tags, { '9F46': cert, '9F47': ICC.e, ...(remainder ? { '9F48': remainder } : {}) });
  card.aip = '6000'; // SDA and DDA offered: DDA runs
  card.answer = (data) => {
    const s = sdad(ICC, data, { signedData: o.signedData });
    return o.format2 ? tlv('77', Buffer.concat([tlv('9F27', Buffer.of(0x80)), tlv('9F4B', s)])) : tlv('80', s);
  };
  return card;
}

const run = (card: Card, keys: CaPublicKey[] = [capk(CA, 1)], revoked: { rid: string; index: number; serial: string }[] = [], seen?: Buffer[]) =>
  performOda(crypto, keys, revoked, input(card, seen));
const failure = (o: OdaOutcome) => (o.ok ? `${o.method} ok` : `${o.method} ${o.failure}`);

describe('rsaRecover', () => {
  it('is x^e mod n as OpenSSL computes it (publicEncrypt without padding), in modulus-length bytes', () => {
    for (const k of [CA, CA_BIG, ICC]) {
      for (let i = 0; i < 3; i++) {
        const x = randomBytes(k.n.length);
        x[0] = i === 0 ? 0 : x[0] % k.n[0]; // below n; one with leading zero bytes in and out
        const key = createPublicKey({ key: { kty: 'RSA', n: k.n.toString('base64url'), e: k.e.toString('base64url') }, format: 'jwk' });
        const expected = publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, x);
        expect(Buffer.from(rsaRecover(u8(k.n), u8(k.e), u8(x))).toString('hex')).toBe(expected.toString('hex'));
      }
    }
  });

  it('undoes a raw signature by the private key', () => {
    const block = Buffer.concat([Buffer.of(0x6a), randomBytes(CA.n.length - 2), Buffer.of(0xbc)]);
    expect(Buffer.from(rsaRecover(u8(CA.n), u8(CA.e), u8(sign(CA, block))))).toEqual(block);
  });

  it('refuses an input not below the modulus, of another length, and a malformed key, with RsaError', () => {
    const n = u8(CA.n);
    expect(() => rsaRecover(n, u8(CA.e), n)).toThrow(RsaError);
    expect(() => rsaRecover(n, u8(CA.e), new Uint8Array(n.length).fill(0xff))).toThrow(/not below the modulus/);
    expect(() => rsaRecover(n, u8(CA.e), new Uint8Array(n.length - 1))).toThrow(/is 143 bytes; the modulus is 144/);
    expect(() => rsaRecover(Uint8Array.of(0, ...n.subarray(1)), u8(CA.e), new Uint8Array(n.length))).toThrow(RsaError);
    expect(() => rsaRecover(n, new Uint8Array(0), new Uint8Array(n.length))).toThrow(RsaError);
  });

  it('modPow agrees with small known values', () => {
    expect(modPow(4n, 13n, 497n)).toBe(445n);
    expect(modPow(2n, 0n, 7n)).toBe(1n);
  });
});

describe('SDA (EMV Book 2 §5)', () => {
  it('accepts a card whose issuer certificate needs a remainder (92) and whose SSAD covers the static data', async () => {
    expect(await run(sdaCard())).toEqual({ method: 'sda', ok: true });
  });

  it('accepts an issuer key that fits in the certificate (BB padding, no 92) under a 65537 CA key', async () => {
    const card = sdaCard({}, CA_BIG, ISSUER_SMALL);
    expect(card.tags['92']).toBeUndefined();
    expect(await run(card, [capk(CA_BIG, 1)])).toEqual({ method: 'sda', ok: true });
  });

  it('finds the right key when the slot holds two', async () => {
    expect(failure(await run(sdaCard(), [capk(OTHER, 1), capk(CA, 1)]))).toBe('sda ok');
  });

  it('fails hash-mismatch when the static data changed after signing', async () => {
    const card = sdaCard();
    const tampered = Buffer.from(STATIC);
    tampered[5] ^= 0x01;
    const out = await run({ ...card, staticData: tampered });
    expect(out).toEqual({ method: 'sda', ok: false, failure: 'hash-mismatch', detail: expect.any(String) });
  });

  it('fails ssad-invalid for an SSAD of another format, signed by another key, or cut short', async () => {
    const card = sdaCard();
    expect(failure(await run({ ...card, tags: { ...card.tags, '93': ssad(ISSUER, STATIC, 0x05) } }))).toBe('sda ssad-invalid');
    const other = rsa(1024, 3);
    expect(failure(await run({ ...card, tags: { ...card.tags, '93': ssad(other, STATIC) } }))).toBe('sda ssad-invalid');
    expect(failure(await run({ ...card, tags: { ...card.tags, '93': card.tags['93'].subarray(1) } }))).toBe('sda ssad-invalid');
  });

  it('fails unknown-ca-key for an index the terminal lacks, another RID, or an expired CA key', async () => {
    const card = sdaCard();
    const lacks = await run({ ...card, tags: { ...card.tags, '8F': Buffer.of(9) } });
    expect(lacks).toEqual({ method: 'sda', ok: false, failure: 'unknown-ca-key', detail: 'the terminal has no CA key F000000001/09' });
    expect(failure(await run(card, [{ ...capk(CA, 1), rid: 'F000000002' }]))).toBe('sda unknown-ca-key');
    const expired = await run(card, [capk(CA, 1, Date.UTC(2026, 10, 25, 23, 59, 59, 999))]);
    expect(expired).toMatchObject({ failure: 'unknown-ca-key', detail: 'CA key F000000001/01 has expired' });
    expect(failure(await run(card, [capk(CA, 1, Date.UTC(2026, 10, 26, 23, 59, 59, 999))]))).toBe('sda ok'); // its last day
  });

  it('fails issuer-cert-expired for a certificate that ended last month, and accepts one ending this month', async () => {
    expect(failure(await run(sdaCard({ expiry: '1026' })))).toBe('sda issuer-cert-expired');
    expect(failure(await run(sdaCard({ expiry: '1299' })))).toBe('sda issuer-cert-expired'); // 1999 (YY 50–99)
    expect(failure(await run(sdaCard({ expiry: '1126' })))).toBe('sda ok');
    expect(failure(await run(sdaCard({ expiry: '1326' })))).toBe('sda issuer-cert-invalid'); // month 13
  });

  it('fails issuer-cert-revoked when the profile lists RID, index and serial; another serial or index passes', async () => {
    const card = sdaCard({ serial: '123ABC' });
    const out = await run(card, undefined, [{ rid: RID, index: 1, serial: '123ABC' }]);
    expect(out).toEqual({ method: 'sda', ok: false, failure: 'issuer-cert-revoked', detail: 'issuer certificate F000000001/01 serial 123ABC is revoked' });
    expect(failure(await run(card, undefined, [{ rid: RID, index: 2, serial: '123ABC' }, { rid: RID, index: 1, serial: '123ABD' }]))).toBe('sda ok');
  });

  it('fails issuer-cert-invalid for a wrong header, format, hash algorithm, hash, issuer identifier, signer or remainder', async () => {
    const good = sdaCard();
    const remainder = Buffer.from(good.tags['92']);
    remainder[3] ^= 0x10;
    const variants: [string, Card, string | RegExp][] = [
      ['header 6B', sdaCard({ header: 0x6b }), 'recovered header 6b, not 6a'],
      ['format 04', sdaCard({ format: 0x04 }), 'format 04, not 02'],
      ['hash algorithm 02', sdaCard({ hashAlgo: 0x02 }), 'hash algorithm 02, not 01 (SHA-1)'],
      ['hash', sdaCard({ tamperHash: true }), 'hash does not match'],
      ['issuer id of another BIN', sdaCard({ issuerId: '621235' }), 'issuer identifier does not match the PAN'],
      ['issuer id of two digits', sdaCard({ issuerId: '62' }), 'issuer identifier does not match the PAN'],
      // OTHER and the CA key are random 1152-bit keys of each run: OTHER's signature is below its own
      // modulus but, about one run in four, not below the CA key's, and recovery refuses it first.
      ['signed by another CA key', sdaCard({}, OTHER), /recovered header|input is not below the modulus/],
      ['changed remainder', { ...good, tags: { ...good.tags, '92': remainder } }, 'hash does not match'],
      ['exponent 65537 given for a key certified with 3', { ...good, tags: { ...good.tags, '9F32': hex('010001') } }, 'exponent of 1 bytes certified, the card gave 3'],
    ];
    for (const [name, card, reason] of variants) {
      const out = await run(card);
      expect({ name, outcome: failure(out), detail: out.ok ? '' : out.detail }).toEqual({ name, outcome: 'sda issuer-cert-invalid', detail: typeof reason === 'string' ? expect.stringContaining(reason) : expect.stringMatching(reason) });
    }
  });

  it('fails missing-data without 8F, 90, 92 (when the key needs it), 9F32, 93 or the PAN', async () => {
    const card = sdaCard();
    for (const tag of ['8F', '90', '92', '9F32', '93', '5A']) {
      const tags = { ...card.tags };
      delete tags[tag];
      const out = await run({ ...card, tags });
      expect({ tag, failure: failure(out) }).toEqual({ tag, failure: 'sda missing-data' });
    }
  });

  it('takes the PAN from the track 2 equivalent (57) when the card gives no 5A', async () => {
    const card = sdaCard();
    const { '5A': _pan, ...tags } = card.tags;
    expect(failure(await run({ ...card, tags: { ...tags, '57': hex('6212345678901234D30122010000000F') } }))).toBe('sda ok');
    expect(failure(await run({ ...card, tags: { ...tags, '57': hex('6212355678901234D30122010000000F') } }))).toBe('sda issuer-cert-invalid');
  });

  it('names no PAN and no key in its details', async () => {
    const outs = [await run(sdaCard({ issuerId: '621235' })), await run(sdaCard({ expiry: '1026' })), await run({ ...sdaCard(), staticData: Buffer.alloc(3) })];
    for (const o of outs) {
      const detail = o.ok ? '' : o.detail;
      expect(detail).not.toMatch(/6212345678901234|621234/);
      expect(detail.toUpperCase()).not.toContain(ISSUER.n.subarray(0, 8).toString('hex').toUpperCase());
    }
  });
});

describe('DDA (EMV Book 2 §6)', () => {
  it('accepts a card answering INTERNAL AUTHENTICATE in format 1 (80) over the default DDOL 9F37 04', async () => {
    const seen: Buffer[] = [];
    const card = ddaCard();
    const tags = new Map<number, Uint8Array>(input(card).tags);
    tags.set(0x9f37, Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
    const out = await performOda(crypto, [capk(CA, 1)], [], { ...input(card, seen), tags });
    expect(out).toEqual({ method: 'dda', ok: true });
    expect(seen.map((b) => b.toString('hex'))).toEqual(['deadbeef']);
  });

  it('accepts format 2 (77 holding 9F4B) and builds the DDOL data the card names in 9F49 (numeric objects padded and cut on the left)', async () => {
    const seen: Buffer[] = [];
    const card = ddaCard({ format2: true });
    card.tags['9F49'] = hex('9F37049F02075F2A019F4C02');
    card.tags['9F37'] = hex('01020304');
    card.tags['9F02'] = hex('000000001234');
    card.tags['5F2A'] = hex('0156');
    expect(await run(card, undefined, undefined, seen)).toEqual({ method: 'dda', ok: true });
    expect(seen.map((b) => b.toString('hex'))).toEqual(['01020304' + '00000000001234' + '56' + '0000']);
  });

  it('accepts with a terminal default DDOL that names 9F37 among others; refuses one that does not name it', async () => {
    const card = { ...ddaCard(), ddolDefault: hex('9F1A029F3708') };
    const seen: Buffer[] = [];
    expect(failure(await run(card, undefined, undefined, seen))).toBe('dda ok');
    expect(seen[0]).toHaveLength(10);
    expect(failure(await run({ ...ddaCard(), ddolDefault: hex('9F1A02') }))).toBe('dda missing-data');
  });

  it('fails sdad-invalid when the card signs other data than the terminal sent, answers another template, or an SDAD of format 03', async () => {
    expect(failure(await run(ddaCard({ signedData: Buffer.alloc(4) })))).toBe('dda sdad-invalid');
    const card = ddaCard();
    expect(failure(await run({ ...card, answer: (d) => tlv('81', sdad(ICC, d)) }))).toBe('dda sdad-invalid');
    expect(failure(await run({ ...card, answer: (d) => sdad(ICC, d).subarray(0, 50) }))).toBe('dda sdad-invalid');
    expect(failure(await run({ ...card, answer: (d) => tlv('80', sdad(ICC, d, { format: 0x03 })) }))).toBe('dda sdad-invalid');
    expect(failure(await run({ ...card, answer: () => tlv('77', tlv('9F27', Buffer.of(0))) }))).toBe('dda sdad-invalid');
    expect(failure(await run({ ...card, answer: (d) => tlv('80', sdad(ISSUER, d)) }))).toBe('dda sdad-invalid');
  });

  it('fails icc-cert-invalid for another application PAN or changed static data, icc-cert-expired for an old certificate', async () => {
    expect(failure(await run(ddaCard({ iccPan: '6212345678901235' })))).toBe('dda icc-cert-invalid');
    const tampered = Buffer.from(STATIC);
    tampered[tampered.length - 1] ^= 0x80;
    expect(failure(await run({ ...ddaCard(), staticData: tampered }))).toBe('dda icc-cert-invalid');
    expect(failure(await run(ddaCard({ iccExpiry: '1026' })))).toBe('dda icc-cert-expired');
  });

  it('fails missing-data without 9F46, 9F47 or 9F48; runs the issuer checks first (unknown CA key)', async () => {
    for (const tag of ['9F46', '9F47', '9F48']) {
      const card = ddaCard();
      delete card.tags[tag];
      expect({ tag, outcome: failure(await run(card)) }).toEqual({ tag, outcome: 'dda missing-data' });
    }
    expect(failure(await run(ddaCard(), [capk(CA, 2)]))).toBe('dda unknown-ca-key');
  });

  it('throws CardError card-removed when the card stops answering INTERNAL AUTHENTICATE, passes a reader CardError on, and fails sdad-invalid on a refusal', async () => {
    const gone = { ...ddaCard(), answer: () => { throw new Error('no answer from the card'); } };
    await expect(run(gone)).rejects.toMatchObject({ name: 'CardError', code: 'card-removed' });
    const timeout = { ...ddaCard(), answer: () => { throw new CardError('pn532-timeout', 'no answer'); } };
    await expect(run(timeout)).rejects.toMatchObject({ code: 'pn532-timeout' });
    const refused = { ...ddaCard(), answer: () => { throw new CardError('card-status', 'INTERNAL AUTHENTICATE answered 6985'); } };
    expect(await run(refused)).toEqual({ method: 'dda', ok: false, failure: 'sdad-invalid', detail: 'INTERNAL AUTHENTICATE refused: INTERNAL AUTHENTICATE answered 6985' });
  });

  it('performs none for a card that offers neither SDA nor DDA', async () => {
    expect(await run({ ...sdaCard(), aip: '0000' })).toEqual({ method: 'none', ok: true });
    expect(failure(await run({ ...sdaCard(), aip: '40' }))).toBe('sda missing-data');
  });
});

/**
 * Published data: the SDA example of emv-tools (github.com/lumag/emv-tools, test/sda-test.c): the
 * Visa VSDC 1024-bit TEST CA key A000000003/01, a card's issuer certificate (90), remainder (92),
 * exponent 03, SSAD (93), and its static data (records, then AIP 5C00 as 9F4A asks). The issuer
 * certificate says 427655, expiry MMYY 1209 (December 2009), serial 0042B3.
 */
describe('published EMV SDA data (emv-tools test/sda-test.c)', () => {
  const VSDC_01 = {
    modulus:
      'C696034213D7D8546984579D1D0F0EA519CFF8DEFFC429354CF3A871A6F7183F' +
      '1228DA5C7470C055387100CB935A712C4E2864DF5D64BA93FE7E63E71F25B1E5' +
      'F5298575EBE1C63AA617706917911DC2A75AC28B251C7EF40F2365912490B939' +
      'BCA2124A30A28F54402C34AECA331AB67E1E79B285DD5771B5D9FF79EA630B75',
    checksum: 'D34A6A776011C7E7CE3AEC5F03AD2F8CFC5503CC',
  };
  const ISSUER_CERT =
    '3C5FEAD4DD7BCA44F93E90C44F76EDE54A3288ECDC78469FCB1225C03B2C04F2' +
    'C2F412281A0822DF14649230989FB1494070DAF8C9534A7881960148616ACE58' +
    '1788120D3506ACE4CEE564FB27EE53341C22F0B45B31873D05DE545EFE33BCD2' +
    '9B2185D035A806AD08C6976F3505A19999930CA8A03EFA321C486061F7DCEC9F';
  const ISSUER_REMAINDER = '1EBCA30F00CE5962A8C6E130544B82891B236C65DE29317F364735DEE63F6598975835D5';
  const SSAD =
    '99A558B62B674AA5E7D2A57E5EF6A6F2258E5DA052D05B54E5C115FF1CECF94A' +
    'A2DF8F39A01D71C619EB819DA52EF381E84979586AEA7855FFBEF40AA3A71CD3' +
    'B04CFDF270AEC8158A2797F24FD613B748134661135CD290E45B04A8E0CCC711' +
    'AE042F159E73C89C2A7E65A4C2FD1D6106024AA27130B0ECEC0238F91659DE96';
  const STATIC_DATA = '5F24030812315A0842765500132345995F3401019F0702FF009F0D05D040ACA8009F0E0500100000009F0F05D068BCF800' + '5C00';
  const visa: CaPublicKey = { rid: 'A000000003', index: 1, modulus: u8(hex(VSDC_01.modulus)), exponent: Uint8Array.of(3), checksum: u8(hex(VSDC_01.checksum)), expiresMs: undefined, label: 'VSDC test 01' };
  const oda = (today: string, staticData = STATIC_DATA) =>
    performOda(crypto, [visa], [], {
      rid: 'A000000003', aip: Uint8Array.of(0x5c, 0x00), staticData: u8(hex(staticData)), today,
      tags: new Map([[0x8f, Uint8Array.of(1)], [0x90, u8(hex(ISSUER_CERT))], [0x92, u8(hex(ISSUER_REMAINDER))], [0x9f32, Uint8Array.of(3)], [0x93, u8(hex(SSAD))], [0x5a, u8(hex('4276550013234599'))]]),
      internalAuthenticate: async () => { throw new Error('SDA sends no INTERNAL AUTHENTICATE'); },
    });

  it('the published CA key checksum is SHA-1 over RID ‖ index ‖ modulus ‖ exponent (node:crypto)', () => {
    expect(sha1(hex('A000000003'), Buffer.of(1), hex(VSDC_01.modulus), Buffer.of(3)).toString('hex').toUpperCase()).toBe(VSDC_01.checksum);
  });

  it('passes SDA on a day the issuer certificate was valid', async () => {
    expect(await oda('091231')).toEqual({ method: 'sda', ok: true });
  });

  it('names the certificate expired from January 2010, and a changed record a hash mismatch', async () => {
    expect(await oda('100101')).toMatchObject({ ok: false, failure: 'issuer-cert-expired', detail: 'issuer certificate expired (MMYY 1209)' });
    expect(await oda('090101', STATIC_DATA.replace('5F2403081231', '5F2403091231'))).toMatchObject({ ok: false, failure: 'hash-mismatch' });
  });
});

/**
 * Published data: the DDA example of emv-tools (test/dda-test.c): the Mastercard 1408-bit TEST
 * CA key A000000004/05, issuer certificate (expiry MMYY 1221) with remainder, ICC certificate
 * (MMYY 0615, key in the certificate, no 9F48), static data ending with AIP 3900, and the SDAD
 * the card gave for DDOL data 00000000 (9F37 of zeros).
 */
describe('published EMV DDA data (emv-tools test/dda-test.c)', () => {
  const V = {
    modulus:
      'B8048ABC30C90D976336543E3FD7091C8FE4800DF820ED55E7E94813ED00555B' +
      '573FECA3D84AF6131A651D66CFF4284FB13B635EDD0EE40176D8BF04B7FD1C7B' +
      'ACF9AC7327DFAA8AA72D10DB3B8E70B2DDD811CB4196525EA386ACC33C0D9D45' +
      '75916469C4E4F53E8E1C912CC618CB22DDE7C3568E90022E6BBA770202E4522A' +
      '2DD623D180E215BD1D1507FE3DC90CA310D27B3EFCCD8F83DE3052CAD1E48938' +
      'C68D095AAC91B5F37E28BB49EC7ED597',
    issuerCertificate:
      '1714284F763B8586EE6D319951F7E63FA25076E50DC9D3200BA998D3A052ADBA' +
      '9AB69AC6AD6ADD3CE09F0278F4074EC4EE9B1D2268A3E953575E454E50CD860B' +
      'F424C51C597712D2AA057089DD8673E51B1E1D7188034892077AC18A6AE23488' +
      'BEA9DF3B1A83F2C0800CD7C5CDF2FDE0496F7BC39FB4BF363299BFA637B2EC33' +
      'C507E36821EEC2075F0E420D38A1C9F3127261BA316C987674FADB20EA7FEB75' +
      'EE455D12146EA6F02E8B01EC2FA7A115',
    issuerRemainder:
      '6E63B7BC70ABDD09341B34C03286BA9BD83BA7936C5B7798FB22C5E53FF240A2' +
      '6DBD6415',
    iccCertificate:
      'A42FBEB156B98DCB0554DA062ADCA5309A91F04FA2C7BD7102A8D73F16A3CFAD' +
      'E8AADF4F3FE2A2125CCDD77C6B9F78B5B4371CE0805725B0F9C027AF147D91E1' +
      'FFDB201E9C170CE777053A172AD526DCAFD33895E1A947305C5B167F2E7C6F99' +
      '1581A652EE473154760C2ED774214E50DFECDD4CF294C974B89EBCA25B5AB3C0' +
      'BEB50DFAF782AFDE1433D90CA2A89D651E75D67EBC7C3E36F5A165EE61326129' +
      '39C1ECD399E46074B996D93A88E01E0A',
    sdad:
      '3D87F31056102D2512CFDE30900627C1263A76D1DAA821F50831E606C54544C2' +
      '58131EAEBE874DCB1A28CF82D3FF91118260BC91113711D3B289FA41BE69C7A7' +
      'B5C783E6F8F97FCE13F08B13FA44183E3718CEBF0C41473D2B0FF4DE44B6A02D' +
      '75ADB6D4962393FFDF4E69026CDF38FF',
    staticData:
      '5F25031405015F24031506305A0852858812543456535F3401018E0C00000000' +
      '000000001E031F039F0702FF009F0D05BC50BC00009F0E0500000000009F0F05' +
      'BC70BC98009F4A01825F280206438C219F02069F03069F1A0295055F2A029A03' +
      '9C019F37049F35019F45029F4C089F34038D0C910A8A0295059F37049F4C0839' +
      '00',

  };
  const mchip: CaPublicKey = { rid: 'A000000004', index: 5, modulus: u8(hex(V.modulus)), exponent: Uint8Array.of(3), checksum: new Uint8Array(20), expiresMs: undefined, label: 'M/Chip test 05' };
  const oda = (today: string, sdad = V.sdad, seen: Buffer[] = []) =>
    performOda(crypto, [mchip], [], {
      rid: 'A000000004', aip: Uint8Array.of(0x39, 0x00), staticData: u8(hex(V.staticData)), today,
      tags: new Map([
        [0x8f, Uint8Array.of(5)], [0x90, u8(hex(V.issuerCertificate))], [0x92, u8(hex(V.issuerRemainder))], [0x9f32, Uint8Array.of(3)],
        [0x9f46, u8(hex(V.iccCertificate))], [0x9f47, Uint8Array.of(3)], [0x5a, u8(hex('5285881254345653'))], [0x9f37, new Uint8Array(4)],
      ]),
      internalAuthenticate: async (data) => {
        seen.push(Buffer.from(data));
        return u8(tlv('80', hex(sdad)));
      },
    });

  it('passes DDA with the published signature over DDOL data 00000000 (the default DDOL 9F37 04)', async () => {
    const seen: Buffer[] = [];
    expect(await oda('150630', V.sdad, seen)).toEqual({ method: 'dda', ok: true });
    expect(seen.map((b) => b.toString('hex'))).toEqual(['00000000']);
  });

  it('names the ICC certificate expired after June 2015, and a changed signature sdad-invalid', async () => {
    expect(await oda('150701')).toMatchObject({ ok: false, failure: 'icc-cert-expired', detail: 'ICC certificate expired (MMYY 0615)' });
    const changed = V.sdad.slice(0, 10) + (V.sdad[10] === '0' ? '1' : '0') + V.sdad.slice(11);
    expect(await oda('150630', changed)).toMatchObject({ ok: false, failure: 'sdad-invalid' });
  });
});
