/**
 * The terminal's panel: which screen it shows and how the board's keys move between screens.
 *
 *   home (the idle screen, or the fault screen out of service) ─▼→ report page 1 … N ─▼→ home
 *   ▲ goes back a page (from the first, home); CANCEL goes home; any key takes a
 *   transaction's screen off.
 *
 * Drawing never throws: a dead panel must not stop the terminal (the display probe reports it).
 * Only the screen being drawn has a display list; the panel keeps what to draw, not what was drawn.
 */
import { readLang, readTerminalConfig, readTerminalId } from '../config/terminalConfig';
import { errorText } from '../errorText';
import type { KeyCode, Ports, TimerToken } from '../ports';
import type { SelfTestReport } from '../selftest/types';
import type { CborCodec } from '../store/cbor';
import { parseFont } from '../ui/font';
import { createScreens, type ScreenContext, type Screens } from '../ui/screens';
import { createTransactionScreens, type TransactionScreens } from '../ui/transactionScreens';
import type { HostView } from './hostScreens';
import type { TerminalState } from './states';

/** The idle screen shows the time; it is redrawn this often while nobody looks at a report. */
const IDLE_REFRESH_MS = 60 * 1000;

/** What the screen shows: the idle or fault screen, a page of the last self-test, the boot screen while a self-test runs, a transaction's screen. */
export type View = { kind: 'home' } | { kind: 'report'; page: number } | { kind: 'running' } | { kind: 'host'; render: HostView };

export interface PanelDeps {
  ports: Ports;
  cbor: CborCodec;
  state(): TerminalState;
  lastReport(): SelfTestReport | undefined;
  /** The STAN of a reversal still waiting for the host (the idle screen says so). */
  pendingReversalStan(): string | undefined;
  stopped(): boolean;
}

export interface Panel {
  readonly view: View;
  /** Who the terminal is, as the screens show it (read at boot and after each self-test, not on every redraw). */
  readonly identity: ScreenContext & { merchantId?: string };
  /** Binds the screens to the UI font (boot); an unusable font is traced and the panel stays dark. */
  load(): void;
  /** Shows `view` now. */
  show(view: View): void;
  /** Redraws what the panel shows. */
  draw(): void;
  readIdentity(): void;
  /** ▼ ▲ CANCEL through the pages; false for a key the panel has no use for on this screen. */
  page(key: KeyCode): boolean;
  /** Starts the idle screen's minute refresh. */
  startClock(): void;
  stop(): void;
}

export function createPanel(deps: PanelDeps): Panel {
  const { ports } = deps;
  let view: View = { kind: 'running' };
  let screens: Screens | undefined;
  let transactionScreens: TransactionScreens | undefined;
  let idleRefresh: TimerToken | undefined;
  let identity: ScreenContext & { merchantId?: string } = { lang: 'zh', firmwareVersion: ports.system.firmwareVersion };
  /** The panel shows the ready screen as draw() last drew it: the minute refresh need only redraw the clock. */
  let readyShown = false;

  function draw() {
    if (deps.stopped() || !screens) return;
    const { merchantId, ...context } = identity;
    const report = deps.lastReport();
    readyShown = false;
    try {
      if (view.kind === 'running') ports.display.draw(screens.boot(context));
      else if (view.kind === 'host' && transactionScreens) ports.display.draw(view.render(transactionScreens, context));
      else if (view.kind === 'report' && report) ports.display.draw(screens.selfTestPage(report, view.page, context));
      else if (deps.state() === 'fault' && report) ports.display.draw(screens.fault(report, context));
      else {
        const pendingReversalStan = deps.pendingReversalStan();
        ports.display.draw(screens.ready({ ...context, merchantId, wallMs: ports.clock.wallMs(), lastVerdict: report?.verdict, ...(pendingReversalStan ? { pendingReversalStan } : {}) }));
        readyShown = true;
      }
    } catch (error) {
      ports.trace(`draw failed: ${errorText(error)}`);
    }
  }

  /** The minute refresh of the idle screen: only its clock when the rest is already there. */
  function refreshClock() {
    if (!readyShown || !screens) return draw();
    const { merchantId: _, ...context } = identity;
    try {
      ports.display.draw(screens.readyClock({ ...context, wallMs: ports.clock.wallMs() }));
    } catch (error) {
      readyShown = false;
      ports.trace(`draw failed: ${errorText(error)}`);
    }
  }

  function scheduleIdleRefresh() {
    if (idleRefresh) ports.clock.clearTimer(idleRefresh);
    idleRefresh = ports.clock.setTimer(IDLE_REFRESH_MS, () => {
      idleRefresh = undefined;
      if (deps.stopped()) return;
      if (deps.state() === 'ready' && view.kind === 'home') refreshClock();
      scheduleIdleRefresh();
    });
  }

  function page(key: KeyCode): boolean {
    if (view.kind === 'host') {
      // Any key takes a transaction's result off the screen.
      view = { kind: 'home' };
      draw();
      return true;
    }
    const report = deps.lastReport();
    if (!report || !screens) return false;
    const { merchantId: _, ...context } = identity;
    const pages = screens.selfTestPageCount(report, context);
    // ▼ past the last page returns home (the last page's footer says so): one button can always get back.
    if (key === 'down') view = view.kind !== 'report' ? { kind: 'report', page: 0 } : view.page + 1 < pages ? { kind: 'report', page: view.page + 1 } : { kind: 'home' };
    else if (key === 'up') view = view.kind === 'report' && view.page > 0 ? { kind: 'report', page: view.page - 1 } : { kind: 'home' };
    else if (key === 'cancel') view = { kind: 'home' };
    else return false;
    draw();
    return true;
  }

  return {
    get view() {
      return view;
    },
    get identity() {
      return identity;
    },
    load() {
      try {
        screens = createScreens(ports.display.font, ports.keypad.layout);
        transactionScreens = createTransactionScreens(parseFont(ports.display.font), ports.keypad.layout);
      } catch (error) {
        ports.trace(`font unusable: ${errorText(error)}`);
      }
    },
    show(next) {
      view = next;
      draw();
    },
    draw,
    readIdentity() {
      const config = readTerminalConfig(ports.settings, deps.cbor);
      identity = {
        lang: readLang(ports.settings),
        terminalId: readTerminalId(ports.settings),
        merchantId: config.ok ? config.value.merchantId : undefined,
        firmwareVersion: ports.system.firmwareVersion,
      };
    },
    page,
    startClock: scheduleIdleRefresh,
    stop() {
      if (idleRefresh) ports.clock.clearTimer(idleRefresh);
      idleRefresh = undefined;
    },
  };
}
