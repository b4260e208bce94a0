/**
 * Field 55 (ICC system related data) of the sale message: the tags the acquirer profile lists,
 * in its order, each as BER-TLV, from the card's and the terminal's values; a tag with no value
 * is left out.
 */
import { concatBytes, encodeTlv, tagOf } from './tlv';

/** Field 55 is LLLVAR binary of at most 255 bytes in the CUP and ISO dialects the profile uses. */
export const FIELD55_MAX = 255;

export function buildField55(tags: readonly string[], values: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (let i = 0; i < tags.length; i++) {
    const tag = tagOf(tags[i]);
    const v = values.get(tag);
    if (v === undefined || v.length === 0) continue;
    const tlv = encodeTlv(tag, v);
    if (n + tlv.length > FIELD55_MAX) break; // later tags dropped rather than a field the host refuses
    parts.push(tlv);
    n += tlv.length;
  }
  return concatBytes(parts);
}
