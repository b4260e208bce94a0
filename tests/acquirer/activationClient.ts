/**
 * A device activating against the acquirer, written for its tests from the issue-8 contract
 * (§6), with nothing of the acquirer's code: its own P-256 key (node:crypto generateKeyPairSync),
 * the request's field-62 TLV in hand bytes, the answer's TLV read by hand, the envelope opened
 * with crypto.diffieHellman on KeyObjects (the host uses createECDH), and check values by the
 * openssl CLI.
 */
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { FieldValue } from '../../firmware/core/host/types';
import { field, frame, type HostClient, type Received } from './hostClient';

export const PLACEHOLDER_TID = '00000000';
export const BLANK_MID = ' '.repeat(15);

export interface Device {
  serial: string;
  privateKey: KeyObject;
  spki: Buffer;
}

export function newDevice(serial: string): Device {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { serial, privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

/** Tag, one length byte (or 81 xx), value: every element here is under 256 bytes. */
const element = (tag: number, value: Buffer) => Buffer.concat([Buffer.from(value.length < 0x80 ? [tag, value.length] : [tag, 0x81, value.length]), value]);

/** 0800, 60.3 = 370, field 62 = C1 serial ‖ C2 SPKI ‖ C3 code. */
export function activationFrame(stan: string, device: Device, code: string, tid = PLACEHOLDER_TID, mid = BLANK_MID, drop?: 0xc1 | 0xc2 | 0xc3): Uint8Array {
  const tlv = [
    [0xc1, Buffer.from(device.serial, 'ascii')],
    [0xc2, device.spki],
    [0xc3, Buffer.from(code, 'ascii')],
  ] as const;
  const f62 = Buffer.concat(tlv.filter(([tag]) => tag !== drop).map(([tag, value]) => element(tag, value)));
  const fields: [number, FieldValue][] = [[11, stan], [41, tid], [42, mid], [60, '00000001370'], [62, new Uint8Array(f62)]];
  return frame('0800', fields);
}

/** The answer's field 62 as tag → value (one-byte tags, short or 81 lengths). */
export function answerTlv(answer: Received): Map<number, Buffer> {
  const bytes = Buffer.from(field(answer, 62) as Uint8Array);
  const out = new Map<number, Buffer>();
  for (let at = 0; at < bytes.length; ) {
    const tag = bytes[at];
    let length = bytes[at + 1];
    let start = at + 2;
    if (length === 0x81) [length, start] = [bytes[at + 2], at + 3];
    else if (length === 0x82) [length, start] = [bytes.readUInt16BE(at + 2), at + 4];
    out.set(tag, bytes.subarray(start, start + length));
    at = start + length;
  }
  return out;
}

/** SPKI prefix of an uncompressed P-256 point (RFC 5480: id-ecPublicKey, prime256v1, BIT STRING of 66 bytes). */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

const KEY_BYTES: Record<number, { algorithm: 'tdes2' | 'tdes3' | 'aes128'; length: number }> = { 1: { algorithm: 'tdes2', length: 16 }, 2: { algorithm: 'tdes3', length: 24 }, 3: { algorithm: 'aes128', length: 16 } };

/** Opens the envelope (D1, D2, D4) as the contract says; returns the master key in hex and its algorithm. */
export function openEnvelope(device: Device, tlv: Map<number, Buffer>): { keyHex: string; algorithm: 'tdes2' | 'tdes3' | 'aes128' } {
  const ephemeral = createPublicKey({ key: Buffer.concat([P256_SPKI_PREFIX, tlv.get(0xd1)!]), format: 'der', type: 'spki' });
  const z = diffieHellman({ privateKey: device.privateKey, publicKey: ephemeral });
  const kek = createHash('sha256').update(Buffer.concat([z, Buffer.from('00000001', 'hex'), Buffer.from('xspos-activation'), Buffer.from(device.serial)])).digest().subarray(0, 16);
  const d = createDecipheriv('aes-128-cbc', kek, Buffer.alloc(16)).setAutoPadding(false);
  const clear = Buffer.concat([d.update(tlv.get(0xd2)!), d.final()]);
  const { algorithm, length } = KEY_BYTES[tlv.get(0xd4)![0]];
  expect(clear.subarray(length).every((b) => b === 0)).toBe(true); // zero padding
  return { keyHex: clear.subarray(0, length).toString('hex').toUpperCase(), algorithm };
}

/** The key's full check value by openssl: E(K, 0⁸) (3DES ECB) or AES-CMAC(K, 0¹⁶). */
export function opensslCheckValue(keyHex: string, algorithm: 'tdes2' | 'tdes3' | 'aes128'): Buffer {
  if (algorithm === 'aes128') {
    const mac = execFileSync('openssl', ['mac', '-cipher', 'AES-128-CBC', '-macopt', `hexkey:${keyHex}`, 'CMAC'], { input: Buffer.alloc(16) });
    return Buffer.from(mac.toString('latin1').trim(), 'hex');
  }
  const k = algorithm === 'tdes2' ? keyHex + keyHex.slice(0, 16) : keyHex;
  return execFileSync('openssl', ['enc', '-des-ede3', '-K', k, '-nopad'], { input: Buffer.alloc(8) });
}

/** ECB under the master key by openssl (the sign-on's working-key block). */
export function opensslUnwrap(masterHex: string, algorithm: 'tdes2' | 'tdes3' | 'aes128', wrapped: Uint8Array): string {
  const [cipher, key] = algorithm === 'aes128' ? ['-aes-128-ecb', masterHex] : ['-des-ede3', algorithm === 'tdes2' ? masterHex + masterHex.slice(0, 16) : masterHex];
  return execFileSync('openssl', ['enc', '-d', cipher, '-K', key, '-nopad'], { input: Buffer.from(wrapped) }).toString('hex').toUpperCase();
}

export async function activateOver(client: HostClient, stan: string, device: Device, code: string, tid?: string): Promise<{ answer: Received; tlv: Map<number, Buffer> }> {
  const answer = await client.answer(activationFrame(stan, device, code, tid));
  return { answer, tlv: field(answer, 62) === undefined ? new Map() : answerTlv(answer) };
}
