/**
 * XS side of the sale bench (bench/sale.ts; issue 7, item 11): one whole sale on the real
 * HostSession, and its parts, in computrons. No TCP: the link is a responder in this engine that
 * hands back a 0210 with a correct MAC, built (packed and MACed) during "setup", so the metered
 * commands count the terminal's work only. Flash is emulated inside XS (as in the append bench);
 * crypto is the bridged port (3DES runs in Node, the bridge calls count here).
 *
 * Commands (JSON):
 *   {"what":"setup","n":N,"profile":{…}}  a signed-on session on a fresh log, N prepared answers
 *   {"what":"sale","n":N}                  N sales through HostSession.sale (async: holder reply)
 *   {"what":"deviceSale","n":N}            the same on a second session whose flash port copies natively
 *                                          (bytes.set), as the device's driver does: the whole sale
 *                                          measured without the NOR emulation's loops, erases included
 *   {"what":"pack","n":N}                  N × build the 0200 field map, pack it, frame it
 *   {"what":"mac","n":N}                   N × the request MAC over the packed 0200
 *   {"what":"journal","n":N}               N × the sale's two journal writes (pending put, done put)
 *   {"what":"deviceJournal","n":N}         the same on a log over the native flash port
 *   {"what":"unpack","n":N}                N × decode the 0210 frame, unpack it, verify its MAC
 *   {"what":"flash","n":N}                 N × the NorFlash.write calls of those two puts alone: the
 *                                          emulation's share of the journal part (the device's flash
 *                                          driver is native code, not metered XS)
 */
import { createCborCodec } from '../../firmware/core/store/cbor';
import { DurableKey, RecordLog, recordFootprint } from '../../firmware/core/store/recordLog';
import { fromHex } from '../../firmware/core/bytes';
import { parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { dialectById } from '../../firmware/core/host/dialects';
import { decodeCupHeader, decodeFrame, encodeCupHeader, encodeFrame, swapTpdu } from '../../firmware/core/host/frame';
import { packMessage, unpackMessage } from '../../firmware/core/host/iso8583';
import { HostJournal } from '../../firmware/core/host/journal';
import type { ExchangeResult, HostLink, Matcher } from '../../firmware/core/host/link';
import { entryMode, pad, reversalIcc, saleField60, saleRequest, type SaleRecord } from '../../firmware/core/host/messages';
import { HostSession, type SaleRequest } from '../../firmware/core/host/session';
import type { FieldValue } from '../../firmware/core/host/types';
import type { KeyStore } from '../../firmware/core/security/keyStore';
import { computeMac, verifyMac, type MacScheme } from '../../firmware/core/security/mac';
import type { FlashRegionPort, KeyHandle, Ports } from '../../firmware/core/ports';
import { SALE_0200 } from '../../bench/iso8583Messages';
import { NorFlash } from '../ports/norFlash';
import { parseScenario } from '../scenario/schema';
import { makeCaller } from './bridge';
import { bridgedWorld } from './xsPorts';

declare const globalThis: Record<string, unknown>;
declare const issueCommand: (request: ArrayBuffer) => ArrayBuffer;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };
const cbor = createCborCodec();
const call = makeCaller(cbor, (request) => new Uint8Array(issueCommand(request.slice().buffer)));

const TID = '10000019';
const MID = '850100082410002';
const dialect = dialectById('cup-pos')!;
const f = SALE_0200.fields;
/** A contact chip sale with a PIN: the published 0200's card data (bench/iso8583Messages.ts). */
const REQUEST: SaleRequest = {
  amountMinor: 1234,
  entry: 'contact',
  pan: f.get(2) as string,
  track2: f.get(35) as string,
  cardSeq: '001',
  icc: f.get(55) as Uint8Array,
  pinBlock: f.get(52) as Uint8Array,
};

interface Bench {
  session: HostSession;
  /** The same sale on a log whose flash writes are one native copy (the device's driver is not XS). */
  deviceSession: HostSession;
  crypto: Ports['crypto'];
  mak: KeyHandle;
  scheme: MacScheme;
  tpdu: Uint8Array;
  header: Uint8Array;
  answers: Uint8Array[];
  packed0200: Uint8Array;
  /** A journal on its own fresh log for the journal part (opened outside the metering). */
  journal: HostJournal;
  /** The same on the native flash port. */
  deviceJournal: HostJournal;
  /** The byte lengths of the NorFlash writes of a sale's two puts (record body, commit mark, twice). */
  writes: number[];
}
let bench: Bench | undefined;

const freshLog = () => RecordLog.open(new NorFlash({ sectors: 16, sectorSize: 4096 }));

/** Flash as the device's port gives it: reads, writes and erases are native copies and fills, not XS loops. */
function nativeFlash(sectors: number, sectorSize: number): FlashRegionPort {
  const bytes = new Uint8Array(sectors * sectorSize).fill(0xff);
  return {
    byteLength: bytes.length,
    sectorSize,
    read: (offset, length) => bytes.slice(offset, offset + length),
    write: (offset, data) => bytes.set(data, offset),
    eraseSector: (sector) => void bytes.fill(0xff, sector * sectorSize, (sector + 1) * sectorSize),
  };
}

/** The 0210 the host would send for the sale of `stan` (fields as the test host echoes them), MACed under `mak`. */
function answerFor(b: Omit<Bench, 'answers' | 'packed0200' | 'session' | 'deviceSession' | 'journal' | 'deviceJournal' | 'writes'>, stan: string, field60: string): Uint8Array {
  const fields = new Map<number, FieldValue>([
    [2, REQUEST.pan!], [3, '000000'], [4, pad(REQUEST.amountMinor, 12)], [11, stan], [12, '101010'], [13, '1126'], [22, '051'], [25, '00'],
    [37, '000000' + stan], [38, '123456'], [39, '00'], [41, TID], [42, MID], [49, '156'], [60, field60], [64, new Uint8Array(8)],
  ]);
  const bytes = packMessage(dialect, { mti: '0210', fields });
  bytes.set(computeMac(b.crypto, b.mak, b.scheme, bytes.subarray(0, bytes.length - 8)), bytes.length - 8);
  return encodeFrame(swapTpdu(b.tpdu), b.header, bytes).subarray(2);
}

function setup(n: number, rawProfile: unknown): string {
  const parsed = parseAcquirerProfile(rawProfile);
  if (!parsed.ok) throw parsed.error;
  const profile = parsed.value;
  const crypto = bridgedWorld(call, parseScenario({ name: 'sale-bench', steps: [{ do: 'boot' }] })).ports.crypto;
  const mak = crypto.importKey('tdes2', fromHex('0123456789abcdeffedcba9876543210'));
  const pik = crypto.importKey('tdes2', fromHex('fedcba98765432100123456789abcdef'));
  const base = { crypto, mak, scheme: { algorithm: profile.mac, padding: profile.macPadding }, tpdu: fromHex(profile.tpdu), header: encodeCupHeader({ ...decodeCupHeader(fromHex(profile.header)), appType: 0x61 }) };
  // Only what the sale asks of the key store: the working keys' handles and the generation.
  const keys = { key: (name: string) => (name === 'mac' ? mak : name === 'pin' ? pik : undefined), status: () => ({ generation: 1, masterKey: true }) } as unknown as KeyStore;
  const ports = { crypto, clock: { wallMs: () => 1795000000000, uptimeMs: () => 0 }, trace: () => undefined } as unknown as Ports;
  /** A signed-on session on `log` whose link hands back `answers` in turn. */
  const sessionOn = (log: RecordLog, answers: Uint8Array[]) => {
    let next = 0;
    const link = {
      exchange: async (_frame: Uint8Array, match: Matcher): Promise<ExchangeResult> => {
        const body = answers[next++];
        return match(body) === 'match' ? { ok: true, body, host: 0, roundTripMs: 0 } : { ok: false, stage: 'timeout', sent: true, host: 0, detail: 'stray' };
      },
    } as unknown as HostLink;
    const session = new HostSession({ ports, log, cbor, keys, profile, dialect, terminalId: TID, merchantId: MID, link });
    session.journal.recordSignOn(true, 1795000000000, 1, 7);
    return session;
  };
  const answers: Uint8Array[] = [];
  const log = freshLog();
  const session = sessionOn(log, answers);
  for (let i = 1; i <= n; i++) answers.push(answerFor(base, pad(i, 6), saleField60(7)));
  const sale = saleRecord(session.journal.peekSaleStan());
  const packed0200 = packMessage(dialect, saleRequest(session.ids, sale, REQUEST.icc, { block: REQUEST.pinBlock!, singleDes: false }));
  // One sale, unmetered, to learn the sizes of its two puts.
  session.journal.beginSale(sale);
  session.journal.completeSale(true, '00');
  const sizes = [DurableKey.journal, DurableKey.lastTransaction].map((key) => recordFootprint(log.get(key)!.payload.length));
  // The device session's sales take the same STANs from 1: the same answers, its own copy.
  const deviceSession = sessionOn(RecordLog.open(nativeFlash(16, 4096)), answers.slice());
  bench = { ...base, session, deviceSession, answers, packed0200, journal: new HostJournal(freshLog(), cbor), deviceJournal: new HostJournal(RecordLog.open(nativeFlash(16, 4096)), cbor), writes: sizes.flatMap((f) => [f - 4, 4]) };
  answers.shift();
  return `0200 of ${packed0200.length} B, 0210 of ${answers[0].length} B, journal puts of ${sizes.join(' + ')} B`;
}

function saleRecord(stan: string): SaleRecord {
  return { stan, amountMinor: REQUEST.amountMinor, entryMode: entryMode('contact', true), field60: saleField60(7), ic: true, pan: REQUEST.pan, track2: REQUEST.track2, cardSeq: REQUEST.cardSeq, icc: reversalIcc(REQUEST.icc!) };
}

function run(command: { what: string; n: number; profile?: unknown }, holder: { result?: ArrayBuffer }): string | undefined {
  const { what, n } = command;
  if (what === 'setup') return setup(n, command.profile);
  const b = bench!;
  if (what === 'sale' || what === 'deviceSale') {
    const reply = (s: string) => (holder.result = text.encode(s).slice().buffer);
    const session = what === 'sale' ? b.session : b.deviceSession;
    (async () => {
      let approved = 0;
      for (let i = 0; i < n; i++) if ((await session.sale(REQUEST)).kind === 'answered') approved++;
      return `${approved}/${n} approved; totals ${session.journal.totals.count}`;
    })().then(reply, (e: unknown) => reply(`error: ${String(e)}`));
    return undefined;
  }
  const sale = saleRecord('000001');
  if (what === 'pack') {
    let size = 0;
    for (let i = 0; i < n; i++)
      size = encodeFrame(b.tpdu, b.header, packMessage(dialect, saleRequest(b.session.ids, sale, REQUEST.icc, { block: REQUEST.pinBlock!, singleDes: false }))).length;
    return String(size);
  }
  if (what === 'mac') {
    const data = b.packed0200.subarray(0, b.packed0200.length - 8);
    for (let i = 0; i < n; i++) computeMac(b.crypto, b.mak, b.scheme, data);
    return 'ok';
  }
  if (what === 'journal' || what === 'deviceJournal') {
    const journal = what === 'journal' ? b.journal : b.deviceJournal;
    for (let i = 0; i < n; i++) {
      journal.beginSale(saleRecord(journal.peekSaleStan()));
      journal.completeSale(true, '00');
    }
    return `totals ${journal.totals.count}`;
  }
  if (what === 'flash') {
    const flash = new NorFlash({ sectors: 1, sectorSize: 4096 });
    const data = b.writes.map((length) => new Uint8Array(length).fill(0x5a));
    // The same bytes over themselves: every write passes NOR's no-bit-set check, as a fresh slot does.
    for (let i = 0; i < n; i++) for (const d of data) flash.write(0, d);
    return `${flash.stats.writes} writes`;
  }
  if (what === 'unpack') {
    let good = 0;
    for (let i = 0; i < n; i++) {
      const { message } = decodeFrame(b.answers[0], dialect.headerLength);
      const m = unpackMessage(dialect, message);
      if (verifyMac(b.crypto, b.mak, b.scheme, message.subarray(0, message.length - 8), m.fields.get(64) as Uint8Array)) good++;
    }
    return `${good}/${n} verified`;
  }
  throw new Error(`unknown sale bench command ${what}`);
}

globalThis.handleCommand = (message: ArrayBuffer) => {
  const holder: { result?: ArrayBuffer } = {};
  const reply = run(JSON.parse(text.decode(new Uint8Array(message))), holder);
  if (reply !== undefined) holder.result = text.encode(reply).slice().buffer;
  return holder;
};
