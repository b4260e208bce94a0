/**
 * The record codec (firmware/core/store/cbor.ts) shares one cbor-x Encoder between codecs and
 * lets go of cbor-x's buffer after each encode. Checked against RFC 8949's encoding written out
 * by hand (§3: major type and argument; Appendix A examples): bytes come out right whatever the
 * size, whatever encode ran before (a bigger one, a failed one, another codec's), and a result
 * is never overwritten by a later encode.
 */
import { createCborCodec } from '../../firmware/core/store/cbor';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** RFC 8949 §3.1 major type 2 (byte string) with a 2-byte length argument (0x59). */
function byteStringOf(length: number, fill: number): string {
  return `59${length.toString(16).padStart(4, '0')}${fill.toString(16).padStart(2, '0').repeat(length)}`;
}

describe('record codec', () => {
  it('encodes RFC 8949 Appendix A examples', () => {
    const cbor = createCborCodec();
    expect(hex(cbor.encode({ a: 1, b: [2, 3] }))).toBe('a26161016162820203');
    expect(hex(cbor.encode(['a', { b: 'c' }]))).toBe('826161a161626163');
    expect(hex(cbor.encode(new Uint8Array([1, 2, 3, 4])))).toBe('4401020304');
    expect(hex(cbor.encode('水'))).toBe('63e6b0b4');
  });

  it('encodes values larger than the buffer it starts each encode with (4 KB), then small ones again', () => {
    const cbor = createCborCodec();
    const large = cbor.encode(new Uint8Array(5000).fill(0xa5));
    expect(hex(large)).toBe(byteStringOf(5000, 0xa5));
    expect(hex(cbor.encode(1))).toBe('01');
    const larger = cbor.encode(new Uint8Array(20000).fill(0x5a));
    expect(hex(larger)).toBe(byteStringOf(20000, 0x5a));
    // Earlier results are copies, not views into a buffer a later encode reuses.
    expect(hex(large)).toBe(byteStringOf(5000, 0xa5));
  });

  it('recovers from an encode that throws half-way', () => {
    const cbor = createCborCodec();
    expect(() => cbor.encode({ first: new Uint8Array(3000), then: Symbol('not CBOR') })).toThrow();
    expect(hex(cbor.encode({ a: 1 }))).toBe('a1616101');
  });

  it('gives two codecs the same bytes when their encodes interleave, and decodes either', () => {
    const one = createCborCodec();
    const two = createCborCodec();
    const a = one.encode({ kind: 'boot', n: 1 });
    const b = two.encode({ kind: 'boot', n: 1 });
    const c = one.encode({ kind: 'boot', n: 1 });
    expect(hex(a)).toBe('a2646b696e6464626f6f74616e01');
    expect([hex(b), hex(c)]).toEqual([hex(a), hex(a)]);
    expect(two.decode(a)).toEqual({ kind: 'boot', n: 1 });
  });
});
