/**
 * Field 55 (ICC system related data) of the sale message: the tags the acquirer profile lists,
 * in its order, each as BER-TLV, from the card's and the terminal's values; a tag with no value
 * is left out.
 */
import { tagLength, tagOf } from './tlv';

/** Field 55 is LLLVAR binary of at most 255 bytes in the CUP and ISO dialects the profile uses. */
export const FIELD55_MAX = 255;

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
    if (n + t + l + v.length > FIELD55_MAX) break; // later tags dropped rather than a field the host refuses
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
