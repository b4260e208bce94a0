/**
 * Field 55 (card/emv/field55.ts): the profile's tags in order as BER-TLV, checked with an
 * independent parser (ber-tlv); past 255 bytes a typed failure, never a field with tags dropped.
 */
import { TlvFactory } from 'ber-tlv';
import { buildField55, FIELD55_MAX } from '../../firmware/core/card/emv/field55';
import { CardError } from '../../firmware/core/card/errors';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('buildField55', () => {
  it("writes the profile's tags in its order, leaving out those with no value", () => {
    const values = new Map<number, Uint8Array>([[0x9f26, bytes(8, 0x11)], [0x95, bytes(5, 0)], [0x9f10, bytes(200, 0x22)]]);
    const f55 = buildField55(['9F26', '9F27', '9F10', '95'], values);
    const parsed = (TlvFactory.parse(Buffer.from(f55)) as { tag: string; value: Buffer }[]).map((t) => [t.tag.toUpperCase(), t.value.length]);
    expect(parsed).toEqual([['9F26', 8], ['9F10', 200], ['95', 5]]);
    expect(f55.length).toBe(11 + 204 + 7); // 9F10 of 200 takes the 81 C8 long form
  });

  it('exactly 255 bytes fit; one more is field55-overflow naming the tag, not a field with it dropped', () => {
    // 9F10 with 81 xx length: 2 + 2 + 240 = 244; 95: 1 + 1 + 5 = 7; 9F27: 2 + 1 + 1 = 4 → 255.
    const values = new Map<number, Uint8Array>([[0x9f10, bytes(240, 1)], [0x95, bytes(5, 0)], [0x9f27, bytes(1, 0x80)]]);
    expect(buildField55(['9F10', '95', '9F27'], values).length).toBe(FIELD55_MAX);
    values.set(0x9f36, bytes(2, 0));
    let thrown: unknown;
    try {
      buildField55(['9F10', '95', '9F27', '9F36'], values);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CardError);
    expect(thrown).toMatchObject({ code: 'field55-overflow', message: expect.stringContaining('9F36') });
  });
});
