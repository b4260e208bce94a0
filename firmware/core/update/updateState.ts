/**
 * The firmware update's durable record (RecordType.update, DurableKey.update): where an update
 * stands across the reboots it is made of, the anti-rollback floor, and the last result. Written
 * by the old image (download, switch) and read by the new one (its trial), so its layout is
 * fixed: a newer firmware may add fields only at the end of the array.
 *
 * Record (CBOR, RFC 8949): one array
 *   [format = 1, phase, floor, target | null, written, baseline, last | null, badVersion | null]
 * - phase: index in PHASES; floor: the anti-rollback counter (uint ≤ 2³¹);
 * - target: [version, security, size, sha256 (32-byte string), buildTime (ms)];
 * - written: bytes of the target durably in the slot (a multiple of WRITE_STEP, or size);
 * - baseline: the probes that failed before the switch, as probeMark numbers (≤ 6);
 * - last: [result code index in RESULT_CODES, version, detail (printable ASCII ≤ 60), wall time (s)];
 * - versions are packed: major × 2³² + minor × 2¹⁶ + patch (update/version.ts parts).
 *
 * Cap: UPDATE_STATE_CAP.bytes = 200 bytes of payload. The worst case is 182 B
 * (tests/update/updateState.test.ts builds it): array head 1, format 1, phase 1, floor 5,
 * target 1 + 9 + 5 + 5 + 34 + 9, written 5, baseline 1 + 6 × 3, last 1 + 1 + 9 + 62 + 5,
 * badVersion 9 (integers past 2³² − 1 are float64 in cbor-x: 9 bytes, exact below 2⁵³), so
 * 204 B of flash footprint with the record header and trailer.
 */
import { deepFreeze } from '../freeze';
import { errorText } from '../errorText';
import type { CborCodec } from '../store/cbor';
import { DurableKey, RecordType, type RecordLog } from '../store/recordLog';
import { UpdateError } from './errors';
import type { UpdatePhase, UpdateResult } from './types';
import { parseVersion } from './version';

export const UPDATE_STATE_FORMAT = 1;
export const UPDATE_STATE_CAP = deepFreeze({ bytes: 200, baseline: 6, detail: 60 });
/** The durable record is put after every this many bytes written (and when the image is all in). */
export const WRITE_STEP = 65536;

export const PHASES: readonly UpdatePhase[] = deepFreeze(['idle', 'downloading', 'verified', 'switched', 'trial']);
/** The evidence codes a result may carry, by index (stored in flash: append only). */
export const RESULT_CODES: readonly string[] = deepFreeze(['update.ok', 'update.failed', 'update.crashed', 'update.interrupted', 'update.refused', 'update.download-failed']);

const MAX_U31 = 0x7fffffff;
const MAX_U32 = 0xffffffff;
/** ms since 1970 up to the year 2500: beyond any build time or RTC a record may carry. */
const MAX_MS = 16_725_225_600_000;
const MAX_PACKED_VERSION = 2 ** 48 - 1;

export interface UpdateTarget {
  readonly version: string;
  readonly security: number;
  readonly size: number;
  readonly sha256: Uint8Array;
  readonly buildTime: number;
}

export interface UpdateState {
  readonly phase: UpdatePhase;
  readonly target?: UpdateTarget;
  readonly written: number;
  readonly floor: number;
  /** probeMark of each probe that failed before the switch (the trial's gate forgives those). */
  readonly baseline: readonly number[];
  readonly last?: UpdateResult;
  /** A version rolled back for its own fault: not installed again (a newer one is). */
  readonly badVersion?: string;
}

export const IDLE_UPDATE_STATE: UpdateState = deepFreeze({ phase: 'idle', written: 0, floor: 0, baseline: [] });

/**
 * A probe id as a 16-bit number (FNV-1a 32, folded): the baseline holds six of them in 19 bytes
 * where the ids take up to 108. A test keeps every standard probe's mark distinct.
 */
export function probeMark(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return ((h >>> 16) ^ h) & 0xffff;
}

/** "major.minor.patch" as one number. @throws UpdateError 'update-manifest' (not a version) */
export function packVersion(version: string): number {
  const [major, minor, patch] = parseVersion(version);
  return major * 2 ** 32 + minor * 2 ** 16 + patch;
}

function unpackVersion(n: number): string {
  return `${Math.floor(n / 2 ** 32)}.${Math.floor(n / 2 ** 16) % 65536}.${n % 65536}`;
}

/** Printable ASCII, at most the cap (a detail is the firmware's own words; anything else becomes '?'). */
export function clampDetail(detail: string): string {
  let out = '';
  for (let i = 0; i < detail.length && out.length < UPDATE_STATE_CAP.detail; i++) {
    const c = detail.charCodeAt(i);
    out += c >= 0x20 && c <= 0x7e ? detail[i] : '?';
  }
  return out;
}

/**
 * The record of `state`; a detail is clamped (clampDetail), a baseline cut to its cap.
 * @throws UpdateError 'update-state' for a state no record may hold (a programming error)
 */
export function encodeUpdateState(cbor: CborCodec, state: UpdateState): Uint8Array {
  const t = state.target;
  const last = state.last;
  const phase = PHASES.indexOf(state.phase);
  const code = last ? RESULT_CODES.indexOf(last.code) : 0;
  if (phase < 0 || code < 0) throw new UpdateError('update-state', `no record for phase ${state.phase}${last ? ` / result ${last.code}` : ''}`);
  const value = [
    UPDATE_STATE_FORMAT,
    phase,
    state.floor,
    t ? [packVersion(t.version), t.security, t.size, t.sha256, t.buildTime] : null,
    state.written,
    state.baseline.slice(0, UPDATE_STATE_CAP.baseline),
    last ? [code, packVersion(last.version), clampDetail(last.detail), Math.max(0, Math.min(MAX_U32, Math.floor(last.wallMs / 1000)))] : null,
    state.badVersion !== undefined ? packVersion(state.badVersion) : null,
  ];
  const bytes = cbor.encode(value);
  // Checked the way it will be read: a record this firmware would refuse is never written.
  decodeUpdateState(cbor, bytes);
  return bytes;
}

const whole = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/**
 * The state a record holds.
 * @throws UpdateError 'update-state' for anything but a record of this layout with every field in range
 */
export function decodeUpdateState(cbor: CborCodec, bytes: Uint8Array): UpdateState {
  const bad = (why: string) => new UpdateError('update-state', `update record: ${why}`);
  if (bytes.length > UPDATE_STATE_CAP.bytes) throw bad(`${bytes.length} bytes, at most ${UPDATE_STATE_CAP.bytes}`);
  let value: unknown;
  try {
    value = cbor.decode(bytes);
  } catch (error) {
    throw bad(errorText(error));
  }
  if (!Array.isArray(value) || value.length < 8) throw bad('not an array of 8 fields');
  const [format, phaseIndex, floor, target, written, baseline, last, badVersion] = value as unknown[];
  if (format !== UPDATE_STATE_FORMAT) throw bad(`format ${String(format).slice(0, 12)} (this firmware reads ${UPDATE_STATE_FORMAT})`);
  if (!whole(phaseIndex, PHASES.length - 1)) throw bad('phase');
  if (!whole(floor, MAX_U31)) throw bad('floor');
  const phase = PHASES[phaseIndex];
  let parsedTarget: UpdateTarget | undefined;
  if (target !== null) {
    if (!Array.isArray(target) || target.length !== 5) throw bad('target is not [version, security, size, sha256, buildTime]');
    const [version, security, size, sha256, buildTime] = target as unknown[];
    if (!whole(version, MAX_PACKED_VERSION)) throw bad('target version');
    if (!whole(security, MAX_U31)) throw bad('target security');
    if (!whole(size, MAX_U32) || size === 0) throw bad('target size');
    if (!(sha256 instanceof Uint8Array) || sha256.length !== 32) throw bad('target sha256 is not 32 bytes');
    if (!whole(buildTime, MAX_MS)) throw bad('target build time');
    parsedTarget = { version: unpackVersion(version), security, size, sha256: sha256.slice(), buildTime };
  } else if (phase !== 'idle') throw bad(`phase ${phase} without a target`);
  if (!whole(written, MAX_U32)) throw bad('written');
  if (parsedTarget ? written > parsedTarget.size || (written % WRITE_STEP !== 0 && written !== parsedTarget.size) : written !== 0)
    throw bad(`written ${written} is not a multiple of ${WRITE_STEP} within the target`);
  if (!Array.isArray(baseline) || baseline.length > UPDATE_STATE_CAP.baseline || !baseline.every((m) => whole(m, 0xffff))) throw bad('baseline');
  let parsedLast: UpdateResult | undefined;
  if (last !== null) {
    if (!Array.isArray(last) || last.length !== 4) throw bad('last is not [code, version, detail, time]');
    const [code, version, detail, seconds] = last as unknown[];
    if (!whole(code, RESULT_CODES.length - 1)) throw bad('last result code');
    if (!whole(version, MAX_PACKED_VERSION)) throw bad('last version');
    if (typeof detail !== 'string' || clampDetail(detail) !== detail) throw bad('last detail is not printable ASCII of at most 60 characters');
    if (!whole(seconds, MAX_U32)) throw bad('last time');
    parsedLast = { code: RESULT_CODES[code], version: unpackVersion(version), detail, wallMs: seconds * 1000 };
  }
  if (badVersion !== null && !whole(badVersion, MAX_PACKED_VERSION)) throw bad('bad version');
  return {
    phase,
    ...(parsedTarget ? { target: parsedTarget } : {}),
    written,
    floor,
    baseline: (baseline as number[]).slice(),
    ...(parsedLast ? { last: parsedLast } : {}),
    ...(badVersion !== null ? { badVersion: unpackVersion(badVersion as number) } : {}),
  };
}

/**
 * The durable state, or undefined when there is no record (no update ever ran: nothing decoded,
 * nothing kept). A record that does not decode is traced and taken as idle: the next put
 * replaces it, and no other record is touched.
 */
export function readUpdateState(log: RecordLog, cbor: CborCodec, trace: (line: string) => void): UpdateState | undefined {
  let record;
  try {
    record = log.get(DurableKey.update);
  } catch (error) {
    trace(`update record unreadable: ${errorText(error)}`);
    return IDLE_UPDATE_STATE;
  }
  if (!record) return undefined;
  if (record.type !== RecordType.update) {
    trace(`update record: type ${record.type}, taken as idle`);
    return IDLE_UPDATE_STATE;
  }
  try {
    return decodeUpdateState(cbor, record.payload);
  } catch (error) {
    trace(`${errorText(error)}; taken as idle`);
    return IDLE_UPDATE_STATE;
  }
}

/** Puts `state` durably. @throws UpdateError 'update-state' | StoreError | PortError (the flash) */
export function putUpdateState(log: RecordLog, cbor: CborCodec, state: UpdateState): void {
  log.put(DurableKey.update, RecordType.update, encodeUpdateState(cbor, state));
}
