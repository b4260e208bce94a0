/**
 * The scenario steps that talk to the acquirer, and the loop that runs anything that waits on
 * the network: settle the network (real sockets, virtual time standing still), and while the
 * step's promise is still pending, move the virtual clock to the next timer (a connect or
 * response timeout, a backoff, the acquirer's held reply) and settle again. Engine-neutral.
 */
import { fromHex } from '../../firmware/core/bytes';
import { maskPan } from '../../firmware/core/card/pan';
import type { HostOutcome, SaleRequest } from '../../firmware/core/host/sessionTypes';
import type { Terminal } from '../../firmware/core/runtime/terminal';
import type { CardSpec, HostExpectation, HostStep } from './hostSchema';
import type { CardRecord, CardStep } from './cardSteps';
import type { SimWorld } from './driver';

/** Timer steps one driven step may take (a sale with every retry and backoff takes a few dozen). */
const MAX_DRIVE_STEPS = 10_000;

/** What the report keeps of one host step. */
export interface TransactionRecord {
  step: number;
  do: 'sign-on' | 'sale' | 'settle' | 'echo';
  outcome: HostOutcome['kind'] | 'power-cut';
  code?: string;
  category?: string;
  stage?: string;
  detail?: string;
  stan?: string;
  amountMinor?: number;
  /** The card's PAN, masked (first 6, last 4). */
  pan?: string;
  /** A card sale's read (cardSteps.ts): entry, masked PAN or code, TVR, CVM, cryptogram, ODA. */
  card?: CardRecord;
  uptimeMs: number;
}

/** The terminal's host operations (terminal.signOn … or its session, terminal.host). */
interface HostApi {
  signOn(): Promise<HostOutcome>;
  echo(): Promise<HostOutcome>;
  sale(req: SaleRequest): Promise<HostOutcome & { stan?: string }>;
  settle(): Promise<HostOutcome>;
}

export class DriveError extends Error {
  override readonly name = 'DriveError';
  readonly code = 'scenario-drive';
}

/** The power went while the promise was pending: the terminal is dead until the next reboot. */
export const POWER_CUT = Symbol('power-cut');

/**
 * Runs `promise` to its end on the simulated network and virtual clock; resolves with its
 * value, or POWER_CUT when an armed power cut happened on the way.
 * @throws DriveError when it waits for something that never comes
 */
export async function drive<T>(world: SimWorld, promise: Promise<T>, watchPower = false): Promise<T | typeof POWER_CUT> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let step = 0; step < MAX_DRIVE_STEPS; step++) {
    await world.clock.settle();
    if (watchPower && world.outside({ do: 'power' }) === 'cut') return POWER_CUT;
    if (done) return promise;
    if (!(await world.clock.advanceToNextTimer())) throw new DriveError('waits for something that never comes (no timer pending)');
  }
  throw new DriveError(`still waiting after ${MAX_DRIVE_STEPS} timers`);
}

function saleRequest(amountMinor: number, card: CardSpec): SaleRequest {
  const { icc, pinBlock, ...rest } = card;
  return { amountMinor, ...rest, ...(icc ? { icc: fromHex(icc) } : {}), ...(pinBlock ? { pinBlock: fromHex(pinBlock) } : {}) };
}

/**
 * The terminal's own operations when it has them (they add its duties: sign-on first when
 * needed, the self-test after a terminal-invalid answer), else its host session's.
 */
function hostOf(terminal: Terminal): HostApi {
  const t = terminal as unknown as Partial<HostApi> & { host?: HostApi };
  if (typeof t.signOn === 'function' && typeof t.sale === 'function') return t as HostApi;
  if (!t.host) throw new DriveError('the terminal has no host session (no acquirer profile?)');
  return t.host;
}

/** Waits, on the simulated network and clock, until the terminal's host work is done (when it says). */
export async function driveIdle(world: SimWorld, terminal: Terminal): Promise<void> {
  const t = terminal as unknown as { whenIdle?: () => Promise<void> };
  if (typeof t.whenIdle === 'function') await drive(world, t.whenIdle());
}

/** Why `record` is not what the step expected, or undefined. */
export function unmet(record: TransactionRecord, expect: HostExpectation | undefined): string | undefined {
  if (!expect) return undefined;
  const got = `${record.outcome}${record.code ? ` ${record.code}` : ''}${record.category ? ` (${record.category})` : ''}${record.detail ? `: ${record.detail}` : ''}`;
  if (expect.kind && record.outcome !== expect.kind) return `expected ${expect.kind}, got ${got}`;
  if (expect.code && record.code !== expect.code) return `expected code ${expect.code}, got ${got}`;
  if (expect.category && record.category !== expect.category) return `expected ${expect.category}, got ${got}`;
  return undefined;
}

/**
 * Runs one host step. Transaction steps return what the report keeps; `terminal` is undefined
 * before boot and after a power cut.
 * @throws DriveError for a step that cannot run or an outcome the step did not expect
 */
export async function runHostStep(step: Exclude<HostStep, CardStep>, index: number, world: SimWorld, terminal: Terminal | undefined): Promise<TransactionRecord | undefined> {
  switch (step.do) {
    case 'acquirer':
      world.outside({ do: 'faults', faults: step.faults });
      return undefined;
    case 'link':
      world.outside({ do: 'link', up: step.up });
      await world.clock.settle();
      return undefined;
    case 'power-cut':
      world.outside({ do: 'arm-power-cut' });
      return undefined;
  }
  if (!terminal) throw new DriveError('the terminal is not running (boot, or reboot after a power cut)');
  const host = hostOf(terminal);
  const pan = step.do === 'sale' ? (step.card.pan ?? step.card.track2?.split('=')[0]) : undefined;
  const started =
    step.do === 'sale' ? host.sale(saleRequest(step.amountMinor, step.card)) : step.do === 'sign-on' ? host.signOn() : step.do === 'echo' ? host.echo() : host.settle();
  const result = await drive(world, started as Promise<HostOutcome & { stan?: string }>, true);
  const record: TransactionRecord = { step: index, do: step.do, outcome: result === POWER_CUT ? 'power-cut' : result.kind, uptimeMs: world.clock.uptimeMs() };
  if (result !== POWER_CUT) {
    if (result.kind === 'answered') Object.assign(record, { code: result.answer.code, category: result.answer.category });
    else if (result.kind === 'no-answer') Object.assign(record, { stage: result.stage, detail: result.detail });
    else Object.assign(record, { code: result.code, detail: result.detail });
    if (result.stan !== undefined) record.stan = result.stan;
  }
  if (step.do === 'sale') {
    record.amountMinor = step.amountMinor;
    if (pan) record.pan = maskPan(pan);
  }
  const why = unmet(record, step.expect);
  if (why) throw new DriveError(why);
  return record;
}
