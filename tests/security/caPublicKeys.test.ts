/**
 * The EMV CA public key table. Tables are made here: RSA keys from node:crypto, checksums by
 * node:crypto SHA-1 over the published layout RID ‖ index ‖ modulus ‖ exponent (EMV Book 2,
 * Annex A2). The published keys in ../shared/testdata/emv-capk are checked too when that folder
 * is there (CI has it); where it is not, those tests are skipped and counted as skipped.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { SimSettings } from '../../host-sim/ports/simDevices';
import { CapkError, capkChecksum, capkName, judgeKeys, parseCapkTable } from '../../firmware/core/security/caPublicKeys';
import { CAPK_DOMAIN, readCapkTable, storeCapkTable } from '../../firmware/core/security/provisionedData';
import { createCborCodec } from '../../firmware/core/store/cbor';

const crypto = new NodeCrypto(1);
const NOW = Date.UTC(2026, 10, 26);

interface Entry { rid: string; index: string; modulus: string; exponent: string; checksum: string; expiry?: string; label?: string }

/** SHA-1 of the published layout, by node:crypto. */
const sha1 = (rid: string, index: string, modulus: string, exponent: string) =>
  createHash('sha1').update(Buffer.concat([Buffer.from(rid, 'hex'), Buffer.from(index, 'hex'), Buffer.from(modulus, 'hex'), Buffer.from(exponent, 'hex')])).digest('hex').toUpperCase();

/** A CA key entry for a fresh RSA key of `bits` and `exponent`, with its checksum. */
function makeEntry(rid: string, index: number, bits: number, exponent: 3 | 65537): Entry {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: exponent }).publicKey.export({ format: 'jwk' });
  const modulus = Buffer.from(jwk.n!, 'base64url').toString('hex').toUpperCase();
  const e = Buffer.from(jwk.e!, 'base64url').toString('hex').toUpperCase();
  const i = index.toString(16).toUpperCase().padStart(2, '0');
  return { rid, index: i, modulus, exponent: e, checksum: sha1(rid, i, modulus, e), label: `test ${bits}-bit ${rid}/${i}` };
}

/** The entry with one hex digit of `field` changed. */
const flipDigit = (entry: Entry, field: 'modulus' | 'checksum', at: number): Entry => {
  const digits = entry[field];
  return { ...entry, [field]: digits.slice(0, at) + ((parseInt(digits[at], 16) + 1) % 16).toString(16).toUpperCase() + digits.slice(at + 1) };
};

let TABLE: Entry[];
beforeAll(() => {
  // Sizes EMV uses (up to 1984 bits), both exponents, and two keys in one RID + index slot.
  TABLE = [
    makeEntry('F000000011', 0x01, 1024, 3),
    makeEntry('F000000011', 0x02, 1152, 65537),
    makeEntry('F000000012', 0x05, 1984, 3),
    makeEntry('F000000012', 0x05, 1408, 3),
  ];
});

describe('EMV CA public keys (tables made here)', () => {
  it('capkChecksum is SHA-1 over RID ‖ index ‖ modulus ‖ exponent, as node:crypto computes it', () => {
    const keys = parseCapkTable(TABLE);
    keys.forEach((key, i) => {
      const e = TABLE[i];
      expect(Buffer.from(capkChecksum(crypto, key)).toString('hex').toUpperCase()).toBe(sha1(e.rid, e.index, e.modulus, e.exponent));
    });
    // Any other order or framing gives another digest: the layout is what is checked.
    const e = TABLE[0];
    expect(Buffer.from(capkChecksum(crypto, keys[0])).toString('hex').toUpperCase()).not.toBe(sha1(e.rid, e.index, e.exponent, e.modulus));
  });

  it('accepts every key whose checksum holds and refuses a changed modulus digit or checksum digit', () => {
    const corrupted = [flipDigit(TABLE[0], 'modulus', 40), flipDigit(TABLE[1], 'checksum', 0), flipDigit(TABLE[2], 'modulus', TABLE[2].modulus.length - 1)];
    const findings = judgeKeys(crypto, parseCapkTable([...TABLE, ...corrupted]), NOW, true);
    expect(findings.map((f) => `${f.key} ${f.status}${f.status === 'refused' ? ` ${f.code}` : ''}`)).toEqual([
      'F000000011/01 valid',
      'F000000011/02 valid',
      'F000000012/05 valid',
      'F000000012/05 valid',
      'F000000011/01 refused capk.checksum',
      'F000000011/02 refused capk.checksum',
      'F000000012/05 refused capk.checksum',
    ]);
    expect(findings.slice(0, 4).map((f) => f.status === 'valid' && f.modulusBits)).toEqual([1024, 1152, 1984, 1408]);
  });

  it('keeps two different keys in one RID + index slot', () => {
    const keys = parseCapkTable(TABLE);
    expect(keys.filter((k) => capkName(k.rid, k.index) === 'F000000012/05')).toHaveLength(2);
  });

  it('refuses a modulus with a leading zero byte even when its checksum holds', () => {
    const e = { ...TABLE[0], modulus: `00${TABLE[0].modulus.slice(2)}` };
    const [finding] = judgeKeys(crypto, parseCapkTable([{ ...e, checksum: sha1(e.rid, e.index, e.modulus, e.exponent) }]), NOW, true);
    expect(finding).toMatchObject({ status: 'refused', code: 'capk.malformed' });
  });

  it('refuses an expired key, and does not judge expiry on an untrusted clock', () => {
    const keys = parseCapkTable([{ ...TABLE[0], expiry: '2025-12-31' }, { ...TABLE[0], expiry: '2030-12-31' }]);
    expect(judgeKeys(crypto, keys, NOW, true).map((f) => f.status)).toEqual(['refused', 'valid']);
    expect(judgeKeys(crypto, keys, 5000, false).map((f) => f.status)).toEqual(['undecided', 'undecided']);
    // The expiry date is the key's last valid day.
    expect(judgeKeys(crypto, keys, Date.UTC(2025, 11, 31, 23, 59), true)[0].status).toBe('valid');
    expect(judgeKeys(crypto, keys, Date.UTC(2026, 0, 1), true)[0].status).toBe('refused');
  });

  const key = { rid: 'A000000003', index: '01', modulus: 'AA'.repeat(64), exponent: '03', checksum: '00'.repeat(20) };
  it.each([
    { why: 'not a list', input: {}, field: '(table)' },
    { why: '129 keys', input: Array(129).fill(key), field: '(table)' },
    { why: 'an entry that is not an object', input: [null], field: '[0]' },
    { why: 'RID of 4 bytes', input: [{ ...key, rid: 'A0000000' }], field: '[0].rid' },
    { why: 'RID not hex', input: [{ ...key, rid: 'A00000000G' }], field: '[0].rid' },
    { why: 'index of one digit', input: [{ ...key, index: '1' }], field: '[0].index' },
    { why: 'index of 2 bytes', input: [{ ...key, index: '0101' }], field: '[0].index' },
    { why: 'index a number', input: [{ ...key, index: 1 }], field: '[0].index' },
    { why: 'modulus of 10 bytes', input: [{ ...key, modulus: 'AA'.repeat(10) }], field: '[0].modulus' },
    { why: 'modulus of 249 bytes', input: [{ ...key, modulus: 'AA'.repeat(249) }], field: '[0].modulus' },
    { why: 'modulus of odd length', input: [{ ...key, modulus: 'A'.repeat(129) }], field: '[0].modulus' },
    { why: 'exponent 5', input: [{ ...key, exponent: '05' }], field: '[0].exponent' },
    { why: 'checksum of 19 bytes', input: [{ ...key, checksum: '00'.repeat(19) }], field: '[0].checksum' },
    { why: '30 February', input: [key, { ...key, expiry: '2025-02-30' }], field: '[1].expiry' },
    { why: 'month 13', input: [{ ...key, expiry: '2024-13-01' }], field: '[0].expiry' },
    { why: 'month 0', input: [{ ...key, expiry: '2024-00-15' }], field: '[0].expiry' },
    { why: 'expiry a number', input: [{ ...key, expiry: 20241231 }], field: '[0].expiry' },
    { why: 'label a number', input: [{ ...key, label: 7 }], field: '[0].label' },
  ])('refuses a malformed table ($why), naming $field', ({ input, field }) => {
    let error: unknown;
    try {
      parseCapkTable(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CapkError);
    expect((error as CapkError).field).toBe(field);
  });
});

describe('CA keys as stored (review findings)', () => {
  it('reports a stored entry with a bad RID, index or date as unreadable instead of crashing the probe', () => {
    const cbor = createCborCodec();
    const settings = new SimSettings();
    const keys = parseCapkTable(TABLE).slice(0, 3);
    storeCapkTable(settings, cbor, keys);
    settings.set(CAPK_DOMAIN, 'k1', cbor.encode({ ...keys[1], rid: 'XYZ' }));
    settings.set(CAPK_DOMAIN, 'k2', cbor.encode({ ...keys[2], expiresMs: 1e300 }));
    const read = readCapkTable(settings, cbor);
    expect(read.unreadable).toEqual(['k1', 'k2']);
    expect(judgeKeys(crypto, read.keys, NOW, true)).toEqual([{ key: 'F000000011/01', status: 'valid', modulusBits: 1024 }]);
  });
});

const SHARED_TABLE = join(__dirname, '../../../shared/testdata/emv-capk/capk.json');
const shared = existsSync(SHARED_TABLE);

interface PublishedCase extends Entry { checksum_valid: boolean; computed_checksum?: string }

(shared ? describe : describe.skip)(`published EMV CA keys ${shared ? '(../shared/testdata/emv-capk)' : '(needs ../shared/testdata: absent)'}`, () => {
  let cases: PublishedCase[];
  beforeAll(() => {
    cases = JSON.parse(readFileSync(SHARED_TABLE, 'utf8')).cases;
  });

  it('accepts every published key whose checksum is valid and refuses every corrupted copy', () => {
    const findings = judgeKeys(crypto, parseCapkTable(cases), NOW, true);
    expect(findings).toHaveLength(cases.length);
    expect(findings.map((f) => `${f.key} ${f.status}`)).toEqual(cases.map((c) => `${capkName(c.rid, parseInt(c.index, 16))} ${c.checksum_valid ? 'valid' : 'refused'}`));
  });

  it('computes for each corrupted copy the SHA-1 the table records and node:crypto gives', () => {
    const corrupted = cases.filter((c) => !c.checksum_valid);
    expect(corrupted.length).toBeGreaterThan(0);
    for (const c of corrupted) {
      const [key] = parseCapkTable([c]);
      const digest = Buffer.from(capkChecksum(crypto, key)).toString('hex').toUpperCase();
      expect({ key: capkName(key.rid, key.index), digest }).toEqual({ key: capkName(key.rid, key.index), digest: sha1(c.rid, c.index, c.modulus, c.exponent) });
      expect(digest).toBe(c.computed_checksum!.toUpperCase());
    }
  });

  it('holds slots with two different valid keys, and keeps both', () => {
    const slots = new Map<string, number>();
    for (const k of parseCapkTable(cases.filter((c) => c.checksum_valid))) slots.set(capkName(k.rid, k.index), (slots.get(capkName(k.rid, k.index)) ?? 0) + 1);
    expect([...slots.values()].some((n) => n > 1)).toBe(true);
  });
});
