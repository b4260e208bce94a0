/**
 * A terminal written for the acquirer's tests: node:net (or node:tls) and the codec, nothing of
 * the acquirer's own code. Requests are MACed with openssl (tests/security/macReferences.ts),
 * working keys unwrapped with node:crypto: the acquirer is judged by references it does not share.
 */
import { createDecipheriv, createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { parseAcquirerProfile, type AcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { dialectById } from '../../firmware/core/host/dialects';
import { decodeCupHeader, decodeFrame, encodeCupHeader, encodeFrame } from '../../firmware/core/host/frame';
import { FrameReader } from '../../firmware/core/host/frameReader';
import { packMessage, unpackMessage } from '../../firmware/core/host/iso8583';
import type { FieldValue, Iso8583Message } from '../../firmware/core/host/types';
import type { AcquirerConfig, RegisteredTerminal } from '../../host-sim/acquirer/config';
import { cupMacReference, retailMacReference } from '../security/macReferences';

export const DIALECT = dialectById('cup-pos')!;
export const TID = '10240001';
export const MID = '102440153990001';
export const TMK = '0123456789ABCDEFFEDCBA9876543210';
export const PAN = '6225880112345678';

export function profile(name: 'lakala-style' | 'cup-style' | 'demo-acquirer', change: Record<string, unknown> = {}): AcquirerProfile {
  const json = JSON.parse(readFileSync(join(__dirname, '..', '..', 'host-sim', 'scenarios', 'profiles', `${name}.json`), 'utf8'));
  const parsed = parseAcquirerProfile({ ...json, ...change });
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

export function config(p: AcquirerProfile, terminals: Partial<RegisteredTerminal>[] = [{}], more: Partial<AcquirerConfig> = {}): AcquirerConfig {
  return { profile: p, seed: 7, terminals: terminals.map((t) => ({ tid: TID, mid: MID, masterKey: TMK, status: 'activated', merchantStatus: 'ok', ...t })), ...more };
}

const ecb = (decrypt: boolean, keyHex: string, data: Uint8Array): Buffer => {
  const key = Buffer.from(keyHex, 'hex');
  const k = key.length === 8 ? Buffer.concat([key, key]) : key;
  const c = (decrypt ? createDecipheriv : createCipheriv)('des-ede-ecb', k, null).setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
};
export const unwrap = (tmkHex: string, wrapped: Uint8Array) => ecb(true, tmkHex, wrapped);
/** E(K, 0⁸). */
export const checkBlock = (keyHex: string) => ecb(false, keyHex, new Uint8Array(8));

export interface Received {
  header: ReturnType<typeof decodeCupHeader>;
  message: Iso8583Message;
  /** The packed message (for MAC checks). */
  packed: Uint8Array;
}

export function decodeAnswer(body: Uint8Array): Received {
  const { header, message } = decodeFrame(body, DIALECT.headerLength);
  return { header: decodeCupHeader(header), message: unpackMessage(DIALECT, message), packed: message.slice() };
}

/** The reference MAC of a packed message whose last 8 bytes are its field 64. */
export function referenceMac(keyHex: string, packedWithMac: Uint8Array, scheme: 'cup-ecb' | 'x9.19' = 'cup-ecb'): Buffer {
  const data = Buffer.from(packedWithMac.subarray(0, packedWithMac.length - 8));
  if (scheme === 'cup-ecb') return Buffer.from(cupMacReference(keyHex, data), 'latin1');
  return retailMacReference(keyHex, Buffer.concat([data, Buffer.alloc((8 - (data.length % 8)) % 8)]));
}

/** A request frame; with `macKeyHex` the message gets field 64 by the reference MAC. */
export function frame(mti: string, fields: [number, FieldValue][], macKeyHex?: string, scheme: 'cup-ecb' | 'x9.19' = 'cup-ecb'): Uint8Array {
  const map = new Map(fields);
  if (macKeyHex) map.set(64, new Uint8Array(8));
  const packed = packMessage(DIALECT, { mti, fields: map });
  if (macKeyHex) packed.set(referenceMac(macKeyHex, packed, scheme), packed.length - 8);
  const header = encodeCupHeader({ appType: 0x60, version: 0x31, terminalStatus: 0, processingRequest: 0, softwareVersion: '000001' });
  return encodeFrame(Uint8Array.of(0x60, 0x00, 0x03, 0x00, 0x00), header, packed);
}

const base = (stan: string, tid = TID, mid = MID): [number, FieldValue][] => [[11, stan], [41, tid], [42, mid]];
export const signOnFrame = (stan: string, networkCode = '004', tid = TID, mid = MID) => frame('0800', [...base(stan, tid, mid), [60, `00000001${networkCode}`], [63, '001']]);
export const echoFrame = (stan: string, code = '301') => frame('0820', [...base(stan), [60, `00000001${code}`]]);
export function saleFrame(stan: string, amountMinor: number, macKeyHex: string | undefined, batch = '000001', scheme: 'cup-ecb' | 'x9.19' = 'cup-ecb'): Uint8Array {
  const fields: [number, FieldValue][] = [[2, PAN], [3, '000000'], [4, String(amountMinor).padStart(12, '0')], ...base(stan), [22, '051'], [25, '00'], [49, '156'], [60, `22${batch}000`]];
  return frame('0200', fields, macKeyHex, scheme);
}
export function reversalFrame(stan: string, amountMinor: number, macKeyHex: string, reason = '98', batch = '000001'): Uint8Array {
  const fields: [number, FieldValue][] = [[2, PAN], [3, '000000'], [4, String(amountMinor).padStart(12, '0')], ...base(stan), [22, '051'], [25, '00'], [39, reason], [49, '156'], [60, `22${batch}000`]];
  return frame('0400', fields, macKeyHex);
}
/** Field 48 as the CUP settlement lays it out (written here from the spec, not from the acquirer's code). */
export function settlementFrame(stan: string, count: number, amountMinor: number, batch = '000001'): Uint8Array {
  const side = (amount: number, n: number) => `${String(amount).padStart(12, '0')}${String(n).padStart(3, '0')}${'0'.repeat(12)}000` + '0';
  return frame('0500', [...base(stan), [48, side(amountMinor, count) + side(0, 0)], [49, '156'], [60, `00${batch}201`], [63, '001']]);
}

/** One connection to the acquirer, with every chunk it received kept. */
export class HostClient {
  readonly socket: Socket;
  readonly chunks: Buffer[] = [];
  readonly #reader = new FrameReader(65535);
  readonly #bodies: Uint8Array[] = [];
  #waiters: (() => void)[] = [];
  ended = false;
  error: Error | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.#bodies.push(...this.#reader.push(new Uint8Array(chunk)));
      this.#wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.#wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.#wake();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.#wake();
    });
  }

  #wake() {
    const w = this.#waiters;
    this.#waiters = [];
    w.forEach((f) => f());
  }

  static connect(port: number, tls?: { ca: string; servername?: string }): Promise<HostClient> {
    return new Promise((resolve, reject) => {
      const socket = tls ? tlsConnect({ host: '127.0.0.1', port, ca: tls.ca, servername: tls.servername, minVersion: 'TLSv1.2' }) : tcpConnect(port, '127.0.0.1');
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        socket.off('error', reject);
        resolve(new HostClient(socket));
      });
      socket.once('error', reject);
    });
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Waits until `ready()` holds or the connection ends. */
  async until(ready: () => boolean): Promise<void> {
    while (!ready() && !this.ended && !this.error) await new Promise<void>((r) => this.#waiters.push(r));
  }

  /** The next whole frame body, or undefined when the connection ends first. */
  async next(): Promise<Uint8Array | undefined> {
    await this.until(() => this.#bodies.length > 0);
    return this.#bodies.shift();
  }

  async answer(request: Uint8Array): Promise<Received> {
    this.send(request);
    const body = await this.next();
    if (!body) throw new Error(`no answer: ${this.error?.message ?? 'connection ended'}`);
    return decodeAnswer(body);
  }

  get bytesReceived(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Signs on and returns the working keys (hex) as unwrapped by node:crypto. */
export async function signOn(client: HostClient, tmk = TMK): Promise<{ pin: string; mac: string; data?: string; answer: Received }> {
  const answer = await client.answer(signOnFrame('000001'));
  const block = answer.message.fields.get(62) as Uint8Array;
  const entry = 20;
  const keys = [0, 1, 2].filter((i) => block.length >= (i + 1) * entry).map((i) => unwrap(tmk, block.subarray(i * entry, i * entry + 16)).toString('hex').toUpperCase());
  return { pin: keys[0], mac: keys[1], data: keys[2], answer };
}

export const field = (r: Received, n: number) => r.message.fields.get(n);
