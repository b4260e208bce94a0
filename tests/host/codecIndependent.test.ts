/**
 * An independent decoder, written here from the CUP field table (the spec's rules, not the
 * codec's code): it works on the hex text of a message with string slicing, where the codec
 * works on bytes with nibble arithmetic. Random messages packed by the codec must read the same
 * through both, and messages this file builds by hand (hex concatenation) must unpack in the codec.
 */
import { CUP_POS_DIALECT } from '../../firmware/core/host/cupDialect';
import { packMessage, unpackMessage } from '../../firmware/core/host/iso8583';
import type { FieldValue } from '../../firmware/core/host/types';
import { mulberry32 as rng } from '../../host-sim/ports/norFlash';

/** The CUP POS table as the spec page lists it: [field, format, 'fixed' | 'LL' | 'LLL', length, right-aligned?]. */
const TABLE: [number, 'n' | 'z' | 'an' | 'ans' | 'b', 'fixed' | 'LL' | 'LLL', number, boolean?][] = [
  [2, 'n', 'LL', 19], [3, 'n', 'fixed', 6], [4, 'n', 'fixed', 12], [11, 'n', 'fixed', 6], [12, 'n', 'fixed', 6],
  [13, 'n', 'fixed', 4], [14, 'n', 'fixed', 4], [15, 'n', 'fixed', 4], [22, 'n', 'fixed', 3], [23, 'n', 'fixed', 3, true],
  [25, 'n', 'fixed', 2], [26, 'n', 'fixed', 2], [32, 'n', 'LL', 11], [35, 'z', 'LL', 37], [36, 'z', 'LLL', 104],
  [37, 'an', 'fixed', 12], [38, 'an', 'fixed', 6], [39, 'an', 'fixed', 2], [41, 'ans', 'fixed', 8], [42, 'ans', 'fixed', 15],
  [44, 'an', 'LL', 25], [48, 'n', 'LLL', 322], [49, 'an', 'fixed', 3], [52, 'b', 'fixed', 8], [53, 'n', 'fixed', 16],
  [54, 'an', 'LLL', 20], [55, 'b', 'LLL', 255], [59, 'ans', 'LLL', 999], [60, 'n', 'LLL', 17], [61, 'n', 'LLL', 29],
  [62, 'b', 'LLL', 512], [63, 'ans', 'LLL', 163], [64, 'b', 'fixed', 8],
];
const ROW = new Map(TABLE.map((r) => [r[0], r]));

/** Decodes hex text: MTI (4 hex digits), 16 hex digits of bitmap, then the fields in order. */
function referenceDecode(h: string): { mti: string; fields: Record<number, string> } {
  let pos = 0;
  const take = (n: number) => {
    if (pos + n > h.length) throw new Error('short');
    const s = h.slice(pos, pos + n);
    pos += n;
    return s;
  };
  const mti = take(4);
  const bits = BigInt(`0x${take(16)}`).toString(2).padStart(64, '0');
  if (bits[0] === '1') throw new Error('no secondary fields in CUP POS');
  const fields: Record<number, string> = {};
  for (let f = 2; f <= 64; f++) {
    if (bits[f - 1] !== '1') continue;
    const row = ROW.get(f);
    if (!row) throw new Error(`undefined ${f}`);
    const [, format, kind, max, rightAligned] = row;
    const units = kind === 'fixed' ? max : Number(take(kind === 'LL' ? 2 : 4));
    if (units > max) throw new Error('too long');
    if (format === 'n' || format === 'z') {
      const digits = take(units + (units % 2));
      let text = units % 2 ? (rightAligned ? digits.slice(1) : digits.slice(0, -1)) : digits;
      if (units % 2 && (rightAligned ? digits[0] : digits[digits.length - 1]) !== '0') throw new Error('pad');
      if (format === 'z') text = text.replace(/d/g, '=');
      if (!/^[0-9=]*$/.test(text)) throw new Error('digit');
      fields[f] = text;
    } else if (format === 'b') fields[f] = take(units * 2);
    else fields[f] = Buffer.from(take(units * 2), 'hex').toString('latin1');
  }
  if (pos !== h.length) throw new Error('trailing');
  return { mti, fields };
}

/** Hex text of a message, built by hand from the same table. */
function referenceEncode(mti: string, fields: Record<number, string>): string {
  const nums = Object.keys(fields).map(Number).sort((a, b) => a - b);
  let bits = 0n;
  for (const f of nums) bits |= 1n << BigInt(64 - f);
  let out = mti + bits.toString(16).padStart(16, '0');
  for (const f of nums) {
    const [, format, kind, , rightAligned] = ROW.get(f)!;
    const v = fields[f];
    const units = format === 'b' ? v.length / 2 : v.length;
    if (kind !== 'fixed') out += String(units).padStart(kind === 'LL' ? 2 : 4, '0');
    if (format === 'n' || format === 'z') {
      const d = v.replace(/=/g, 'd');
      out += d.length % 2 ? (rightAligned ? `0${d}` : `${d}0`) : d;
    } else if (format === 'b') out += v;
    else out += Buffer.from(v, 'latin1').toString('hex');
  }
  return out;
}

/** A random message as reference text: every field present with probability 1/2. */
function randomFields(r: () => number): Record<number, string> {
  const int = (n: number) => Math.floor(r() * n);
  const fields: Record<number, string> = {};
  for (const [f, format, kind, max] of TABLE) {
    if (r() < 0.5) continue;
    const units = kind === 'fixed' ? max : int(Math.min(max, 300) + 1);
    let v = '';
    for (let i = 0; i < units; i++) {
      if (format === 'n') v += String(int(10));
      else if (format === 'z') v += int(8) ? String(int(10)) : '=';
      else if (format === 'b') v += int(256).toString(16).padStart(2, '0');
      else if (format === 'an') v += String.fromCharCode(0x20 + int(0x5f));
      else v += String.fromCharCode(int(4) ? 0x20 + int(0x5f) : 0x80 + int(0x80));
    }
    fields[f] = v;
  }
  return fields;
}

const toCodec = (fields: Record<number, string>): Map<number, FieldValue> =>
  new Map(Object.entries(fields).map(([k, v]) => [Number(k), ROW.get(Number(k))![1] === 'b' ? new Uint8Array(Buffer.from(v, 'hex')) : v]));
const fromCodec = (fields: Map<number, FieldValue>): Record<number, string> =>
  Object.fromEntries([...fields].map(([k, v]) => [k, typeof v === 'string' ? v : Buffer.from(v).toString('hex')]));

it('the table here and the dialect agree field for field (names aside)', () => {
  const dialect = Object.entries(CUP_POS_DIALECT.fields).map(([f, s]) => [Number(f), s.format, ['fixed', '', 'LL', 'LLL'][s.prefix], s.length, s.pad === 'left' || undefined]);
  expect(dialect).toEqual(TABLE.map((r) => [r[0], r[1], r[2], r[3], r[4]]));
});

it('2,000 random messages: the codec packs what the reference encodes, and both decoders read it back', () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const r = rng(seed);
    const fields = randomFields(r);
    const mti = ['0200', '0210', '0800', '0810', '0400', '0500'][Math.floor(r() * 6)];
    const expected = referenceEncode(mti, fields);
    const packed = packMessage(CUP_POS_DIALECT, { mti, fields: toCodec(fields) });
    if (Buffer.from(packed).toString('hex') !== expected) throw new Error(`seed ${seed}: pack differs`);
    expect(referenceDecode(expected)).toEqual({ mti, fields });
    const decoded = unpackMessage(CUP_POS_DIALECT, new Uint8Array(Buffer.from(expected, 'hex')));
    expect({ mti: decoded.mti, fields: fromCodec(decoded.fields) }).toEqual({ mti, fields });
  }
});

it('both decoders accept and refuse the same mutated messages', () => {
  let agreed = 0;
  let refused = 0;
  for (let seed = 1; seed <= 5000; seed++) {
    const r = rng(seed + 1e6);
    const h = referenceEncode('0200', randomFields(r));
    const b = Buffer.from(h, 'hex');
    const i = Math.floor(r() * b.length);
    b[i] ^= 1 << Math.floor(r() * 8);
    const cut = r() < 0.2 ? b.subarray(0, Math.floor(r() * b.length)) : b;
    let ref: unknown;
    let ours: unknown;
    try {
      ref = referenceDecode(cut.toString('hex'));
    } catch {
      ref = 'refused';
    }
    try {
      const m = unpackMessage(CUP_POS_DIALECT, new Uint8Array(cut));
      ours = { mti: m.mti, fields: fromCodec(m.fields) };
    } catch {
      ours = 'refused';
    }
    // The reference lets control characters through in text fields; the codec refuses them (iso-bad-char).
    if (ref !== 'refused' && ours === 'refused') {
      const texts = Object.entries((ref as { fields: Record<number, string> }).fields).filter(([f]) => ['an', 'ans'].includes(ROW.get(Number(f))![1]));
      const allowed = texts.every(([f, v]) => [...v].every((c) => (c >= ' ' && c < '\x7f') || (ROW.get(Number(f))![1] === 'ans' && c >= '\x80')));
      if (!allowed) continue;
    }
    if (ref !== 'refused' && (ref as { mti: string }).mti !== undefined && !/^[0-9]{4}$/.test((ref as { mti: string }).mti)) continue; // the reference does not check the MTI
    expect(ours).toEqual(ref);
    agreed++;
    if (ours === 'refused') refused++;
  }
  expect(agreed).toBeGreaterThan(4000);
  expect(refused).toBeGreaterThan(1000);
});
