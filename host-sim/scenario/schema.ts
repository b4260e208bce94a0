/**
 * Scenario files: what terminal, in what state, doing what. Validated field by field; an error
 * names the field ("flash.damage[0].sector: must be 0–15"). Engine-neutral (the XS lane gets
 * scenarios already validated, but the shape is shared).
 */
import { parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { CAPK_TABLE_LIMIT, CapkError, parseCapkTable } from '../../firmware/core/security/caPublicKeys';
import type { KeyCode, KeypadLayout, ResetReason } from '../../firmware/core/ports';
import { bool, int, isObj, list, obj, only, ScenarioError, str } from './fields';
import { acquirerSpec, hostStep, HOST_STEP_NAMES, networkSpec, type AcquirerSpec, type HostStep, type NetworkSpec } from './hostSchema';
import { diagnosisStep, DIAGNOSIS_STEP_NAMES, type DiagnosisStep } from './diagnosisSteps';
import { readerSpec } from './cardSteps';
import type { ReaderSpec } from './cardWorld';
import { parseCardFile } from '../cards/cardFile';
import { updateSpec, updateStep, UPDATE_STEP_NAMES, type UpdateSpec, type UpdateStep } from './updateSteps';

export { ScenarioError } from './fields';

export const KEY_CODES: readonly KeyCode[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'enter', 'cancel', 'clear', 'up', 'down', 'menu'];
const RESET_REASONS: readonly ResetReason[] = ['power-on', 'software', 'watchdog', 'panic', 'brownout', 'deep-sleep', 'unknown'];

export type Step =
  | { do: 'boot' }
  | { do: 'advance'; ms: number }
  | { do: 'press'; key: KeyCode }
  | { do: 'release'; key: KeyCode }
  /** Captures the screen as it is now. */
  | { do: 'snapshot'; name: string }
  /** Pages through the last self-test report with ▼, capturing each page; ▼ on the last page returns home. */
  | { do: 'report-pages'; name: string }
  /** Power off and on: the terminal restarts on the same flash and settings; uptime restarts at 0. */
  | { do: 'reboot' }
  /** The key-wipe command: working keys dropped, the master key erased (a technician's service action). */
  | { do: 'wipe-keys' }
  | HostStep
  /** Firmware updates, crashes, cuts in the update slots (updateSteps.ts). */
  | UpdateStep
  /** The code-83 diagnosis (checked, its pages captured in zh and en), a step's action, activation. */
  | DiagnosisStep;

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  lang: 'zh' | 'en';
  /** RTC at power-on, ms since 1970. */
  rtcMs: number;
  firmware: {
    version: string;
    buildMs: number;
    imageBytes: number;
    /** Whether the build recorded the image's SHA-256. */
    digest: boolean;
    /** Byte offsets flipped after the build recorded the digest (a corrupted image): in slot 0 once the bootloader has booted it. */
    corruptAt: number[];
    /** Slot 0's seal signed by the demo vendor key (default true; a version that is not "major.minor.patch" cannot be). */
    sealed: boolean;
  };
  /** The update server and the terminal's update settings (updateSteps.ts), or null. */
  update: UpdateSpec | null;
  terminal: {
    tid?: string;
    mid?: string;
    /** The acquirer profile as provisioned (the configuration probe judges it, so it may be bad). */
    profile?: unknown;
  };
  device: {
    displayReady: boolean;
    displayWidth: number;
    displayHeight: number;
    keysHeld: KeyCode[];
    /** The board's keys: the Moddable Two's one button (default) or a PIN pad. */
    keypad: KeypadLayout;
    memory: { chunkFree: number; chunkTotal: number; slotsFree: number; slotsTotal: number };
    resetReason: ResetReason;
    /** The board's serial number (SystemPort.serialNumber); undefined: the world derives one from the seed. */
    serial?: string;
    /** How the board protects stored keys (CryptoPort.keyProtection); default 'encrypted'. */
    keyProtection: 'encrypted' | 'unprotected' | 'volatile';
    /** The card inputs fitted (cardWorld.ts); absent: none, as on a board without a reader. */
    reader?: ReaderSpec;
  };
  /** The card files the steps present, by the path they name (the loader reads them: both lanes get the JSON). */
  cards: Record<string, unknown>;
  /** Keys as the factory and the last sign-on left them (demo keys unless the scenario says). */
  keys: {
    /** The terminal master key injected at the factory, hex; null = none injected. */
    masterKey: string | null;
    /** Working keys the last sign-on delivered (clear, hex); the world wraps them under the master key. */
    workingKeys: { pin: string; mac: string; data?: string } | null;
    /** After that sign-on, the host sent a key block whose check values did not match. */
    refusedBlock: boolean;
    /** The master key was re-injected later with this other key (hex): the stored keys no longer unwrap right. */
    masterKeyReplacedBy: string | null;
  };
  /** Certificates as provisioned, DER in hex (the loader reads PEM files). */
  certificates: { terminal: string | null; chain: string[]; root: string | null };
  /** The CA public key table as provisioned (entries as in a CA key table file), or null for none. */
  capk: unknown[] | null;
  /**
   * The simulated acquirer the terminal talks to over loopback TCP, or null for none. Absent:
   * one that knows the terminal, when its profile is usable (null otherwise).
   */
  acquirer: AcquirerSpec | null;
  /** The network around the terminal. */
  network: NetworkSpec;
  flash: {
    sectors: number;
    sectorSize: number;
    /** Events written before power-on, as an older firmware would have (fills the log). */
    prefillEvents: number;
    /** Bits flipped after prefill: corruption the terminal must find. */
    damage: { sector: number; offset: number; xor: number }[];
  };
  steps: Step[];
}

function time(value: unknown, field: string, fallback: string): number {
  const text = str(value, field, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/, fallback);
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new ScenarioError(field, 'is not a real date');
  return ms;
}
function key(value: unknown, field: string): KeyCode {
  if (!KEY_CODES.includes(value as KeyCode)) throw new ScenarioError(field, `must be one of ${KEY_CODES.join(' ')}`);
  return value as KeyCode;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,47}$/;
/** A double-length 3DES key in hex. */
const KEY_HEX = /^[0-9A-Fa-f]{32}$/;
/** A certificate, DER in hex (the loader turns PEM files into this). */
const DER_HEX = /^30([0-9A-Fa-f]{2}){16,8192}$/;
/** Demo keys of the simulated terminal: published nowhere, used nowhere else, never for real money. */
export const DEMO_MASTER_KEY = '0123456789ABCDEFFEDCBA9876543210';
const DEMO_WORKING_KEYS = { pin: '1F2E3D4C5B6A79880F1E2D3C4B5A6978', mac: 'A1B2C3D4E5F60718293A4B5C6D7E8F90' };
const DAY_MS = 24 * 3600 * 1000;

/** Steps a scenario runs, after `repeat` is expanded. */
const MAX_STEPS = 1000;

/** One step, or a `repeat` of a few steps (`{ "do": "repeat", "times": 40, "steps": [...] }`), expanded. */
function steps_(value: unknown, field: string): Step[] {
  if (!isObj(value) || value.do !== 'repeat') return [step(value, field)];
  only(value, field, ['do', 'times', 'steps']);
  const times = int(value.times, `${field}.times`, 1, MAX_STEPS);
  const body = list(value.steps, `${field}.steps`, 20).map((s, i) => step(s, `${field}.steps[${i}]`));
  if (body.length === 0) throw new ScenarioError(`${field}.steps`, 'must list at least one step');
  if (body.length * times > MAX_STEPS) throw new ScenarioError(`${field}.times`, `repeats to more than ${MAX_STEPS} steps`);
  return Array.from({ length: times }, () => body).flat();
}

function step(value: unknown, field: string): Step {
  if (!isObj(value)) throw new ScenarioError(field, 'must be an object with "do"');
  const host = updateStep(value, field) ?? hostStep(value, field) ?? diagnosisStep(value, field);
  if (host) return host;
  switch (value.do) {
    case 'boot':
    case 'reboot':
    case 'wipe-keys':
      only(value, field, ['do']);
      return { do: value.do };
    case 'advance': {
      only(value, field, ['do', 'ms', 'minutes', 'hours', 'days']);
      const ms =
        int(value.ms, `${field}.ms`, 0, 366 * DAY_MS, 0) +
        int(value.minutes, `${field}.minutes`, 0, 366 * 24 * 60, 0) * 60_000 +
        int(value.hours, `${field}.hours`, 0, 366 * 24, 0) * 3_600_000 +
        int(value.days, `${field}.days`, 0, 366, 0) * DAY_MS;
      if (ms <= 0) throw new ScenarioError(field, 'advance needs ms, minutes, hours or days');
      return { do: 'advance', ms };
    }
    case 'press':
    case 'release':
      only(value, field, ['do', 'key']);
      return { do: value.do, key: key(value.key, `${field}.key`) };
    case 'snapshot':
    case 'report-pages':
      only(value, field, ['do', 'name']);
      return { do: value.do, name: str(value.name, `${field}.name`, NAME) };
    default:
      throw new ScenarioError(`${field}.do`, `must be boot, advance, press, release, snapshot, report-pages, reboot, wipe-keys, ${[...HOST_STEP_NAMES, ...DIAGNOSIS_STEP_NAMES, ...UPDATE_STEP_NAMES].join(', ')} or repeat`);
  }
}

/**
 * The CA key table as provisioning will store it, each entry checked now by the terminal's own
 * reader, so a bad entry is refused at load naming its field ("capk[2].modulus: must be …").
 * Checksums are not judged here: a scenario may provision a corrupted key on purpose.
 */
function capkTable(value: unknown): unknown[] | null {
  if (value === undefined || value === null) return null;
  const entries = list(value, 'capk', CAPK_TABLE_LIMIT);
  try {
    parseCapkTable(entries);
  } catch (error) {
    if (error instanceof CapkError) throw new ScenarioError(`capk${error.field}`, error.reason);
    throw error;
  }
  return entries;
}

/** The card files the steps present, each checked by the virtual cards' own reader (a bad file is refused at load, naming its field). */
function cardFiles(value: unknown, steps: Step[]): Record<string, unknown> {
  const files = obj(value, 'cards');
  const out: Record<string, unknown> = {};
  for (const step of steps) {
    if (step.do !== 'sale' || !('present' in step)) continue;
    for (const p of step.present) {
      const path = 'tap' in p ? p.tap : 'insert' in p ? p.insert : undefined;
      if (path === undefined || path in out) continue;
      if (!(path in files)) throw new ScenarioError('cards', `no card file ${path} (the loader reads the files the steps name)`);
      try {
        parseCardFile(files[path]);
      } catch (error) {
        throw new ScenarioError(`cards[${path}]`, error instanceof Error ? error.message : 'not a card file');
      }
      out[path] = files[path];
    }
  }
  return out;
}

/**
 * Validates a parsed scenario file and fills in defaults (a healthy terminal).
 * @throws ScenarioError naming the first bad field
 */
export function parseScenario(input: unknown): Scenario {
  if (!isObj(input)) throw new ScenarioError('(scenario)', 'must be a JSON object');
  only(input, '', ['name', 'description', 'seed', 'lang', 'rtc', 'firmware', 'terminal', 'device', 'keys', 'certificates', 'capk', 'acquirer', 'network', 'flash', 'steps', 'cards', 'update']);
  const firmware = obj(input.firmware, 'firmware');
  only(firmware, 'firmware', ['version', 'built', 'imageBytes', 'digest', 'corruptAt', 'sealed']);
  const imageBytes = int(firmware.imageBytes, 'firmware.imageBytes', 1024, 8 * 1024 * 1024, 256 * 1024);
  const terminal = obj(input.terminal, 'terminal');
  only(terminal, 'terminal', ['tid', 'mid', 'profile']);
  const device = obj(input.device, 'device');
  only(device, 'device', ['displayReady', 'displayWidth', 'displayHeight', 'keysHeld', 'keypad', 'memory', 'resetReason', 'serial', 'keyProtection', 'reader']);
  const memory = obj(device.memory, 'device.memory');
  only(memory, 'device.memory', ['chunkFree', 'chunkTotal', 'slotsFree', 'slotsTotal']);
  const flash = obj(input.flash, 'flash');
  only(flash, 'flash', ['sectors', 'sectorSize', 'prefillEvents', 'damage']);
  const sectors = int(flash.sectors, 'flash.sectors', 2, 256, 16);
  const sectorSize = int(flash.sectorSize, 'flash.sectorSize', 256, 65536, 4096);
  if (sectorSize % 256) throw new ScenarioError('flash.sectorSize', 'must be a multiple of 256');
  const resetReason = device.resetReason ?? 'power-on';
  if (!RESET_REASONS.includes(resetReason as ResetReason)) throw new ScenarioError('device.resetReason', `must be one of ${RESET_REASONS.join(', ')}`);
  const tid = terminal.tid === undefined ? undefined : str(terminal.tid, 'terminal.tid', /^.{0,32}$/);
  const mid = terminal.mid === undefined ? undefined : str(terminal.mid, 'terminal.mid', /^.{0,32}$/);
  const keys = obj(input.keys, 'keys');
  only(keys, 'keys', ['masterKey', 'workingKeys', 'refusedBlock', 'masterKeyReplacedBy']);
  const working = keys.workingKeys === null ? null : obj(keys.workingKeys ?? DEMO_WORKING_KEYS, 'keys.workingKeys');
  if (working) only(working, 'keys.workingKeys', ['pin', 'mac', 'data']);
  const certificates = obj(input.certificates, 'certificates');
  only(certificates, 'certificates', ['terminal', 'chain', 'root']);
  const steps = list(input.steps, 'steps', MAX_STEPS).flatMap((s, i) => steps_(s, `steps[${i}]`));
  if (steps.length > MAX_STEPS) throw new ScenarioError('steps', `expand to ${steps.length} steps (at most ${MAX_STEPS})`);
  if (steps.length === 0) throw new ScenarioError('steps', 'must list at least one step');
  return {
    name: str(input.name, 'name', NAME),
    description: str(input.description, 'description', /^[^]{0,500}$/, ''),
    seed: int(input.seed, 'seed', 0, 2 ** 31 - 1, 1),
    lang: input.lang === undefined ? 'zh' : (str(input.lang, 'lang', /^(zh|en)$/) as 'zh' | 'en'),
    rtcMs: time(input.rtc, 'rtc', '2026-11-26T09:00:00Z'),
    firmware: {
      version: str(firmware.version, 'firmware.version', /^[0-9A-Za-z.+-]{1,32}$/, '0.1.0'),
      buildMs: time(firmware.built, 'firmware.built', '2026-11-20T08:00:00Z'),
      imageBytes,
      digest: bool(firmware.digest, 'firmware.digest', true),
      corruptAt: list(firmware.corruptAt, 'firmware.corruptAt', 64).map((v, i) => int(v, `firmware.corruptAt[${i}]`, 0, imageBytes - 1)),
      sealed: bool(firmware.sealed, 'firmware.sealed', true),
    },
    update: updateSpec(input.update, time(firmware.built, 'firmware.built', '2026-11-20T08:00:00Z')),
    terminal: { tid, mid, profile: terminal.profile },
    device: {
      displayReady: bool(device.displayReady, 'device.displayReady', true),
      displayWidth: int(device.displayWidth, 'device.displayWidth', 1, 4096, 240),
      displayHeight: int(device.displayHeight, 'device.displayHeight', 1, 4096, 320),
      keysHeld: list(device.keysHeld, 'device.keysHeld', 16).map((k, i) => key(k, `device.keysHeld[${i}]`)),
      keypad: str(device.keypad, 'device.keypad', /^(one-button|pin-pad)$/, 'one-button') as KeypadLayout,
      memory: {
        chunkFree: int(memory.chunkFree, 'device.memory.chunkFree', 0, 1 << 30, 41 * 1024),
        chunkTotal: int(memory.chunkTotal, 'device.memory.chunkTotal', 1, 1 << 30, 77 * 1024),
        slotsFree: int(memory.slotsFree, 'device.memory.slotsFree', 0, 1 << 24, 2600),
        slotsTotal: int(memory.slotsTotal, 'device.memory.slotsTotal', 1, 1 << 24, 4928),
      },
      resetReason: resetReason as ResetReason,
      ...(device.serial === undefined ? {} : { serial: str(device.serial, 'device.serial', /^[\x21-\x7e]{1,32}$/) }),
      keyProtection: str(device.keyProtection, 'device.keyProtection', /^(encrypted|unprotected|volatile)$/, 'encrypted') as 'encrypted' | 'unprotected' | 'volatile',
      ...(device.reader === undefined ? {} : { reader: readerSpec(device.reader) }),
    },
    cards: cardFiles(input.cards, steps),
    keys: {
      masterKey: keys.masterKey === null ? null : str(keys.masterKey, 'keys.masterKey', KEY_HEX, DEMO_MASTER_KEY),
      workingKeys: working && {
        pin: str(working.pin, 'keys.workingKeys.pin', KEY_HEX),
        mac: str(working.mac, 'keys.workingKeys.mac', KEY_HEX),
        ...(working.data === undefined ? {} : { data: str(working.data, 'keys.workingKeys.data', KEY_HEX) }),
      },
      refusedBlock: bool(keys.refusedBlock, 'keys.refusedBlock', false),
      masterKeyReplacedBy: keys.masterKeyReplacedBy === undefined || keys.masterKeyReplacedBy === null ? null : str(keys.masterKeyReplacedBy, 'keys.masterKeyReplacedBy', KEY_HEX),
    },
    certificates: {
      terminal: certificates.terminal === undefined || certificates.terminal === null ? null : str(certificates.terminal, 'certificates.terminal', DER_HEX),
      chain: list(certificates.chain, 'certificates.chain', 4).map((c, i) => str(c, `certificates.chain[${i}]`, DER_HEX)),
      root: certificates.root === undefined || certificates.root === null ? null : str(certificates.root, 'certificates.root', DER_HEX),
    },
    capk: capkTable(input.capk),
    // A terminal with a usable profile talks to an acquirer unless the scenario says `acquirer: null`
    // (no host at all): the default is one that knows this terminal and follows no fault plan.
    acquirer: input.acquirer === undefined ? (parseAcquirerProfile(isObj(input.terminal) ? input.terminal.profile : undefined).ok ? acquirerSpec({}) : null) : acquirerSpec(input.acquirer),
    network: networkSpec(input.network),
    flash: {
      sectors,
      sectorSize,
      prefillEvents: int(flash.prefillEvents, 'flash.prefillEvents', 0, 100_000, 0),
      damage: list(flash.damage, 'flash.damage', 64).map((d, i) => {
        const f = `flash.damage[${i}]`;
        const o = obj(d, f);
        only(o, f, ['sector', 'offset', 'xor']);
        return {
          sector: int(o.sector, `${f}.sector`, 0, sectors - 1),
          offset: int(o.offset, `${f}.offset`, 0, sectorSize - 1),
          xor: int(o.xor, `${f}.xor`, 1, 255),
        };
      }),
    },
    steps,
  };
}
