/**
 * `diag decode`: what a terminal's support page handed over, read back for support. The support
 * code a merchant reads over the phone (XXXX-XXXX-C), or the QR code's payload (the CBOR
 * summary, as hex or as the raw bytes a QR reader wrote to a file), decoded by the firmware's
 * own code, cause and evidence numbers named from the firmware's tables.
 */
import { causeByNumber } from '../../firmware/core/diagnosis/causes';
import { evidenceCodeOf } from '../../firmware/core/diagnosis/evidence';
import { decodeSummary } from '../../firmware/core/diagnosis/summary';
import { decodeSupportCode } from '../../firmware/core/diagnosis/supportCode';
import { hex, UsageError, type Args } from './args';
import { instant } from './checks';
import type { Command } from './command';

interface NamedCause {
  number: number;
  /** The catalogue's id; null for a number this firmware does not know (a newer terminal's). */
  id: string | null;
  family: string | null;
}

function named(number: number): NamedCause {
  const cause = causeByNumber(number);
  return { number, id: cause?.id ?? null, family: cause?.family ?? null };
}

const causeLine = (c: NamedCause, i: number) => `  ${i + 1}. ${String(c.number).padStart(3)} ${c.id ?? '(unknown to this firmware)'}${c.family ? ` (${c.family})` : ''}`;

/** The summary bytes of --qr-hex or --qr-file. */
function qrBytes(args: Args): Uint8Array {
  const text = args.optional('qr-hex');
  const path = args.optional('qr-file');
  if (text !== undefined && path !== undefined) throw new UsageError('give --qr-hex or --qr-file, not both');
  return text !== undefined ? hex('qr-hex', text.replace(/\s+/g, '')) : args.file('qr-file', path!);
}

function decodeCode(code: string, nowMs: number) {
  const decoded = decodeSupportCode(code, nowMs);
  const causes = decoded.causes.map(named);
  const hour = new Date(decoded.hourMs!).toISOString();
  const value = { kind: 'support-code', code: decoded.code, version: decoded.version, hour, causes };
  const text = [
    `support code ${decoded.code} (format ${decoded.version})`,
    `hour     ${hour} (the terminal's clock, the latest such hour)`,
    causes.length ? 'causes, most likely first:' : 'causes   none open',
    ...causes.map(causeLine),
  ].join('\n');
  return { ok: true, value, text };
}

function decodeQr(bytes: Uint8Array) {
  const summary = decodeSummary(bytes);
  const causes = summary.causes.map(named);
  // A number this firmware does not know reads "#n" (a newer firmware's code).
  const evidence = summary.evidence.map((number) => ({ number, code: evidenceCodeOf(number) }));
  const value = { kind: 'summary', ...summary, causes, evidence };
  const text = [
    `diagnosis summary (format ${summary.version}, ${bytes.length} bytes)`,
    `terminal ${summary.terminalId ?? '(not configured)'}`,
    `serial   ${summary.serialNumber ?? '(not given)'}`,
    `firmware ${summary.firmwareVersion}`,
    `time     ${summary.time} (the terminal's clock)`,
    causes.length ? 'causes, most likely first:' : 'causes   none open',
    ...causes.map(causeLine),
    evidence.length ? 'evidence (failures, then warnings):' : 'evidence none failing',
    ...evidence.map((e) => `  ${String(e.number).padStart(3)} ${e.code}`),
    ...(summary.omitted ? [`left out by the caps: ${summary.omitted.causes} causes, ${summary.omitted.evidence} evidence codes`] : []),
  ].join('\n');
  return { ok: true, value, text };
}

export const diagDecode: Command = {
  name: 'diag decode',
  summary: "a support code or a support QR code's payload as the diagnosis it summarises",
  synopsis: 'CODE | --qr-hex HEX | --qr-file FILE [--at TIME] [--json]',
  options: [
    { name: 'qr-hex', value: 'HEX', help: "the QR code's payload (the CBOR summary) as hex; white space allowed." },
    { name: 'qr-file', value: 'FILE', help: "a file holding the QR code's payload as raw bytes (- reads standard input)." },
    { name: 'at', value: 'TIME', help: "place a support code's hour (it keeps 2^16 hours) at or before this UTC time plus a day: 2026-12-02 or 2026-12-02T09:00:00Z (default: now)." },
  ],
  notes: [
    'CODE is the 9-character support code, as read over the phone: case, spaces and hyphens do not matter, O reads as 0 and I or L as 1. A character misread or two swapped fail its check (exit 2).',
    'Examples: xspos-tool diag decode 5H50-1V7F-W --json; zbarimg --raw -Sbinary qr.png | xspos-tool diag decode --qr-file -',
  ],
  run(args) {
    const words = args.words;
    const qr = args.has('qr-hex') || args.has('qr-file');
    if (qr) {
      args.positionals([]);
      return decodeQr(qrBytes(args));
    }
    if (words.length === 0) throw new UsageError('diag decode needs a support code, --qr-hex or --qr-file');
    // A code read out in groups may arrive as several words ("4V2E 0000 1").
    return decodeCode(words.join(''), instant(args));
  },
};
