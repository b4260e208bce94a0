/**
 * CBOR (RFC 8949) for record payloads, through cbor-x, configured so Node and XS write the
 * same bytes: plain maps (no record extension), byte strings without tag 64 (cbor-x tags
 * Uint8Array when a Node `Buffer` exists), no shared structures.
 */
import { Encoder } from 'cbor-x';

export class CborError extends Error {
  override readonly name = 'CborError';
  readonly code = 'cbor-malformed';
  constructor(message: string) {
    super(message);
  }
}

export interface CborCodec {
  encode(value: unknown): Uint8Array;
  /** @throws CborError when `bytes` is not one well-formed CBOR item */
  decode(bytes: Uint8Array): unknown;
}

/**
 * The one cbor-x Encoder (it decodes too), made when this module is evaluated. On the device the
 * manifest preloads this module, so that happens at build time and the Encoder's closures, with
 * their code, live in flash. Made at run time instead, XS copies the code of each of its dozens
 * of closures into the heap: 12,336 chunk bytes and about 300 slots per codec in mcsim, where a
 * Moddable Two has 78,848 and 4,928 in all.
 *
 * Sharing it shares nothing new: cbor-x keeps its output buffer and positions at module level
 * whatever the number of Encoders, and every call starts from scratch (the options are fixed,
 * no shared structures or records), so each terminal still gets its own codec object below.
 */
const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  useTag259ForMaps: false,
  variableMapSize: true,
  bundleStrings: false,
  pack: false,
} as ConstructorParameters<typeof Encoder>[0]) as Encoder & {
  /** encode.js: write the next encodings into `buffer` (cbor-x's .d.ts omits it). */
  useBuffer(buffer: Uint8Array): void;
};

export function createCborCodec(): CborCodec {
  return {
    encode(value) {
      // cbor-x hands back a view into its buffer: copy it out, then let the buffer go. Kept, it
      // would hold 8 KB of heap for good (cbor-x's first buffer); dropped, each encode takes a
      // 4 KB one for as long as it runs (records are at most a sector).
      try {
        const view = encoder.encode(value);
        return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
      } finally {
        encoder.useBuffer(new Uint8Array(0));
      }
    },
    decode(bytes) {
      try {
        return encoder.decode(bytes);
      } catch (error) {
        throw new CborError(error instanceof Error ? error.message : 'undecodable CBOR');
      }
    },
  };
}
