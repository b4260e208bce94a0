/**
 * Field 55 (ICC system related data) of the sale message: the tags the acquirer profile lists,
 * in its order, each as BER-TLV, from the card's and the terminal's values; a tag with no value
 * is left out.
 *
 * Past 255 bytes the read fails with CardError 'field55-overflow' (naming the first tag that does
 * not fit) rather than dropping tags: the issuer needs the whole set the acquirer's profile asks
 * for (9F26/9F27/9F10/9F37/9F36/95/9A/9C/9F02/5F2A/82/9F1A… to check the ARQC), and a field 55
 * quietly missing one is declined or refused at the host with no trace of why. The profile's
 * list over a card's real values stays far below the cap (about 140 bytes for CUP's 9F10 of 32).
 */
import { CardError } from '../errors';
import { tagHex, tagLength, tagOf } from './tlv';

/** Field 55 is LLLVAR binary of at most 255 bytes in the CUP and ISO dialects the profile uses. */
export const FIELD55_MAX = 255;

/** @throws CardError 'field55-overflow' */
export function buildField55(tags: readonly string[], values: ReadonlyMap<number, Uint8Array>): Uint8Array {
  // Written straight into one buffer of the cap: no array per object, no concatenation.
  const out = new Uint8Array(FIELD55_MAX);
  let n = 0;
  for (let i = 0; i < tags.length; i++) {
    const tag = tagOf(tags[i]);
    const v = values.get(tag);
    if (v === undefined || v.length === 0) continue;
    const t = tagLength(tag);
    const l = v.length < 0x80 ? 1 : v.length < 0x100 ? 2 : 3;
    if (n + t + l + v.length > FIELD55_MAX)
      throw new CardError('field55-overflow', `field 55 would pass ${FIELD55_MAX} bytes at ${tagHex(tag)} (${n} bytes before it, ${t + l + v.length} for it)`);
    for (let k = t - 1; k >= 0; k--) out[n++] = (tag >>> (k * 8)) & 0xff;
    if (l === 3) out[n++] = 0x82;
    else if (l === 2) out[n++] = 0x81;
    if (l === 3) out[n++] = v.length >> 8;
    out[n++] = v.length & 0xff;
    out.set(v, n);
    n += v.length;
  }
  return out.slice(0, n);
}
