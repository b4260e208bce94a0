/**
 * The firmware-update half of a scenario file (issue 10): the update server the world runs and
 * the terminal's update settings, and the steps about updates, crashes and power cuts in the
 * update slots. Engine-neutral: the XS lane's driver runs these steps too.
 *
 *   "update": { "server": { "images": [{ "version": "1.1.0", "security": 1, "behaviour": "selftest-fails" }],
 *                           "faults": [{ "kind": "truncate", "afterBytes": 20000 }] },
 *               "hour": 3 }
 *   { "do": "update-check", "expect": { "kind": "installed", "version": "1.1.0" } }   a check on demand (the terminal's API)
 *   { "do": "update-server", "faults": [] }                                          the server's faults from now
 *   { "do": "crash", "reason": "panic" }                                              power-cycles with that reset reason
 *   { "do": "power-cut", "afterOps": 12 }                                             arms a cut at the slots' 12th flash op from now
 *   { "do": "update", "expect": { "phase": "idle", "running": "1.1.0", "last": "update.ok" } }   the terminal's update status
 */
import type { ResetReason } from '../../firmware/core/ports';
import type { Terminal } from '../../firmware/core/runtime/terminal';
import type { UpdateOutcome, UpdatePhase, UpdateStatus } from '../../firmware/core/update/types';
import type { UpdateErrorCode } from '../../firmware/core/update/errors';
import { SECURITY_MAX } from '../../firmware/core/update/manifest';
import { bool, int, list, obj, only, ScenarioError, str } from './fields';

export type SimBehaviourName = 'normal' | 'selftest-fails' | 'crash-at-boot';

export interface UpdateImageSpec {
  version: string;
  security: number;
  minVersion: string;
  /** The board its header and manifest name (default the simulator's, "xspos-sim"). */
  board?: string;
  behaviour: SimBehaviourName;
  /** Whole image file bytes. */
  bytes: number;
  /** Build time, ms since 1970. */
  builtMs: number;
  /** Signed with the demo vendor key (default true). */
  sealed: boolean;
}

export type UpdateFaultSpec =
  | { kind: 'down' }
  | { kind: 'truncate'; afterBytes: number; times?: number }
  | { kind: 'wrong-hash'; offset?: number }
  | { kind: 'bad-signature' }
  | { kind: 'slow'; chunkBytes: number };

export interface UpdateSpec {
  /** The simulated update server, or null for none (the URL then points at nothing). */
  server: { images: UpdateImageSpec[]; faults: UpdateFaultSpec[] } | null;
  /** Local hour of the scheduled check (settings update.hour), when the scenario sets it. */
  hour?: number;
  /** settings update.enabled, when the scenario sets it. */
  enabled?: boolean;
}

export type UpdateStep =
  | { do: 'update-check'; expect?: { kind?: UpdateOutcome['kind']; version?: string; code?: string } }
  | { do: 'update-server'; faults: UpdateFaultSpec[] }
  | { do: 'crash'; reason: 'panic' | 'watchdog' | 'brownout' }
  | { do: 'power-cut'; afterOps: number }
  | { do: 'update'; expect: { phase?: UpdatePhase; running?: string; last?: string | null; target?: string; safeMode?: boolean } };

export const UPDATE_STEP_NAMES: readonly string[] = ['update-check', 'update-server', 'crash', 'power-cut (afterOps)', 'update'];

/** What a report keeps of each update step. */
export interface UpdateRecord {
  step: number;
  do: 'update-check' | 'crash' | 'power-cut';
  outcome?: UpdateOutcome;
  /** The power went during the check (a slots cut). */
  powerCut?: boolean;
  reason?: ResetReason;
  afterOps?: number;
}

const VERSION = /^[0-9A-Za-z.+-]{1,32}$/;
const BOARD = /^[\x21-\x7e]{1,32}$/;
const OUTCOMES: readonly UpdateOutcome['kind'][] = ['none', 'installed', 'deferred', 'refused', 'failed', 'unavailable'];
const PHASES: readonly UpdatePhase[] = ['idle', 'downloading', 'verified', 'switched', 'trial'];
const BEHAVIOURS: readonly SimBehaviourName[] = ['normal', 'selftest-fails', 'crash-at-boot'];
const CODE = /^[a-z]+([.-][a-z0-9-]+)*$/;
/** Images one server offers at most. */
const MAX_IMAGES = 8;
/** Largest offered image: a slot of the simulator is sized to it. */
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new ScenarioError(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function time(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  const text = str(value, field, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/);
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new ScenarioError(field, 'is not a real date');
  return ms;
}

export function updateFaults(value: unknown, field: string): UpdateFaultSpec[] {
  return list(value, field, 8).map((v, i): UpdateFaultSpec => {
    const f = `${field}[${i}]`;
    const o = obj(v, f);
    const kind = oneOf(o.kind, `${f}.kind`, ['down', 'truncate', 'wrong-hash', 'bad-signature', 'slow'] as const);
    switch (kind) {
      case 'truncate':
        only(o, f, ['kind', 'afterBytes', 'times']);
        return { kind, afterBytes: int(o.afterBytes, `${f}.afterBytes`, 0, MAX_IMAGE_BYTES), ...(o.times === undefined ? {} : { times: int(o.times, `${f}.times`, 1, 100) }) };
      case 'wrong-hash':
        only(o, f, ['kind', 'offset']);
        return { kind, ...(o.offset === undefined ? {} : { offset: int(o.offset, `${f}.offset`, 0, MAX_IMAGE_BYTES - 1) }) };
      case 'slow':
        only(o, f, ['kind', 'chunkBytes']);
        return { kind, chunkBytes: int(o.chunkBytes, `${f}.chunkBytes`, 1, 1 << 20) };
      default:
        only(o, f, ['kind']);
        return { kind };
    }
  });
}

/**
 * The scenario's `update` section, or null when it has none.
 * @throws ScenarioError naming the field
 */
export function updateSpec(value: unknown, firmwareBuiltMs: number): UpdateSpec | null {
  if (value === undefined || value === null) return null;
  const u = obj(value, 'update');
  only(u, 'update', ['server', 'hour', 'enabled']);
  let server: UpdateSpec['server'] = null;
  if (u.server !== undefined && u.server !== null) {
    const s = obj(u.server, 'update.server');
    only(s, 'update.server', ['images', 'faults']);
    const images = list(s.images, 'update.server.images', MAX_IMAGES).map((v, i): UpdateImageSpec => {
      const f = `update.server.images[${i}]`;
      const o = obj(v, f);
      only(o, f, ['version', 'security', 'minVersion', 'board', 'behaviour', 'bytes', 'built', 'sealed']);
      return {
        version: str(o.version, `${f}.version`, VERSION),
        security: int(o.security, `${f}.security`, 0, SECURITY_MAX, 0),
        minVersion: str(o.minVersion, `${f}.minVersion`, VERSION, '0.0.0'),
        ...(o.board === undefined ? {} : { board: str(o.board, `${f}.board`, BOARD) }),
        behaviour: o.behaviour === undefined ? 'normal' : oneOf(o.behaviour, `${f}.behaviour`, BEHAVIOURS),
        bytes: int(o.bytes, `${f}.bytes`, 1024, MAX_IMAGE_BYTES, 64 * 1024),
        builtMs: time(o.built, `${f}.built`, firmwareBuiltMs + (i + 1) * DAY_MS),
        sealed: bool(o.sealed, `${f}.sealed`, true),
      };
    });
    server = { images, faults: updateFaults(s.faults, 'update.server.faults') };
  }
  return {
    server,
    ...(u.hour === undefined ? {} : { hour: int(u.hour, 'update.hour', 0, 23) }),
    ...(u.enabled === undefined ? {} : { enabled: bool(u.enabled, 'update.enabled', true) }),
  };
}

/** The step, or undefined when `value.do` is not one of these (a `power-cut` without `afterOps` is the host's). @throws ScenarioError */
export function updateStep(value: Record<string, unknown>, field: string): UpdateStep | undefined {
  switch (value.do) {
    case 'update-check': {
      only(value, field, ['do', 'expect']);
      if (value.expect === undefined) return { do: 'update-check' };
      const e = obj(value.expect, `${field}.expect`);
      only(e, `${field}.expect`, ['kind', 'version', 'code']);
      return {
        do: 'update-check',
        expect: {
          ...(e.kind === undefined ? {} : { kind: oneOf(e.kind, `${field}.expect.kind`, OUTCOMES) }),
          ...(e.version === undefined ? {} : { version: str(e.version, `${field}.expect.version`, VERSION) }),
          ...(e.code === undefined ? {} : { code: str(e.code, `${field}.expect.code`, CODE) }),
        },
      };
    }
    case 'update-server':
      only(value, field, ['do', 'faults']);
      return { do: 'update-server', faults: updateFaults(value.faults, `${field}.faults`) };
    case 'crash':
      only(value, field, ['do', 'reason']);
      return { do: 'crash', reason: oneOf(value.reason, `${field}.reason`, ['panic', 'watchdog', 'brownout'] as const) };
    case 'power-cut':
      if (!('afterOps' in value)) return undefined;
      only(value, field, ['do', 'afterOps']);
      return { do: 'power-cut', afterOps: int(value.afterOps, `${field}.afterOps`, 0, 1_000_000) };
    case 'update': {
      only(value, field, ['do', 'expect']);
      const e = obj(value.expect, `${field}.expect`);
      only(e, `${field}.expect`, ['phase', 'running', 'last', 'target', 'safeMode']);
      return {
        do: 'update',
        expect: {
          ...(e.phase === undefined ? {} : { phase: oneOf(e.phase, `${field}.expect.phase`, PHASES) }),
          ...(e.running === undefined ? {} : { running: str(e.running, `${field}.expect.running`, VERSION) }),
          ...(e.last === undefined ? {} : { last: e.last === null ? null : str(e.last, `${field}.expect.last`, CODE) }),
          ...(e.target === undefined ? {} : { target: str(e.target, `${field}.expect.target`, VERSION) }),
          ...(e.safeMode === undefined ? {} : { safeMode: bool(e.safeMode, `${field}.expect.safeMode`, false) }),
        },
      };
    }
    default:
      return undefined;
  }
}

/** Why an update check's outcome is not what the step expects, or undefined. */
export function checkUnmet(outcome: UpdateOutcome, expect: Extract<UpdateStep, { do: 'update-check' }>['expect']): string | undefined {
  if (!expect) return undefined;
  const got = `${outcome.kind}${'code' in outcome ? ` ${outcome.code}` : ''}${'version' in outcome && outcome.version ? ` ${outcome.version}` : ''}: ${'detail' in outcome ? outcome.detail : 'reason' in outcome ? outcome.reason : ''}`;
  if (expect.kind !== undefined && outcome.kind !== expect.kind) return `expected ${expect.kind}, got ${got}`;
  if (expect.code !== undefined && (!('code' in outcome) || outcome.code !== (expect.code as UpdateErrorCode))) return `expected code ${expect.code}, got ${got}`;
  if (expect.version !== undefined && (!('version' in outcome) || outcome.version !== expect.version)) return `expected version ${expect.version}, got ${got}`;
  return undefined;
}

/** Why the terminal's update status is not what the step expects, or undefined. */
export function statusUnmet(terminal: Terminal, expect: Extract<UpdateStep, { do: 'update' }>['expect']): string | undefined {
  const status: UpdateStatus = terminal.update;
  const shown = JSON.stringify({ phase: status.phase, running: status.running, target: status.target, last: status.last?.code, lastDetail: status.last?.detail, safeMode: !!terminal.safeMode });
  if (expect.phase !== undefined && status.phase !== expect.phase) return `phase ${expect.phase} expected: ${shown}`;
  if (expect.running !== undefined && status.running !== expect.running) return `running ${expect.running} expected: ${shown}`;
  if (expect.target !== undefined && status.target !== expect.target) return `target ${expect.target} expected: ${shown}`;
  if (expect.last !== undefined && (status.last?.code ?? null) !== expect.last) return `last ${expect.last} expected: ${shown}`;
  if (expect.safeMode !== undefined && !!terminal.safeMode !== expect.safeMode) return `safe mode ${expect.safeMode ? 'on' : 'off'} expected: ${shown}`;
  return undefined;
}

