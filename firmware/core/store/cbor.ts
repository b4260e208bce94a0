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

export function createCborCodec(): CborCodec {
  const encoder = new Encoder({
    useRecords: false,
    mapsAsObjects: true,
    tagUint8Array: false,
    useTag259ForMaps: false,
    variableMapSize: true,
    bundleStrings: false,
    pack: false,
  } as ConstructorParameters<typeof Encoder>[0]);
  return {
    encode(value) {
      // cbor-x may hand back a view into its reusable buffer: copy it out.
      const view = encoder.encode(value);
      return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
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
