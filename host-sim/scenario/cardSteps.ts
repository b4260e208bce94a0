/**
 * The card half of a scenario: what the board fits (`device.reader`), the sale the ECR asks for
 * with what the customer presents (`{"do": "sale", "amountMinor": n, "present": …}`: a tap or an
 * insert of a card file, a swipe of a track, a scan of a code, or a list of them presented one
 * after another each time the terminal asks again), `remove-card`, and reader faults. The driver
 * runs the sale on the terminal (Terminal.cardSale), presents, types the PIN when asked,
 * captures each screen the sale shows, and keeps what the report may say (PANs masked).
 * Engine-neutral.
 */
import type { Terminal } from '../../firmware/core/runtime/terminal';
import type { CardSaleOutcome } from '../../firmware/core/runtime/cardDuties';
import { maskPan } from '../../firmware/core/card/pan';
import { cardFromFile } from '../cards/virtualCard';
import type { Pn532Fault } from '../cards/virtualPn532';
import { PN532_FAULTS, type CardSlots, type ReaderSpec } from './cardWorld';
import { bool, int, isObj, list, obj, only, ScenarioError, str } from './fields';
import type { HostExpectation } from './hostSchema';
import type { SimWorld } from './driver';
import type { DisplayList } from '../../firmware/core/ui/displayList';

/** One thing the customer presents. */
export type Presentation = { tap: string } | { insert: string } | { swipe: string } | { scan: string };

/** What a card sale expects of the read, besides the host's outcome (each field as the report writes it). */
export interface CardExpectation {
  entry?: string;
  cvm?: string;
  oda?: string;
  cryptogram?: string;
  /** TVR bits that must be set, hex (5 bytes): e.g. "4000000000" for SDA failed. */
  tvrSet?: string;
  /** The payment code's family, for a scan: wechat, alipay or unionpay. */
  scheme?: string;
}

export type CardStep =
  | {
      do: 'sale';
      amountMinor: number;
      present: Presentation[];
      /** Typed on the PIN pad when the terminal asks for it. */
      pin?: string;
      /** Captures each screen the sale shows as `<screens>-NN-<view>`. */
      screens?: string;
      expect?: HostExpectation & { card?: CardExpectation };
    }
  | { do: 'remove-card' }
  | { do: 'reader-faults'; faults: Pn532Fault[] };

export const CARD_STEP_NAMES = ['remove-card', 'reader-faults'];

const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const CARD_PATH = /^[A-Za-z0-9_./-]{1,200}\.json$/;

function faults(value: unknown, field: string): Pn532Fault[] {
  return list(value, field, 8).map((f, i) => {
    if (!PN532_FAULTS.includes(f as Pn532Fault)) throw new ScenarioError(`${field}[${i}]`, `must be one of ${PN532_FAULTS.join(', ')}`);
    return f as Pn532Fault;
  });
}

/** `device.reader`, or undefined when the board has no card input. */
export function readerSpec(value: unknown): ReaderSpec | undefined {
  if (value === undefined) return undefined;
  const r = obj(value, 'device.reader');
  only(r, 'device.reader', ['pn532', 'contact', 'magstripe', 'scanner']);
  let pn532: ReaderSpec['pn532'];
  if (r.pn532 !== undefined) {
    const p = obj(r.pn532, 'device.reader.pn532');
    only(p, 'device.reader.pn532', ['link', 'faults']);
    pn532 = { link: str(p.link, 'device.reader.pn532.link', /^(hsu|i2c)$/, 'hsu') as 'hsu' | 'i2c', faults: faults(p.faults, 'device.reader.pn532.faults') };
  }
  return {
    ...(pn532 ? { pn532 } : {}),
    contact: bool(r.contact, 'device.reader.contact', false),
    magstripe: bool(r.magstripe, 'device.reader.magstripe', false),
    scanner: bool(r.scanner, 'device.reader.scanner', false),
  };
}

function presentation(value: unknown, field: string): Presentation {
  const p = obj(value, field);
  const keys = Object.keys(p);
  if (keys.length !== 1) throw new ScenarioError(field, 'must be one of {"tap": card file}, {"insert": card file}, {"swipe": track}, {"scan": code}');
  only(p, field, ['tap', 'insert', 'swipe', 'scan']);
  if (p.tap !== undefined) return { tap: str(p.tap, `${field}.tap`, CARD_PATH) };
  if (p.insert !== undefined) return { insert: str(p.insert, `${field}.insert`, CARD_PATH) };
  if (p.swipe !== undefined) return { swipe: str(p.swipe, `${field}.swipe`, /^[\x20-\x7e]{1,80}$/) };
  return { scan: str(p.scan, `${field}.scan`, /^[\x20-\x7e]{1,200}$/) };
}

function cardExpectation(value: unknown, field: string): CardExpectation | undefined {
  if (value === undefined) return undefined;
  const c = obj(value, field);
  only(c, field, ['entry', 'cvm', 'oda', 'cryptogram', 'tvrSet', 'scheme']);
  const text = (k: string, pattern: RegExp) => (c[k] === undefined ? {} : { [k]: str(c[k], `${field}.${k}`, pattern) });
  return { ...text('entry', /^[a-z-]{2,16}$/), ...text('cvm', /^[a-z-]{2,16}$/), ...text('oda', /^[a-z0-9 -]{2,40}$/), ...text('cryptogram', /^(ARQC|TC|AAC)$/), ...text('tvrSet', /^[0-9A-Fa-f]{10}$/), ...text('scheme', /^(wechat|alipay|unionpay)$/) };
}

/**
 * A card step, or undefined when `value` is none. A sale with `present` is a card sale; the
 * host expectation is read by `expectation` (hostSchema's).
 */
export function cardStep(value: Record<string, unknown>, field: string, expectation: (v: unknown, f: string) => HostExpectation | undefined): CardStep | undefined {
  if (value.do === 'sale' && value.present !== undefined) {
    only(value, field, ['do', 'amountMinor', 'present', 'pin', 'screens', 'expect']);
    const raw = Array.isArray(value.present) ? value.present : [value.present];
    const present = list(raw, `${field}.present`, 8).map((p, i) => presentation(p, `${field}.present[${i}]`));
    if (present.length === 0) throw new ScenarioError(`${field}.present`, 'must present something');
    const e = isObj(value.expect) ? value.expect : undefined;
    const { card, ...host } = e ?? {};
    const expect = e ? { ...(expectation(host, `${field}.expect`) ?? {}), ...(card === undefined ? {} : { card: cardExpectation(card, `${field}.expect.card`) }) } : undefined;
    return {
      do: 'sale',
      amountMinor: int(value.amountMinor, `${field}.amountMinor`, 1, 999_999_999_999),
      present,
      ...(value.pin === undefined ? {} : { pin: str(value.pin, `${field}.pin`, /^\d{4,12}$/) }),
      ...(value.screens === undefined ? {} : { screens: str(value.screens, `${field}.screens`, NAME) }),
      ...(expect ? { expect } : {}),
    };
  }
  if (value.do === 'remove-card') {
    only(value, field, ['do']);
    return { do: 'remove-card' };
  }
  if (value.do === 'reader-faults') {
    only(value, field, ['do', 'faults']);
    return { do: 'reader-faults', faults: faults(value.faults, `${field}.faults`) };
  }
  return undefined;
}

/** The card files a scenario's steps name (the loader reads them into `scenario.cards`). */
export function cardFilesOf(steps: unknown): string[] {
  const out = new Set<string>();
  if (!Array.isArray(steps)) return [];
  const visit = (s: unknown) => {
    if (!isObj(s)) return;
    if (s.do === 'repeat' && Array.isArray(s.steps)) s.steps.forEach(visit);
    const present = s.present;
    for (const p of Array.isArray(present) ? present : [present]) {
      if (!isObj(p)) continue;
      if (typeof p.tap === 'string') out.add(p.tap);
      if (typeof p.insert === 'string') out.add(p.insert);
    }
  };
  steps.forEach(visit);
  return [...out];
}

/** What the report keeps of a card sale: the terminal's card summary (no clear PAN, no card data beyond the read's summary), its PAN masked again. */
export type CardRecord = NonNullable<CardSaleOutcome['card']>;

/** Views where the terminal waits for the customer to present (again). */
const WAITING_VIEWS = ['card-present', 'card-insert', 'card-removed', 'card-notPaymentCode', 'card-readFailed', 'card-overLimit'];
/** Timer steps one card sale may take (polls every 250 ms for 30 s, the host's exchanges). */
const MAX_SALE_STEPS = 10_000;

export class CardDriveError extends Error {
  override readonly name = 'DriveError';
  readonly code = 'scenario-drive';
}

/** Why the sale's outcome is not what the step expected, or undefined. */
export function cardUnmet(outcome: CardSaleOutcome, expect: { card?: CardExpectation } | undefined): string | undefined {
  const card = expect?.card;
  if (!card) return undefined;
  const got = outcome.card;
  if (!got) return 'expected a card read, got none';
  for (const k of ['entry', 'cvm', 'oda', 'cryptogram', 'scheme'] as const) if (card[k] !== undefined && got[k] !== card[k]) return `expected ${k} ${card[k]}, got ${got[k] ?? 'none'}`;
  if (card.tvrSet) {
    const tvr = got.tvr ?? '';
    for (let i = 0; i < 10; i += 2) {
      const want = parseInt(card.tvrSet.slice(i, i + 2), 16);
      const have = parseInt(tvr.slice(i, i + 2) || '00', 16);
      if ((have & want) !== want) return `expected TVR bits ${card.tvrSet} set, got TVR ${tvr}`;
    }
  }
  return undefined;
}

/**
 * Runs a card sale: the ECR's sale, each presentation when the terminal asks (again), the PIN
 * when it asks for one, every distinct screen captured when `step.screens` names them. The
 * cards leave the field and the slot when it ends.
 */
export async function driveCardSale(
  step: Extract<CardStep, { do: 'sale' }>,
  world: SimWorld,
  terminal: Terminal,
  cards: Readonly<Record<string, unknown>>,
  capture: (name: string, list: DisplayList) => void,
): Promise<{ outcome: CardSaleOutcome; record: CardRecord | undefined }> {
  const slots = world.cards;
  if (!slots) throw new CardDriveError('the board has no card input (device.reader)');
  const pending = terminal.cardSale(step.amountMinor);
  let outcome: CardSaleOutcome | undefined;
  let failure: unknown;
  pending.then((o) => (outcome = o), (e: unknown) => (failure = e ?? 'rejected'));
  let next = 0;
  let lastView = '';
  let shots = 0;
  let pinTyped = false;
  let shot: DisplayList | undefined;
  const shoot = (view: string) => {
    const list = world.screen();
    if (!step.screens || !list || list === shot) return;
    shot = list;
    capture(`${step.screens}-${String(++shots).padStart(2, '0')}-${view}`, list);
  };
  try {
    for (let i = 0; i < MAX_SALE_STEPS; i++) {
      await world.clock.settle();
      const view = terminal.view;
      if (view !== lastView) {
        if (view.startsWith('card-') || view === 'host') shoot(view);
        if (WAITING_VIEWS.includes(view) && next < step.present.length) present(step.present[next++], slots, cards);
        if (view === 'card-pin' && step.pin && !pinTyped) {
          pinTyped = true;
          for (const key of step.pin) world.keypad.press(key as '0');
          world.keypad.press('enter');
        }
        lastView = view;
        continue;
      }
      if (outcome || failure) break;
      if (!(await world.clock.advanceToNextTimer())) throw new CardDriveError('the card sale waits for something that never comes (no timer pending)');
    }
    if (failure) throw failure;
    if (!outcome) throw new CardDriveError(`the card sale still runs after ${MAX_SALE_STEPS} timers`);
    // The host's result replaces its progress screen under the same view: the last screen is taken too.
    shoot(lastView === 'host' ? 'result' : lastView);
    return { outcome, record: outcome.card ? record(outcome.card) : undefined };
  } finally {
    slots.tap(undefined);
    slots.insert(undefined);
  }
}

function record(card: NonNullable<CardSaleOutcome['card']>): CardRecord {
  // Masked by the terminal already; masked again so nothing here can put a clear PAN in a report.
  return { ...card, ...(card.pan !== undefined ? { pan: card.pan.includes('*') ? card.pan : maskPan(card.pan) } : {}) };
}

function present(p: Presentation, slots: CardSlots, cards: Readonly<Record<string, unknown>>) {
  if ('swipe' in p) return slots.swipe(p.swipe);
  if ('scan' in p) return slots.scan(p.scan);
  const path = 'tap' in p ? p.tap : p.insert;
  const json = cards[path];
  if (json === undefined) throw new CardDriveError(`card file ${path} was not loaded`);
  const card = cardFromFile(json);
  if ('tap' in p) slots.tap(card);
  else slots.insert(card);
}
