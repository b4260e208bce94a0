/**
 * XS side of the diagnosis bench (bench/diagnosis.ts; issue 8), in the lane's device-strict worker
 * (frozen built-ins, no TextEncoder). Everything a command needs is built in "setup", outside the
 * metering; each metered command repeats its work `n` times and replies with a short result text.
 *
 * Commands (JSON):
 *   {"what":"setup","font":hex,"sources":[EvidenceSources…],"now":{…}}  the parsed font, the situations
 *   {"what":"diagnose","s":S,"n":N}        gatherEvidence + diagnose of situation S (no JSON)
 *   {"what":"page","s":S,"kind":K,"lang":L,"n":N}  one diagnosis page of situation S's diagnosis;
 *                                          K = summary | cause | steps | support (support: support code,
 *                                          CBOR summary and QR encode included, as the runtime does)
 *   {"what":"boot","lang":L,"n":N}         the boot screen (the peer of a page)
 *   {"what":"qr","bytes":B,"n":N}          encodeQr of B pseudo-random bytes (14, 62, 213: versions 1, 4, 10)
 *   {"what":"codewords","bytes":B,"n":N}   the same payload's data codewords + Reed–Solomon alone
 *   {"what":"peerQr","bytes":B,"n":N}      the same payload through qrcode-generator (npm, pure JS; its own
 *                                          simplified penalty rules, so its mask may differ: a cost peer only)
 *   {"what":"history","s":S,"n":N}         encodeHistory + decodeHistory of situation S's evidence
 *   {"what":"append","n":N}                one record-log append of a CBOR event (the unit the sale bench uses)
 *   {"what":"activationRequest","n":N}     activationRequest + pack (no key generation: the SPKI is fixed)
 *   {"what":"signOnRequest","n":N}         a sign-on 0800 of the same fields but 62, packed (its peer)
 *   {"what":"activationAnswer","n":N}      unpack + parseActivationAnswer of a granted 0810 (no unwrap)
 *   {"what":"unpackAnswer","n":N}          unpack of the same 0810 alone (its peer)
 */
import { activationRequest, parseActivationAnswer } from '../firmware/core/activation/activationMessages';
import { fromHex } from '../firmware/core/bytes';
import { diagnose } from '../firmware/core/diagnosis/diagnose';
import { gatherEvidence, type EvidenceSources } from '../firmware/core/diagnosis/gather';
import { decodeHistory, encodeHistory } from '../firmware/core/diagnosis/history';
import { encodeSummary } from '../firmware/core/diagnosis/summary';
import { supportCode } from '../firmware/core/diagnosis/supportCode';
import type { Diagnosis } from '../firmware/core/diagnosis/types';
import { CUP_POS_DIALECT } from '../firmware/core/host/cupDialect';
import { packMessage, unpackMessage } from '../firmware/core/host/iso8583';
import type { FieldValue } from '../firmware/core/host/types';
import { interleavedCodewords } from '../firmware/core/qr/codewords';
import { encodeQr } from '../firmware/core/qr/encode';
import { dataCodewords, smallestVersion } from '../firmware/core/qr/segment';
import { createCborCodec } from '../firmware/core/store/cbor';
import { RecordLog, RecordType } from '../firmware/core/store/recordLog';
import { createDiagnosisScreens, diagnosisPage, diagnosisPageCount, type DiagnosisScreens } from '../firmware/core/ui/diagnosisScreens';
import { parseFont, type UiFont } from '../firmware/core/ui/font';
import type { Lang } from '../firmware/core/ui/strings';
import { renderBootScreen } from '../firmware/core/ui/terminalScreens';
import { NorFlash } from '../host-sim/ports/norFlash';
import qrcode from 'qrcode-generator';

declare const globalThis: Record<string, unknown>;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };
const cbor = createCborCodec();
const IDS = { terminalId: '10240001', firmwareVersion: '0.7.0' };

interface Command {
  what: string;
  n: number;
  s?: number;
  kind?: 'summary' | 'cause' | 'steps' | 'support';
  lang?: Lang;
  bytes?: number;
  font?: string;
  sources?: EvidenceSources[];
  now?: { wallMs: number; uptimeMs: number };
}

interface State {
  font: UiFont;
  screens: DiagnosisScreens;
  sources: EvidenceSources[];
  now: { wallMs: number; uptimeMs: number };
  diagnoses: Diagnosis[];
  answer: Uint8Array;
  log: RecordLog;
}
let state: State | undefined;

/** 91 SPKI-sized bytes (an EC P-256 SPKI): the request codec only copies them. */
const SPKI = new Uint8Array(91).map((_, i) => (i * 37 + 11) & 0xff);
const REQUEST = { stan: '000123', batch: 7, serial: 'XSPOS-24A1B2C3D4E5', publicKey: SPKI, code: '20261126', terminalId: '10240001', merchantId: '898440154110001' };

function tlv(tag: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + value.length);
  out.set([tag, value.length]);
  out.set(value, 2);
  return out;
}

/** A granted 0810 as the simulated acquirer sends it (field 62: D5 0, D1 point, D2 wrapped, D3 check value, D4 tdes2). */
function grantedAnswer(): Uint8Array {
  const point = new Uint8Array(65).map((_, i) => (i === 0 ? 4 : (i * 13) & 0xff));
  const parts = [tlv(0xd5, Uint8Array.of(0)), tlv(0xd1, point), tlv(0xd2, new Uint8Array(16).fill(0x22)), tlv(0xd3, Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4)), tlv(0xd4, Uint8Array.of(1))];
  const block = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) (block.set(p, at), (at += p.length));
  const fields = new Map<number, FieldValue>([[11, '000123'], [39, '00'], [41, '87654321'], [42, '898100000000001'], [62, block]]);
  return packMessage(CUP_POS_DIALECT, { mti: '0810', fields });
}

/** Deterministic payload bytes (a CBOR summary is about as random to the masks). */
const payload = (length: number): Uint8Array => new Uint8Array(length).map((_, i) => (i * 151 + 7) & 0xff);

function firstPage(d: Diagnosis, kind: string): number {
  for (let n = 0; n < diagnosisPageCount(d); n++) if (diagnosisPage(d, n).kind === kind) return n;
  throw new Error(`no ${kind} page`);
}

function run(command: Command): string {
  const { what, n } = command;
  if (what === 'setup') {
    const font = parseFont(fromHex(command.font!));
    const sources = command.sources!;
    const now = command.now!;
    state = {
      font,
      screens: createDiagnosisScreens(font, 'pin-pad'),
      sources,
      now,
      diagnoses: sources.map((s) => diagnose(gatherEvidence(s), [], now)),
      answer: grantedAnswer(),
      log: RecordLog.open(new NorFlash({ sectors: 16, sectorSize: 4096 })),
    };
    return state.diagnoses.map((d) => `${d.top?.id ?? 'none'}:${diagnosisPageCount(d)} pages`).join(', ');
  }
  const st = state!;
  let result = '';
  for (let i = 0; i < n; i++) {
    if (what === 'diagnose') result = diagnose(gatherEvidence(st.sources[command.s!]), [], st.now).top?.id ?? 'none';
    else if (what === 'page') {
      const d = st.diagnoses[command.s!];
      const context = { lang: command.lang!, ...IDS };
      const page = firstPage(d, command.kind!);
      const list =
        command.kind === 'support'
          ? st.screens.page(d, page, { ...context, supportCode: supportCode(d), qr: encodeQr(encodeSummary(d, IDS)) })
          : st.screens.page(d, page, context);
      result = `${list.ops.length} ops`;
    } else if (what === 'boot') result = `${renderBootScreen({ lang: command.lang!, ...IDS, font: st.font, keys: 'pin-pad' }).ops.length} ops`;
    else if (what === 'qr') {
      const m = encodeQr(payload(command.bytes!));
      result = `v${m.version} mask ${m.mask}`;
    } else if (what === 'peerQr') {
      const qr = qrcode(0, 'M');
      qr.addData(String.fromCharCode(...payload(command.bytes!)), 'Byte');
      qr.make();
      result = `${qr.getModuleCount()} modules`;
    } else if (what === 'codewords') {
      const bytes = payload(command.bytes!);
      const version = smallestVersion({ mode: 'byte', bytes });
      result = `${interleavedCodewords(dataCodewords({ mode: 'byte', bytes }, version), version).length} codewords`;
    } else if (what === 'history') {
      const record = encodeHistory(cbor, st.diagnoses[command.s!].evidence);
      result = `${record.length} B, ${decodeHistory(cbor, record).length} items`;
    } else if (what === 'append') {
      st.log.append(RecordType.event, cbor.encode({ kind: 'transition', from: 'ready', to: 'selftest', cause: 'selftest-periodic', uptimeMs: i * 1000, wallMs: 1795000000000 + i }));
      result = 'appended';
    } else if (what === 'activationRequest') result = `${packMessage(CUP_POS_DIALECT, activationRequest(REQUEST)).length} B`;
    else if (what === 'signOnRequest') {
      const fields = new Map<number, FieldValue>([[11, REQUEST.stan], [41, REQUEST.terminalId], [42, REQUEST.merchantId], [60, '00000007003']]);
      result = `${packMessage(CUP_POS_DIALECT, { mti: '0800', fields }).length} B`;
    } else if (what === 'activationAnswer') result = parseActivationAnswer(unpackMessage(CUP_POS_DIALECT, st.answer)).kind;
    else if (what === 'unpackAnswer') result = `${unpackMessage(CUP_POS_DIALECT, st.answer).fields.size} fields`;
    else throw new Error(`unknown bench command ${what}`);
  }
  return result;
}

globalThis.handleCommand = (message: ArrayBuffer) => {
  let reply: string;
  try {
    reply = run(JSON.parse(text.decode(new Uint8Array(message))) as Command);
  } catch (e) {
    reply = `error: ${(e as Error).name}: ${(e as Error).message}`;
  }
  return text.encode(reply).slice().buffer;
};
