/**
 * The codec bench's messages and round trips (issue 7, item 11; bench/iso8583.ts runs them): pack + unpack of a 0200 with field 55 and of a 0810,
 * by our codec and by the `iso_8583` npm package (v2.6.7) configured with the CUP field table as
 * far as its custom formats go, on Node (ops/s) and on XS (computrons, xsnap metering).
 *
 * What differs in the peer (it has no BCD): n and z fields, the MTI and the LL/LLL prefixes go out
 * as ASCII digits (twice the bytes), variable-length b fields as hex text, z as ans; it always
 * writes 16 bitmap bytes. So the peer moves more bytes for the same message; the fields, their
 * lengths and the length types are the same.
 */
import { CUP_POS_DIALECT } from '../firmware/core/host/cupDialect';
import { packMessage, unpackMessage } from '../firmware/core/host/iso8583';
import type { FieldValue, Iso8583Message } from '../firmware/core/host/types';

const h = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

/** A CUP IC sale request: the published 0200's fields (tests/host/codecVectors.ts) without 59. */
export const SALE_0200: Iso8583Message = {
  mti: '0200',
  fields: new Map<number, FieldValue>([
    [2, '6224242900000113'], [3, '000000'], [4, '000000000001'], [11, '000403'], [14, '2806'], [22, '071'], [23, '000'], [25, '00'], [26, '12'],
    [35, '6224242900000113=28062013949031013'], [41, '10000019'], [42, '850100082410002'], [49, '156'], [52, h('d1eef419d0ae2609')], [53, '2600000000000000'],
    [55, h('9f260895bbe372271dda7c9f2701809f101307010103a00000010a010000000000ed538fe49f37047f9f349e9f36020157950500000000009a031908309c01009f02060000000000015f2a02015682027c009f1a0201569f03060000000000009f3303e0e1c89f3501229f1e0831303030303031398408a0000003330101029f0902008c9f410400000403')],
    [60, '22000024000600'], [64, h('3846363531423236')],
  ]),
};

/** The published 0810 sign-on response (40-byte key block in 62). */
export const SIGN_ON_0810: Iso8583Message = {
  mti: '0810',
  fields: new Map<number, FieldValue>([
    [11, '000441'], [12, '091309'], [13, '0908'], [37, '150908836028'], [39, '00'], [41, '00001142'], [42, '123456789012345'], [60, '00000006003'],
    [62, h('279be86aaeb174b80bbe2b24e80f888cebe8b6c2be7bc61956bbf2480000000000000000a2f2cabb')],
  ]),
};

/** Our pack + unpack, `n` times; returns the packed length (a check that work was done). */
export function ourRoundTrips(message: Iso8583Message, n: number): number {
  let size = 0;
  for (let i = 0; i < n; i++) {
    const bytes = packMessage(CUP_POS_DIALECT, message);
    size = bytes.length + unpackMessage(CUP_POS_DIALECT, bytes).fields.size * 0;
  }
  return size;
}

const HEX = '0123456789abcdef';
const hexOf = (b: Uint8Array) => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
};

/** The CUP table as iso_8583 custom formats: b lengths in hex digits (it takes b as hex text), z as ans. */
export function peerFormats(): Record<string, { ContentType: string; Label: string; LenType: string; MaxLen: number }> {
  const out: Record<string, { ContentType: string; Label: string; LenType: string; MaxLen: number }> = {};
  for (const [f, s] of Object.entries(CUP_POS_DIALECT.fields)) {
    out[f] = {
      ContentType: s.format === 'z' ? 'ans' : s.format,
      Label: s.name,
      LenType: ['fixed', '', 'llvar', 'lllvar'][s.prefix],
      MaxLen: s.format === 'b' ? 2 * s.length : s.length,
    };
  }
  return out;
}

/** A message as iso_8583 takes it: {0: MTI, field: text}, b fields as hex. */
export function peerJson(message: Iso8583Message): Record<string, string> {
  const out: Record<string, string> = { 0: message.mti };
  for (const [f, v] of message.fields) out[f] = typeof v === 'string' ? v : hexOf(v);
  return out;
}

export type PeerClass = new (json?: Record<string, string>, formats?: object) => { getBufferMessage(): Uint8Array | { error: string }; getIsoJSON(b: Uint8Array, c?: object): Record<string, string> | { error: string } };

/** The peer's pack (getBufferMessage) + unpack (getIsoJSON), `n` times. @throws when the peer reports an error */
export function peerRoundTrips(Peer: PeerClass, json: Record<string, string>, formats: object, n: number): number {
  let size = 0;
  for (let i = 0; i < n; i++) {
    const bytes = new Peer(json, formats).getBufferMessage();
    if ('error' in bytes) throw new Error(`iso_8583 pack: ${bytes.error}`);
    const back = new Peer(undefined, formats).getIsoJSON(bytes);
    if ('error' in back) throw new Error(`iso_8583 unpack: ${back.error}`);
    size = bytes.length;
  }
  return size;
}
