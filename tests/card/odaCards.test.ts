/**
 * The synthetic ODA cards of host-sim/tools/make-cards.ts, read as a terminal reads them: each
 * sample file answers SELECT, GET PROCESSING OPTIONS, READ RECORD and INTERNAL AUTHENTICATE as a
 * virtual card, and performOda with the card scenarios' CA table (capk/cards.json) gives the
 * outcome the card was made for. The tables' keys and the cards' certificates are checked with
 * node:crypto (JWK import, raw RSA public operation, SHA-1), not with the code under test.
 */
import { constants, createHash, createPrivateKey, createPublicKey, publicEncrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { cardFromFile } from '../../host-sim/cards/virtualCard';
import { CARDS_CAPK, REVOKED, SAMPLES, json, makeCards } from '../../host-sim/tools/make-cards';
import { performOda, type OdaOutcome } from '../../firmware/core/card/emv/oda';
import { parseTlv, findTag, collectPrimitives } from '../../firmware/core/card/emv/tlv';
import { gpoApdu, internalAuthenticateApdu, readRecordApdu, responseData, selectApdu, sw } from '../../firmware/core/card/emv/apdu';
import { parseDol, buildDolData } from '../../firmware/core/card/emv/dol';
import { judgeKeys, parseCapkTable } from '../../firmware/core/security/caPublicKeys';

const crypto = new NodeCrypto(3);
const TODAY = '261126';
const DEMO = join(__dirname, '../../host-sim/scenarios/capk/demo.json');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const CAPK = read(CARDS_CAPK) as { keys: { rid: string; index: string; modulus: string; exponent: string; checksum: string }[] };

type Revoked = { rid: string; index: number; serial: string }[];

/** A terminal's read of the card's ODA data, over APDUs (EMV Book 3 §10.3 for the static data). */
async function odaOf(file: string, revoked: Revoked = []): Promise<OdaOutcome> {
  const card = cardFromFile(read(join(SAMPLES, file)));
  const send = (apdu: Uint8Array) => {
    const r = card.answer(apdu);
    if (sw(r) !== 0x9000) throw new Error(`${file}: SW ${sw(r).toString(16)}`);
    return responseData(r);
  };
  const fci = parseTlv(send(selectApdu(Uint8Array.from(Buffer.from('A000000333010101', 'hex')))));
  const pdol = findTag(fci, 0x9f38)!.value;
  const gpo = parseTlv(send(gpoApdu(buildDolData(parseDol(pdol), new Map()))));
  const aip = findTag(gpo, 0x82)!.value;
  const afl = findTag(gpo, 0x94)!.value;
  const tags = collectPrimitives(gpo);
  const staticParts: Buffer[] = [];
  for (let i = 0; i < afl.length; i += 4) {
    const [sfiByte, first, last, oda] = afl.subarray(i, i + 4);
    for (let rec = first; rec <= last; rec++) {
      const record = parseTlv(send(readRecordApdu(sfiByte >> 3, rec)));
      collectPrimitives(record, tags);
      if (rec - first < oda) staticParts.push(Buffer.from(record[0].value)); // SFI 1–10: the 70 template's value
    }
  }
  const list = tags.get(0x9f4a);
  if (list) staticParts.push(Buffer.from(tags.get(list[0])!)); // 9F4A names the AIP (82)
  tags.set(0x9f37, Uint8Array.of(0x11, 0x22, 0x33, 0x44));
  return performOda(crypto, parseCapkTable(CAPK.keys), revoked, {
    rid: 'A000000333', aip, tags, staticData: new Uint8Array(Buffer.concat(staticParts)), today: TODAY,
    internalAuthenticate: async (data) => send(internalAuthenticateApdu(data)),
  });
}

describe('synthetic ODA cards (host-sim/tools/make-cards.ts)', () => {
  it('are what the tool makes from its seeds, byte for byte (committed output is reproducible)', () => {
    const { cards, capk } = makeCards(read(DEMO).keys);
    expect(cards.map((c) => c.file)).toHaveLength(6);
    for (const c of cards) expect({ file: c.file, text: readFileSync(join(SAMPLES, c.file), 'utf8') }).toEqual({ file: c.file, text: json(c.json) });
    expect(readFileSync(CARDS_CAPK, 'utf8')).toBe(json(capk));
  });

  it("cards.json holds demo.json's keys and the two card CA keys, RSA keys node:crypto reads, with SHA-1 checksums, all valid", () => {
    expect(CAPK.keys.slice(0, -2)).toEqual(read(DEMO).keys);
    for (const k of CAPK.keys.slice(-2)) {
      const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(k.modulus, 'hex').toString('base64url'), e: Buffer.from(k.exponent, 'hex').toString('base64url') }, format: 'jwk' });
      expect(key.asymmetricKeyDetails?.modulusLength).toBe(k.modulus.length * 4);
      expect(createHash('sha1').update(Buffer.from(k.rid + k.index + k.modulus + k.exponent, 'hex')).digest('hex').toUpperCase()).toBe(k.checksum);
    }
    expect(judgeKeys(crypto, parseCapkTable(CAPK.keys), Date.UTC(2026, 10, 26), true).every((f) => f.status === 'valid')).toBe(true);
  });

  it('the issuer certificate of the SDA card recovers under its CA key with node:crypto to 6A 02 … BC, issuer 621234', () => {
    const file = read(join(SAMPLES, 'unionpay-contactless-sda.json'));
    const tags = new Map<string, string>(file.applications[0].records[2].tags);
    const ca = CAPK.keys.find((k) => k.rid === 'A000000333' && k.index === tags.get('8F'))!;
    const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(ca.modulus, 'hex').toString('base64url'), e: Buffer.from(ca.exponent, 'hex').toString('base64url') }, format: 'jwk' });
    const rec = publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(tags.get('90')!, 'hex'));
    expect(rec.subarray(0, 6).toString('hex')).toBe('6a02621234ff');
    expect(rec[rec.length - 1]).toBe(0xbc);
  });

  it("the DDA card's ICC test key is a consistent RSA key for node:crypto", () => {
    const k = read(join(SAMPLES, 'unionpay-contactless-dda.json')).applications[0].dda.iccPrivateTest;
    const b = (h: string) => Buffer.from(h, 'hex').toString('base64url');
    const key = createPrivateKey({ key: { kty: 'RSA', n: b(k.modulus), e: b(k.publicExponent), d: b(k.privateExponent), p: b(k.p), q: b(k.q), dp: b(k.dp), dq: b(k.dq), qi: b(k.qinv) }, format: 'jwk' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(768);
    expect(BigInt(`0x${k.p}`) * BigInt(`0x${k.q}`)).toBe(BigInt(`0x${k.modulus}`));
  });

  it.each([
    ['unionpay-contactless-sda.json', { method: 'sda', ok: true }],
    ['unionpay-contactless-dda.json', { method: 'dda', ok: true }],
    ['unionpay-contactless-sda-tampered.json', { method: 'sda', ok: false, failure: 'hash-mismatch' }],
    ['unionpay-contactless-issuer-expired.json', { method: 'sda', ok: false, failure: 'issuer-cert-expired' }],
    ['unionpay-contactless-ca-missing.json', { method: 'sda', ok: false, failure: 'unknown-ca-key', detail: 'the terminal has no CA key A000000333/E3' }],
    ['unionpay-contactless-revoked.json', { method: 'sda', ok: true }],
  ])('%s read by a terminal with capk/cards.json: %j', async (file, expected) => {
    expect(await odaOf(file)).toMatchObject(expected);
  });

  it('the revoked sample is refused by a profile that lists its certificate', async () => {
    expect(await odaOf('unionpay-contactless-revoked.json', [{ ...REVOKED }])).toMatchObject({ ok: false, failure: 'issuer-cert-revoked' });
    expect(await odaOf('unionpay-contactless-sda.json', [{ ...REVOKED }])).toMatchObject({ ok: true });
  });
});
