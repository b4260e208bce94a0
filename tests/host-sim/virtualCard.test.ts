/**
 * Virtual cards (host-sim/cards): the six shared recorded traces replayed exchange by exchange,
 * the profile card's answers parsed with an independent published BER-TLV parser (ber-tlv
 * 0.9.2), DDA signatures opened with node:crypto, SHA-1 and the RSA private operation against
 * node:crypto, the contact slot's T=0 procedure bytes, card-file errors with their paths.
 * The traces live in ../shared/testdata/emv-traces; where ../shared is absent those tests are
 * skipped and counted as skipped (tests/plainSummary.js), as tests/security/caPublicKeys.test.ts does.
 */
import { constants, createHash, generateKeyPairSync, privateEncrypt, publicDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PortError } from '../../firmware/core/ports';
import { CardFileError, parseCardFile } from '../../host-sim/cards/cardFile';
import { VirtualContactReader } from '../../host-sim/cards/contactReader';
import { SimMagstripe, SimScanner } from '../../host-sim/cards/inputs';
import { rsaPrivate, type RsaPrivateTestKey } from '../../host-sim/cards/rsaPrivate';
import { sha1 } from '../../host-sim/cards/sha1';
import { CardGone, ProfileCard, TraceCard, cardFromFile } from '../../host-sim/cards/virtualCard';

interface BerTlv { tag: string; type: number; value: Buffer | null; items: BerTlv[] | null }
// ber-tlv ships no types at its main entry; this is the shape its release/definitions declare.
const { TlvFactory } = require('ber-tlv') as { TlvFactory: { parse(hex: string): BerTlv[] } };

const SAMPLES = join(__dirname, '../../host-sim/cards/samples');
const TRACES = join(__dirname, '../../../shared/testdata/emv-traces');
const shared = existsSync(TRACES);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const sample = (file: string): unknown => JSON.parse(readFileSync(join(SAMPLES, file), 'utf8'));
const swOf = (r: Uint8Array) => hex(r.subarray(r.length - 2));
const dataOf = (r: Uint8Array) => r.subarray(0, r.length - 2);

/** Parses a response's data with ber-tlv; a path like ['6F', 'A5', '50'] finds a value. */
function parse(r: Uint8Array): BerTlv[] {
  expect(swOf(r)).toBe('9000');
  return TlvFactory.parse(hex(dataOf(r)));
}
function find(nodes: BerTlv[], path: string[]): BerTlv | undefined {
  let level: BerTlv[] | null = nodes;
  let found: BerTlv | undefined;
  for (const tag of path) {
    found = (level ?? []).find((n) => n.tag === tag);
    if (!found) return undefined;
    level = found.items;
  }
  return found;
}
const valueHex = (nodes: BerTlv[], path: string[]) => {
  const node = find(nodes, path);
  return node?.value ? node.value.toString('hex').toUpperCase() : undefined;
};

const apdu = (h: string) => bytes(h.replace(/ /g, ''));
const select = (name: Uint8Array, p2 = 0) => bytes(`00A404${p2.toString(16).padStart(2, '0')}${name.length.toString(16).padStart(2, '0')}${hex(name)}00`);
const PPSE = select(Buffer.from('2PAY.SYS.DDF01'));
const PSE = select(Buffer.from('1PAY.SYS.DDF01'));
const readRecord = (sfi: number, rec: number, le = 0) => bytes(`00B2${rec.toString(16).padStart(2, '0')}${((sfi << 3) | 4).toString(16).padStart(2, '0')}${le.toString(16).padStart(2, '0')}`);
const gpo = (pdolData: string) => {
  const len = pdolData.length / 2;
  return bytes(`80A80000${(len + 2).toString(16).padStart(2, '0')}83${len.toString(16).padStart(2, '0')}${pdolData}00`);
};
const generateAc = (p1: number, data: string) => bytes(`80AE${p1.toString(16).padStart(2, '0')}00${(data.length / 2).toString(16).padStart(2, '0')}${data}00`);

// ---------------------------------------------------------------------------------------

describe('SHA-1 and the RSA private operation against node:crypto', () => {
  it('sha1 agrees with node:crypto at every padding boundary and on random messages', () => {
    const lengths = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000];
    for (let i = 0; i < 20; i++) lengths.push(randomBytes(1)[0] * 7);
    for (const n of lengths) {
      const m = randomBytes(n);
      expect(hex(sha1(new Uint8Array(m)))).toBe(createHash('sha1').update(m).digest('hex').toUpperCase());
    }
    expect(hex(sha1(new Uint8Array(Buffer.from('abc'))))).toBe('A9993E364706816ABA3E25717850C26C9CD0D89D'); // FIPS 180 example
  });

  it('rsaPrivate (with and without CRT) equals node:crypto privateEncrypt with no padding', () => {
    for (const bits of [1024, 1152]) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 3 });
      const key = testKey(privateKey);
      const plain: RsaPrivateTestKey = { ...key, crt: undefined };
      for (let i = 0; i < 3; i++) {
        const input = new Uint8Array(randomBytes(bits / 8));
        input[0] = 0x6a; // below the modulus, whose top bit is set
        const reference = privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, input);
        expect(hex(rsaPrivate(key, input))).toBe(hex(reference));
        expect(hex(rsaPrivate(plain, input))).toBe(hex(reference));
      }
      expect(() => rsaPrivate(key, new Uint8Array(bits / 8).fill(0xff))).toThrow('not below the modulus');
    }
  });
});

/** The test-key fields of a node:crypto private key, as a card file carries them. */
function testKey(privateKey: KeyObject): RsaPrivateTestKey {
  const jwk = privateKey.export({ format: 'jwk' });
  const b = (s: string | undefined) => new Uint8Array(Buffer.from(s!, 'base64url'));
  return { modulus: b(jwk.n), publicExponent: b(jwk.e), privateExponent: b(jwk.d), crt: { p: b(jwk.p), q: b(jwk.q), dp: b(jwk.dp), dq: b(jwk.dq), qinv: b(jwk.qi) } };
}
const keyHex = (k: RsaPrivateTestKey) => ({ modulus: hex(k.modulus), publicExponent: hex(k.publicExponent), privateExponent: hex(k.privateExponent), p: hex(k.crt!.p), q: hex(k.crt!.q), dp: hex(k.crt!.dp), dq: hex(k.crt!.dq), qinv: hex(k.crt!.qinv) });

// ---------------------------------------------------------------------------------------

interface TraceJson { name: string; interface: string; exchanges: { capdu: string; rapdu: string }[] }
const traceFiles = shared ? readdirSync(TRACES).filter((f) => f.endsWith('.json')).sort() : [];
const readTrace = (f: string): TraceJson => JSON.parse(readFileSync(join(TRACES, f), 'utf8'));

(shared ? describe : describe.skip)(`recorded traces ${shared ? '(../shared/testdata/emv-traces)' : '(needs ../shared/testdata: absent)'}`, () => {
  it('there are the six traces the README lists', () => {
    expect(traceFiles).toHaveLength(6);
  });

  it('each trace answers its own exchanges in recorded order with the recorded responses ("" steps take any command)', () => {
    for (const f of traceFiles) {
      const json = readTrace(f);
      const card = cardFromFile(json);
      expect(card).toBeInstanceOf(TraceCard);
      expect(card.interface).toBe(json.interface);
      expect(json.interface === 'contact' ? card.atr : card.uid).toBeDefined();
      json.exchanges.forEach((e, i) => {
        const command = e.capdu === '' ? apdu(`80CA9F${(i & 0xff).toString(16).padStart(2, '0')}00`) : apdu(e.capdu);
        expect(`${f}#${i} ${hex(card.answer(command))}`).toBe(`${f}#${i} ${e.rapdu}`);
      });
      expect(card.trace).toEqual([]);
      // Everything used: a recorded command sent again is unexpected.
      const again = json.exchanges.find((e) => e.capdu !== '')!;
      const before = json.exchanges.filter((e) => e.capdu === again.capdu).length;
      if (before === 1) {
        expect(hex(card.answer(apdu(again.capdu)))).toBe('6D00');
        expect(card.trace).toHaveLength(1);
        expect(card.trace[0]).toContain('unexpected command');
      }
    }
  });

  it('a terminal that skips the recording reader\'s GET DATA 9F7F is still answered by command (Mastercard PPSE)', () => {
    const json = readTrace('devnied-MasterCardPpse.json');
    const card = cardFromFile(json);
    expect(hex(card.answer(PPSE))).toBe(json.exchanges[1].rapdu);
    expect(hex(card.answer(apdu('00A4040007A000000004101000')))).toBe(json.exchanges[7].rapdu);
    // The second AID's GPO is the next one after it, the first AID's GPO is still there before it.
    expect(hex(card.answer(apdu('80A8000002830000')))).toBe(json.exchanges[8].rapdu);
    expect(hex(card.answer(apdu('80A8000002830000')))).toBe(json.exchanges[3].rapdu);
    expect(hex(card.answer(apdu('00B2011400')))).toBe(json.exchanges[4].rapdu);
    expect(hex(card.answer(apdu('00B2021400')))).toBe('6D00');
    expect(card.trace).toEqual([expect.stringContaining('unexpected command 00B20214')]);
    card.reset();
    expect(hex(card.answer(PPSE))).toBe(json.exchanges[1].rapdu);
  });

  it('an unrecorded GPO step right after SELECT takes the terminal\'s own GPO (Visa PPSE: 6700, then the empty-PDOL retry)', () => {
    const json = readTrace('devnied-VisaCardPpse.json');
    const card = cardFromFile(json);
    card.answer(PPSE);
    card.answer(apdu('00A4040007A000000042101000'));
    expect(hex(card.answer(gpo('00000000' + '000000000100' + '000000000000' + '0156' + '0000000000' + '0156' + '261202' + '00' + '11223344')))).toBe('6700');
    expect(hex(card.answer(apdu('80A8000002830000')))).toBe(json.exchanges[4].rapdu);
  });

  it('the T=0 traces pass through the contact slot unchanged (their procedure bytes are recorded)', async () => {
    for (const f of ['devnied-wrapperTestSW_61.json', 'devnied-wrapperTestSW_6C.json']) {
      const json = readTrace(f);
      const reader = new VirtualContactReader();
      reader.insert(cardFromFile(json));
      expect((await reader.detect()).kind).toBe('contact');
      for (const e of json.exchanges) expect(hex(await reader.transmit(apdu(e.capdu)))).toBe(e.rapdu);
    }
  });
});

// ---------------------------------------------------------------------------------------

const CL_PDOL_DATA = '36000000' + '000000001234' + '000000000000' + '0156' + '0000000000' + '0156' + '261202' + '00' + 'A1B2C3D4'; // 33 bytes
const CDOL1_DATA = '000000001234' + '000000000000' + '0156' + '0000000000' + '0156' + '261202' + '00' + 'A1B2C3D4' + '22' + '420300'; // 33 bytes

/** The AFL's (SFI, record) pairs (EMV Book 3 §10.2), read here from the bytes by hand. */
function aflRecords(afl: string): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < afl.length; i += 8) {
    const sfi = parseInt(afl.slice(i, i + 2), 16) >> 3;
    for (let r = parseInt(afl.slice(i + 2, i + 4), 16); r <= parseInt(afl.slice(i + 4, i + 6), 16); r++) out.push([sfi, r]);
  }
  return out;
}

describe('profile cards: answers parsed with ber-tlv', () => {
  it('contactless: PPSE, SELECT AID, GPO format 2, the AFL\'s records, GET DATA, GENERATE AC', () => {
    const card = cardFromFile(sample('unionpay-contactless-nooda.json')) as ProfileCard;
    expect(card).toBeInstanceOf(ProfileCard);
    expect(hex(card.uid!)).toBe('04A1B2C3D4E5F6');
    const ppse = parse(card.answer(PPSE));
    expect(valueHex(ppse, ['6F', '84'])).toBe(hex(Buffer.from('2PAY.SYS.DDF01')));
    expect(valueHex(ppse, ['6F', 'A5', 'BF0C', '61', '4F'])).toBe('A000000333010101');
    expect(valueHex(ppse, ['6F', 'A5', 'BF0C', '61', '50'])).toBe(hex(Buffer.from('UnionPay Debit')));
    expect(valueHex(ppse, ['6F', 'A5', 'BF0C', '61', '87'])).toBe('01');
    expect(swOf(card.answer(PSE))).toBe('6A82'); // a contactless card has no PSE

    const fci = parse(card.answer(select(bytes('A000000333'))));
    expect(valueHex(fci, ['6F', '84'])).toBe('A000000333010101');
    expect(valueHex(fci, ['6F', 'A5', '9F38'])).toBe('9F66049F02069F03069F1A0295055F2A029A039C019F3704');
    expect(valueHex(fci, ['6F', 'A5', '5F2D'])).toBe(hex(Buffer.from('zhen')));
    expect(swOf(card.answer(select(bytes('A000000333'), 2)))).toBe('6A82'); // no next application

    expect(swOf(card.answer(gpo('00')))).toBe('6700'); // PDOL data of the wrong length
    const gpoAnswer = parse(card.answer(gpo(CL_PDOL_DATA)));
    expect(valueHex(gpoAnswer, ['77', '82'])).toBe('1880');
    const afl = valueHex(gpoAnswer, ['77', '94'])!;
    const tags = new Map<string, string>();
    for (const [sfi, rec] of aflRecords(afl)) {
      const record = parse(card.answer(readRecord(sfi, rec)));
      expect(record[0].tag).toBe('70');
      for (const item of record[0].items!) tags.set(item.tag, item.value!.toString('hex').toUpperCase());
    }
    expect(tags.get('5A')).toBe('6212345678901232');
    expect(tags.get('5F24')).toBe('301231');
    expect(tags.get('57')!.startsWith('6212345678901232D3012201')).toBe(true);
    expect(swOf(card.answer(readRecord(3, 1)))).toBe('6A83');

    expect(valueHex(parse(card.answer(apdu('80CA9F3600'))), ['9F36'])).toBe('0010');
    expect(valueHex(parse(card.answer(apdu('80CA9F1700'))), ['9F17'])).toBe('03');
    expect(swOf(card.answer(apdu('80CA9F4F00')))).toBe('6A88');

    expect(swOf(card.answer(generateAc(0x80, '00')))).toBe('6700'); // CDOL1 asks 33 bytes
    const ac = parse(card.answer(generateAc(0x80, CDOL1_DATA)));
    expect(valueHex(ac, ['77', '9F27'])).toBe('80');
    expect(valueHex(ac, ['77', '9F36'])).toBe('0011');
    // The documented stand-in cryptogram, recomputed with node:crypto.
    const expected = createHash('sha1').update(Buffer.from('0123456789ABCDEFFEDCBA9876543210' + '0011' + '80' + CDOL1_DATA, 'hex')).digest('hex').slice(0, 16).toUpperCase();
    expect(valueHex(ac, ['77', '9F26'])).toBe(expected);
    expect(valueHex(ac, ['77', '9F10'])).toBe('07010103A00000010A010000000000');
    // Second GENERATE AC after the online answer: TC when asked, same ATC.
    const second = parse(card.answer(generateAc(0x40, '3030' + CDOL1_DATA.slice(0, 58))));
    expect(valueHex(second, ['77', '9F27'])).toBe('40');
    expect(valueHex(second, ['77', '9F36'])).toBe('0011');
    expect(swOf(card.answer(generateAc(0x40, CDOL1_DATA)))).toBe('6985'); // no third
    expect(card.atc()).toBe(0x11);
    expect(hex(card.answer(apdu('0084000008')))).toBe('6D00');
    expect(card.trace).toEqual([expect.stringContaining('INS 84')]);
  });

  it('a TC-profile card asked for TC answers TC; an AAC-profile card answers AAC; format 1 is 80 CID ‖ ATC ‖ AC ‖ IAD', () => {
    const base = sample('visa-contact-pin.json') as { applications: Record<string, unknown>[] };
    for (const [ac, cid] of [['TC', '40'], ['AAC', '00']]) {
      const card = cardFromFile({ ...base, applications: [{ ...base.applications[0], ac }] });
      card.answer(select(bytes('A0000000031010')));
      const gpoAnswer = parse(card.answer(gpo('')));
      expect(valueHex(gpoAnswer, ['80'])).toBe('1800' + '0801010010010100');
      const r = parse(card.answer(generateAc(0x40, CDOL1_DATA)));
      const v = valueHex(r, ['80'])!;
      expect(v.slice(0, 2)).toBe(cid);
      expect(v.slice(2, 6)).toBe('0011');
      expect(v.slice(22)).toBe('07010103A00000010A010000000000');
    }
  });

  it('contact: PSE with its SFI, the directory record of 70 / 61 entries, two applications and partial selection', () => {
    const card = cardFromFile(sample('unionpay-contact-two-apps.json'));
    const fci = parse(card.answer(PSE));
    expect(valueHex(fci, ['6F', 'A5', '88'])).toBe('01');
    const dir = parse(card.answer(readRecord(1, 1)));
    const entries = find(dir, ['70'])!.items!.filter((i) => i.tag === '61');
    expect(entries.map((e) => [valueHex(e.items!, ['4F']), Buffer.from(valueHex(e.items!, ['50'])!, 'hex').toString(), valueHex(e.items!, ['87'])])).toEqual([
      ['A000000333010101', 'UnionPay Debit', '02'],
      ['A000000333010102', 'UnionPay Credit', '01'],
    ]);
    expect(swOf(card.answer(readRecord(1, 2)))).toBe('6A83');
    expect(valueHex(parse(card.answer(select(bytes('A000000333')))), ['6F', '84'])).toBe('A000000333010101');
    expect(valueHex(parse(card.answer(select(bytes('A000000333'), 2))), ['6F', '84'])).toBe('A000000333010102');
    expect(swOf(card.answer(select(bytes('A000000333'), 2)))).toBe('6A82');
    expect(swOf(card.answer(PPSE))).toBe('6A82');
  });

  it('every sample is a valid card file and every answer to a full read parses', () => {
    for (const f of readdirSync(SAMPLES).filter((n) => n.endsWith('.json'))) {
      const file = parseCardFile(sample(f));
      expect(file.kind).toBe('profile');
      if (file.kind !== 'profile') continue;
      for (const app of file.applications) for (const r of app.records) expect(TlvFactory.parse(hex(r.bytes))[0].tag).toBe('70');
    }
  });
});

describe('broken cards', () => {
  it('locked: SELECT AID answers 6283', () => {
    const card = cardFromFile(sample('unionpay-contactless-locked.json'));
    expect(swOf(card.answer(PPSE))).toBe('9000');
    expect(hex(card.answer(select(bytes('A000000333010101'))))).toBe('6283');
    expect(swOf(card.answer(gpo(CL_PDOL_DATA)))).toBe('6985'); // nothing selected
  });

  it('malformed TLV: the spoilt record does not parse with ber-tlv, the others do', () => {
    const card = cardFromFile(sample('unionpay-contactless-malformed.json'));
    card.answer(select(bytes('A000000333010101')));
    card.answer(gpo(CL_PDOL_DATA));
    expect(() => parse(card.answer(readRecord(1, 1)))).not.toThrow();
    const bad = card.answer(readRecord(2, 1));
    expect(swOf(bad)).toBe('9000');
    expect(() => TlvFactory.parse(hex(dataOf(bad)))).toThrow();
    const indefinite = cardFromFile({ ...(sample('unionpay-contactless-malformed.json') as object), faults: { malformedRecord: { sfi: 2, record: 1, how: 'indefinite' } } });
    indefinite.answer(select(bytes('A000000333010101')));
    indefinite.answer(gpo(CL_PDOL_DATA));
    expect(hex(indefinite.answer(readRecord(2, 1))).slice(0, 4)).toBe('7080');
  });

  it('missing tag: 5F24 is nowhere in the records and GET DATA does not give it', () => {
    const card = cardFromFile(sample('unionpay-contact-missing-expiry.json'));
    card.answer(select(bytes('A000000333010101')));
    card.answer(gpo(''));
    const record = parse(card.answer(readRecord(2, 1)));
    expect(find(record, ['70', '5A'])).toBeDefined();
    expect(find(record, ['70', '5F24'])).toBeUndefined();
    expect(swOf(card.answer(apdu('80CA5F2400')))).toBe('6A88');
  });

  it('removed mid-read: the fifth command throws CardGone, the contact slot turns it into PortError reader; reset brings it back', async () => {
    const card = cardFromFile(sample('unionpay-contactless-removed.json'));
    card.answer(PPSE);
    card.answer(select(bytes('A000000333010101')));
    card.answer(gpo(CL_PDOL_DATA));
    card.answer(readRecord(1, 1));
    expect(() => card.answer(readRecord(2, 1))).toThrow(CardGone);
    expect(() => card.answer(PPSE)).toThrow(CardGone);
    card.reset();
    expect(swOf(card.answer(PPSE))).toBe('9000');

    const reader = new VirtualContactReader();
    reader.insert(cardFromFile({ ...(sample('visa-contact-pin.json') as object), t0: false, faults: { removeAfter: 1 } }));
    await reader.detect();
    expect(swOf(await reader.transmit(PSE))).toBe('9000');
    await expect(reader.transmit(readRecord(1, 1))).rejects.toThrow(PortError);
    expect(await reader.detect()).toEqual({ kind: 'none' });
  });

  it('a status fault on one record only', () => {
    const base = sample('visa-contact-pin.json') as object;
    const card = cardFromFile({ ...base, faults: { status: [{ on: 'read-record', sfi: 2, record: 1, sw: '6A83' }] } });
    card.answer(select(bytes('A0000000031010')));
    card.answer(gpo(''));
    expect(swOf(card.answer(readRecord(1, 1)))).toBe('9000');
    expect(hex(card.answer(readRecord(2, 1)))).toBe('6A83');
  });
});

// ---------------------------------------------------------------------------------------

describe('DDA: INTERNAL AUTHENTICATE signs EMV Book 2 §6.5 dynamic data, opened with node:crypto', () => {
  it('format 1 and 2, 1024 and 1152-bit ICC keys: header 6A 05 01, BB padding, SHA-1 over the data and the DDOL data, trailer BC', () => {
    for (const [bits, format] of [[1024, 1], [1152, 2]] as const) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 3 });
      const base = sample('unionpay-contactless-nooda.json') as { applications: Record<string, unknown>[] };
      const card = cardFromFile({ ...base, applications: [{ ...base.applications[0], dda: { iccPrivateTest: keyHex(testKey(privateKey)), dynamicNumberLength: 4, responseFormat: format } }] });
      const ddol = 'A1B2C3D4';
      const internalAuthenticate = bytes(`0088000004${ddol}00`);
      expect(swOf(card.answer(internalAuthenticate))).toBe('6985'); // no application selected
      card.answer(select(bytes('A000000333010101')));
      const numbers = new Set<string>();
      for (let i = 0; i < 2; i++) {
        const r = parse(card.answer(internalAuthenticate));
        const sdad = format === 1 ? valueHex(r, ['80'])! : valueHex(r, ['77', '9F4B'])!;
        expect(sdad.length).toBe(bits / 4);
        const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, Buffer.from(sdad, 'hex'));
        expect(recovered[0]).toBe(0x6a);
        expect(recovered[1]).toBe(0x05);
        expect(recovered[2]).toBe(0x01);
        const ldd = recovered[3];
        expect(ldd).toBe(5);
        expect(recovered[4]).toBe(4);
        numbers.add(recovered.subarray(5, 9).toString('hex'));
        const padEnd = recovered.length - 21;
        expect([...recovered.subarray(4 + ldd, padEnd)].every((b) => b === 0xbb)).toBe(true);
        expect(recovered[recovered.length - 1]).toBe(0xbc);
        const hash = createHash('sha1').update(Buffer.concat([recovered.subarray(1, padEnd), Buffer.from(ddol, 'hex')])).digest();
        expect(recovered.subarray(padEnd, padEnd + 20).toString('hex')).toBe(hash.toString('hex'));
      }
      expect(numbers.size).toBe(2); // a fresh ICC dynamic number each time
    }
  });

  it('a card without DDA answers 6D00 and says so in its trace', () => {
    const card = cardFromFile(sample('unionpay-contactless-nooda.json'));
    card.answer(select(bytes('A000000333010101')));
    expect(hex(card.answer(bytes('0088000004A1B2C3D400')))).toBe('6D00');
    expect(card.trace).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------

describe('virtual contact reader: ATR and T=0', () => {
  it('detects the ATR, reports its power-up, and makes the terminal use GET RESPONSE and resend with Le', async () => {
    const reader = new VirtualContactReader();
    expect(reader.fitted).toBe(true);
    expect(await reader.identify()).toEqual({ model: 'virtual ISO 7816 slot', firmware: 'sim 1.0' });
    expect(await reader.selfCheck()).toEqual([expect.objectContaining({ ok: true })]);
    expect(await reader.detect()).toEqual({ kind: 'none' });
    await expect(reader.transmit(PSE)).rejects.toThrow(PortError);
    const card = cardFromFile(sample('visa-contact-pin.json'));
    reader.insert(card);
    expect(await reader.detect()).toEqual({ kind: 'contact', atr: bytes('3B6800000073C84013009000') });

    // Case 4: 61xx, then GET RESPONSE in two parts, then the rest with 9000.
    const procedure = await reader.transmit(PSE);
    expect(hex(procedure).slice(0, 2)).toBe('61');
    const total = procedure[1];
    const part = await reader.transmit(bytes(`00C0000010`));
    expect(hex(part.subarray(16))).toBe((0x61).toString(16).toUpperCase() + (total - 16).toString(16).toUpperCase().padStart(2, '0'));
    expect(hex(await reader.transmit(bytes(`00C00000${(total - 16 + 5).toString(16).padStart(2, '0')}`)))).toBe(`6C${(total - 16).toString(16).toUpperCase().padStart(2, '0')}`);
    const rest = await reader.transmit(bytes(`00C00000${(total - 16).toString(16).padStart(2, '0')}`));
    const fci = TlvFactory.parse(hex(Buffer.concat([part.subarray(0, 16), dataOf(rest)])));
    expect(valueHex(fci, ['6F', 'A5', '88'])).toBe('01');
    expect(swOf(rest)).toBe('9000');
    expect(hex(await reader.transmit(bytes('00C0000010')))).toBe('6985'); // nothing waiting

    // Case 2: Le 00 is refused with the length, the resend with it gets the record.
    const wrongLe = await reader.transmit(readRecord(1, 1, 0));
    expect(hex(wrongLe).slice(0, 2)).toBe('6C');
    const record = await reader.transmit(readRecord(1, 1, wrongLe[1]));
    expect(valueHex(parse(record), ['70', '61', '4F'])).toBe('A0000000031010');

    reader.release();
    await expect(reader.transmit(PSE)).rejects.toThrow(PortError);
    reader.remove();
    expect(await reader.detect()).toEqual({ kind: 'none' });
  });

  it('a slot that does not answer rejects identify, selfCheck and detect with PortError reader', async () => {
    const reader = new VirtualContactReader({ noAnswer: true });
    await expect(reader.identify()).rejects.toMatchObject({ name: 'PortError', code: 'reader' });
    await expect(reader.selfCheck()).rejects.toMatchObject({ code: 'reader' });
    await expect(reader.detect()).rejects.toMatchObject({ code: 'reader' });
  });
});

describe('simulated magstripe module and code scanner', () => {
  it('deliver a swipe or a scan only while the core listens; check() tells a dead module', async () => {
    const swipes: string[] = [];
    const stripe = new SimMagstripe();
    expect(stripe.fitted).toBe(true);
    expect((await stripe.check()).ok).toBe(true);
    stripe.swipe(';6212345678901232=30122010000000000?');
    stripe.start((t) => swipes.push(t));
    stripe.swipe(';6212345678901232=30122010000000000?');
    stripe.stop();
    stripe.swipe(';1?');
    expect(swipes).toEqual([';6212345678901232=30122010000000000?']);
    expect((await new SimMagstripe({ noAnswer: true }).check()).ok).toBe(false);

    const codes: string[] = [];
    const scanner = new SimScanner();
    expect((await scanner.check()).ok).toBe(true);
    scanner.start((b) => codes.push(Buffer.from(b).toString()));
    scanner.scan(new Uint8Array(Buffer.from('134567890123456789')));
    scanner.stop();
    scanner.scan(new Uint8Array(Buffer.from('x')));
    expect(codes).toEqual(['134567890123456789']);
    expect((await new SimScanner({ noAnswer: true }).check()).ok).toBe(false);
  });
});

describe('card files', () => {
  const good = () => JSON.parse(JSON.stringify(sample('visa-contact-pin.json')));
  const refusal = (json: unknown) => {
    try {
      parseCardFile(json);
    } catch (e) {
      expect(e).toBeInstanceOf(CardFileError);
      return (e as CardFileError).path;
    }
    throw new Error('accepted');
  };
  it('names the path of the first wrong field', () => {
    expect(refusal(null)).toBe('');
    expect(refusal({ name: 'x', interface: 'contact' })).toBe('');
    expect(refusal({ name: 'x', interface: 'nfc', exchanges: [{ capdu: '', rapdu: '9000' }] })).toBe('interface');
    expect(refusal({ name: 'x', interface: 'contact', exchanges: [{ capdu: '00A4', rapdu: '9000' }] })).toBe('exchanges[0].capdu');
    expect(refusal({ name: 'x', interface: 'contact', exchanges: [{ capdu: '', rapdu: '9G00' }] })).toBe('exchanges[0].rapdu');
    expect(refusal({ name: 'x', interface: 'contact', exchanges: [] })).toBe('exchanges');
    let f = good();
    f.applications[0].records[1].tags[2][1] = 'ABC';
    expect(refusal(f)).toBe('applications[0].records[1].tags[2][1]');
    f = good();
    f.applications[0].records[0].tags[0][0] = '9F';
    expect(refusal(f)).toBe('applications[0].records[0].tags[0][0]');
    f = good();
    f.applications[0].gpo.afl = '080101';
    expect(refusal(f)).toBe('applications[0].gpo.afl');
    f = good();
    f.applications[0].records.push({ sfi: 1, record: 1, hex: '7000' });
    expect(refusal(f)).toBe('applications[0].records[2]');
    f = good();
    f.applications[0].dda = { iccPrivateTest: { modulus: 'AB'.repeat(64), publicExponent: '03', privateExponent: '01', p: '01' } };
    expect(refusal(f)).toBe('applications[0].dda.iccPrivateTest');
    f = good();
    f.faults = { status: [{ on: 'verify', sw: '6983' }] };
    expect(refusal(f)).toBe('faults.status[0].on');
    f = good();
    f.applications = new Array(9).fill(f.applications[0]);
    expect(refusal(f)).toBe('applications');
  });
});

describe('engine-neutral', () => {
  it('the card modules import no host module and use no Node global (the XS lane runs them)', () => {
    for (const f of ['virtualCard.ts', 'cardFile.ts', 'rsaPrivate.ts', 'sha1.ts', 'contactReader.ts', 'inputs.ts']) {
      const text = readFileSync(join(__dirname, '../../host-sim/cards', f), 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      for (const spec of imports) expect(`${f}: ${spec}`).toMatch(/: (\.\/[a-zA-Z0-9]+|\.\.\/\.\.\/firmware\/core\/[a-zA-Z0-9/]+)$/);
      expect(text).not.toMatch(/\b(Buffer|process|require|console|setTimeout|TextEncoder)\b/);
    }
  });
});

