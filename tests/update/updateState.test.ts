/**
 * The update's durable record (firmware/core/update/updateState.ts): its bytes against CBOR
 * written by hand from RFC 8949 (major types, lengths), the worst case within the 200-byte cap,
 * strict decoding (every malformed record is UpdateError 'update-state', never another error,
 * seeded mutations included), and a malformed record in a real record log taken as idle with
 * every other durable record still there.
 */
import { createHash } from 'node:crypto';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { DurableKey, RecordLog, RecordType, recordFootprint } from '../../firmware/core/store/recordLog';
import { UpdateError } from '../../firmware/core/update/errors';
import {
  decodeUpdateState, encodeUpdateState, probeMark, putUpdateState, readUpdateState, IDLE_UPDATE_STATE, UPDATE_STATE_CAP, WRITE_STEP, type UpdateState,
} from '../../firmware/core/update/updateState';
import { standardProbes } from '../../firmware/core/selftest/plan';
import { NorFlash } from '../../host-sim/ports/norFlash';
import type { Ports } from '../../firmware/core/ports';

const cbor = createCborCodec();
const SHA = new Uint8Array(createHash('sha256').update('image').digest());

/** A head byte and its argument, RFC 8949 §3 (the shortest form). */
function head(major: number, n: number): number[] {
  const m = major << 5;
  if (n < 24) return [m | n];
  if (n < 0x100) return [m | 24, n];
  if (n < 0x10000) return [m | 25, n >> 8, n & 0xff];
  return [m | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
const text = (s: string) => [...head(3, s.length), ...Buffer.from(s, 'ascii')];
/** A float64 (cbor-x writes integers past 2³²−1 this way; RFC 8949 §3.3 allows it). */
const f64 = (x: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return [0xfb, ...b];
};

describe('record bytes (hand-written CBOR, RFC 8949)', () => {
  it('a download under way', () => {
    const state: UpdateState = {
      phase: 'downloading',
      target: { version: '1.2.3', security: 7, size: 200_000, sha256: SHA, buildTime: 1_767_225_600_000 },
      written: 131072,
      floor: 5,
      baseline: [probeMark('device.display')],
      last: { code: 'update.download-failed', version: '1.2.3', detail: 'update-truncated: cut', wallMs: 1_767_225_601_999 },
    };
    const version = 1 * 2 ** 32 + 2 * 2 ** 16 + 3;
    const expected = [
      ...head(4, 8), 1, 1, 5,
      ...head(4, 5), ...f64(version), 7, ...head(0, 200_000), ...head(2, 32), ...SHA, ...f64(1_767_225_600_000),
      ...head(0, 131072),
      ...head(4, 1), ...head(0, probeMark('device.display')),
      ...head(4, 4), 5, ...f64(version), ...text('update-truncated: cut'), ...head(0, 1_767_225_601),
      0xf6,
    ];
    const bytes = encodeUpdateState(cbor, state);
    expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
    expect(decodeUpdateState(cbor, bytes)).toEqual({ ...state, last: { ...state.last, wallMs: 1_767_225_601_000 } });
  });

  it('idle with a floor and nothing else', () => {
    const bytes = encodeUpdateState(cbor, { ...IDLE_UPDATE_STATE, floor: 3 });
    expect([...bytes]).toEqual([0x88, 1, 0, 3, 0xf6, 0, 0x80, 0xf6, 0xf6]);
  });
});

describe('the cap', () => {
  it(`the worst case is at most ${UPDATE_STATE_CAP.bytes} bytes (204 of flash footprint)`, () => {
    const max = '65535.65535.65535';
    const worst: UpdateState = {
      phase: 'trial',
      target: { version: max, security: 2 ** 31 - 1, size: 0xffffffff, sha256: new Uint8Array(32).fill(0xff), buildTime: 16_725_225_600_000 },
      written: 0xffffffff,
      floor: 2 ** 31 - 1,
      baseline: new Array(UPDATE_STATE_CAP.baseline).fill(0xffff),
      last: { code: 'update.download-failed', version: max, detail: '~'.repeat(200), wallMs: 0xffffffff * 1000 },
      badVersion: max,
    };
    const bytes = encodeUpdateState(cbor, worst);
    expect(bytes.length).toBeLessThanOrEqual(UPDATE_STATE_CAP.bytes);
    expect(bytes.length).toBe(182);
    expect(recordFootprint(bytes.length)).toBe(204);
    // The detail was cut to its 60 characters, the rest read back as written.
    expect(decodeUpdateState(cbor, bytes)).toEqual({ ...worst, last: { ...worst.last, detail: '~'.repeat(60) } });
    process.stdout.write(`update record worst case: ${bytes.length} B payload, ${recordFootprint(bytes.length)} B footprint\n`);
  });

  it('every standard probe has its own baseline mark', () => {
    const fitted = { fitted: true } as never;
    const probes = standardProbes({ log: 'none', cbor, keys: undefined as never, host: () => ({}) as never, parts: { reader: fitted, contact: fitted, magstripe: fitted, scanner: fitted } as Pick<Ports, 'reader' | 'contact' | 'magstripe' | 'scanner'> });
    const ids = probes.map((p) => p.id);
    expect(ids.length).toBeGreaterThan(15);
    expect(new Set(ids.map(probeMark)).size).toBe(ids.length);
  });
});

describe('malformed records: UpdateError update-state, never another error', () => {
  const good = encodeUpdateState(cbor, {
    phase: 'switched',
    target: { version: '2.0.0', security: 2, size: 65536 * 3 + 5, sha256: SHA, buildTime: 1_700_000_000_000 },
    written: 65536 * 3 + 5,
    floor: 1,
    baseline: [1, 2],
    last: { code: 'update.ok', version: '1.0.0', detail: 'security 1', wallMs: 1_700_000_000_000 },
    badVersion: '1.5.0',
  });
  const arr = (value: unknown[]) => cbor.encode(value);
  const t = (over: Partial<Record<number, unknown>>) => [2 * 2 ** 32, 2, 100, SHA, 0].map((v, i) => (i in over ? over[i] : v));
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['not CBOR', new Uint8Array([0xff, 0xff])],
    ['a map', cbor.encode({ format: 1 })],
    ['short array', arr([1, 0, 0, null, 0, []])],
    ['format 2', arr([2, 0, 0, null, 0, [], null, null])],
    ['phase 5', arr([1, 5, 0, null, 0, [], null, null])],
    ['negative floor', arr([1, 0, -1, null, 0, [], null, null])],
    ['floor past 2^31', arr([1, 0, 2 ** 31, null, 0, [], null, null])],
    ['fractional written', arr([1, 1, 0, t({}), 1.5, [], null, null])],
    ['downloading without a target', arr([1, 1, 0, null, 0, [], null, null])],
    ['sha256 of 31 bytes', arr([1, 1, 0, t({ 3: SHA.subarray(1) }), 0, [], null, null])],
    ['size 0', arr([1, 1, 0, t({ 2: 0 }), 0, [], null, null])],
    ['written past size', arr([1, 1, 0, t({}), 65536, [], null, null])],
    ['written not a step', arr([1, 1, 0, t({ 2: 200_000 }), 1000, [], null, null])],
    ['written with no target', arr([1, 0, 0, null, WRITE_STEP, [], null, null])],
    ['seven baseline marks', arr([1, 0, 0, null, 0, [1, 2, 3, 4, 5, 6, 7], null, null])],
    ['a mark past 16 bits', arr([1, 0, 0, null, 0, [0x10000], null, null])],
    ['result code 6', arr([1, 0, 0, null, 0, [], [6, 1, '', 0], null])],
    ['detail of 61', arr([1, 0, 0, null, 0, [], [0, 1, 'x'.repeat(61), 0], null])],
    ['detail with a newline', arr([1, 0, 0, null, 0, [], [0, 1, 'a\nb', 0], null])],
    ['version past 48 bits', arr([1, 0, 0, null, 0, [], null, 2 ** 48])],
    ['a bad version as text', arr([1, 0, 0, null, 0, [], null, '1.0.0'])],
    ['infinite time', arr([1, 0, 0, null, 0, [], [0, 1, '', Infinity], null])],
    ['over 200 bytes', arr([1, 0, 0, null, 0, [], null, null, 'x'.repeat(200)])],
  ];
  it.each(cases)('%s', (_why, bytes) => {
    expect(() => decodeUpdateState(cbor, bytes)).toThrow(UpdateError);
    try {
      decodeUpdateState(cbor, bytes);
    } catch (error) {
      expect((error as UpdateError).code).toBe('update-state');
    }
  });

  it('4,000 seeded mutations of a good record: each decodes to a state that encodes back the same, or is refused as update-state', () => {
    let seed = 0x2545f491;
    const next = () => ((seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0);
    let refused = 0;
    for (let i = 0; i < 4_000; i++) {
      const bytes = good.slice(0, next() % 8 === 0 ? next() % good.length : good.length);
      for (let k = 1 + (next() % 3); k > 0; k--) if (bytes.length) bytes[next() % bytes.length] ^= 1 << (next() % 8);
      let state: UpdateState;
      try {
        state = decodeUpdateState(cbor, bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(UpdateError);
        expect((error as UpdateError).code).toBe('update-state');
        refused++;
        continue;
      }
      // Taken: it is a record this firmware writes (re-encoding gives a record that decodes the same).
      expect(decodeUpdateState(cbor, encodeUpdateState(cbor, state))).toEqual(state);
    }
    expect(refused).toBeGreaterThan(2_000);
  });
});

describe('in the record log', () => {
  const geometry = { sectors: 4, sectorSize: 4096 };
  it('a malformed update record is traced and taken as idle; the other durable records are all there', () => {
    const flash = new NorFlash(geometry);
    const log = RecordLog.open(flash);
    log.put(DurableKey.evidence, RecordType.evidence, new Uint8Array([1, 2, 3]));
    log.put(DurableKey.hostState, RecordType.hostState, new Uint8Array([4, 5]));
    log.put(DurableKey.update, RecordType.update, cbor.encode([1, 9, 0, null, 0, [], null, null]));
    const again = RecordLog.open(new NorFlash(geometry, flash.bytes.slice()));
    const trace: string[] = [];
    expect(readUpdateState(again, cbor, (line) => trace.push(line))).toBe(IDLE_UPDATE_STATE);
    expect(trace.join('\n')).toMatch(/update-state: update record: phase; taken as idle/);
    expect([...again.get(DurableKey.evidence)!.payload]).toEqual([1, 2, 3]);
    expect([...again.get(DurableKey.hostState)!.payload]).toEqual([4, 5]);
    // The next put replaces it.
    putUpdateState(again, cbor, { ...IDLE_UPDATE_STATE, floor: 4 });
    expect(readUpdateState(again, cbor, () => undefined)).toEqual({ ...IDLE_UPDATE_STATE, floor: 4 });
  });

  it('no record: undefined (nothing decoded at boot)', () => {
    expect(readUpdateState(RecordLog.open(new NorFlash(geometry)), cbor, () => undefined)).toBeUndefined();
  });
});
