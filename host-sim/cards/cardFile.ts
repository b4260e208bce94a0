/**
 * Virtual card files (host-sim/cards/README.md): a recorded trace (the format) or a
 * card profile that the ProfileCard answers from. This module reads the JSON into typed,
 * checked data; every refusal is a CardFileError naming the field path. Engine-neutral (the
 * XS lane loads cards too). Caps: 1,000 exchanges, 8 applications, 64 records per application,
 * 64 tags per record or template, 4,096 bytes per hex field.
 */
import { concatBytes, fromHex } from '../../firmware/core/bytes';
import type { RsaPrivateTestKey } from './rsaPrivate';

export class CardFileError extends Error {
  override readonly name = 'CardFileError';
  readonly code = 'card-file';
  /** @param path where in the file, e.g. `applications[0].records[2].tags[1][0]` */
  constructor(readonly path: string, message: string) {
    super(`${path || 'card file'}: ${message}`);
  }
}

export const MAX_EXCHANGES = 1000;
export const MAX_APPLICATIONS = 8;
export const MAX_RECORDS = 64;
export const MAX_TAGS = 64;
export const MAX_HEX_BYTES = 4096;
export const MAX_STATUS_FAULTS = 16;

export type CardInterface = 'contactless' | 'contact';
/** A data object as the file gives it: tag bytes (1–3) and value bytes. */
export interface TagValue {
  tag: Uint8Array;
  value: Uint8Array;
}

export interface TraceExchange {
  /** undefined: the trace did not record the command (`"capdu": ""`), any command matches at that step */
  capdu: Uint8Array | undefined;
  rapdu: Uint8Array;
}
export interface TraceFile {
  kind: 'trace';
  name: string;
  interface: CardInterface;
  uid?: Uint8Array;
  atr?: Uint8Array;
  t0: boolean;
  exchanges: TraceExchange[];
}

export type AcKind = 'ARQC' | 'TC' | 'AAC';
export type CardCommand = 'select-directory' | 'select-aid' | 'gpo' | 'read-record' | 'get-data' | 'generate-ac' | 'internal-authenticate';
export const CARD_COMMANDS: readonly CardCommand[] = ['select-directory', 'select-aid', 'gpo', 'read-record', 'get-data', 'generate-ac', 'internal-authenticate'];

export interface ProfileRecord {
  sfi: number;
  record: number;
  /** The record as the card returns it (a 70 template, built from `tags` when the file gives them). */
  bytes: Uint8Array;
  /** The record's data objects when the file gave them as tags. */
  tags?: TagValue[];
}
export interface ProfileApplication {
  aid: Uint8Array;
  label: string;
  priority?: number;
  preferredName?: string;
  /** 5F2D, e.g. 'zhen' */
  language?: string;
  /** 9F38 as a DOL (tag ‖ length …) */
  pdol?: Uint8Array;
  gpo: { format: 1 | 2; aip: Uint8Array; afl: Uint8Array; tags: TagValue[] };
  records: ProfileRecord[];
  /** GET DATA objects besides 9F36 and 9F17, which the card counts itself */
  data: TagValue[];
  atc: number;
  pinTries: number;
  /** What the card answers GENERATE AC at best (never more than the terminal asks). */
  ac: AcKind;
  acFormat: 1 | 2;
  iad?: Uint8Array;
  /** The TEST key of the simulated cryptogram (not a scheme algorithm: host-sim/cards/README.md). */
  acKeyTest: Uint8Array;
  dda?: { iccPrivateTest: RsaPrivateTestKey; dynamicNumberLength: number; responseFormat: 1 | 2 };
}
export interface StatusFault {
  on: CardCommand;
  sw: number;
  /** only this record (read-record) */
  sfi?: number;
  record?: number;
  /** only this application (select-aid, gpo, …) */
  aid?: Uint8Array;
}
export interface ProfileFaults {
  status: StatusFault[];
  malformedRecord?: { sfi: number; record: number; how: 'truncated' | 'indefinite' };
  /** The tag the card lacks (already left out of records, templates and data when the file is read). */
  missingTag?: Uint8Array;
  /** The card leaves the field / slot after answering this many commands. */
  removeAfter?: number;
}
export interface ProfileFile {
  kind: 'profile';
  name: string;
  interface: CardInterface;
  uid?: Uint8Array;
  atr?: Uint8Array;
  t0: boolean;
  /** Contact: the SFI of the PSE directory records. */
  pseSfi: number;
  applications: ProfileApplication[];
  faults: ProfileFaults;
}
export type CardFile = TraceFile | ProfileFile;

// ---------------------------------------------------------------------------------------
// BER-TLV encoding of what the file gives (EMV Book 3 Annex B lengths)

/** The BER-TLV length bytes of `length` (up to 65,535). */
export function tlvLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  if (length < 0x100) return Uint8Array.of(0x81, length);
  return Uint8Array.of(0x82, length >> 8, length & 0xff);
}
/** tag ‖ length ‖ value */
export function tlvBytes(tag: Uint8Array, value: Uint8Array): Uint8Array {
  return concatBytes([tag, tlvLength(value.length), value]);
}
/** tag ‖ length ‖ (each child's tag ‖ length ‖ value) */
export function templateBytes(tag: Uint8Array, children: readonly TagValue[]): Uint8Array {
  return tlvBytes(tag, concatBytes(children.map((c) => tlvBytes(c.tag, c.value))));
}

// ---------------------------------------------------------------------------------------
// Field readers

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(v: unknown, path: string): Json {
  if (!isObject(v)) throw new CardFileError(path, 'must be an object');
  return v;
}
function str(v: unknown, path: string, max = 128): string {
  if (typeof v !== 'string') throw new CardFileError(path, 'must be a string');
  if (v.length > max) throw new CardFileError(path, `longer than ${max} characters`);
  return v;
}
function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new CardFileError(path, `must be an integer ${min}..${max}`);
  return v;
}
function hex(v: unknown, path: string, minBytes = 0, maxBytes = MAX_HEX_BYTES): Uint8Array {
  if (typeof v !== 'string') throw new CardFileError(path, 'must be a hex string');
  if (v.length > 2 * maxBytes) throw new CardFileError(path, `longer than ${maxBytes} bytes`);
  if (v.length % 2 || !/^[0-9A-Fa-f]*$/.test(v)) throw new CardFileError(path, 'not an even number of hex digits');
  const bytes = fromHex(v);
  if (bytes.length < minBytes) throw new CardFileError(path, `shorter than ${minBytes} bytes`);
  return bytes;
}
function optional<T>(o: Json, key: string, path: string, read: (v: unknown, p: string) => T): T | undefined {
  return o[key] === undefined ? undefined : read(o[key], `${path}${path ? '.' : ''}${key}`);
}
function arr(v: unknown, path: string, max: number, min = 0): unknown[] {
  if (!Array.isArray(v)) throw new CardFileError(path, 'must be an array');
  if (v.length > max) throw new CardFileError(path, `more than ${max} entries`);
  if (v.length < min) throw new CardFileError(path, `fewer than ${min} entries`);
  return v;
}
function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new CardFileError(path, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** A BER tag of 1–3 bytes: a first byte with 1F in its low bits continues; a continued byte with b8 set continues. */
function tag(v: unknown, path: string): Uint8Array {
  const t = hex(v, path, 1, 3);
  const expected = (t[0] & 0x1f) !== 0x1f ? 1 : (t[1] ?? 0) & 0x80 ? 3 : 2;
  if (t.length !== expected || (expected === 3 && t[2] & 0x80)) throw new CardFileError(path, 'not a well-formed BER tag');
  return t;
}
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
/** `[[tag, value], …]` in order (an array, so numeric-looking tags such as "90" keep their place). */
function tagList(v: unknown, path: string, missing: Uint8Array | undefined): TagValue[] {
  const out: TagValue[] = [];
  arr(v, path, MAX_TAGS).forEach((pair, i) => {
    const p = `${path}[${i}]`;
    const two = arr(pair, p, 2, 2);
    const t = tag(two[0], `${p}[0]`);
    if (missing && sameBytes(t, missing)) return;
    out.push({ tag: t, value: hex(two[1], `${p}[1]`) });
  });
  return out;
}
function presence(o: Json, path: string, cardInterface: CardInterface): { uid?: Uint8Array; atr?: Uint8Array } {
  const uid = optional(o, 'uid', path, (v, p) => hex(v, p, 4, 10));
  const atr = optional(o, 'atr', path, (v, p) => hex(v, p, 2, 33));
  if (uid && uid.length !== 4 && uid.length !== 7 && uid.length !== 10) throw new CardFileError('uid', 'an ISO 14443-A UID has 4, 7 or 10 bytes');
  if (cardInterface === 'contact' && uid && !atr) throw new CardFileError('atr', 'a contact card has an ATR, not a UID');
  return { uid, atr };
}

// ---------------------------------------------------------------------------------------

function readTrace(o: Json): TraceFile {
  const cardInterface = oneOf(o.interface, 'interface', ['contactless', 'contact'] as const);
  const exchanges = arr(o.exchanges, 'exchanges', MAX_EXCHANGES, 1).map((e, i): TraceExchange => {
    const p = `exchanges[${i}]`;
    const x = obj(e, p);
    const capdu = hex(x.capdu, `${p}.capdu`, 0, 261);
    if (capdu.length > 0 && capdu.length < 4) throw new CardFileError(`${p}.capdu`, 'a command APDU has at least 4 bytes (or is "" for any command)');
    return { capdu: capdu.length ? capdu : undefined, rapdu: hex(x.rapdu, `${p}.rapdu`, 2) };
  });
  return {
    kind: 'trace',
    name: str(o.name, 'name', 200),
    interface: cardInterface,
    ...presence(o, '', cardInterface),
    t0: optional(o, 't0', '', bool) ?? false,
    exchanges,
  };
}
function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new CardFileError(path, 'must be true or false');
  return v;
}

function readRecord(v: unknown, path: string, missing: Uint8Array | undefined): ProfileRecord {
  const o = obj(v, path);
  const sfi = int(o.sfi, `${path}.sfi`, 1, 30);
  const record = int(o.record, `${path}.record`, 1, 255);
  if ((o.tags === undefined) === (o.hex === undefined)) throw new CardFileError(path, 'give either tags or hex');
  if (o.hex !== undefined) return { sfi, record, bytes: hex(o.hex, `${path}.hex`, 2) };
  const tags = tagList(o.tags, `${path}.tags`, missing);
  return { sfi, record, bytes: templateBytes(Uint8Array.of(0x70), tags), tags };
}

function readKey(v: unknown, path: string): RsaPrivateTestKey {
  const o = obj(v, path);
  const modulus = hex(o.modulus, `${path}.modulus`, 64, 256);
  const key: RsaPrivateTestKey = {
    modulus,
    publicExponent: hex(o.publicExponent, `${path}.publicExponent`, 1, 3),
    privateExponent: hex(o.privateExponent, `${path}.privateExponent`, 1, 256),
  };
  const crtFields = ['p', 'q', 'dp', 'dq', 'qinv'] as const;
  const given = crtFields.filter((f) => o[f] !== undefined);
  if (given.length === crtFields.length) {
    const [p, q, dp, dq, qinv] = crtFields.map((f) => hex(o[f], `${path}.${f}`, 1, 128));
    key.crt = { p, q, dp, dq, qinv };
  } else if (given.length) throw new CardFileError(path, 'give all of p, q, dp, dq, qinv or none');
  return key;
}

function readApplication(v: unknown, path: string, missing: Uint8Array | undefined): ProfileApplication {
  const o = obj(v, path);
  const gpo = obj(o.gpo, `${path}.gpo`);
  const gpoPath = `${path}.gpo`;
  const records = arr(o.records ?? [], `${path}.records`, MAX_RECORDS).map((r, i) => readRecord(r, `${path}.records[${i}]`, missing));
  for (let i = 0; i < records.length; i++) {
    for (let j = 0; j < i; j++) {
      if (records[i].sfi === records[j].sfi && records[i].record === records[j].record) throw new CardFileError(`${path}.records[${i}]`, `SFI ${records[i].sfi} record ${records[i].record} given twice`);
    }
  }
  const dda = optional(o, 'dda', path, (d, p) => {
    const x = obj(d, p);
    return {
      iccPrivateTest: readKey(x.iccPrivateTest, `${p}.iccPrivateTest`),
      dynamicNumberLength: optional(x, 'dynamicNumberLength', p, (n, q) => int(n, q, 2, 8)) ?? 4,
      responseFormat: (optional(x, 'responseFormat', p, (n, q) => int(n, q, 1, 2)) ?? 1) as 1 | 2,
    };
  });
  const afl = hex(gpo.afl ?? '', `${gpoPath}.afl`, 0, 252);
  if (afl.length % 4) throw new CardFileError(`${gpoPath}.afl`, 'an AFL is a multiple of 4 bytes');
  return {
    aid: hex(o.aid, `${path}.aid`, 5, 16),
    label: str(o.label, `${path}.label`, 16),
    priority: optional(o, 'priority', path, (n, p) => int(n, p, 0, 255)),
    preferredName: optional(o, 'preferredName', path, (s, p) => str(s, p, 16)),
    language: optional(o, 'language', path, (s, p) => str(s, p, 8)),
    pdol: optional(o, 'pdol', path, (h, p) => hex(h, p, 0, 252)),
    gpo: {
      format: int(gpo.format, `${gpoPath}.format`, 1, 2) as 1 | 2,
      aip: hex(gpo.aip, `${gpoPath}.aip`, 2, 2),
      afl,
      tags: gpo.tags === undefined ? [] : tagList(gpo.tags, `${gpoPath}.tags`, missing),
    },
    records,
    data: o.data === undefined ? [] : tagList(o.data, `${path}.data`, missing),
    atc: optional(o, 'atc', path, (n, p) => int(n, p, 0, 0xffff)) ?? 0,
    pinTries: optional(o, 'pinTries', path, (n, p) => int(n, p, 0, 15)) ?? 3,
    ac: optional(o, 'ac', path, (s, p) => oneOf(s, p, ['ARQC', 'TC', 'AAC'] as const)) ?? 'ARQC',
    acFormat: (optional(o, 'acFormat', path, (n, p) => int(n, p, 1, 2)) ?? 1) as 1 | 2,
    iad: optional(o, 'iad', path, (h, p) => hex(h, p, 1, 32)),
    acKeyTest: optional(o, 'acKeyTest', path, (h, p) => hex(h, p, 8, 32)) ?? new Uint8Array(16),
    dda,
  };
}

function readFaults(v: unknown): ProfileFaults {
  if (v === undefined) return { status: [] };
  const o = obj(v, 'faults');
  const status = arr(o.status ?? [], 'faults.status', MAX_STATUS_FAULTS).map((f, i): StatusFault => {
    const p = `faults.status[${i}]`;
    const x = obj(f, p);
    const sw = hex(x.sw, `${p}.sw`, 2, 2);
    return {
      on: oneOf(x.on, `${p}.on`, CARD_COMMANDS),
      sw: (sw[0] << 8) | sw[1],
      sfi: optional(x, 'sfi', p, (n, q) => int(n, q, 1, 30)),
      record: optional(x, 'record', p, (n, q) => int(n, q, 1, 255)),
      aid: optional(x, 'aid', p, (h, q) => hex(h, q, 5, 16)),
    };
  });
  const malformedRecord = optional(o, 'malformedRecord', 'faults', (m, p) => {
    const x = obj(m, p);
    return {
      sfi: int(x.sfi, `${p}.sfi`, 1, 30),
      record: int(x.record, `${p}.record`, 1, 255),
      how: optional(x, 'how', p, (s, q) => oneOf(s, q, ['truncated', 'indefinite'] as const)) ?? 'truncated',
    };
  });
  return {
    status,
    malformedRecord,
    missingTag: optional(o, 'missingTag', 'faults', tag),
    removeAfter: optional(o, 'removeAfter', 'faults', (n, p) => int(n, p, 0, 10000)),
  };
}

function readProfile(o: Json): ProfileFile {
  const cardInterface = oneOf(o.interface, 'interface', ['contactless', 'contact'] as const);
  const faults = readFaults(o.faults);
  return {
    kind: 'profile',
    name: str(o.name, 'name', 200),
    interface: cardInterface,
    ...presence(o, '', cardInterface),
    t0: optional(o, 't0', '', bool) ?? false,
    pseSfi: optional(o, 'pseSfi', '', (n, p) => int(n, p, 1, 10)) ?? 1,
    applications: arr(o.applications, 'applications', MAX_APPLICATIONS, 1).map((a, i) => readApplication(a, `applications[${i}]`, faults.missingTag)),
    faults,
  };
}

/**
 * Reads a card file's parsed JSON: a trace when it has `exchanges`, a profile when it has
 * `applications`.
 * @throws CardFileError with the path of the first field that is wrong
 */
export function parseCardFile(json: unknown): CardFile {
  const o = obj(json, '');
  if (o.exchanges !== undefined && o.applications !== undefined) throw new CardFileError('', 'a card file has exchanges (a trace) or applications (a profile), not both');
  if (o.exchanges !== undefined) return readTrace(o);
  if (o.applications !== undefined) return readProfile(o);
  throw new CardFileError('', 'neither exchanges (a recorded trace) nor applications (a card profile)');
}
