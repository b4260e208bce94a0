/**
 * The reset and crash history (issue 10 item 6): every boot's reset reason counted in a durable
 * record, the recent crashes' times, and the crash loop's safe mode.
 *
 * The record (RecordType.resets, DurableKey.resets): a CBOR array
 *   [format 1, [power-on, software, watchdog, panic, brownout, deep-sleep, unknown], streak, [crash times]]
 * - counts: boots of each reason, each saturating at 65,535;
 * - streak: crash boots (panic, watchdog) since the terminal last ran SAFE_RUN_MS without one
 *   (saturating at 255);
 * - crash times: the last CRASH_TIMES crash boots' RTC, whole seconds since 1970, newest last;
 *   0 when the RTC was implausible at that boot (before the build, or 15 years after it).
 * At most RESETS_RECORD_MAX_BYTES (42 B of CBOR). Decoding is strict: the exact shape, every
 * number in range, and the bytes are the shortest encoding of what they hold (nothing trailing).
 * A malformed record (or a format this firmware does not know) is traced and the history starts
 * afresh; nothing else is lost.
 *
 * The safe mode (decided once, at boot):
 * - when the last three crash times are all known and in order, and this boot's RTC is not before
 *   the newest: the three lie within CRASH_WINDOW_S (10 min) of each other, and this boot comes
 *   less than CRASH_WINDOW_S after the newest. A crash boot is its own newest crash; a restart by
 *   a person (power-on, software) within 10 minutes of the loop's last crash stays in safe mode,
 *   one after it does not;
 * - otherwise (the RTC of one of them was implausible, or the clock went back): the streak, three
 *   crash boots or more with no stable run of SAFE_RUN_MS (10 min of uptime) between them.
 * A stable run clears the streak: a timer of SAFE_RUN_MS after a boot that found a streak. So the
 * safe mode ends at the first restart 10 minutes after the last crash, or after 10 minutes of
 * running (in safe mode, it does not crash: the acquirer link is off) whatever the RTC says. The
 * safe mode's screen (ui/safeModeScreen.ts) says so.
 *
 * Facts (events of kind 'fact', which the diagnosis gathers): 'reset.crash-loop' (fail) at a boot
 * that is in safe mode, 'power.brownout' (warn) at every brownout boot.
 */
import type { Ports, ResetReason, TimerToken } from '../ports';
import type { CborCodec } from '../store/cbor';
import { DurableKey, RecordType, type RecordLog } from '../store/recordLog';
import { deepFreeze } from '../freeze';
import { errorText } from '../errorText';
import { RTC_PLAUSIBLE_SPAN_MS } from '../selftest/probes/systemProbes';
import type { SafeModeFacts } from '../ui/safeModeScreen';
import type { FactEvent } from './events';

/** The reset reasons counted, in the record's order. Stored in flash: never reordered, only appended to (a new format). */
export const RESET_REASONS: readonly ResetReason[] = deepFreeze(['power-on', 'software', 'watchdog', 'panic', 'brownout', 'deep-sleep', 'unknown']);
export const RESETS_FORMAT = 1;
/** Crash times kept: as many as the safe mode's rule reads. */
export const CRASH_TIMES = 3;
/** Crashes within the window that put the terminal in safe mode. */
export const SAFE_MODE_CRASHES = 3;
/** The window, seconds: ten minutes. */
export const CRASH_WINDOW_S = 600;
/** A run this long (uptime) without a crash clears the streak. */
export const SAFE_RUN_MS = CRASH_WINDOW_S * 1000;
const MAX_COUNT = 0xffff;
const MAX_STREAK = 0xff;
const MAX_SECONDS = 0xffffffff;
/** The record's largest encoding: array head 1, format 1, counts 1 + 7 × 3, streak 2, times 1 + 3 × 5. */
export const RESETS_RECORD_MAX_BYTES = 1 + 1 + 1 + RESET_REASONS.length * 3 + 2 + 1 + CRASH_TIMES * 5;

export class ResetHistoryError extends Error {
  override readonly name = 'ResetHistoryError';
  constructor(readonly code: 'resets-malformed' | 'resets-format', message: string) {
    super(message);
  }
}

/** What the record holds. */
export interface ResetCounts {
  /** Boots of each reason, in RESET_REASONS order. */
  counts: number[];
  /** Crash boots since the last stable run. */
  streak: number;
  /** The last crash boots' RTC (s since 1970; 0: the RTC was implausible), oldest first, at most CRASH_TIMES. */
  crashTimes: number[];
}

const whole = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

export function emptyResetCounts(): ResetCounts {
  return { counts: RESET_REASONS.map(() => 0), streak: 0, crashTimes: [] };
}

export function encodeResetCounts(cbor: CborCodec, r: ResetCounts): Uint8Array {
  return cbor.encode([RESETS_FORMAT, r.counts, r.streak, r.crashTimes]);
}

/**
 * The record's content.
 * @throws ResetHistoryError 'resets-malformed' (not this shape, a number out of range, not the shortest encoding), 'resets-format'
 */
export function decodeResetCounts(cbor: CborCodec, bytes: Uint8Array): ResetCounts {
  if (bytes.length > RESETS_RECORD_MAX_BYTES) throw new ResetHistoryError('resets-malformed', `resets record of ${bytes.length} bytes (at most ${RESETS_RECORD_MAX_BYTES})`);
  let value: unknown;
  try {
    value = cbor.decode(bytes);
  } catch (error) {
    throw new ResetHistoryError('resets-malformed', `resets record: ${errorText(error)}`);
  }
  if (!Array.isArray(value) || value.length !== 4) throw new ResetHistoryError('resets-malformed', 'resets record is not [format, counts, streak, crash times]');
  if (!whole(value[0], MAX_SECONDS)) throw new ResetHistoryError('resets-malformed', 'resets format is not a number');
  if (value[0] !== RESETS_FORMAT) throw new ResetHistoryError('resets-format', `resets format ${value[0]} (this firmware reads ${RESETS_FORMAT})`);
  const [, counts, streak, times] = value as unknown[];
  if (!Array.isArray(counts) || counts.length !== RESET_REASONS.length || !counts.every((c) => whole(c, MAX_COUNT)))
    throw new ResetHistoryError('resets-malformed', `resets counts are not ${RESET_REASONS.length} numbers 0..${MAX_COUNT}`);
  if (!whole(streak, MAX_STREAK)) throw new ResetHistoryError('resets-malformed', `resets streak is not 0..${MAX_STREAK}`);
  if (!Array.isArray(times) || times.length > CRASH_TIMES || !times.every((t) => whole(t, MAX_SECONDS)))
    throw new ResetHistoryError('resets-malformed', `resets crash times are not at most ${CRASH_TIMES} whole seconds`);
  const out: ResetCounts = { counts: counts.slice() as number[], streak, crashTimes: times.slice() as number[] };
  // Strict: the bytes are exactly what this firmware writes for that content (no trailing bytes, no longer forms).
  const again = encodeResetCounts(cbor, out);
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) throw new ResetHistoryError('resets-malformed', 'resets record is not in its shortest encoding');
  return out;
}

/** The safe mode's rule (see the file's comment) on the history after this boot was counted. */
export function safeModeOf(r: ResetCounts, nowS: number): SafeModeFacts | undefined {
  const times = r.crashTimes;
  const n = times.length;
  let byClock = n >= SAFE_MODE_CRASHES && nowS > 0;
  for (let i = 0; i < n && byClock; i++) if (times[i] === 0 || (i > 0 && times[i] < times[i - 1])) byClock = false;
  if (byClock && nowS < times[n - 1]) byClock = false;
  if (byClock) {
    const oldest = times[n - SAFE_MODE_CRASHES];
    const newest = times[n - 1];
    if (newest - oldest <= CRASH_WINDOW_S && nowS - newest < CRASH_WINDOW_S)
      return { crashes: SAFE_MODE_CRASHES, windowMinutes: CRASH_WINDOW_S / 60, byClock: true, lastCrashWallMs: newest * 1000 };
    return undefined;
  }
  if (r.streak >= SAFE_MODE_CRASHES) return { crashes: r.streak, windowMinutes: CRASH_WINDOW_S / 60, byClock: false };
  return undefined;
}

export interface ResetHistoryDeps {
  readonly ports: Ports;
  readonly cbor: CborCodec;
  log(): RecordLog | undefined;
  /** Appends an event (a FactEvent for power.brownout, reset.crash-loop) to the log and the diagnosis. */
  record(type: number, value: unknown): void;
}

export class ResetHistory {
  readonly #deps: ResetHistoryDeps;
  #safe: SafeModeFacts | undefined;
  #counts: ResetCounts | undefined;
  #stable: TimerToken | undefined;

  constructor(deps: ResetHistoryDeps) {
    this.#deps = deps;
  }

  /** Counts this boot's reset reason durably and decides the safe mode. Never throws. */
  atBoot(): void {
    const { ports } = this.#deps;
    this.#safe = undefined;
    try {
      this.#atBoot();
    } catch (error) {
      ports.trace(`reset history: ${errorText(error)}`);
    }
  }

  /** The safe mode's facts while it holds (fault screen, no acquirer link), else undefined. */
  get safeMode(): SafeModeFacts | undefined {
    return this.#safe;
  }

  /** The history as counted at this boot (undefined before atBoot or without a record log). */
  get counts(): Readonly<ResetCounts> | undefined {
    return this.#counts;
  }

  /** Cancels the stable-run timer (terminal.stop()). */
  stop(): void {
    if (this.#stable !== undefined) this.#deps.ports.clock.clearTimer(this.#stable);
    this.#stable = undefined;
  }

  #atBoot() {
    const { ports } = this.#deps;
    const reason = ports.system.resetReason();
    const wallMs = ports.clock.wallMs();
    const uptimeMs = ports.clock.uptimeMs();
    const nowS = this.#plausibleSeconds(wallMs);
    const log = this.#deps.log();
    const r = log ? this.#read(log) : emptyResetCounts();
    const index = RESET_REASONS.indexOf(reason);
    const at = index < 0 ? RESET_REASONS.length - 1 : index;
    r.counts[at] = Math.min(MAX_COUNT, r.counts[at] + 1);
    const crash = reason === 'panic' || reason === 'watchdog';
    if (crash) {
      r.streak = Math.min(MAX_STREAK, r.streak + 1);
      r.crashTimes.push(nowS);
      if (r.crashTimes.length > CRASH_TIMES) r.crashTimes.shift();
    }
    this.#counts = r;
    if (log) this.#write(log, r);
    const safe = log ? safeModeOf(r, nowS) : undefined;
    this.#safe = safe;
    if (reason === 'brownout') this.#fact('power.brownout', 'warn', `brownouts=${r.counts[RESET_REASONS.indexOf('brownout')]}`, wallMs, uptimeMs);
    if (safe) {
      ports.trace(`safe mode: ${safe.crashes} crashes ${safe.byClock ? `within ${safe.windowMinutes} min` : 'in a row without a stable run'}`);
      this.#fact('reset.crash-loop', 'fail', `crashes=${safe.crashes} window=${safe.windowMinutes}min by=${safe.byClock ? 'clock' : 'streak'} reason=${reason}`, wallMs, uptimeMs);
    }
    // A streak is cleared once the terminal has run SAFE_RUN_MS without crashing.
    if (log && r.streak > 0) this.#stable = ports.clock.setTimer(SAFE_RUN_MS, () => this.#stableRun());
  }

  #stableRun() {
    this.#stable = undefined;
    const r = this.#counts;
    const log = this.#deps.log();
    if (!r || !log || r.streak === 0) return;
    r.streak = 0;
    try {
      this.#write(log, r);
    } catch (error) {
      this.#deps.ports.trace(`reset history: ${errorText(error)}`);
    }
  }

  /** Whole seconds of a plausible RTC (not before the build, not 15 years after it); 0 when implausible. */
  #plausibleSeconds(wallMs: number): number {
    const built = this.#deps.ports.system.buildTime;
    if (!(wallMs >= built && wallMs - built <= RTC_PLAUSIBLE_SPAN_MS)) return 0;
    const s = Math.floor(wallMs / 1000);
    return s > 0 && s <= MAX_SECONDS ? s : 0;
  }

  #read(log: RecordLog): ResetCounts {
    const { ports, cbor } = this.#deps;
    let record;
    try {
      record = log.get(DurableKey.resets);
    } catch (error) {
      ports.trace(`reset history unreadable: ${errorText(error)}`);
      return emptyResetCounts();
    }
    if (!record) return emptyResetCounts();
    try {
      if (record.type !== RecordType.resets) throw new ResetHistoryError('resets-malformed', `durable key ${DurableKey.resets} holds a record of type ${record.type}`);
      return decodeResetCounts(cbor, record.payload);
    } catch (error) {
      ports.trace(`reset history malformed, counting afresh: ${errorText(error)}`);
      return emptyResetCounts();
    }
  }

  #write(log: RecordLog, r: ResetCounts) {
    try {
      log.put(DurableKey.resets, RecordType.resets, encodeResetCounts(this.#deps.cbor, r));
    } catch (error) {
      // The flash probe reports storage trouble; the counts of this boot stand in memory.
      this.#deps.ports.trace(`reset history not written: ${errorText(error)}`);
    }
  }

  #fact(code: string, status: FactEvent['status'], detail: string, wallMs: number, uptimeMs: number) {
    const event: FactEvent = { kind: 'fact', code, status, detail, uptimeMs, wallMs };
    this.#deps.record(RecordType.event, event);
  }
}
