/**
 * BER-TLV as EMV uses it (EMV 4.4 Book 3 Annex B): tags of 1–3 bytes, lengths of 1–3 bytes
 * (no indefinite form), 00 and FF padding between objects, constructed objects parsed
 * recursively to a bounded depth. Values are views into the input (no copies).
 */
import { concatBytes } from '../../bytes';
import { CardError } from '../errors';

/** The core's byte concatenation (bytes.ts), still exported here for the EMV modules that take it from tlv. */
export { concatBytes };

export interface Tlv {
  /** Up to 3 bytes, big-endian (9F26 = 0x9f26). */
  tag: number;
  /** b6 of the first tag byte. */
  constructed: boolean;
  value: Uint8Array;
  /** The parsed value of a constructed object. */
  children?: Tlv[];
}

/** Nesting deeper than this is refused (EMV templates nest 3 deep: 6F > A5 > BF0C > 61). */
export const TLV_MAX_DEPTH = 8;
/** Objects in one parse, all levels together: a short APDU answer holds far fewer. */
export const TLV_MAX_OBJECTS = 1024;

/** A parse in progress: the object count shared by every level. */
class TlvParse {
  objects = 0;
  constructor(readonly bytes: Uint8Array, readonly maxDepth: number) {}

  level(start: number, end: number, depth: number): Tlv[] {
    const b = this.bytes;
    const out: Tlv[] = [];
    let i = start;
    while (i < end) {
      const first = b[i];
      if (first === 0x00 || first === 0xff) {
        i++; // padding before, between or after objects (Annex B)
        continue;
      }
      const at = i;
      let tag = first;
      i++;
      if ((first & 0x1f) === 0x1f) {
        // subsequent tag bytes while b8 is set; 3 bytes at most
        let n = 1;
        for (;;) {
          if (i >= end) throw new CardError('tlv-malformed', `tag at offset ${at} runs past the end`);
          const next = b[i++];
          tag = tag * 256 + next;
          n++;
          if ((next & 0x80) === 0) break;
          if (n >= 3) throw new CardError('tlv-malformed', `tag at offset ${at} longer than 3 bytes`);
        }
      }
      if (i >= end) throw new CardError('tlv-malformed', `length of tag ${tagHex(tag)} at offset ${at} missing`);
      let len = b[i++];
      if (len === 0x80) throw new CardError('tlv-indefinite', `indefinite length of tag ${tagHex(tag)} at offset ${i - 1}`);
      if (len > 0x80) {
        const n = len & 0x7f;
        if (n > 2) throw new CardError('tlv-malformed', `length of ${n + 1} bytes at offset ${i - 1} (at most 3)`);
        if (i + n > end) throw new CardError('tlv-malformed', `length at offset ${i - 1} runs past the end`);
        len = 0;
        for (let k = 0; k < n; k++) len = len * 256 + b[i++];
      }
      if (i + len > end) throw new CardError('tlv-malformed', `value of tag ${tagHex(tag)} at offset ${at} (${len} bytes) runs past the end at ${end}`);
      if (++this.objects > TLV_MAX_OBJECTS) throw new CardError('tlv-malformed', `more than ${TLV_MAX_OBJECTS} objects (offset ${at})`);
      const constructed = (first & 0x20) !== 0;
      const node: Tlv = { tag, constructed, value: b.subarray(i, i + len) };
      if (constructed) {
        if (depth >= this.maxDepth) throw new CardError('tlv-malformed', `nesting deeper than ${this.maxDepth} at offset ${at}`);
        node.children = this.level(i, i + len, depth + 1);
      }
      out.push(node);
      i += len;
    }
    return out;
  }
}

/**
 * Parses BER-TLV objects (with their constructed children).
 * @throws CardError 'tlv-malformed' (the message gives the offset) or 'tlv-indefinite'
 */
export function parseTlv(bytes: Uint8Array, maxDepth: number = TLV_MAX_DEPTH): Tlv[] {
  return new TlvParse(bytes, maxDepth).level(0, bytes.length, 0);
}

/** Bytes of a tag number (1–3). */
export function tagLength(tag: number): number {
  return tag > 0xffff ? 3 : tag > 0xff ? 2 : 1;
}

/** Whether a tag number names a constructed object (b6 of its first byte). */
export function tagConstructed(tag: number): boolean {
  return ((tag >>> ((tagLength(tag) - 1) * 8)) & 0x20) !== 0;
}

const HEX = '0123456789ABCDEF';

/** Upper-case hex of a tag: '9F26', '5A'. */
export function tagHex(tag: number): string {
  let out = '';
  for (let k = tagLength(tag) - 1; k >= 0; k--) {
    const v = (tag >>> (k * 8)) & 0xff;
    out += HEX[v >> 4] + HEX[v & 15];
  }
  return out;
}

/** Tag number of its hex ('9F26' → 0x9f26); NaN when not 2, 4 or 6 hex digits. */
export function tagOf(hex: string): number {
  if (hex.length < 2 || hex.length > 6 || hex.length % 2) return NaN;
  let v = 0;
  for (let i = 0; i < hex.length; i++) {
    const c = hex.charCodeAt(i);
    const l = c | 0x20; // A–F as a–f
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
    if (d < 0) return NaN;
    v = v * 16 + d;
  }
  return v;
}

/**
 * One object: tag ‖ length ‖ value, the length in its shortest form (EMV: up to 82 xx xx).
 * @throws CardError 'tlv-malformed' for a value of 65,536 bytes or more
 */
export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  const t = tagLength(tag);
  const n = value.length;
  if (n > 0xffff) throw new CardError('tlv-malformed', `value of ${n} bytes for tag ${tagHex(tag)}: at most 65,535`);
  const l = n < 0x80 ? 1 : n < 0x100 ? 2 : 3;
  const out = new Uint8Array(t + l + n);
  for (let k = 0; k < t; k++) out[k] = (tag >>> ((t - 1 - k) * 8)) & 0xff;
  if (l === 1) out[t] = n;
  else if (l === 2) {
    out[t] = 0x81;
    out[t + 1] = n;
  } else {
    out[t] = 0x82;
    out[t + 1] = n >> 8;
    out[t + 2] = n & 0xff;
  }
  out.set(value, t + l);
  return out;
}

/** Encodes nodes; a constructed node with children is encoded from its children. */
export function encodeTlvNodes(nodes: readonly Tlv[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    parts.push(encodeTlv(n.tag, n.children ? encodeTlvNodes(n.children) : n.value));
  }
  return concatBytes(parts);
}

/** The first object with this tag, depth-first (an object before its children, then its next sibling). */
export function findTag(nodes: readonly Tlv[], tag: number): Tlv | undefined {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.tag === tag) return n;
    if (n.children) {
      const found = findTag(n.children, tag);
      if (found) return found;
    }
  }
  return undefined;
}

/** Adds every primitive object to `into` (depth-first; a tag already there is kept: the first wins). */
export function collectPrimitives(nodes: readonly Tlv[], into: Map<number, Uint8Array> = new Map()): Map<number, Uint8Array> {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.children) collectPrimitives(n.children, into);
    else if (!into.has(n.tag)) into.set(n.tag, n.value);
  }
  return into;
}
