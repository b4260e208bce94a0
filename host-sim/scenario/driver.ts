/**
 * Runs a scenario's steps against a terminal built from a simulated world, and collects what
 * a field report would: the self-test reports and events in the log, and the screens.
 * Engine-neutral: the Node CLI and the XS lane run this same code.
 */
import { createTerminal, type Terminal } from '../../firmware/core/runtime/terminal';
import { fencePorts, type FencedPorts } from '../ports/powerFence';
import { readLang } from '../../firmware/core/config/terminalConfig';
import { createScreens } from '../../firmware/core/ui/screens';
import type { TerminalEvent } from '../../firmware/core/runtime/events';
import type { Ports, ResetReason } from '../../firmware/core/ports';
import type { UpdateStatus } from '../../firmware/core/update/types';
import type { SafeModeFacts } from '../../firmware/core/ui/safeModeScreen';
import { checkUnmet, statusUnmet, type UpdateFaultSpec, type UpdateRecord } from './updateSteps';
import type { ServedRequest } from '../update/updateServer';
import type { SelfTestReport } from '../../firmware/core/selftest/types';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import type { Scenario } from './schema';
import type { ScenarioFault } from './hostSchema';
import { drive, driveIdle, DriveError, POWER_CUT, runHostStep, unmet, type TransactionRecord } from './hostSteps';
import { diagnosisPages, diagnosisRecord, runDiagnosisStep, type DiagnosisRecord } from './diagnosisSteps';
import type { VirtualClock } from '../ports/virtualClock';
import type { SimKeypad } from '../ports/simDevices';
import type { CardSlots } from './cardWorld';
import { cardUnmet, driveCardSale } from './cardSteps';
import { maskPan } from '../../firmware/core/card/pan';

/** What the driver asks of the world outside the terminal (on XS, across the bridge). */
export type OutsideCommand =
  /** Adds faults to the acquirer's plan. */
  | { do: 'faults'; faults: ScenarioFault[] }
  | { do: 'link'; up: boolean }
  /** Cuts the power the moment the next 0200 has been written to a socket. */
  | { do: 'arm-power-cut' }
  /** 'on', or 'cut' once an armed cut has happened (until the next power-on). */
  | { do: 'power' }
  /** The next power-on is a software restart (its reset reason says so). */
  | { do: 'software-restart' }
  /** What the acquirer received and answered (AcquirerLine[]); [] without an acquirer. */
  | { do: 'acquirer-log' }
  /** The next power-on reports this reset reason (a crash, a brownout). */
  | { do: 'reset'; reason: ResetReason }
  /** What the bootloader booted: { slot, version, behaviour, state } (RunningImage). */
  | { do: 'image' }
  /** Cuts the power at the update slots' flash op `afterOps` ops from now. */
  | { do: 'arm-slots-cut'; afterOps: number }
  /** The update server's faults from now. */
  | { do: 'update-server'; faults: UpdateFaultSpec[] }
  /** What the update server was asked and answered (ServedRequest[]); [] without one. */
  | { do: 'update-server-log' };

/** What the bootloader booted, as the world tells the driver. */
export interface RunningImage {
  slot: number;
  version: string;
  behaviour: 'normal' | 'selftest-fails' | 'crash-at-boot';
  state: string;
}

/** One line of the acquirer's log as the report keeps it (no ports, no keys, no PANs). */
export interface AcquirerLine {
  host: number;
  direction: 'in' | 'out';
  mti?: string;
  stan?: string;
  tid?: string;
  code?: string;
  fault?: string;
}

/** What the driver needs of a world besides its ports. */
export interface SimWorld {
  ports: Ports;
  clock: VirtualClock;
  keypad: SimKeypad;
  /** The screen as last drawn. */
  screen(): DisplayList | undefined;
  /** Power comes back after a power-off (flash powered, peripherals reset, connections gone). */
  powerOn(): void;
  outside(command: OutsideCommand): unknown;
  /** The board's card inputs, when the scenario fits any (device.reader). */
  cards?: CardSlots;
}

export interface ScenarioReport {
  scenario: string;
  lang: 'zh' | 'en';
  finalState: string;
  /** Every self-test report in the log, oldest first. */
  selfTests: SelfTestReport[];
  /** Events in the log: how many, and the newest ones (a full log holds thousands). */
  eventCount: number;
  recentEvents: TerminalEvent[];
  screens: string[];
  /** Each host step's outcome (PANs masked). */
  transactions: TransactionRecord[];
  /** What the acquirer received and answered, when the scenario has one. */
  acquirer?: AcquirerLine[];
  /** Each diagnosis step's diagnosis: top cause, causes with their standing, steps, what was tried. */
  diagnoses: DiagnosisRecord[];
  /** Update checks, crashes and slot power cuts, in order (scenarios with an update section or such steps). */
  updates?: UpdateRecord[];
  /** Where the firmware update stood at the end (same scenarios). */
  update?: UpdateStatus;
  /** The crash loop's safe mode at the end, when it held. */
  safeMode?: SafeModeFacts;
  /** What the update server was asked and answered (path, range, status, bytes sent, fault), when the scenario runs one. */
  updateServer?: ServedRequest[];
}

export interface ScenarioOutcome {
  report: ScenarioReport;
  screens: { name: string; list: DisplayList }[];
}

/** Boots in a row a reboot may take (a crash at boot, a rollback) before the scenario fails. */
const MAX_BOOTS = 6;

/** Newest events kept in the report. */
const RECENT_EVENTS = 40;
/** A report never has more pages than this; paging stops there. */
const MAX_PAGES = 64;

export class ScenarioRunError extends Error {
  override readonly name = 'ScenarioRunError';
  readonly code = 'scenario-run';
  constructor(readonly step: number, message: string) {
    super(`steps[${step}]: ${message}`);
  }
}

/** Digit runs of a local refusal's detail that could be a card number, masked. */
function maskCodes(text: string): string {
  return text.replace(/\d{13,19}/g, (digits) => maskPan(digits));
}

export async function runScenario(scenario: Scenario, world: SimWorld): Promise<ScenarioOutcome> {
  let terminal: Terminal | undefined;
  /** A terminal whose power was cut: stopped, kept for the reboot. */
  let dead: Terminal | undefined;
  const transactions: TransactionRecord[] = [];
  const diagnoses: DiagnosisRecord[] = [];
  /** The restart action asked the board to restart (the next step reboots first). */
  let restartAsked = false;
  const create = (ports: Ports) => createTerminal(ports, { restart: () => (restartAsked = true) });
  /** Boots on the simulated network; a boot that never ends is the step's failure. */
  const boot = async (index: number, t: Terminal) => {
    try {
      await drive(world, t.boot());
      // With an acquirer, the boot step ends once what boot started (the sign-on) is done.
      if (scenario.acquirer) await driveIdle(world, t);
    } catch (error) {
      if (error instanceof DriveError) throw new ScenarioRunError(index, `boot ${error.message}`);
      throw error;
    }
  };
  const screens: { name: string; list: DisplayList }[] = [];
  const capture = (index: number, name: string) => {
    const list = world.screen();
    if (!list) throw new ScenarioRunError(index, 'nothing on the screen yet');
    if (screens.some((s) => s.name === name)) throw new ScenarioRunError(index, `screen name ${name} used twice`);
    screens.push({ name, list });
  };

  /** The ports of the running boot: cut when its power goes, so nothing of an old boot reaches the world. */
  let fence: FencedPorts | undefined;
  const updates: UpdateRecord[] = [];
  /**
   * Starts the terminal on what the world's bootloader booted (the world is powered on). An image
   * that crashes at boot panics as it starts, before its self-test could end: the board
   * power-cycles with reset reason 'panic'. A boot whose update gate rolled back restarts at once ('software'). Either
   * way the bootloader chooses again, up to MAX_BOOTS times.
   */
  const start = async (index: number) => {
    for (let round = 0; ; round++) {
      if (round >= MAX_BOOTS) throw new ScenarioRunError(index, `the board restarted ${MAX_BOOTS} times in a row`);
      if (round > 0) {
        world.clock.reboot();
        world.powerOn();
      }
      const image = world.outside({ do: 'image' }) as RunningImage;
      if (image.behaviour === 'crash-at-boot') {
        // It panics while it starts, long before its self-test could end (and confirm it).
        world.outside({ do: 'reset', reason: 'panic' });
        continue;
      }
      fence = fencePorts(world.ports);
      terminal = create(fence.ports);
      await boot(index, terminal);
      if (world.outside({ do: 'power' }) !== 'restart') return;
      // The gate rolled the image back: the bootloader's choice again.
      halt();
    }
  };
  /** This boot is over: the terminal stopped, its ports fenced off. */
  const halt = () => {
    (terminal ?? dead)?.stop();
    fence?.cut();
    terminal = undefined;
    dead = undefined;
  };
  /**
   * After every step: a board that restarted itself (an installed update's restart, a rollback)
   * boots again now; one whose power a slots cut took stays off until the scenario reboots it.
   */
  const afterStep = async (index: number) => {
    if (!terminal) return;
    const power = world.outside({ do: 'power' });
    if (power === 'cut') {
      terminal.stop();
      fence?.cut();
      dead = terminal;
      terminal = undefined;
    } else if (power === 'restart' || restartAsked) {
      if (power !== 'restart') world.outside({ do: 'software-restart' });
      restartAsked = false;
      await reboot(index);
    }
  };
  const reboot = async (index: number) => {
    halt();
    world.clock.reboot();
    world.powerOn();
    await start(index);
  };
  for (let index = 0; index < scenario.steps.length; index++) {
    const step = scenario.steps[index];
    if (step.do === 'power-cut' && 'afterOps' in step) {
      updates.push({ step: index, do: 'power-cut', afterOps: step.afterOps });
      world.outside({ do: 'arm-slots-cut', afterOps: step.afterOps });
      continue;
    }
    if (step.do === 'sale' && 'present' in step) {
          if (!terminal) throw new ScenarioRunError(index, 'boot first');
          try {
            const { outcome, record: card } = await driveCardSale(step, world, terminal, scenario.cards, (name, list) => {
              if (screens.some((s) => s.name === name)) throw new ScenarioRunError(index, `screen name ${name} used twice`);
              screens.push({ name, list });
            });
            const record: TransactionRecord = { step: index, do: 'sale', outcome: outcome.kind, uptimeMs: world.clock.uptimeMs(), amountMinor: step.amountMinor };
            if (outcome.kind === 'answered') Object.assign(record, { code: outcome.answer.code, category: outcome.answer.category });
            else if (outcome.kind === 'no-answer') Object.assign(record, { stage: outcome.stage, detail: outcome.detail });
            else Object.assign(record, { code: outcome.code, detail: maskCodes(outcome.detail) });
            if (outcome.stan !== undefined) record.stan = outcome.stan;
            if (card) {
              record.card = card;
              if (card.pan && card.entry !== 'qr') record.pan = card.pan;
            }
            transactions.push(record);
            const why = unmet(record, step.expect) ?? cardUnmet(outcome, step.expect);
            if (why) throw new ScenarioRunError(index, `sale: ${why}`);
          } catch (error) {
            if (error instanceof DriveError || (error instanceof Error && error.name === 'DriveError')) throw new ScenarioRunError(index, `sale: ${error.message}`);
            throw error;
          }
          continue;
        }
    switch (step.do) {
      case 'boot':
        if (terminal) throw new ScenarioRunError(index, 'already booted (use reboot)');
        if (dead) throw new ScenarioRunError(index, 'the power is off (use reboot)');
        await start(index);
        break;
      case 'update-check': {
        if (!terminal) throw new ScenarioRunError(index, 'boot first');
        let outcome;
        try {
          outcome = await drive(world, terminal.checkUpdate(), true);
        } catch (error) {
          if (error instanceof DriveError) throw new ScenarioRunError(index, `update-check: ${error.message}`);
          throw error;
        }
        // The power went in the middle (an armed cut in the slots): the board is off until a reboot.
        if (outcome === POWER_CUT) {
          updates.push({ step: index, do: 'update-check', powerCut: true });
          break;
        }
        updates.push({ step: index, do: 'update-check', outcome });
        const why = checkUnmet(outcome, step.expect);
        if (why) throw new ScenarioRunError(index, `update-check: ${why}`);
        break;
      }
      case 'update-server':
        world.outside({ do: 'update-server', faults: step.faults });
        break;
      case 'crash':
        if (!terminal) throw new ScenarioRunError(index, 'boot first');
        updates.push({ step: index, do: 'crash', reason: step.reason });
        halt();
        world.outside({ do: 'reset', reason: step.reason });
        world.clock.reboot();
        world.powerOn();
        await start(index);
        break;
      case 'update': {
        if (!terminal) throw new ScenarioRunError(index, 'boot first');
        const why = statusUnmet(terminal, step.expect);
        if (why) throw new ScenarioRunError(index, `update: ${why}`);
        break;
      }
      case 'reboot':
        await reboot(index);
        break;
      case 'advance': {
        // Time passes; a board that restarts itself meanwhile (a scheduled update installed, a
        // rollback) restarts then, and the rest of the time passes on the new boot.
        const stop = () => restartAsked || world.outside({ do: 'power' }) !== 'on';
        const endMs = world.clock.elapsedMs + step.ms;
        for (let round = 0; round <= MAX_BOOTS && world.clock.elapsedMs < endMs; round++) {
          await world.clock.advance(endMs - world.clock.elapsedMs, terminal ? stop : undefined);
          if (world.clock.elapsedMs >= endMs || !terminal) break;
          await afterStep(index);
          if (!terminal) break;
        }
        break;
      }
      case 'wipe-keys':
        if (!terminal) throw new ScenarioRunError(index, 'boot first');
        // The self-test that follows checks the network: it runs on the simulated network like a boot.
        try {
          await drive(world, terminal.wipeKeys());
        } catch (error) {
          if (error instanceof DriveError) throw new ScenarioRunError(index, `wipe-keys ${error.message}`);
          throw error;
        }
        break;
      case 'press':
        world.keypad.press(step.key);
        await world.clock.settle();
        break;
      case 'release':
        world.keypad.release(step.key);
        break;
      case 'snapshot':
        capture(index, step.name);
        break;
      case 'report-pages': {
        if (!terminal?.lastReport) throw new ScenarioRunError(index, 'no self-test report to page through');
        // The diagnosis on the screen (after an 83): ▼ through it to home first, uncaptured.
        for (let press = 0; press < MAX_PAGES && terminal.view === 'diagnosis'; press++) {
          world.keypad.press('down');
          await world.clock.settle();
        }
        // ▼ through every page as the terminal lays them out, then ▼ once more: the last page's
        // footer says that leads home (tests/ui/keyHints.test.ts checks that it does).
        const screens = createScreens(world.ports.display.font, world.ports.keypad.layout);
        const context = { lang: readLang(world.ports.settings), firmwareVersion: world.ports.system.firmwareVersion };
        const pages = Math.min(MAX_PAGES, screens.selfTestPageCount(terminal.lastReport, context));
        for (let page = 0; page <= pages; page++) {
          world.keypad.press('down');
          await world.clock.settle();
          if (page < pages) capture(index, `${step.name}-${String(page + 1).padStart(2, '0')}`);
        }
        break;
      }
      case 'diagnosis':
      case 'action':
      case 'activate': {
        if (!terminal) throw new ScenarioRunError(index, 'boot first');
        let d;
        try {
          d = await runDiagnosisStep(step, world, terminal);
        } catch (error) {
          if (error instanceof DriveError) throw new ScenarioRunError(index, `${step.do}: ${error.message}`);
          throw error;
        }
        if (step.do === 'diagnosis' && d) {
          diagnoses.push(diagnosisRecord(index, step.name, d));
          for (const page of diagnosisPages(world, step.name, d)) {
            if (screens.some((s) => s.name === page.name)) throw new ScenarioRunError(index, `screen name ${page.name} used twice`);
            screens.push(page);
          }
        }
        // The restart step's outcome is recorded: the board restarts (a software reset).
        if (restartAsked) {
          restartAsked = false;
          world.outside({ do: 'software-restart' });
          await reboot(index);
        }
        break;
      }
      case 'remove-card':
        world.cards?.tap(undefined);
        world.cards?.insert(undefined);
        await world.clock.settle();
        break;
      case 'reader-faults':
        if (!world.cards) throw new ScenarioRunError(index, 'the board has no card reader (device.reader)');
        world.cards.faults(step.faults);
        break;
      default:
        try {
          const record = await runHostStep(step as Exclude<typeof step, { present: unknown }>, index, world, terminal);
          if (record) transactions.push(record);
          if (record?.outcome === 'power-cut') {
            terminal?.stop();
            fence?.cut();
            dead = terminal;
            terminal = undefined;
          }
        } catch (error) {
          if (error instanceof DriveError) throw new ScenarioRunError(index, `${step.do}: ${error.message}`);
          throw error;
        }
    }
    await afterStep(index);
  }
  if (dead) throw new ScenarioRunError(scenario.steps.length - 1, 'the scenario ends with the power off (reboot after a power cut)');
  if (!terminal) throw new ScenarioRunError(0, 'the scenario never boots the terminal');
  terminal.stop();
  const events = terminal.events();
  return {
    report: {
      scenario: scenario.name,
      lang: scenario.lang,
      finalState: terminal.state,
      selfTests: terminal.reports(),
      eventCount: events.length,
      recentEvents: events.slice(-RECENT_EVENTS),
      screens: screens.map((s) => s.name),
      transactions,
      diagnoses,
      ...(scenario.acquirer ? { acquirer: world.outside({ do: 'acquirer-log' }) as AcquirerLine[] } : {}),
      ...(scenario.update || updates.length ? { updates, update: terminal.update } : {}),
      ...(terminal.safeMode ? { safeMode: terminal.safeMode } : {}),
      ...(scenario.update?.server ? { updateServer: world.outside({ do: 'update-server-log' }) as ServedRequest[] } : {}),
    },
    screens,
  };
}
