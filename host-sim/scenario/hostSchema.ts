/**
 * The acquirer-link half of a scenario file: the simulated acquirer (its registry, profile,
 * TLS and first faults), the network around the terminal (link, names, unreachable hosts),
 * the demo cards, and the steps that talk to the host (sign-on, sale, settle, echo, faults,
 * link, power cut). Validated field by field, like the rest (schema.ts). Engine-neutral.
 */
import type { HostOutcome, SaleRequest } from '../../firmware/core/host/sessionTypes';
import type { ResponseCategory } from '../../firmware/core/host/types';
import { ACTIVATION_CODE_MAX, ACTIVATION_CODE_MIN } from '../../firmware/core/activation/activationCode';
import { bool, int, isObj, list, obj, only, ScenarioError, str } from './fields';
import { cardStep, type CardStep } from './cardSteps';

/** A fault of the acquirer's plan (host-sim/acquirer/faultPlan.ts), as the scenario writes it. */
export interface ScenarioFault {
  kind: (typeof FAULT_KINDS)[number] | (typeof REGISTRY_FAULT_KINDS)[number];
  code?: string;
  delayMs?: number;
  mti?: string;
  times?: number;
  host?: 0 | 1;
  /** For 'disable-tid': the TID the host disables (after delayMs when given). */
  tid?: string;
}
export const FAULT_KINDS = ['refuse', 'hang', 'delay', 'reset-mid-frame', 'split-bytes', 'garbage', 'wrong-mac', 'duplicate', 'wrong-stan', 'code', 'sign-on-again'] as const;
/** Faults of the registry and activation rather than the link: a TID disabled (mid-day), a broken activation check value (test-only). */
export const REGISTRY_FAULT_KINDS = ['disable-tid', 'wrong-kcv'] as const;

/** A slot's activation data (host-sim/acquirer/config.ts ActivationSlot); its state is the terminal's status. */
export interface ActivationSpec {
  code: string;
  /** From `expires` (ISO 8601, UTC). */
  expiresMs?: number;
  algorithm: 'tdes2' | 'tdes3' | 'aes128';
  /** Activated by this serial number (another device is refused). */
  boundSerial?: string;
}

export interface RegisteredTerminalSpec {
  tid: string;
  mid: string;
  /** Absent for a slot waiting for its activation. */
  masterKey?: string;
  status: 'activated' | 'registered' | 'disabled';
  merchantStatus: 'ok' | 'restricted' | 'frozen';
  activation?: ActivationSpec;
}

export interface AcquirerSpec {
  /** The profile the host serves (the loader reads a file name); default the terminal's. */
  profile?: unknown;
  /** Default: the scenario's terminal, activated, with its master key. */
  terminals: RegisteredTerminalSpec[] | undefined;
  /** Every host listens with TLS 1.2+ (a certificate from a test PKI the world makes). */
  tls: boolean;
  /** The fault plan at start. */
  faults: ScenarioFault[];
}

export interface NetworkSpec {
  linkUp: boolean;
  /** Host name → IPv4 address. */
  dns: Record<string, string>;
  /** Names or addresses whose connects never complete. */
  unreachable: string[];
  /**
   * The world's SNTP servers (any name the table resolves): `"sntp": {"time": "<ISO UTC>", "answers": true}`,
   * the true time when the scenario starts, ticking with virtual time. Absent: no server answers.
   * `"answersFromMs": n`: none answers before n ms of the world's time line (the boot's own SNTP
   * round fails, a later step's succeeds: the diagnosis's set-clock step as its scenario's point).
   */
  sntp?: { trueMs: number; answers: boolean; answersFromMs?: number };
}

/** What a host step expects; a different outcome fails the scenario, naming the step. */
export interface HostExpectation {
  kind?: HostOutcome['kind'] | 'power-cut';
  code?: string;
  category?: ResponseCategory;
}

/** A card as the reader would give it: the sale request's card fields (ICC data and PIN block in hex). */
export type CardSpec = Omit<SaleRequest, 'amountMinor' | 'icc' | 'pinBlock'> & { icc?: string; pinBlock?: string };

export type HostStep =
  | { do: 'sign-on' | 'settle' | 'echo'; expect?: HostExpectation }
  /** A sale as the ECR asks for it, with what the customer presents (cardSteps.ts), remove-card, reader faults. */
  | CardStep
  | { do: 'sale'; amountMinor: number; card: CardSpec; expect?: HostExpectation }
  /** Adds faults to the acquirer's plan. */
  | { do: 'acquirer'; faults: ScenarioFault[] } // `disableTid: "…"` in the file is a disable-tid fault
  | { do: 'link'; up: boolean }
  /** Cuts flash power (and so the terminal) the moment the next 0200 has been written to the socket. */
  | { do: 'power-cut'; when: 'after-send' };

/**
 * Demo cards (test PANs, Luhn-valid, never issued): a UnionPay chip card with its field 55
 * data, the same card swiped, and a card keyed by hand. Scenarios name them or write their own.
 */
export const DEMO_CARDS: Readonly<Record<string, CardSpec>> = Object.freeze({
  'unionpay-chip': {
    entry: 'contact',
    pan: '6214830000000017',
    track2: '6214830000000017=30122010000000000',
    expiry: '3012',
    cardSeq: '001',
    // 9F26 ARQC, 9F27 CID, 9F10 IAD, 9F37 UN, 9F36 ATC, 95 TVR, 9A date, 9C type, 9F02 amount, 5F2A currency, 82 AIP, 9F1A country, 9F03, 9F33 capabilities
    icc:
      '9F2608A1B2C3D4E5F607189F2701809F100F07010103A0A000010A0100000000009F3704123456789F36020001950500800460009A0326112' +
      '69C01009F02060000000001005F2A02015682027C009F1A0201569F03060000000000009F3303E0F9C8',
  },
  'unionpay-swipe': { entry: 'magstripe', track2: '6214830000000025=30122010000000000' },
  'unionpay-keyed': { entry: 'manual', pan: '6214830000000033', expiry: '3012' },
});

const TID = /^[\x20-\x7e]{8}$/;
const MID = /^[\x20-\x7e]{15}$/;
const KEY_HEX = /^[0-9A-Fa-f]{32}$/;
const HEX = /^([0-9A-Fa-f]{2})*$/;
const HOST_NAME = /^[A-Za-z0-9.-]{1,253}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?Z$/;
const SERIAL = /^[\x21-\x7e]{1,32}$/;
const CATEGORIES: readonly ResponseCategory[] = ['approved', 'declined', 'retry', 're-sign-on', 'terminal-invalid', 'merchant-restricted', 'card-problem', 'host-problem'];

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!allowed.includes(value as T)) throw new ScenarioError(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function fault(value: unknown, field: string): ScenarioFault {
  const f = obj(value, field);
  only(f, field, ['kind', 'code', 'delayMs', 'mti', 'times', 'host', 'tid']);
  const kind = oneOf(f.kind, `${field}.kind`, [...FAULT_KINDS, ...REGISTRY_FAULT_KINDS]);
  if (kind === 'code' && f.code === undefined) throw new ScenarioError(`${field}.code`, 'a code fault needs the code to answer');
  if (kind === 'disable-tid' && f.tid === undefined) throw new ScenarioError(`${field}.tid`, 'a disable-tid fault needs the TID');
  return {
    kind,
    ...(f.code === undefined ? {} : { code: str(f.code, `${field}.code`, /^[0-9A-Z]{2}$/) }),
    ...(f.delayMs === undefined ? {} : { delayMs: int(f.delayMs, `${field}.delayMs`, 0, 3_600_000) }),
    ...(f.mti === undefined ? {} : { mti: str(f.mti, `${field}.mti`, /^\d{4}$/) }),
    ...(f.times === undefined ? {} : { times: int(f.times, `${field}.times`, 1, 10_000) }),
    ...(f.host === undefined ? {} : { host: int(f.host, `${field}.host`, 0, 1) as 0 | 1 }),
    ...(f.tid === undefined ? {} : { tid: str(f.tid, `${field}.tid`, TID) }),
  };
}

/** An activation code: the terminal's range (activation/activationCode.ts). */
const ACTIVATION_CODE = new RegExp(`^\\d{${ACTIVATION_CODE_MIN},${ACTIVATION_CODE_MAX}}$`);

function activationSpec(value: unknown, at: string): ActivationSpec | undefined {
  if (value === undefined) return undefined;
  const a = obj(value, at);
  only(a, at, ['code', 'expires', 'algorithm', 'boundSerial']);
  return {
    code: str(a.code, `${at}.code`, ACTIVATION_CODE),
    ...(a.expires === undefined ? {} : { expiresMs: Date.parse(str(a.expires, `${at}.expires`, ISO_UTC)) }),
    algorithm: oneOf(a.algorithm, `${at}.algorithm`, ['tdes2', 'tdes3', 'aes128'] as const, 'tdes2'),
    ...(a.boundSerial === undefined ? {} : { boundSerial: str(a.boundSerial, `${at}.boundSerial`, SERIAL) }),
  };
}

const faults = (value: unknown, field: string) => list(value, field, 64).map((f, i) => fault(f, `${field}[${i}]`));

export function acquirerSpec(value: unknown): AcquirerSpec | null {
  if (value === undefined || value === null) return null;
  const a = obj(value, 'acquirer');
  only(a, 'acquirer', ['profile', 'terminals', 'tls', 'faults']);
  const codes = new Set<string>();
  const terminals =
    a.terminals === undefined
      ? undefined
      : list(a.terminals, 'acquirer.terminals', 64).map((t, i) => {
          const at = `acquirer.terminals[${i}]`;
          const o = obj(t, at);
          only(o, at, ['tid', 'mid', 'masterKey', 'status', 'merchantStatus', 'activation']);
          const status = oneOf(o.status, `${at}.status`, ['activated', 'registered', 'disabled'] as const, 'activated');
          const activation = activationSpec(o.activation, `${at}.activation`);
          // The code finds the slot when the terminal has no TID yet: one code, one slot.
          if (activation && codes.has(activation.code)) throw new ScenarioError(`${at}.activation.code`, 'is the code of another slot');
          if (activation) codes.add(activation.code);
          // A slot waiting for its activation has no master key yet; an activated one needs it.
          if (o.masterKey === undefined && (!activation || status === 'activated')) throw new ScenarioError(`${at}.masterKey`, 'is needed unless the slot has activation data and is not activated');
          return {
            tid: str(o.tid, `${at}.tid`, TID),
            mid: str(o.mid, `${at}.mid`, MID),
            ...(o.masterKey === undefined ? {} : { masterKey: str(o.masterKey, `${at}.masterKey`, KEY_HEX) }),
            status,
            merchantStatus: oneOf(o.merchantStatus, `${at}.merchantStatus`, ['ok', 'restricted', 'frozen'] as const, 'ok'),
            ...(activation ? { activation } : {}),
          };
        });
  return { ...(a.profile === undefined ? {} : { profile: a.profile }), terminals, tls: bool(a.tls, 'acquirer.tls', false), faults: faults(a.faults, 'acquirer.faults') };
}

function ipv4(value: unknown, field: string): string {
  const text = str(value, field, IPV4);
  if (text.split('.').some((n) => Number(n) > 255)) throw new ScenarioError(field, 'is not an IPv4 address');
  return text;
}

export function networkSpec(value: unknown): NetworkSpec {
  const n = obj(value, 'network');
  only(n, 'network', ['linkUp', 'dns', 'unreachable', 'sntp']);
  const dnsTable = obj(n.dns, 'network.dns');
  const dns: Record<string, string> = {};
  for (const [name, address] of Object.entries(dnsTable)) {
    if (!HOST_NAME.test(name)) throw new ScenarioError(`network.dns.${name}`, 'is not a host name');
    dns[name.toLowerCase()] = ipv4(address, `network.dns.${name}`);
  }
  return {
    linkUp: bool(n.linkUp, 'network.linkUp', true),
    dns,
    unreachable: list(n.unreachable, 'network.unreachable', 16).map((h, i) => str(h, `network.unreachable[${i}]`, HOST_NAME)),
    ...(n.sntp === undefined ? {} : { sntp: sntpSpec(n.sntp) }),
  };
}

function sntpSpec(value: unknown): NonNullable<NetworkSpec['sntp']> {
  const s = obj(value, 'network.sntp');
  only(s, 'network.sntp', ['time', 'answers', 'answersFromMs']);
  return {
    trueMs: Date.parse(str(s.time, 'network.sntp.time', ISO_UTC)),
    answers: bool(s.answers, 'network.sntp.answers', true),
    ...(s.answersFromMs === undefined ? {} : { answersFromMs: int(s.answersFromMs, 'network.sntp.answersFromMs', 0, 366 * 24 * 3_600_000) }),
  };
}

function expectation(value: unknown, field: string): HostExpectation | undefined {
  if (value === undefined) return undefined;
  const e = obj(value, field);
  only(e, field, ['kind', 'code', 'category']);
  return {
    ...(e.kind === undefined ? {} : { kind: oneOf(e.kind, `${field}.kind`, ['answered', 'no-answer', 'refused', 'power-cut'] as const) }),
    ...(e.code === undefined ? {} : { code: str(e.code, `${field}.code`, /^[0-9A-Za-z]{2,32}$/) }),
    ...(e.category === undefined ? {} : { category: oneOf(e.category, `${field}.category`, CATEGORIES) }),
  };
}

function card(value: unknown, field: string): CardSpec {
  if (value === undefined) return DEMO_CARDS['unionpay-chip'];
  if (typeof value === 'string') {
    const demo = DEMO_CARDS[value];
    if (!demo) throw new ScenarioError(field, `no demo card ${value} (there are ${Object.keys(DEMO_CARDS).join(', ')})`);
    return demo;
  }
  const c = obj(value, field);
  only(c, field, ['entry', 'pan', 'track2', 'expiry', 'cardSeq', 'icc', 'pinBlock']);
  const text = (k: string, pattern: RegExp) => (c[k] === undefined ? {} : { [k]: str(c[k], `${field}.${k}`, pattern) });
  return {
    entry: oneOf(c.entry, `${field}.entry`, ['contact', 'contactless', 'magstripe', 'qr', 'manual'] as const),
    ...text('pan', /^\d{12,19}$/),
    ...text('track2', /^\d{12,19}=\d{0,18}$/),
    ...text('expiry', /^\d{4}$/),
    ...text('cardSeq', /^\d{3}$/),
    ...text('icc', HEX),
    ...text('pinBlock', /^[0-9A-Fa-f]{16}$/),
  };
}

/** A host step, or undefined when `value.do` is not one. */
export function hostStep(value: Record<string, unknown>, field: string): HostStep | undefined {
  if (!isObj(value)) return undefined;
  const forCard = cardStep(value, field, expectation);
  if (forCard) return forCard;
  switch (value.do) {
    case 'sign-on':
    case 'settle':
    case 'echo':
      only(value, field, ['do', 'expect']);
      return { do: value.do, expect: expectation(value.expect, `${field}.expect`) };
    case 'sale':
      only(value, field, ['do', 'amountMinor', 'card', 'expect']);
      return { do: 'sale', amountMinor: int(value.amountMinor, `${field}.amountMinor`, 1, 999_999_999_999), card: card(value.card, `${field}.card`), expect: expectation(value.expect, `${field}.expect`) };
    case 'acquirer': {
      only(value, field, ['do', 'faults', 'disableTid']);
      // The host disables a TID from this step on: every request from it gets the terminal-invalid code.
      const disable = value.disableTid === undefined ? [] : [{ kind: 'disable-tid' as const, tid: str(value.disableTid, `${field}.disableTid`, TID) }];
      return { do: 'acquirer', faults: [...faults(value.faults, `${field}.faults`), ...disable] };
    }
    case 'link':
      only(value, field, ['do', 'up']);
      if (typeof value.up !== 'boolean') throw new ScenarioError(`${field}.up`, 'must be true or false');
      return { do: 'link', up: value.up };
    case 'power-cut':
      only(value, field, ['do', 'when']);
      return { do: 'power-cut', when: oneOf(value.when, `${field}.when`, ['after-send'] as const) };
    default:
      return undefined;
  }
}

export const HOST_STEP_NAMES = ['sign-on', 'sale', 'settle', 'echo', 'acquirer', 'link', 'power-cut', 'remove-card', 'reader-faults'];
