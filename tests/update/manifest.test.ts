/**
 * The signed manifest's CBOR (update/manifest.ts) against cbor-x, an independent CBOR codec (the
 * package the record log uses): what we write is what cbor-x writes for the same map and reads
 * back as the same fields; what cbor-x writes for a good manifest (any key order) we read; every
 * field out of its type or range, every missing, extra or repeated key, tags, indefinite lengths
 * and trailing bytes are refused with UpdateError 'update-manifest'. Versions against a
 * zero-padded string order (fast-check).
 */
import fc from 'fast-check';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { UpdateError } from '../../firmware/core/update/errors';
import { decodeManifest, encodeManifest, MANIFEST_MAX_BYTES, type Manifest } from '../../firmware/core/update/manifest';
import { compareVersions, parseVersion } from '../../firmware/core/update/version';
import { fieldsFor, imageBytes } from './verifyFixtures';

const cbor = createCborCodec();
const FIELDS = fieldsFor(imageBytes(5000));
const plain = (m: Manifest) => ({ ...m, sha256: Uint8Array.from(m.sha256) });

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof UpdateError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('manifest CBOR', () => {
  it('is what cbor-x writes for the same map, and cbor-x reads it back as the fields', () => {
    const bytes = encodeManifest(FIELDS);
    expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(cbor.encode(plain(FIELDS))).toString('hex'));
    expect(cbor.decode(bytes)).toEqual(plain(FIELDS));
    expect(decodeManifest(bytes)).toEqual(plain(FIELDS));
  });

  it('reads a manifest cbor-x wrote in any key order, integers in any head size', () => {
    const reversed = Object.fromEntries(Object.entries(plain(FIELDS)).reverse());
    expect(decodeManifest(cbor.encode(reversed))).toEqual(plain(FIELDS));
    // buildTime as an 8-byte unsigned integer (0x1b) instead of cbor-x's float64: the same number.
    const bytes = Buffer.from(encodeManifest(FIELDS));
    const at = bytes.indexOf(Buffer.from('buildTime')) + 9;
    expect(bytes[at]).toBe(0xfb);
    const eight = Buffer.alloc(9);
    eight[0] = 0x1b;
    eight.writeBigUInt64BE(BigInt(FIELDS.buildTime), 1);
    const other = Buffer.concat([bytes.subarray(0, at), eight, bytes.subarray(at + 9)]);
    expect(decodeManifest(other).buildTime).toBe(FIELDS.buildTime);
    // `format` as a 2-byte head (0x19 0x0001).
    const f = bytes.indexOf(Buffer.from('format')) + 6;
    expect(decodeManifest(Buffer.concat([bytes.subarray(0, f), Buffer.from([0x19, 0, 1]), bytes.subarray(f + 1)])).format).toBe(1);
  });

  const base = plain(FIELDS) as Record<string, unknown>;
  const without = (key: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));
  it.each<[string, Record<string, unknown>]>([
    ['format 2', { ...base, format: 2 }],
    ['format as text', { ...base, format: '1' }],
    ['board empty', { ...base, board: '' }],
    ['board of 33 characters', { ...base, board: 'b'.repeat(33) }],
    ['board with a space', { ...base, board: 'xspos sim' }],
    ['board not ASCII', { ...base, board: 'xspos-模拟' }],
    ['board as bytes', { ...base, board: Uint8Array.from([0x41]) }],
    ['version 1.2', { ...base, version: '1.2' }],
    ['version 1.2.3.4', { ...base, version: '1.2.3.4' }],
    ['version 01.2.3', { ...base, version: '01.2.3' }],
    ['version 1.2.65536', { ...base, version: '1.2.65536' }],
    ['version 1.2.3-rc1', { ...base, version: '1.2.3-rc1' }],
    ['version -1.2.3', { ...base, version: '-1.2.3' }],
    ['version as a number', { ...base, version: 1.2 }],
    ['security 2^31', { ...base, security: 2 ** 31 }],
    ['security 2^31 + 1', { ...base, security: 2 ** 31 + 1 }],
    ['security -1', { ...base, security: -1 }],
    ['security 1.5', { ...base, security: 1.5 }],
    ['security as text', { ...base, security: '7' }],
    ['minVersion 1', { ...base, minVersion: '1' }],
    ['buildTime -1', { ...base, buildTime: -1 }],
    ['buildTime 0.5', { ...base, buildTime: 0.5 }],
    ['buildTime past 2^53', { ...base, buildTime: 2 ** 60 }],
    ['size 0', { ...base, size: 0 }],
    ['size 2^32', { ...base, size: 2 ** 32 }],
    ['sha256 of 31 bytes', { ...base, sha256: new Uint8Array(31) }],
    ['sha256 of 33 bytes', { ...base, sha256: new Uint8Array(33) }],
    ['sha256 as hex text', { ...base, sha256: 'ab'.repeat(32) }],
    ['keyId empty', { ...base, keyId: '' }],
    ['keyId of 33 characters', { ...base, keyId: 'k'.repeat(33) }],
    ['keyId null', { ...base, keyId: null }],
    ['no keyId', without('keyId')],
    ['no sha256', without('sha256')],
    ['no format', without('format')],
    ['an extra key', { ...base, extra: 1 }],
    ['an unknown key instead of keyId', { ...without('keyId'), keyid: 'xspos-demo-1' }],
    ['__proto__ instead of board', { ...without('board'), ['__proto__']: 'x' }],
  ])('refuses %s', (_, object) => {
    const bytes = cbor.encode(object);
    expect(refusal(() => decodeManifest(bytes))).toBe('update-manifest');
  });

  it.each<[string, (b: Buffer) => Buffer]>([
    ['trailing bytes', (b) => Buffer.concat([b, Buffer.from([0x00])])],
    ['a tag before the map', (b) => Buffer.concat([Buffer.from([0xd9, 0xd9, 0xf7]), b])],
    ['an indefinite map', (b) => Buffer.concat([Buffer.from([0xbf]), b.subarray(1), Buffer.from([0xff])])],
    ['a map of 8 pairs', (b) => Buffer.concat([Buffer.from([0xa8]), b.subarray(1)])],
    ['a map of 10 pairs', (b) => Buffer.concat([Buffer.from([0xaa]), b.subarray(1)])],
    ['an array', (b) => Buffer.concat([Buffer.from([0x89]), b.subarray(1)])],
    ['cut at the end', (b) => b.subarray(0, b.length - 1)],
    ['empty', () => Buffer.alloc(0)],
    ['a key repeated (keyId replaced by a second format)', (b) => {
      const at = b.indexOf(Buffer.from('keyId')) - 1;
      return Buffer.concat([b.subarray(0, at), Buffer.from('66666f726d617401', 'hex')]);
    }],
    ['sha256 tagged (tag 64)', (b) => {
      const at = b.indexOf(Buffer.from('sha256')) + 6;
      return Buffer.concat([b.subarray(0, at), Buffer.from([0xd8, 0x40]), b.subarray(at)]);
    }],
    ['format as a float 1.0', (b) => {
      const at = b.indexOf(Buffer.from('format')) + 6;
      return Buffer.concat([b.subarray(0, at), Buffer.from('fb3ff0000000000000', 'hex'), b.subarray(at + 1)]);
    }],
    ['format as true', (b) => {
      const at = b.indexOf(Buffer.from('format')) + 6;
      return Buffer.concat([b.subarray(0, at), Buffer.from([0xf5]), b.subarray(at + 1)]);
    }],
    ['a text of indefinite length', (b) => {
      const at = b.indexOf(Buffer.from('board')) + 5;
      const n = b[at] & 31;
      return Buffer.concat([b.subarray(0, at), Buffer.from([0x7f, 0x60 | n]), b.subarray(at + 1, at + 1 + n), Buffer.from([0xff]), b.subarray(at + 1 + n)]);
    }],
    [`${MANIFEST_MAX_BYTES + 1} bytes`, (b) => Buffer.concat([b, Buffer.alloc(MANIFEST_MAX_BYTES + 1 - b.length)])],
  ])('refuses %s', (_, change) => {
    const bytes = new Uint8Array(change(Buffer.from(encodeManifest(FIELDS))));
    expect(refusal(() => decodeManifest(bytes))).toBe('update-manifest');
  });

  it('refuses to write a manifest with a field out of range', () => {
    expect(refusal(() => encodeManifest({ ...FIELDS, version: '1.2' }))).toBe('update-manifest');
    expect(refusal(() => encodeManifest({ ...FIELDS, sha256: new Uint8Array(20) }))).toBe('update-manifest');
    expect(refusal(() => encodeManifest({ ...FIELDS, board: '' }))).toBe('update-manifest');
  });
});

describe('versions', () => {
  const part = fc.integer({ min: 0, max: 65535 });
  const version = fc.tuple(part, part, part);
  const text = (v: readonly number[]) => v.join('.');
  const padded = (v: readonly number[]) => v.map((n) => String(n).padStart(5, '0')).join('.');

  it('order as their zero-padded parts do', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        const expected = padded(a) < padded(b) ? -1 : padded(a) > padded(b) ? 1 : 0;
        expect(Math.sign(compareVersions(text(a), text(b)))).toBe(expected);
        expect(parseVersion(text(a))).toEqual(a);
      }),
      { numRuns: 2000, seed: 10 },
    );
    expect(compareVersions('1.10.0', '1.9.65535')).toBeGreaterThan(0);
  });

  it.each(['', '1', '1.2', '1.2.', '.1.2', '1..2', '1.2.3.', 'a.b.c', '1.2.3 ', ' 1.2.3', '1.02.3', '65536.0.0', '1.2.+3', '1.2.0x1', '1.2.3e0', '１.2.3'])(
    'refuses "%s"',
    (bad) => {
      expect(refusal(() => parseVersion(bad))).toBe('update-manifest');
    },
  );
});
