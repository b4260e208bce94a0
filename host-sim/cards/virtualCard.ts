/**
 * Virtual payment cards for the virtual PN532 (contactless) and the virtual contact reader:
 * a TraceCard replays a recorded trace, a ProfileCard computes its answers from a card
 * profile (host-sim/cards/README.md describes both file formats). Engine-neutral: the XS lane
 * runs these in XS (no node: imports). A card never sees a terminal's keys; its own keys are
 * TEST keys written in its file.
 */
import { ascii, concatBytes, toHex } from '../../firmware/core/bytes';
import {
  parseCardFile,
  templateBytes,
  tlvBytes,
  type AcKind,
  type CardCommand,
  type CardInterface,
  type ProfileApplication,
  type ProfileFile,
  type TagValue,
  type TraceExchange,
  type TraceFile,
} from './cardFile';
import { rsaPrivate } from './rsaPrivate';
import { sha1 } from './sha1';

export interface VirtualCard {
  readonly name: string;
  readonly interface: CardInterface;
  /** ISO 14443-A UID (contactless) */
  readonly uid?: Uint8Array;
  /** ISO 7816-3 answer to reset (contact) */
  readonly atr?: Uint8Array;
  /** A contact card that speaks T=0: the virtual contact reader answers 61xx / 6Cxx for it. */
  readonly t0?: boolean;
  /** Answers one C-APDU with its R-APDU (data ‖ SW1 SW2). @throws CardGone when removed mid-exchange */
  answer(capdu: Uint8Array): Uint8Array;
  /** Lines about commands the card did not expect (first TRACE_CAP kept); never card data. */
  readonly trace: string[];
  /** The card is presented again (field reset / re-insertion): selection and replay start over; counters and trace stay. */
  reset(): void;
}

/** The card left the field or the slot: the reader reports a lost card. */
export class CardGone extends Error {
  override readonly name = 'CardGone';
  readonly code = 'card-gone';
  constructor(message: string) {
    super(message);
  }
}

export const TRACE_CAP = 100;
/** ISO 7816-3 ATR of a T=0 card (TS 3B, T0 68: TB1 TC1, 8 historical bytes) when the file gives none. */
export const DEFAULT_ATR = Uint8Array.of(0x3b, 0x68, 0x00, 0x00, 0x00, 0x73, 0xc8, 0x40, 0x13, 0x00, 0x90, 0x00);

function sw(word: number): Uint8Array {
  return Uint8Array.of(word >> 8, word & 0xff);
}
function withSw(data: Uint8Array, word: number): Uint8Array {
  return concatBytes([data, sw(word)]);
}
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && sameBytes(bytes.subarray(0, prefix.length), prefix);
}
function addTrace(trace: string[], line: string): void {
  if (trace.length < TRACE_CAP) trace.push(line);
}
/** A UID of 7 bytes (NXP's 04 first) that stays the same for the same card name. */
function uidFor(name: string): Uint8Array {
  const codes = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) codes[i] = name.charCodeAt(i) & 0xff;
  return concatBytes([Uint8Array.of(0x04), sha1(codes).subarray(0, 6)]);
}
function presence(file: { interface: CardInterface; uid?: Uint8Array; atr?: Uint8Array; name: string }): { uid?: Uint8Array; atr?: Uint8Array } {
  if (file.interface === 'contact') return { uid: file.uid, atr: file.atr ?? DEFAULT_ATR };
  return { uid: file.uid ?? uidFor(file.name), atr: file.atr };
}

// ---------------------------------------------------------------------------------------
// Recorded trace

/**
 * Replays a trace: a command is answered by the exchange right after the last one answered
 * when that exchange recorded no command (`"capdu": ""`) or the same bytes; otherwise by the
 * next unused exchange with the same bytes after it, then before it (a terminal need not send
 * the recording reader's extra commands). Anything else gets 6D00 and a trace line.
 */
export class TraceCard implements VirtualCard {
  readonly name: string;
  readonly interface: CardInterface;
  readonly uid?: Uint8Array;
  readonly atr?: Uint8Array;
  readonly t0: boolean;
  readonly trace: string[] = [];
  readonly #exchanges: readonly TraceExchange[];
  #used: boolean[];
  #cursor = 0;

  constructor(file: TraceFile) {
    this.name = file.name;
    this.interface = file.interface;
    const p = presence(file);
    this.uid = p.uid;
    this.atr = p.atr;
    this.t0 = file.t0;
    this.#exchanges = file.exchanges;
    this.#used = file.exchanges.map(() => false);
  }

  answer(capdu: Uint8Array): Uint8Array {
    const at = this.#match(capdu);
    if (at === undefined) {
      addTrace(this.trace, `${this.name}: unexpected command ${toHex(capdu.subarray(0, 4)).toUpperCase()}… (${capdu.length} bytes) after exchange ${this.#cursor}: 6D00`);
      return sw(0x6d00);
    }
    this.#used[at] = true;
    this.#cursor = at + 1;
    return this.#exchanges[at].rapdu.slice();
  }

  #match(capdu: Uint8Array): number | undefined {
    const list = this.#exchanges;
    const next = list[this.#cursor];
    if (next && !this.#used[this.#cursor] && (next.capdu === undefined || sameBytes(next.capdu, capdu))) return this.#cursor;
    for (let i = this.#cursor; i < list.length; i++) if (!this.#used[i] && list[i].capdu && sameBytes(list[i].capdu!, capdu)) return i;
    for (let i = 0; i < this.#cursor; i++) if (!this.#used[i] && list[i].capdu && sameBytes(list[i].capdu!, capdu)) return i;
    return undefined;
  }

  reset(): void {
    this.#used = this.#exchanges.map(() => false);
    this.#cursor = 0;
  }
}

// ---------------------------------------------------------------------------------------
// Card profile

const PPSE = ascii('2PAY.SYS.DDF01');
const PSE = ascii('1PAY.SYS.DDF01');
const T = (hexTag: number): Uint8Array => (hexTag > 0xff ? Uint8Array.of(hexTag >> 8, hexTag & 0xff) : Uint8Array.of(hexTag));
const TAG_CDOL1 = T(0x8c);
const TAG_CDOL2 = T(0x8d);

const SW_OK = 0x9000;
const SW_WRONG_LENGTH = 0x6700;
const SW_NOT_SATISFIED = 0x6985;
const SW_NOT_FOUND = 0x6a82;
const SW_RECORD_NOT_FOUND = 0x6a83;
const SW_WRONG_P1P2 = 0x6a86;
const SW_DATA_NOT_FOUND = 0x6a88;
const SW_INS = 0x6d00;
const SW_CLA = 0x6e00;

const AC_RANK: Record<AcKind, number> = { AAC: 0, ARQC: 1, TC: 2 };
const AC_BY_RANK: readonly AcKind[] = ['AAC', 'ARQC', 'TC'];
const CID: Record<AcKind, number> = { AAC: 0x00, ARQC: 0x80, TC: 0x40 };

/** Total length of a DOL's data (tag ‖ length pairs); undefined when the DOL does not parse. */
export function dolLength(dol: Uint8Array): number | undefined {
  let total = 0;
  let i = 0;
  while (i < dol.length) {
    if ((dol[i] & 0x1f) === 0x1f) {
      i++;
      while (i < dol.length && dol[i] & 0x80) i++;
    }
    i++;
    if (i >= dol.length) return undefined;
    total += dol[i];
    i++;
  }
  return total;
}

/** The value of `tag` in a list of data objects. */
function valueOf(list: readonly TagValue[], tag: Uint8Array): Uint8Array | undefined {
  for (const tv of list) if (sameBytes(tv.tag, tag)) return tv.value;
  return undefined;
}

/** Per-application state that a real card keeps in its memory across transactions. */
interface AppCounters {
  atc: number;
  pinTries: number;
  dynamicNumbers: number;
}

type Selection = { kind: 'none' } | { kind: 'directory' } | { kind: 'app'; index: number; gpoDone: boolean; acCount: number };

/**
 * Answers from a card profile: PPSE / PSE directory, SELECT AID, GET PROCESSING OPTIONS,
 * READ RECORD, GET DATA, GENERATE AC and INTERNAL AUTHENTICATE, with the faults the profile
 * asks for. The application cryptogram is a simulation (README: not a scheme algorithm).
 */
export class ProfileCard implements VirtualCard {
  readonly name: string;
  readonly interface: CardInterface;
  readonly uid?: Uint8Array;
  readonly atr?: Uint8Array;
  readonly t0: boolean;
  readonly trace: string[] = [];
  readonly #file: ProfileFile;
  readonly #counters: AppCounters[];
  #selection: Selection = { kind: 'none' };
  #commands = 0;
  #gone = false;

  constructor(file: ProfileFile) {
    this.#file = file;
    this.name = file.name;
    this.interface = file.interface;
    const p = presence(file);
    this.uid = p.uid;
    this.atr = p.atr;
    this.t0 = file.t0;
    this.#counters = file.applications.map((a) => ({ atc: a.atc, pinTries: a.pinTries, dynamicNumbers: 0 }));
  }

  /** The application transaction counter of application `index` (for tests and scenarios). */
  atc(index = 0): number {
    return this.#counters[index].atc;
  }

  reset(): void {
    this.#selection = { kind: 'none' };
    this.#commands = 0;
    this.#gone = false;
  }

  answer(capdu: Uint8Array): Uint8Array {
    const removeAfter = this.#file.faults.removeAfter;
    if (this.#gone || (removeAfter !== undefined && this.#commands >= removeAfter)) {
      this.#gone = true;
      throw new CardGone(`${this.name}: removed after ${this.#commands} commands`);
    }
    this.#commands++;
    if (capdu.length < 4) return sw(SW_WRONG_LENGTH);
    let data: Uint8Array = new Uint8Array(0);
    if (capdu.length > 5) {
      const lc = capdu[4];
      if (lc === 0 || capdu.length < 5 + lc || capdu.length > 6 + lc) return sw(SW_WRONG_LENGTH);
      data = capdu.subarray(5, 5 + lc);
    }
    const [cla, ins, p1, p2] = capdu;
    if (cla === 0x00 && ins === 0xa4) return this.#select(p1, p2, data);
    if (cla === 0x00 && ins === 0xb2) return this.#readRecord(p1, p2);
    if (cla === 0x80 && ins === 0xa8) return this.#gpo(data);
    if (cla === 0x80 && ins === 0xca) return this.#getData((p1 << 8) | p2);
    if (cla === 0x80 && ins === 0xae) return this.#generateAc(p1, data);
    if (cla === 0x00 && ins === 0x88) return this.#internalAuthenticate(data);
    addTrace(this.trace, `${this.name}: unexpected command CLA ${toHex(Uint8Array.of(cla))} INS ${toHex(Uint8Array.of(ins))}`);
    return sw(cla === 0x00 || cla === 0x80 ? SW_INS : SW_CLA);
  }

  #app(): { app: ProfileApplication; counters: AppCounters; selection: Extract<Selection, { kind: 'app' }> } | undefined {
    const s = this.#selection;
    if (s.kind !== 'app') return undefined;
    return { app: this.#file.applications[s.index], counters: this.#counters[s.index], selection: s };
  }

  /** The status word a profile fault sets for this command, if any. */
  #fault(on: CardCommand, app?: ProfileApplication, sfi?: number, record?: number): number | undefined {
    for (const f of this.#file.faults.status) {
      if (f.on !== on) continue;
      if (f.aid && !(app && sameBytes(f.aid, app.aid))) continue;
      if (f.sfi !== undefined && f.sfi !== sfi) continue;
      if (f.record !== undefined && f.record !== record) continue;
      return f.sw;
    }
    return undefined;
  }

  /** Leaves out the profile's missing tag from a template the card builds. */
  #present(list: TagValue[]): TagValue[] {
    const missing = this.#file.faults.missingTag;
    return missing ? list.filter((tv) => !sameBytes(tv.tag, missing)) : list;
  }

  #entry(app: ProfileApplication): TagValue {
    const children: TagValue[] = [{ tag: T(0x4f), value: app.aid }, { tag: T(0x50), value: ascii(app.label) }];
    if (app.preferredName) children.push({ tag: T(0x9f12), value: ascii(app.preferredName) });
    if (app.priority !== undefined) children.push({ tag: T(0x87), value: Uint8Array.of(app.priority) });
    const present = this.#present(children);
    return { tag: T(0x61), value: concatBytes(present.map((c) => tlvBytes(c.tag, c.value))) };
  }

  #select(p1: number, p2: number, name: Uint8Array): Uint8Array {
    if (p1 !== 0x04 || (p2 !== 0x00 && p2 !== 0x02)) return sw(SW_WRONG_P1P2);
    const f = this.#file;
    const contactless = f.interface === 'contactless';
    if (sameBytes(name, contactless ? PPSE : PSE)) {
      const fault = this.#fault('select-directory');
      if (fault !== undefined) return sw(fault);
      this.#selection = { kind: 'directory' };
      const proprietary = contactless
        ? [{ tag: T(0xbf0c), value: concatBytes(f.applications.map((a) => { const e = this.#entry(a); return tlvBytes(e.tag, e.value); })) }]
        : [{ tag: T(0x88), value: Uint8Array.of(f.pseSfi) }];
      return withSw(templateBytes(T(0x6f), [{ tag: T(0x84), value: name }, { tag: T(0xa5), value: concatBytes(proprietary.map((c) => tlvBytes(c.tag, c.value))) }]), SW_OK);
    }
    // Partial selection (EMV Book 1 §12.3.3): P2 02 asks for the next application whose AID begins with the name.
    const previous = this.#selection.kind === 'app' && p2 === 0x02 ? this.#selection.index : -1;
    const index = f.applications.findIndex((a, i) => i > previous && name.length > 0 && startsWith(a.aid, name));
    if (index < 0) return sw(SW_NOT_FOUND);
    const app = f.applications[index];
    const fault = this.#fault('select-aid', app);
    if (fault !== undefined) return sw(fault);
    this.#selection = { kind: 'app', index, gpoDone: false, acCount: 0 };
    const proprietary: TagValue[] = [{ tag: T(0x50), value: ascii(app.label) }];
    if (app.priority !== undefined) proprietary.push({ tag: T(0x87), value: Uint8Array.of(app.priority) });
    if (app.pdol) proprietary.push({ tag: T(0x9f38), value: app.pdol });
    if (app.language) proprietary.push({ tag: T(0x5f2d), value: ascii(app.language) });
    if (app.preferredName) proprietary.push({ tag: T(0x9f12), value: ascii(app.preferredName) });
    const a5 = this.#present(proprietary);
    return withSw(templateBytes(T(0x6f), this.#present([{ tag: T(0x84), value: app.aid }, { tag: T(0xa5), value: concatBytes(a5.map((c) => tlvBytes(c.tag, c.value))) }])), SW_OK);
  }

  #gpo(data: Uint8Array): Uint8Array {
    const current = this.#app();
    if (!current) return sw(SW_NOT_SATISFIED);
    const { app, selection } = current;
    const fault = this.#fault('gpo', app);
    if (fault !== undefined) return sw(fault);
    // The command data is the 83 template of the PDOL's data (empty when there is no PDOL).
    const expected = app.pdol ? dolLength(app.pdol) ?? 0 : 0;
    const headerLength = expected < 0x80 ? 2 : 3;
    if (data.length !== headerLength + expected || data[0] !== 0x83) return sw(SW_WRONG_LENGTH);
    selection.gpoDone = true;
    selection.acCount = 0;
    const gpo = app.gpo;
    if (gpo.format === 1) return withSw(tlvBytes(T(0x80), concatBytes([gpo.aip, gpo.afl])), SW_OK);
    return withSw(templateBytes(T(0x77), this.#present([{ tag: T(0x82), value: gpo.aip }, { tag: T(0x94), value: gpo.afl }, ...gpo.tags])), SW_OK);
  }

  #readRecord(record: number, p2: number): Uint8Array {
    if ((p2 & 0x07) !== 0x04 || record === 0) return sw(SW_WRONG_P1P2);
    const sfi = p2 >> 3;
    const f = this.#file;
    if (this.#selection.kind === 'directory' && f.interface === 'contact' && sfi === f.pseSfi) {
      const fault = this.#fault('read-record', undefined, sfi, record);
      if (fault !== undefined) return sw(fault);
      // Every application in record 1 of the PSE's SFI, one 61 entry each (EMV Book 1 §12.2.3).
      if (record !== 1) return sw(SW_RECORD_NOT_FOUND);
      return withSw(templateBytes(T(0x70), f.applications.map((a) => this.#entry(a))), SW_OK);
    }
    const current = this.#app();
    if (!current) return sw(SW_NOT_SATISFIED);
    const fault = this.#fault('read-record', current.app, sfi, record);
    if (fault !== undefined) return sw(fault);
    const found = current.app.records.find((r) => r.sfi === sfi && r.record === record);
    if (!found) return sw(SW_RECORD_NOT_FOUND);
    const bad = f.faults.malformedRecord;
    if (bad && bad.sfi === sfi && bad.record === record) return withSw(malformed(found.bytes, bad.how), SW_OK);
    return withSw(found.bytes, SW_OK);
  }

  #getData(tag: number): Uint8Array {
    const current = this.#app();
    const index = this.#selection.kind === 'app' ? this.#selection.index : 0;
    const app = current?.app ?? this.#file.applications[0];
    const counters = this.#counters[index];
    const fault = this.#fault('get-data', app);
    if (fault !== undefined) return sw(fault);
    const missing = this.#file.faults.missingTag;
    const tagBytes = T(tag);
    if (missing && sameBytes(missing, tagBytes)) return sw(SW_DATA_NOT_FOUND);
    if (tag === 0x9f36) return withSw(tlvBytes(tagBytes, Uint8Array.of(counters.atc >> 8, counters.atc & 0xff)), SW_OK);
    if (tag === 0x9f17) return withSw(tlvBytes(tagBytes, Uint8Array.of(counters.pinTries)), SW_OK);
    const value = valueOf(app.data, tagBytes);
    return value ? withSw(tlvBytes(tagBytes, value), SW_OK) : sw(SW_DATA_NOT_FOUND);
  }

  /**
   * GENERATE AC (EMV Book 3 §6.5.5): the first answers no more than the terminal asks (AAC <
   * ARQC < TC) and no more than the profile's `ac`; the second (after the online answer) TC
   * when asked, else AAC. The first GENERATE AC after GPO counts the
   * ATC up. The cryptogram is SHA-1(acKeyTest ‖ ATC ‖ CID ‖ CDOL data), first 8 bytes: a
   * deterministic stand-in that no scheme uses and the simulated acquirer does not check.
   */
  #generateAc(p1: number, cdolData: Uint8Array): Uint8Array {
    const current = this.#app();
    if (!current || !current.selection.gpoDone || current.selection.acCount >= 2) return sw(SW_NOT_SATISFIED);
    const { app, counters, selection } = current;
    const fault = this.#fault('generate-ac', app);
    if (fault !== undefined) return sw(fault);
    const requested = p1 & 0xc0;
    if (requested === 0xc0) return sw(SW_WRONG_P1P2);
    const cdol = this.#recordTag(app, selection.acCount === 0 ? TAG_CDOL1 : TAG_CDOL2);
    if (cdol && dolLength(cdol) !== cdolData.length) return sw(SW_WRONG_LENGTH);
    if (selection.acCount === 0) {
      if (counters.atc >= 0xffff) return sw(SW_NOT_SATISFIED);
      counters.atc++;
    }
    const asked: AcKind = requested === 0x80 ? 'ARQC' : requested === 0x40 ? 'TC' : 'AAC';
    // The second GENERATE AC (after the online answer) gives TC when asked, else AAC.
    const kind = selection.acCount === 0 ? AC_BY_RANK[Math.min(AC_RANK[asked], AC_RANK[app.ac])] : asked === 'TC' ? 'TC' : 'AAC';
    selection.acCount++;
    const cid = Uint8Array.of(CID[kind]);
    const atc = Uint8Array.of(counters.atc >> 8, counters.atc & 0xff);
    const cryptogram = sha1(concatBytes([app.acKeyTest, atc, cid, cdolData])).subarray(0, 8);
    if (app.acFormat === 1) return withSw(tlvBytes(T(0x80), concatBytes([cid, atc, cryptogram, app.iad ?? new Uint8Array(0)])), SW_OK);
    const objects: TagValue[] = [{ tag: T(0x9f27), value: cid }, { tag: T(0x9f36), value: atc }, { tag: T(0x9f26), value: cryptogram }];
    if (app.iad) objects.push({ tag: T(0x9f10), value: app.iad });
    return withSw(templateBytes(T(0x77), this.#present(objects)), SW_OK);
  }

  #recordTag(app: ProfileApplication, tag: Uint8Array): Uint8Array | undefined {
    for (const r of app.records) {
      const v = r.tags && valueOf(r.tags, tag);
      if (v) return v;
    }
    return undefined;
  }

  /**
   * INTERNAL AUTHENTICATE for DDA (EMV Book 2 §6.5, table 15): Signed Dynamic Application Data
   * 6A ‖ 05 ‖ 01 ‖ LDD ‖ ICC dynamic data ‖ BB… ‖ SHA-1(05 ‖ 01 ‖ LDD ‖ ICC dynamic data ‖ BB… ‖
   * terminal dynamic data) ‖ BC, signed with the ICC private (test) key. The ICC dynamic data is
   * the ICC Dynamic Number's length and the number (9F4C), counted per application.
   */
  #internalAuthenticate(ddolData: Uint8Array): Uint8Array {
    const current = this.#app();
    if (!current) return sw(SW_NOT_SATISFIED);
    const { app, counters } = current;
    if (!app.dda) {
      addTrace(this.trace, `${this.name}: INTERNAL AUTHENTICATE to a card without DDA`);
      return sw(SW_INS);
    }
    const fault = this.#fault('internal-authenticate', app);
    if (fault !== undefined) return sw(fault);
    if (ddolData.length === 0) return sw(SW_WRONG_LENGTH);
    const key = app.dda.iccPrivateTest;
    const nic = key.modulus.length;
    counters.dynamicNumbers++;
    const n = counters.dynamicNumbers;
    const number = sha1(concatBytes([app.acKeyTest, ascii('ICC dynamic number'), Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)])).subarray(0, app.dda.dynamicNumberLength);
    const dynamic = concatBytes([Uint8Array.of(number.length), number]);
    const padLength = nic - dynamic.length - 25;
    if (padLength < 0) return sw(SW_NOT_SATISFIED);
    const signedPart = concatBytes([Uint8Array.of(0x05, 0x01, dynamic.length), dynamic, new Uint8Array(padLength).fill(0xbb)]);
    const hash = sha1(concatBytes([signedPart, ddolData]));
    const sdad = rsaPrivate(key, concatBytes([Uint8Array.of(0x6a), signedPart, hash, Uint8Array.of(0xbc)]));
    if (app.dda.responseFormat === 1) return withSw(tlvBytes(T(0x80), sdad), SW_OK);
    return withSw(templateBytes(T(0x77), [{ tag: T(0x9f4b), value: sdad }]), SW_OK);
  }
}

/**
 * A record spoiled as the profile asks: 'truncated' loses its last 3 bytes (the template's
 * length then runs past the end); 'indefinite' gets the length byte 80 and an end-of-contents
 * 00 00, which EMV does not allow.
 */
function malformed(bytes: Uint8Array, how: 'truncated' | 'indefinite'): Uint8Array {
  if (how === 'truncated') return bytes.slice(0, Math.max(1, bytes.length - 3));
  const tagLength = (bytes[0] & 0x1f) === 0x1f ? 2 : 1;
  const first = bytes[tagLength] ?? 0;
  const lengthBytes = first < 0x80 ? 1 : 1 + (first & 0x7f);
  return concatBytes([bytes.subarray(0, tagLength), Uint8Array.of(0x80), bytes.subarray(tagLength + lengthBytes), Uint8Array.of(0x00, 0x00)]);
}

/**
 * A virtual card from a card file's parsed JSON (a recorded trace or a card profile).
 * @throws CardFileError naming the field that is wrong
 */
export function cardFromFile(json: unknown): VirtualCard {
  const file = parseCardFile(json);
  return file.kind === 'trace' ? new TraceCard(file) : new ProfileCard(file);
}
