/**
 * Answer To Reset (ISO/IEC 7816-3 §8.2, EMV 4.4 Book 1 §8.3): TS, T0, the interface byte
 * chains TAi TBi TCi TDi, the historical bytes and TCK (present, and checked, when a protocol
 * other than T=0 is offered).
 */
import { CardError } from '../errors';

export interface InterfaceBytes {
  ta?: number;
  tb?: number;
  tc?: number;
  td?: number;
}

export interface Atr {
  /** 3B direct convention, 3F inverse. */
  ts: number;
  convention: 'direct' | 'inverse';
  t0: number;
  /** Group i (index 0 = TA1 TB1 TC1 TD1). */
  interfaceBytes: InterfaceBytes[];
  /** Protocols offered, in order, without T=15 (global bytes); [0] when TD1 is absent. */
  protocols: number[];
  historical: Uint8Array;
  tck?: number;
}

/** ISO/IEC 7816-3: an ATR is at most 33 bytes. */
export const ATR_MAX = 33;

/** @throws CardError 'atr-malformed' (the message names the offset) */
export function parseAtr(bytes: Uint8Array): Atr {
  const bad = (offset: number, what: string): CardError => new CardError('atr-malformed', `ATR ${what} at offset ${offset}`);
  if (bytes.length < 2) throw bad(bytes.length, 'shorter than TS T0');
  if (bytes.length > ATR_MAX) throw bad(ATR_MAX, `longer than ${ATR_MAX} bytes`);
  const ts = bytes[0];
  if (ts !== 0x3b && ts !== 0x3f) throw bad(0, `TS ${ts.toString(16)} (3B or 3F)`);
  const t0 = bytes[1];
  const k = t0 & 0x0f;
  let y = t0 >> 4;
  let i = 2;
  const groups: InterfaceBytes[] = [];
  const protocols: number[] = [];
  let tckDue = false;
  for (let g = 0; y !== 0; g++) {
    if (g >= 8) throw bad(i, 'with more than 8 interface byte groups');
    const group: InterfaceBytes = {};
    const need = ((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1) + ((y >> 3) & 1)) | 0;
    if (i + need > bytes.length) throw bad(i, 'interface bytes past the end');
    if (y & 0x1) group.ta = bytes[i++];
    if (y & 0x2) group.tb = bytes[i++];
    if (y & 0x4) group.tc = bytes[i++];
    if (y & 0x8) {
      const td = bytes[i++];
      group.td = td;
      const t = td & 0x0f;
      if (t !== 0) tckDue = true;
      if (t !== 15 && protocols.indexOf(t) < 0) protocols.push(t);
      y = td >> 4;
    } else y = 0;
    groups.push(group);
  }
  if (protocols.length === 0) protocols.push(0);
  if (i + k > bytes.length) throw bad(i, `historical bytes (${k}) past the end`);
  const historical = bytes.slice(i, i + k);
  i += k;
  const atr: Atr = { ts, convention: ts === 0x3b ? 'direct' : 'inverse', t0, interfaceBytes: groups, protocols, historical };
  if (tckDue) {
    if (i >= bytes.length) throw bad(i, 'TCK missing (a protocol other than T=0 is offered)');
    let x = 0;
    for (let j = 1; j <= i; j++) x ^= bytes[j];
    if (x !== 0) throw bad(i, 'TCK does not check (T0 to TCK must XOR to 00)');
    atr.tck = bytes[i++];
  }
  if (i !== bytes.length) throw bad(i, `${bytes.length - i} byte(s) after the end`);
  return atr;
}
