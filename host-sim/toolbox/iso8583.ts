/**
 * `8583 decode` and `8583 encode`: a host trace read by the firmware's own codec, and the same
 * JSON written back to frame hex, so an integrator can read (and replay) what went over the wire.
 * PANs are masked in decode output (field 2 shows the first six and last four digits; the PAN in
 * track 2 and 3 likewise, and everything after the separator is hidden) unless --reveal-pan:
 * a trace pasted into a ticket must not carry card numbers. Fields 52 (PIN block, encrypted) and
 * 64 (MAC) are not secrets in clear and print as hex like every b field.
 */
import { toHex } from '../../firmware/core/bytes';
import { parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { DIALECTS, dialectById } from '../../firmware/core/host/dialects';
import { decodeCupHeader, decodeFrame, encodeCupHeader, encodeFrame, CUP_HEADER_BYTES, LENGTH_BYTES, type CupHeader } from '../../firmware/core/host/frame';
import { packMessage, unpackMessage } from '../../firmware/core/host/iso8583';
import type { Dialect, FieldValue } from '../../firmware/core/host/types';
import { hex, InputError, shownPath, UsageError, type Args, type OptionSpec } from './args';
import type { Command } from './command';
import { maskPan } from '../../firmware/core/card/pan';
import { maskTrackHex } from './cards';

const DIALECT_OPTIONS: readonly OptionSpec[] = [
  { name: 'dialect', value: 'ID', help: `the ISO 8583 dialect: ${Object.keys(DIALECTS).join(', ')} (default cup-pos).` },
  { name: 'profile', value: 'FILE', help: "an acquirer profile (JSON): its dialect, and for encode its TPDU and header when the message has none." },
];

interface Setup {
  dialect: Dialect;
  tpdu?: string;
  header?: string;
}

/** The dialect (and the profile's TPDU and header) from --dialect or --profile. */
function setup(args: Args): Setup {
  const path = args.optional('profile');
  if (path !== undefined) {
    if (args.has('dialect')) throw new UsageError('give --dialect or --profile, not both');
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(args.file('profile', path)).toString('utf8'));
    } catch {
      throw new InputError('input-malformed', `--profile ${shownPath(path)} is not JSON`);
    }
    const parsed = parseAcquirerProfile(json);
    if (!parsed.ok) throw new InputError('input-malformed', `--profile ${shownPath(path)}: ${parsed.error.message}`);
    return { dialect: dialectById(parsed.value.dialect)!, tpdu: parsed.value.tpdu, header: parsed.value.header };
  }
  const id = args.optional('dialect') ?? 'cup-pos';
  const dialect = dialectById(id);
  if (!dialect) throw new UsageError(`--dialect must be one of ${Object.keys(DIALECTS).join(', ')}`);
  return { dialect };
}

/** Text of --hex, or of --in FILE, or of standard input. */
function inputText(args: Args, direct?: string): string {
  if (direct !== undefined && args.has('in')) throw new UsageError('give --hex or --in, not both');
  return direct ?? Buffer.from(args.file('in', args.optional('in') ?? '-')).toString('utf8');
}

const PAN_FIELDS: Readonly<Record<number, (v: string) => string>> = { 2: maskPan, 35: maskTrackHex, 36: maskTrackHex };

export const decode8583: Command = {
  name: '8583 decode',
  summary: 'an ISO 8583 frame (hex) as JSON: length, TPDU, header, MTI, bitmap and named fields',
  synopsis: '[--hex HEX | --in FILE] [--dialect ID | --profile FILE] [--no-length] [--reveal-pan] [--json]',
  options: [
    { name: 'hex', value: 'HEX', help: 'the frame, hex (white space allowed): 2-byte length, TPDU, header, message. Without --hex or --in, standard input.' },
    { name: 'in', value: 'FILE', help: 'a file holding the frame as hex (- for standard input).' },
    ...DIALECT_OPTIONS,
    { name: 'no-length', help: 'the hex starts at the TPDU (a trace that dropped the 2-byte length).' },
    { name: 'reveal-pan', help: 'print PANs and track data in full (masked by default: first six and last four digits).' },
  ],
  notes: [
    'b fields (52 PIN block, 55 IC data, 62, 64 MAC) print as hex; n, z, an and ans fields as text (ans bytes above 0x7E as \\u00XX, one character per byte, so encode gives back the same bytes).',
    'A masked PAN cannot be encoded again: decode with --reveal-pan to replay a trace.',
    'Example: xspos-tool 8583 decode --in trace.hex --profile cup-style.json --json',
  ],
  run(args) {
    args.positionals([]);
    const { dialect } = setup(args);
    const text = inputText(args, args.optional('hex')).replace(/\s+/g, '');
    const bytes = hex('hex', text);
    let body = bytes;
    let length: number | undefined;
    if (!args.has('no-length')) {
      if (bytes.length < LENGTH_BYTES) throw new InputError('input-malformed', 'the frame is shorter than its 2-byte length');
      length = (bytes[0] << 8) | bytes[1];
      if (length !== bytes.length - LENGTH_BYTES) throw new InputError('input-malformed', `the length prefix says ${length} bytes, ${bytes.length - LENGTH_BYTES} follow (--no-length if the trace starts at the TPDU)`);
      body = bytes.subarray(LENGTH_BYTES);
    }
    const parts = decodeFrame(body, dialect.headerLength);
    const message = unpackMessage(dialect, parts.message);
    const reveal = args.has('reveal-pan');
    const fields: Record<string, { name: string; value: string }> = {};
    for (const [field, value] of message.fields) {
      const shown = typeof value === 'string' ? value : toHex(value);
      fields[field] = { name: dialect.fields[field].name, value: reveal || !PAN_FIELDS[field] ? shown : PAN_FIELDS[field](shown) };
    }
    const header = dialect.headerLength === CUP_HEADER_BYTES ? headerJson(decodeCupHeader(parts.header)) : { hex: toHex(parts.header) };
    const bitmapBytes = parts.message[2] & 0x80 ? 16 : 8;
    const value = { dialect: dialect.id, length: length ?? body.length, tpdu: toHex(parts.tpdu), header, mti: message.mti, bitmap: toHex(parts.message.subarray(2, 2 + bitmapBytes)), fields, panMasked: !reveal };
    const lines = [
      `${dialect.name}: ${value.length} bytes, TPDU ${value.tpdu}, header ${toHex(parts.header)}, MTI ${message.mti}, bitmap ${value.bitmap}`,
      ...Object.entries(fields).map(([f, { name, value: v }]) => `  ${f.padStart(3)} ${name.padEnd(28)} ${JSON.stringify(v)}`),
      ...(reveal ? [] : ['PANs masked (--reveal-pan shows them).']),
    ];
    return { ok: true, value, text: lines.join('\n') };
  },
};

function headerJson(h: CupHeader) {
  return { appType: h.appType.toString(16).padStart(2, '0'), version: h.version.toString(16).padStart(2, '0'), terminalStatus: h.terminalStatus, processingRequest: h.processingRequest, softwareVersion: h.softwareVersion };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The header bytes from decode's JSON ({appType, version, …} or {hex}), or the profile's. */
function headerBytes(input: unknown, dialect: Dialect, fallback: string | undefined): Uint8Array {
  if (input === undefined) {
    if (fallback === undefined) throw new InputError('input-malformed', 'the message has no header (give one, or --profile)');
    return hex('header', fallback);
  }
  if (!isObject(input)) throw new InputError('input-malformed', 'header must be an object');
  if (typeof input.hex === 'string') return hex('header.hex', input.hex);
  if (dialect.headerLength !== CUP_HEADER_BYTES) throw new InputError('input-malformed', `dialect ${dialect.id} takes the header as {hex}`);
  const byte = (name: string) => {
    const v = input[name];
    if (typeof v !== 'string' || !/^[0-9a-fA-F]{2}$/.test(v)) throw new InputError('input-malformed', `header.${name} must be 2 hex digits`);
    return parseInt(v, 16);
  };
  const { terminalStatus, processingRequest, softwareVersion } = input;
  if (typeof terminalStatus !== 'number' || typeof processingRequest !== 'number' || typeof softwareVersion !== 'string') {
    throw new InputError('input-malformed', 'header needs appType, version, terminalStatus, processingRequest and softwareVersion (as 8583 decode prints them)');
  }
  return encodeCupHeader({ appType: byte('appType'), version: byte('version'), terminalStatus, processingRequest, softwareVersion });
}

export const encode8583: Command = {
  name: '8583 encode',
  summary: 'the JSON 8583 decode prints, back to frame hex',
  synopsis: '[--in FILE] [--dialect ID | --profile FILE] [--json]',
  options: [{ name: 'in', value: 'FILE', help: 'the message JSON (as 8583 decode --json --reveal-pan prints it); default standard input.' }, ...DIALECT_OPTIONS],
  notes: [
    'Needs tpdu (10 hex digits), header, mti and fields ({"11": "000001"} or {"11": {"value": "000001"}}); b fields in hex. length and bitmap are computed (a given bitmap is ignored).',
    'Example: xspos-tool 8583 decode --in trace.hex --json --reveal-pan | xspos-tool 8583 encode',
  ],
  run(args) {
    args.positionals([]);
    const { dialect, tpdu, header } = setup(args);
    let input: unknown;
    try {
      input = JSON.parse(inputText(args));
    } catch {
      throw new InputError('input-malformed', 'the message is not JSON');
    }
    if (!isObject(input) || typeof input.mti !== 'string' || !isObject(input.fields)) throw new InputError('input-malformed', 'the message needs mti (text) and fields (an object)');
    const fields = new Map<number, FieldValue>();
    for (const [key, entry] of Object.entries(input.fields)) {
      const field = /^[0-9]{1,3}$/.test(key) ? Number(key) : NaN;
      const spec = dialect.fields[field];
      if (!spec) throw new InputError('input-malformed', `fields.${key}: not a field of dialect ${dialect.id}`);
      const value = isObject(entry) ? entry.value : entry;
      if (typeof value !== 'string') throw new InputError('input-malformed', `fields.${key} must be text or {value: text}`);
      if (PAN_FIELDS[field] && value.includes('*')) throw new InputError('input-malformed', `fields.${key} is masked: decode with --reveal-pan to replay a trace`);
      fields.set(field, spec.format === 'b' ? hex(`fields.${key}`, value) : value);
    }
    const tpduHex = typeof input.tpdu === 'string' ? input.tpdu : tpdu;
    if (tpduHex === undefined) throw new InputError('input-malformed', 'the message has no tpdu (give one, or --profile)');
    const frame = encodeFrame(hex('tpdu', tpduHex), headerBytes(input.header, dialect, header), packMessage(dialect, { mti: input.mti, fields }));
    const text = toHex(frame).toUpperCase();
    return { ok: true, value: { dialect: dialect.id, length: frame.length - LENGTH_BYTES, frame: text }, text };
  },
};
