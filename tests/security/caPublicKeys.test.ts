/** The CA public key table against the published EMV keys in ../shared/testdata/emv-capk. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { CapkError, capkName, judgeKeys, parseCapkTable } from '../../firmware/core/security/caPublicKeys';

const TABLE = JSON.parse(readFileSync(join(__dirname, '../../../shared/testdata/emv-capk/capk.json'), 'utf8'));
const crypto = new NodeCrypto(1);
const NOW = Date.UTC(2026, 10, 26);

describe('EMV CA public keys', () => {
  it('accepts every published key whose checksum is valid and refuses every corrupted copy', () => {
    const keys = parseCapkTable(TABLE);
    const findings = judgeKeys(crypto, keys, NOW, true);
    expect(keys).toHaveLength(TABLE.cases.length);
    TABLE.cases.forEach((c: { checksum_valid: boolean; rid: string; index: string }, i: number) => {
      expect(findings[i].key).toBe(capkName(c.rid, parseInt(c.index, 16)));
      expect({ key: findings[i].key, status: findings[i].status }).toEqual({ key: findings[i].key, status: c.checksum_valid ? 'valid' : 'refused' });
    });
    expect(findings.filter((f) => f.status === 'refused').length).toBe(TABLE.cases.filter((c: { checksum_valid: boolean }) => !c.checksum_valid).length);
  });

  it('computes the same SHA-1 as node:crypto over RID ‖ index ‖ modulus ‖ exponent', () => {
    const c = TABLE.cases.find((k: { checksum_valid: boolean }) => !k.checksum_valid);
    const keys = parseCapkTable([c]);
    const finding = judgeKeys(crypto, keys, NOW, true)[0];
    const expected = createHash('sha1').update(Buffer.from(c.rid + c.index + c.modulus + c.exponent, 'hex')).digest('hex');
    expect(expected).toBe(c.computed_checksum.toLowerCase());
    expect(finding).toMatchObject({ status: 'refused', code: 'capk.checksum' });
  });

  it('keeps two different keys in one RID + index slot', () => {
    const keys = parseCapkTable(TABLE);
    const slots = new Map<string, number>();
    for (const k of keys) slots.set(capkName(k.rid, k.index), (slots.get(capkName(k.rid, k.index)) ?? 0) + 1);
    expect([...slots.values()].some((n) => n > 1)).toBe(true);
  });

  it('refuses an expired key, and does not judge expiry on an untrusted clock', () => {
    const valid = TABLE.cases.find((k: { checksum_valid: boolean }) => k.checksum_valid);
    const keys = parseCapkTable([{ ...valid, expiry: '2025-12-31' }, { ...valid, expiry: '2030-12-31' }]);
    expect(judgeKeys(crypto, keys, NOW, true).map((f) => f.status)).toEqual(['refused', 'valid']);
    expect(judgeKeys(crypto, keys, 5000, false).map((f) => f.status)).toEqual(['undecided', 'undecided']);
    expect(judgeKeys(crypto, keys, Date.UTC(2025, 11, 31, 23, 59), true)[0].status).toBe('valid');
  });

  it.each([
    [{}, '(table)'],
    [[{ rid: 'A0000000', index: '01', modulus: 'AA'.repeat(64), exponent: '03', checksum: '00'.repeat(20) }], '[0].rid'],
    [[{ rid: 'A000000003', index: '01', modulus: 'AA'.repeat(10), exponent: '03', checksum: '00'.repeat(20) }], '[0].modulus'],
    [[{ rid: 'A000000003', index: '01', modulus: 'AA'.repeat(64), exponent: '03', checksum: '00'.repeat(20), expiry: '2025-02-30' }], '[0].expiry'],
    [Array(129).fill({}), '(table)'],
  ])('refuses a malformed table naming the field (%#)', (input, field) => {
    expect(() => parseCapkTable(input)).toThrow(CapkError);
    try {
      parseCapkTable(input);
    } catch (error) {
      expect((error as CapkError).field).toBe(field);
    }
  });
});

describe('CA keys as stored (review findings)', () => {
  it('refuses expiry dates with an impossible month', () => {
    const valid = TABLE.cases.find((k: { checksum_valid: boolean }) => k.checksum_valid);
    for (const expiry of ['2024-13-01', '2024-00-15', '2024-02-30']) expect(() => parseCapkTable([{ ...valid, expiry }])).toThrow(CapkError);
  });

  it('reports a stored entry with a bad RID, index or date as unreadable instead of crashing the probe', async () => {
    const { SimSettings } = await import('../../host-sim/ports/simDevices');
    const { createCborCodec } = await import('../../firmware/core/store/cbor');
    const { readCapkTable, storeCapkTable, CAPK_DOMAIN } = await import('../../firmware/core/security/provisionedData');
    const cbor = createCborCodec();
    const settings = new SimSettings();
    const keys = parseCapkTable(TABLE).slice(0, 3);
    storeCapkTable(settings, cbor, keys);
    settings.set(CAPK_DOMAIN, 'k1', cbor.encode({ ...keys[1], rid: 'XYZ' }));
    settings.set(CAPK_DOMAIN, 'k2', cbor.encode({ ...keys[2], expiresMs: 1e300 }));
    const read = readCapkTable(settings, cbor);
    expect(read.unreadable).toEqual(['k1', 'k2']);
    expect(judgeKeys(crypto, read.keys, NOW, true)).toHaveLength(1);
  });
});
