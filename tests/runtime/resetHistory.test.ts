/**
 * The reset history (runtime/resetHistory.ts) through a real RecordLog over host-sim's NorFlash,
 * board by board: each boot opens the log anew on the same flash, as a power cycle does.
 * - counts per reset reason across reboots, the record's bytes written out by hand from RFC 8949;
 * - the safe mode: at the third panic or watchdog reset within 10 minutes, not at three over 11;
 *   a restart within 10 minutes of the loop's last crash stays in it, one after does not; with an
 *   implausible RTC, three crash boots in a row without a 10-minute stable run, cleared by one;
 * - facts: reset.crash-loop (fail) on entering, power.brownout (warn) per brownout boot, both in
 *   the log as events and, through gather.ts, one piece of evidence per boot;
 * - a malformed record is traced and counted afresh, nothing else lost; decoding never throws
 *   anything but ResetHistoryError (fast-check).
 */
import fc from 'fast-check';
import { gatherEvidence } from '../../firmware/core/diagnosis/gather';
import type { Ports, ResetReason } from '../../firmware/core/ports';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { DurableKey, RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { decodeEvent, type TerminalEvent } from '../../firmware/core/runtime/events';
import {
  CRASH_WINDOW_S, decodeResetCounts, encodeResetCounts, RESET_REASONS, ResetHistory, ResetHistoryError, RESETS_RECORD_MAX_BYTES, SAFE_RUN_MS,
} from '../../firmware/core/runtime/resetHistory';
import { NorFlash } from '../../host-sim/ports/norFlash';
import { VirtualClock } from '../../host-sim/ports/virtualClock';

const cbor = createCborCodec();
const BUILT = Date.UTC(2026, 10, 20);
const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const MINUTE = 60_000;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const u32 = (n: number) => n.toString(16).padStart(8, '0');

/** A board: its flash and RTC outlive every boot; each boot opens the log and counts its reset reason. */
class Board {
  readonly flash = new NorFlash({ sectors: 16, sectorSize: 4096 });
  readonly clock = new VirtualClock(T0);
  readonly traces: string[] = [];
  history!: ResetHistory;
  log!: RecordLog;

  /** Powers the board on at RTC `wallMs` with `reason`, as the terminal does: the boot event, then the reset history. */
  boot(reason: ResetReason, wallMs: number): ResetHistory {
    this.history?.stop();
    this.clock.reboot();
    this.clock.setWallMs(wallMs);
    const log = RecordLog.open(this.flash);
    this.log = log;
    const record = (type: number, value: unknown) => void log.append(type, cbor.encode(value));
    const clock = this.clock;
    const ports = { clock, system: { resetReason: () => reason, buildTime: BUILT }, trace: (line: string) => this.traces.push(line) } as unknown as Ports;
    record(RecordType.event, { kind: 'boot', firmwareVersion: '1.8.0', resetReason: reason, recovery: { records: 0, tornRecords: 0, interruptedErases: 0, corruptRecords: 0, corruptSectors: 0 }, uptimeMs: 0, wallMs });
    this.history = new ResetHistory({ ports, cbor, log: () => log, record });
    this.history.atBoot();
    return this.history;
  }

  /** The record as flash holds it now (a fresh log over the same flash). */
  stored(): Uint8Array {
    return RecordLog.open(this.flash).get(DurableKey.resets)!.payload;
  }

  /** Every event in the log, oldest first. */
  events(): TerminalEvent[] {
    return [...RecordLog.open(this.flash).records()].filter((r) => r.type === RecordType.event).map((r) => decodeEvent(cbor, r.payload));
  }

  facts(code: string) {
    return this.events().filter((e) => e.kind === 'fact' && e.code === code);
  }
}

describe('counts per reset reason', () => {
  it('counts every reason across reboots, and the record is the RFC 8949 array this firmware writes', () => {
    const board = new Board();
    const reasons: ResetReason[] = ['power-on', 'software', 'watchdog', 'panic', 'brownout', 'deep-sleep', 'unknown', 'power-on'];
    reasons.forEach((reason, i) => board.boot(reason, T0 + i * 3_600_000));
    expect(board.history.counts?.counts).toEqual([2, 1, 1, 1, 1, 1, 1]);
    const watchdogS = (T0 + 2 * 3_600_000) / 1000;
    const panicS = (T0 + 3 * 3_600_000) / 1000;
    // [1, [2, 1, 1, 1, 1, 1, 1], 2, [watchdog s, panic s]]: array(4), 1, array(7) of small ints, 2, array(2) of uint32 (0x1a).
    expect(hex(board.stored())).toBe(`84 01 87 02 01 01 01 01 01 01 02 82 1a${u32(watchdogS)} 1a${u32(panicS)}`.replace(/ /g, ''));
    expect(board.traces).toEqual([]);
  });

  it('at its largest the record is RESETS_RECORD_MAX_BYTES (42 B), within the contract\'s 64; counts saturate', () => {
    const worst = encodeResetCounts(cbor, { counts: RESET_REASONS.map(() => 0xffff), streak: 0xff, crashTimes: [0xffffffff, 0xffffffff, 0xffffffff] });
    expect(worst.length).toBe(RESETS_RECORD_MAX_BYTES);
    expect(RESETS_RECORD_MAX_BYTES).toBeLessThanOrEqual(64);
    const board = new Board();
    board.log = RecordLog.open(board.flash);
    board.log.put(DurableKey.resets, RecordType.resets, encodeResetCounts(cbor, { counts: RESET_REASONS.map(() => 0xffff), streak: 0, crashTimes: [] }));
    board.boot('power-on', T0);
    expect(board.history.counts?.counts[0]).toBe(0xffff);
  });

  it('without a record log: never throws, nothing counted, no safe mode', () => {
    const clock = new VirtualClock(T0);
    const events: unknown[] = [];
    const ports = { clock, system: { resetReason: () => 'panic', buildTime: BUILT }, trace: () => undefined } as unknown as Ports;
    const history = new ResetHistory({ ports, cbor, log: () => undefined, record: (_t, v) => events.push(v) });
    for (let i = 0; i < 4; i++) history.atBoot();
    expect(history.safeMode).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('the safe mode', () => {
  it('comes at the third panic or watchdog reset within 10 minutes, with its fact', () => {
    const board = new Board();
    board.boot('power-on', T0 - 3_600_000);
    expect(board.boot('panic', T0).safeMode).toBeUndefined();
    expect(board.boot('watchdog', T0 + 4 * MINUTE).safeMode).toBeUndefined();
    expect(board.facts('reset.crash-loop')).toEqual([]);
    const third = board.boot('panic', T0 + 9 * MINUTE + 59_000);
    expect(third.safeMode).toEqual({ crashes: 3, windowMinutes: 10, byClock: true, lastCrashWallMs: T0 + 9 * MINUTE + 59_000 });
    expect(board.facts('reset.crash-loop')).toEqual([
      expect.objectContaining({ status: 'fail', wallMs: T0 + 9 * MINUTE + 59_000, detail: 'crashes=3 window=10min by=clock reason=panic' }),
    ]);
  });

  it('does not come at three crashes over 11 minutes; a fourth within 10 minutes of the two before brings it', () => {
    const board = new Board();
    expect(board.boot('panic', T0).safeMode).toBeUndefined();
    expect(board.boot('panic', T0 + 5.5 * MINUTE).safeMode).toBeUndefined();
    expect(board.boot('watchdog', T0 + 11 * MINUTE).safeMode).toBeUndefined();
    expect(board.facts('reset.crash-loop')).toEqual([]);
    expect(board.boot('panic', T0 + 12 * MINUTE).safeMode).toMatchObject({ crashes: 3, byClock: true });
  });

  it('power-on and software restarts between crashes are no crashes: the window counts crashes only', () => {
    const board = new Board();
    board.boot('panic', T0);
    board.boot('power-on', T0 + MINUTE);
    board.boot('panic', T0 + 2 * MINUTE);
    board.boot('software', T0 + 3 * MINUTE);
    expect(board.history.safeMode).toBeUndefined();
    expect(board.boot('watchdog', T0 + 4 * MINUTE).safeMode).toMatchObject({ crashes: 3 });
  });

  it('ends at the first restart 10 minutes after the last crash; a restart before that stays in it', () => {
    const board = new Board();
    for (const m of [0, 2, 4]) board.boot('panic', T0 + m * MINUTE);
    expect(board.history.safeMode).toBeDefined();
    expect(board.boot('power-on', T0 + 13 * MINUTE).safeMode).toMatchObject({ crashes: 3, byClock: true, lastCrashWallMs: T0 + 4 * MINUTE });
    expect(board.boot('power-on', T0 + 4 * MINUTE + CRASH_WINDOW_S * 1000).safeMode).toBeUndefined();
    expect(board.facts('reset.crash-loop')).toHaveLength(2);
  });

  it('with an implausible RTC: three crash boots in a row; a restart without a stable run stays in it; 10 minutes of running end it', async () => {
    const board = new Board();
    const rtc1970 = 5_000;
    expect(board.boot('panic', rtc1970).safeMode).toBeUndefined();
    expect(board.boot('watchdog', rtc1970 + 3_600_000).safeMode).toBeUndefined();
    // Hours apart by that RTC, but nothing dates them: crash boots with no stable run between.
    expect(board.boot('panic', rtc1970 + 7_200_000).safeMode).toEqual({ crashes: 3, windowMinutes: 10, byClock: false });
    expect(board.facts('reset.crash-loop').at(-1)).toMatchObject({ detail: 'crashes=3 window=10min by=streak reason=panic' });
    // The stored crash times say "not dated": 0.
    expect(decodeResetCounts(cbor, board.stored())).toMatchObject({ streak: 3, crashTimes: [0, 0, 0] });
    expect(board.boot('power-on', rtc1970 + 7_300_000).safeMode).toMatchObject({ byClock: false });
    // In safe mode it runs (no link, no crash): 10 minutes of uptime clear the streak in flash.
    await board.clock.advance(SAFE_RUN_MS - 1);
    expect(decodeResetCounts(cbor, board.stored()).streak).toBe(3);
    await board.clock.advance(1);
    expect(decodeResetCounts(cbor, board.stored()).streak).toBe(0);
    expect(board.boot('power-on', rtc1970 + 8_000_000).safeMode).toBeUndefined();
  });

  it('a stable run between crashes breaks the streak; the timer is set only after a crash, and stop() cancels it', async () => {
    const board = new Board();
    board.boot('panic', 5_000);
    board.boot('panic', 10_000);
    await board.clock.advance(SAFE_RUN_MS);
    expect(board.boot('panic', 20_000).safeMode).toBeUndefined();
    board.boot('power-on', 30_000);
    // Still a streak of one: the timer waits; stop() takes it away.
    expect(board.clock.pendingTimers).toBe(1);
    board.history.stop();
    expect(board.clock.pendingTimers).toBe(0);
  });

  it('a clock that went back between crashes cannot date them: the streak decides', () => {
    const board = new Board();
    board.boot('panic', T0 + 30 * MINUTE);
    board.boot('panic', T0);
    expect(board.boot('panic', T0 + 20 * MINUTE).safeMode).toMatchObject({ crashes: 3, byClock: false });
  });
});

describe('brownouts', () => {
  it('each brownout boot records power.brownout (warn); the diagnosis sees one sighting per boot, the device family', () => {
    const board = new Board();
    board.boot('brownout', T0);
    board.boot('brownout', T0 + MINUTE);
    expect(board.facts('power.brownout')).toEqual([
      expect.objectContaining({ status: 'warn', detail: 'brownouts=1', wallMs: T0 }),
      expect.objectContaining({ status: 'warn', detail: 'brownouts=2', wallMs: T0 + MINUTE }),
    ]);
    const evidence = gatherEvidence({ events: board.events(), history: [], now: { wallMs: T0 + 2 * MINUTE, uptimeMs: 1000 } });
    expect(evidence.map((e) => [e.code, e.family, e.status, e.detail])).toEqual([['power.brownout', 'device', 'warn', 'firmware=1.8.0 seen=2 brownouts=2']]);
    expect(board.history.safeMode).toBeUndefined();
  });
});

describe('a malformed record', () => {
  // [1, [0 × 7], 0, []] by hand: array(4), 1, array(7), seven 0s, 0, array(0).
  const ZEROS = '00'.repeat(7);
  const bytesOf = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
  const WELL_FORMED = `840187${ZEROS}0080`;
  const FORMAT_2 = bytesOf(`840287${ZEROS}0080`);
  const malformed: [string, Uint8Array][] = [
    ['not CBOR', Uint8Array.of(0xff, 0x00)],
    ['cut short', bytesOf(WELL_FORMED.slice(0, -2))],
    ['another format', FORMAT_2],
    ['six counts', bytesOf(`840186${'00'.repeat(6)}0080`)],
    ['a count past 65,535', bytesOf(`8401871a00010000${'00'.repeat(6)}0080`)],
    ['a streak past 255', bytesOf(`840187${ZEROS}19010080`)],
    ['four crash times', bytesOf(`840187${ZEROS}008401020304`)],
    ['a longer form of 1 (0x18 0x01)', bytesOf(`84180187${ZEROS}0080`)],
    ['a byte after it', bytesOf(`${WELL_FORMED}00`)],
    ['a map', cbor.encode({ format: 1 })],
  ];

  it.each(malformed)('%s: decoding throws ResetHistoryError', (_, bytes) => {
    expect(() => decodeResetCounts(cbor, bytes)).toThrow(ResetHistoryError);
  });

  it('the well-formed twin of those decodes', () => {
    expect(decodeResetCounts(cbor, bytesOf(WELL_FORMED))).toEqual({ counts: [0, 0, 0, 0, 0, 0, 0], streak: 0, crashTimes: [] });
    expect(hex(encodeResetCounts(cbor, { counts: [0, 0, 0, 0, 0, 0, 0], streak: 0, crashTimes: [] }))).toBe(WELL_FORMED);
  });

  it('at boot: traced, counted afresh, and every other durable record is still there', () => {
    const board = new Board();
    const log = RecordLog.open(board.flash);
    log.put(DurableKey.keySet, RecordType.keySet, Uint8Array.of(1, 2, 3));
    log.put(DurableKey.resets, RecordType.resets, FORMAT_2);
    board.boot('panic', T0);
    expect(board.traces).toEqual([expect.stringMatching(/^reset history malformed, counting afresh: .*format 2/)]);
    expect(decodeResetCounts(cbor, board.stored())).toEqual({ counts: [0, 0, 0, 1, 0, 0, 0], streak: 1, crashTimes: [T0 / 1000] });
    expect([...RecordLog.open(board.flash).get(DurableKey.keySet)!.payload]).toEqual([1, 2, 3]);
    // A record of another type under the key is no history either.
    RecordLog.open(board.flash).put(DurableKey.resets, RecordType.keySet, encodeResetCounts(cbor, { counts: [9, 9, 9, 9, 9, 9, 9], streak: 0, crashTimes: [] }));
    board.boot('power-on', T0 + MINUTE);
    expect(board.history.counts?.counts).toEqual([1, 0, 0, 0, 0, 0, 0]);
  });

  it('any bytes: a ResetHistoryError or a well-formed history, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
        try {
          const r = decodeResetCounts(cbor, bytes);
          expect(r.counts).toHaveLength(RESET_REASONS.length);
          expect(hex(encodeResetCounts(cbor, r))).toBe(hex(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(ResetHistoryError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
