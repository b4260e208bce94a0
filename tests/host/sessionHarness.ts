/**
 * A small CUP-style host written for the session tests: it answers sign-on (working keys
 * wrapped under the TMK with node:crypto), echo, sale, reversal, advice, settlement and batch
 * upload, MACs its answers and checks the terminal's MACs with its own CUP MAC on node:crypto
 * (not the firmware's), and keeps a ledger of what it approved and reversed. It speaks through
 * the codec (host/iso8583.ts, tested on its own against an independent decoder).
 *
 * Reached either in process (InProcessLink: the power-cut sweep, fast) or over real TCP on
 * 127.0.0.1 (startTcpHost: the session tests, with the real HostLink).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packMessage, unpackMessage } from '../../firmware/core/host/iso8583';
import { dialectById } from '../../firmware/core/host/dialects';
import type { Iso8583Message } from '../../firmware/core/host/types';
import type { ExchangeResult, HostLink, Matcher } from '../../firmware/core/host/link';
import { parseAcquirerProfile, type AcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { HostSession } from '../../firmware/core/host/session';
import { KeyStore } from '../../firmware/core/security/keyStore';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { RecordLog } from '../../firmware/core/store/recordLog';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { NorFlash } from '../../host-sim/ports/norFlash';
import type { ClockPort, Ports, TimerToken } from '../../firmware/core/ports';

export const TMK = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
export const TID = '12345678';
export const MID = '123456789012345';
export const dialect = dialectById('cup-pos')!;

export function cupProfile(overrides: Record<string, unknown> = {}): AcquirerProfile {
  const raw = JSON.parse(readFileSync(join(__dirname, '../../host-sim/scenarios/profiles/cup-style.json'), 'utf8'));
  const parsed = parseAcquirerProfile({ ...raw, ...overrides });
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

const ecb = (key: Buffer, data: Buffer) => {
  const c = createCipheriv('des-ede-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
};

/** The CUP POS "ECB" MAC, written from the spec on node:crypto: XOR fold, hex, E, XOR, E, hex, first 8. */
export function cupMac(mak: Buffer, data: Uint8Array): Buffer {
  const folded = Buffer.alloc(8);
  for (let i = 0; i < data.length; i++) folded[i % 8] ^= data[i];
  const hex = Buffer.from(folded.toString('hex').toUpperCase(), 'latin1');
  const c = createCipheriv('des-ede-cbc', mak, Buffer.alloc(8));
  c.setAutoPadding(false);
  const chained = Buffer.concat([c.update(hex), c.final()]);
  return Buffer.from(chained.subarray(8, 16).toString('hex').toUpperCase().slice(0, 8), 'latin1');
}

export type Fault = 'hang' | 'wrong-mac' | 'no-mac' | { code: string };

export class CupHost {
  mak = randomBytes(16);
  pik = randomBytes(16);
  batch = 7;
  /** Every request as decoded, in order. */
  readonly requests: Iso8583Message[] = [];
  /** STAN → amount of the sales approved and not reversed. */
  readonly approved = new Map<string, number>();
  /** STANs reversed (one entry per 0400 that named an approved sale). */
  readonly reversals: string[] = [];
  readonly badMacs: string[] = [];
  /** Faults for the next requests of an MTI, taken in order. */
  readonly faults = new Map<string, Fault[]>();
  /** The settlement's reconciliation code ("1" agree, "2" do not). */
  reconciliation = '1';
  /** The CUP header's processing-request nibble in answers (3 = sign on again). */
  processingRequest = 0;

  /** Answers a frame body (TPDU ‖ header ‖ message); undefined = no answer (hang). */
  handle(body: Uint8Array): Uint8Array | undefined {
    const tpdu = body.subarray(0, 5);
    const header = Buffer.from(body.subarray(5, 11));
    const bytes = body.subarray(11);
    const req = unpackMessage(dialect, bytes);
    this.requests.push(req);
    const f = req.fields;
    const macBad = f.has(64) && !cupMac(this.mak, bytes.subarray(0, bytes.length - 8)).equals(Buffer.from(f.get(64) as Uint8Array));
    if (macBad) this.badMacs.push(req.mti);
    const fault = this.faults.get(req.mti)?.shift();
    const out = new Map<number, string | Uint8Array>();
    for (const n of [2, 3, 4, 11, 22, 25, 41, 42, 48, 49, 60]) if (f.has(n)) out.set(n, f.get(n)!);
    let code = '00';
    let mac = false;
    const stan = f.get(11) as string;
    switch (req.mti) {
      case '0800': {
        out.set(60, '00' + String(this.batch).padStart(6, '0') + '003');
        const kcv = (k: Buffer) => ecb(k, Buffer.alloc(8)).subarray(0, 4);
        out.set(62, new Uint8Array(Buffer.concat([ecb(TMK, this.pik), kcv(this.pik), ecb(TMK, this.mak), kcv(this.mak)])));
        break;
      }
      case '0200':
        mac = true;
        if (macBad) code = 'A0';
        else this.approved.set(stan, Number(f.get(4)));
        break;
      case '0400':
        mac = true;
        if (this.approved.delete(stan)) this.reversals.push(stan);
        else code = '25';
        break;
      case '0220':
        mac = true;
        break;
      case '0500': {
        const totals = f.get(48) as string;
        out.set(48, totals.slice(0, 30) + this.reconciliation + totals.slice(31));
        break;
      }
    }
    // A hang: the host did the work and its answer is lost (the case a reversal exists for).
    if (fault === 'hang') return undefined;
    if (typeof fault === 'object') code = fault.code;
    out.set(39, code);
    if (mac && fault !== 'no-mac') out.set(64, new Uint8Array(8));
    const answer = packMessage(dialect, { mti: String(Number(req.mti) + 10).padStart(4, '0'), fields: new Map([...out].sort((a, b) => a[0] - b[0])) });
    if (out.has(64)) {
      const m = cupMac(this.mak, answer.subarray(0, answer.length - 8));
      if (fault === 'wrong-mac') m[0] ^= 1;
      answer.set(m, answer.length - 8);
    }
    const reply = new Uint8Array(11 + answer.length);
    reply.set([tpdu[0], tpdu[3], tpdu[4], tpdu[1], tpdu[2]]);
    reply.set(header, 5);
    reply[7] = (reply[7] & 0xf0) | this.processingRequest;
    reply.set(answer, 11);
    return reply;
  }

  count(mti: string): number {
    return this.requests.filter((r) => r.mti === mti).length;
  }
}

/** A link that hands the frame to the host in process: no answer is a timeout after sending. */
export class InProcessLink {
  constructor(readonly host: CupHost) {}
  async exchange(frame: Uint8Array, match: Matcher): Promise<ExchangeResult> {
    const reply = this.host.handle(frame.subarray(2));
    if (!reply) return { ok: false, stage: 'timeout', sent: true, host: 0, detail: 'no answer' };
    if (match(reply) !== 'match') return { ok: false, stage: 'timeout', sent: true, host: 0, detail: 'stray' };
    return { ok: true, body: reply, host: 0, roundTripMs: 0 };
  }
  close() {}
}

/** The host on real TCP, 127.0.0.1, an ephemeral port. */
export async function startTcpHost(host: Pick<CupHost, 'handle'>): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const body = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + body.length);
        const reply = host.handle(new Uint8Array(body));
        if (reply) socket.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
      }
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

/** Real time, for the real link over real TCP. */
export const realClock: ClockPort = {
  uptimeMs: () => Math.floor(performance.now()),
  wallMs: () => Date.now(),
  setWallMs: () => {
    throw new Error('the host machine\'s clock is not the tests\' to set');
  },
  setTimer: (delayMs, callback) => setTimeout(callback, delayMs) as unknown as TimerToken,
  clearTimer: (token) => clearTimeout(token as unknown as NodeJS.Timeout),
};

export interface Terminal {
  session: HostSession;
  log: RecordLog;
  keys: KeyStore;
  flash: NorFlash;
  trace: string[];
}

/** A terminal booting on `flash`: log recovery, keys restored, the session restored. */
export function bootTerminal(flash: NorFlash, link: Pick<HostLink, 'exchange'>, profile = cupProfile()): Terminal {
  const crypto = new NodeCrypto(1, { tmk: { algorithm: 'tdes2', key: TMK } });
  const cbor = createCborCodec();
  const log = RecordLog.open(flash);
  const keys = new KeyStore(crypto, log, cbor);
  keys.restore();
  const trace: string[] = [];
  const ports = { crypto, clock: realClock, trace: (line: string) => trace.push(line) } as unknown as Ports;
  const session = new HostSession({ ports, log, cbor, keys, profile, dialect, terminalId: TID, merchantId: MID, link: link as HostLink });
  session.restore();
  return { session, log, keys, flash, trace };
}

export const newFlash = () => new NorFlash({ sectors: 4, sectorSize: 4096 });
