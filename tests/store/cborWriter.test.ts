/**
 * The hand-written CBOR writer (firmware/core/store/cborWriter.ts) writes the bytes cbor-x
 * writes for the same object with the record codec's options (firmware/core/store/cbor.ts): the
 * records it makes on the sale path read back through the codec exactly as before. cbor-x is
 * the independent reference here; RFC 8949 Appendix A vectors pin the shapes.
 */
import fc from 'fast-check';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { CborWriter } from '../../firmware/core/store/cborWriter';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
type Flat = Record<string, number | string | Uint8Array | Record<string, number | string | Uint8Array>>;

function write(w: CborWriter, value: Flat[string]): void {
  if (typeof value === 'number') w.uint(value);
  else if (typeof value === 'string') w.text(value);
  else if (value instanceof Uint8Array) w.bytes(value);
  else {
    w.map(Object.keys(value).length);
    for (const [k, v] of Object.entries(value)) write(w.text(k), v);
  }
}

const scalar = fc.oneof(
  fc.nat(),
  fc.constantFrom(0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 999999999999, Number.MAX_SAFE_INTEGER),
  fc.maxSafeNat(),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uint8Array({ maxLength: 300 }),
);
const record = fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.oneof(scalar, fc.dictionary(fc.string({ minLength: 1, maxLength: 2 }), scalar, { maxKeys: 12 })), { maxKeys: 12 });

describe('CBOR writer', () => {
  it('writes RFC 8949 Appendix A examples', () => {
    expect(hex(new CborWriter().uint(0).finish())).toBe('00');
    expect(hex(new CborWriter().uint(23).finish())).toBe('17');
    expect(hex(new CborWriter().uint(24).finish())).toBe('1818');
    expect(hex(new CborWriter().uint(1000).finish())).toBe('1903e8');
    expect(hex(new CborWriter().uint(1000000).finish())).toBe('1a000f4240');
    expect(hex(new CborWriter().text('水').finish())).toBe('63e6b0b4');
    expect(hex(new CborWriter().text('\u{10151}').finish())).toBe('64f0908591');
    expect(hex(new CborWriter().bytes(Uint8Array.of(1, 2, 3, 4)).finish())).toBe('4401020304');
    expect(hex(new CborWriter().map(2).text('a').uint(1).text('b').text('c').finish())).toBe('a261610161626163');
  });

  it('writes what the record codec writes for flat records and one level of maps, whatever the sizes', () => {
    const cbor = createCborCodec();
    fc.assert(
      fc.property(record, (r) => {
        const w = new CborWriter(8);
        write(w, r as Parameters<typeof write>[1]);
        expect(hex(w.finish())).toBe(hex(cbor.encode(r)));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses negative and fractional numbers (the records hold none)', () => {
    expect(() => new CborWriter().uint(-1)).toThrow(RangeError);
    expect(() => new CborWriter().uint(1.5)).toThrow(RangeError);
    expect(() => new CborWriter().uint(2 ** 53)).toThrow(RangeError);
  });
});
