/**
 * The acquirer's side of activation written for these tests, apart from the firmware: the
 * request is taken apart by hand from the CUP field layouts (hex slicing, not the codec), the
 * master key is sealed with node:crypto's ECDH, SHA-256 and AES (not the adapter's code), the
 * check values come from node:crypto DES/AES and an RFC 4493 CMAC written here, and answers are
 * built by hex concatenation. A minimal TCP host on 127.0.0.1 serves them.
 */
import { createCipheriv, createECDH, createHash, createPublicKey } from 'node:crypto';
import { startTcpHost } from '../host/sessionHarness';

export type Algorithm = 'tdes2' | 'tdes3' | 'aes128';
export const ALGORITHM_CODE: Record<Algorithm, number> = { tdes2: 1, tdes3: 2, aes128: 3 };

// ----------------------------------------------------------------------------- TLV

/** One TLV, one-byte tag, BER definite length. */
export function tlv(tag: number, value: Uint8Array | Buffer | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'ascii') : Buffer.from(value);
  const n = v.length;
  const head = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : [tag, 0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from(head), v]);
}

/** Top-level TLVs (one-byte tags) by tag, read by hand. */
export function readTlvs(bytes: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at++];
    let n = bytes[at++];
    if (n === 0x81) n = bytes[at++];
    else if (n === 0x82) {
      n = bytes.readUInt16BE(at);
      at += 2;
    }
    out.set(tag, bytes.subarray(at, at + n));
    at += n;
  }
  if (at !== bytes.length) throw new Error('TLV overrun');
  return out;
}

// ----------------------------------------------------------------------------- request, by hand

export interface DecodedRequest {
  tpdu: string;
  header: string;
  mti: string;
  bitmap: string;
  stan: string;
  tid: string;
  mid: string;
  field60: string;
  field62: Buffer;
  serial: string;
  publicKey: Buffer;
  code: string;
}

/**
 * A frame body (no length prefix) of the 0800: TPDU 5 ‖ CUP header 6 ‖ MTI n4 BCD ‖ bitmap 8 ‖
 * 11 n6 BCD ‖ 41 ans8 ‖ 42 ans15 ‖ 60 LLL (2 BCD bytes) n..17 BCD left-aligned ‖ 62 LLL b..512.
 * Throws when the bitmap names any other field.
 */
export function decodeRequest(body: Buffer): DecodedRequest {
  let at = 0;
  const take = (n: number) => {
    if (at + n > body.length) throw new Error(`short at ${at}`);
    const out = body.subarray(at, at + n);
    at += n;
    return out;
  };
  const tpdu = take(5).toString('hex');
  const header = take(6).toString('hex');
  const mti = take(2).toString('hex');
  const bitmap = take(8).toString('hex');
  if (bitmap !== '0020000000c00014') throw new Error(`bitmap ${bitmap}: not fields 11, 41, 42, 60, 62`);
  const stan = take(3).toString('hex');
  const tid = take(8).toString('latin1');
  const mid = take(15).toString('latin1');
  const digits60 = Number(take(2).toString('hex'));
  const hex60 = take(Math.ceil(digits60 / 2)).toString('hex');
  const field60 = hex60.slice(0, digits60);
  if (digits60 % 2 && hex60.endsWith('0') === false) throw new Error('60: pad nibble not 0');
  const length62 = Number(take(2).toString('hex'));
  const field62 = Buffer.from(take(length62));
  if (at !== body.length) throw new Error(`${body.length - at} bytes trailing`);
  const tlvs = readTlvs(field62);
  return {
    tpdu, header, mti, bitmap, stan, tid, mid, field60, field62,
    serial: tlvs.get(0xc1)?.toString('latin1') ?? '',
    publicKey: tlvs.get(0xc2) ?? Buffer.alloc(0),
    code: tlvs.get(0xc3)?.toString('latin1') ?? '',
  };
}

// ----------------------------------------------------------------------------- envelope, on node:crypto

/** The device's public point (04 ‖ X ‖ Y) from its SPKI, through node:crypto's JWK export. */
export function pointOf(spki: Uint8Array): Buffer {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  return Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

export function kekFrom(z: Buffer, serial: string): Buffer {
  return createHash('sha256').update(z).update(Buffer.of(0, 0, 0, 1)).update('xspos-activation').update(serial, 'ascii').digest().subarray(0, 16);
}

export function wrapUnder(kek: Buffer, key: Buffer): Buffer {
  const padded = Buffer.concat([key, Buffer.alloc((16 - (key.length % 16)) % 16)]);
  const c = createCipheriv('aes-128-cbc', kek, Buffer.alloc(16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(padded), c.final()]);
}

/** The host's half: an ephemeral key pair, ECDH with the device's key, the KEK, the wrap. */
export function seal(spki: Uint8Array, serial: string, key: Buffer): { point: Buffer; wrapped: Buffer } {
  const ephemeral = createECDH('prime256v1');
  const point = ephemeral.generateKeys();
  const z = ephemeral.computeSecret(pointOf(spki));
  return { point, wrapped: wrapUnder(kekFrom(z, serial), key) };
}

function ecb(name: string, key: Buffer, data: Buffer): Buffer {
  const c = createCipheriv(name, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** AES-CMAC (RFC 4493 §2.3-2.4) of whole blocks, for the AES check value. */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const dbl = (b: Buffer) => {
    const out = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) out[i] = ((b[i] << 1) | (i < 15 ? b[i + 1] >> 7 : 0)) & 0xff;
    if (b[0] & 0x80) out[15] ^= 0x87;
    return out;
  };
  const k1 = dbl(ecb('aes-128-ecb', key, Buffer.alloc(16)));
  const k2 = dbl(k1);
  const whole = message.length > 0 && message.length % 16 === 0;
  const blocks = Buffer.concat([message, whole ? Buffer.alloc(0) : Buffer.from([0x80, ...new Array(15 - (message.length % 16)).fill(0)])]);
  const last = blocks.subarray(blocks.length - 16);
  const sub = whole ? k1 : k2;
  let x: Buffer = Buffer.alloc(16);
  for (let i = 0; i < blocks.length - 16; i += 16) x = ecb('aes-128-ecb', key, Buffer.from(x.map((v, j) => v ^ blocks[i + j])));
  return ecb('aes-128-ecb', key, Buffer.from(x.map((v, j) => v ^ last[j] ^ sub[j])));
}

/** The first 4 bytes of the key's check value: E(K, 0⁸) for 3DES, CMAC(K, 0¹⁶) for AES. */
export function kcv(key: Buffer, algorithm: Algorithm): Buffer {
  if (algorithm === 'aes128') return aesCmac(key, Buffer.alloc(16)).subarray(0, 4);
  return ecb(algorithm === 'tdes2' ? 'des-ede-ecb' : 'des-ede3-ecb', key, Buffer.alloc(8)).subarray(0, 4);
}

// ----------------------------------------------------------------------------- answer, by hand

export interface AnswerParts {
  code39?: string;
  tid?: string;
  mid?: string;
  text44?: string;
  field62?: Buffer;
}

/** Frame body of an 0810 answering `request`: TPDU addresses swapped, its header, fields 11 39 41 42 44 62 as given. */
export function answerBody(request: DecodedRequest, parts: AnswerParts): Buffer {
  const fields: [number, string][] = [[11, request.stan]];
  if (parts.code39 !== undefined) fields.push([39, Buffer.from(parts.code39, 'ascii').toString('hex')]);
  if (parts.tid !== undefined) fields.push([41, Buffer.from(parts.tid, 'ascii').toString('hex')]);
  if (parts.mid !== undefined) fields.push([42, Buffer.from(parts.mid, 'ascii').toString('hex')]);
  if (parts.text44 !== undefined) fields.push([44, String(parts.text44.length).padStart(2, '0') + Buffer.from(parts.text44, 'ascii').toString('hex')]);
  if (parts.field62 !== undefined) fields.push([62, String(parts.field62.length).padStart(4, '0') + parts.field62.toString('hex')]);
  let bits = 0n;
  for (const [f] of fields) bits |= 1n << BigInt(64 - f);
  const t = request.tpdu;
  const hex = t.slice(0, 2) + t.slice(6, 10) + t.slice(2, 6) + request.header + '0810' + bits.toString(16).padStart(16, '0') + fields.map(([, v]) => v).join('');
  return Buffer.from(hex, 'hex');
}

/** Field 62 of a grant: D5 0, D1 point, D2 wrapped, D3 check value, D4 algorithm. */
export function grant62(point: Buffer, wrapped: Buffer, check: Buffer, algorithm: Algorithm): Buffer {
  return Buffer.concat([tlv(0xd5, Buffer.of(0)), tlv(0xd1, point), tlv(0xd2, wrapped), tlv(0xd3, check), tlv(0xd4, Buffer.of(ALGORITHM_CODE[algorithm]))]);
}

// ----------------------------------------------------------------------------- TCP

/** A host on 127.0.0.1 (the session tests' TCP host): whole frames in, `answer(body)` out (undefined: no answer). */
export async function startHost(answer: (body: Buffer) => Buffer | undefined): Promise<{ port: number; requests: Buffer[]; close(): Promise<void> }> {
  const requests: Buffer[] = [];
  const server = await startTcpHost({
    handle: (body) => {
      requests.push(Buffer.from(body));
      const reply = answer(Buffer.from(body));
      return reply && new Uint8Array(reply);
    },
  });
  return { ...server, requests };
}
