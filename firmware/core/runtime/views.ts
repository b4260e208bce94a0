/**
 * The terminal's panel: which screen it shows and how the board's keys move between screens.
 *
 *   home (the idle screen, or the fault screen out of service) ─▼→ report page 1 … N ─▼→ home
 *   diagnosis: summary → a page per cause → causes ruled out → steps → support ─▼→ home
 *   ▲ goes back a page (from the first, home); CANCEL goes home; any key takes a
 *   transaction's screen off, and an activation's result (to the diagnosis after a refusal).
 *
 * The diagnosis opens by itself (after the host-83 self-test, a failed demand self-test, an
 * action); on a PIN pad ENTER opens it from home or a report page. On its steps page a digit
 * 1–9 runs that step's action, ENTER (a hold on the one-button board) the first not yet tried.
 * In the factory state the fault screen is the activation screen: on a PIN pad ENTER or a
 * digit opens the code entry (digits, CLEAR deletes one, CANCEL leaves, ENTER activates); on
 * the one-button board a hold opens it, then a press steps through 0–9, ✓ (activate, from
 * ACTIVATION_CODE_MIN digits) and ⌫ (delete the last digit; with none, leave), a hold takes the choice.
 *
 * Drawing never throws: a dead panel must not stop the terminal (the display probe reports it).
 * Only the screen being drawn has a display list; the panel keeps what to draw, not what was drawn.
 */
import { readLang, readTerminalConfig, readTerminalId } from '../config/terminalConfig';
import { errorText } from '../errorText';
import type { ActivationOutcome } from '../activation/activate';
import { encodeSummary } from '../diagnosis/summary';
import { supportCode } from '../diagnosis/supportCode';
import type { ActionId, Diagnosis } from '../diagnosis/types';
import type { KeyCode, Ports, TimerToken } from '../ports';
import { encodeQr } from '../qr/encode';
import type { SelfTestReport } from '../selftest/types';
import type { CborCodec } from '../store/cbor';
import type { DisplayList } from '../ui/displayList';
import { ACTIVATION_CODE_MAX, ACTIVATION_CODE_MIN, type ActivationStage } from '../ui/activationTexts';
import { CODE_DELETE, CODE_SUBMIT, currentCodeChoice, nextCodeChoice } from '../ui/activationScreens';
import { createDiagnosisScreens, diagnosisPage, type DiagnosisScreens } from '../ui/diagnosisScreens';
import { parseFont } from '../ui/font';
import { createScreens, type ScreenContext, type Screens } from '../ui/screens';
import { createTransactionScreens, type TransactionScreens } from '../ui/transactionScreens';
import type { HostView } from './hostScreens';
import type { TerminalState } from './states';

/** The idle screen shows the time; it is redrawn this often while nobody looks at a report. */
const IDLE_REFRESH_MS = 60 * 1000;

/** What the screen shows: the idle or fault screen, a page of the last self-test, the boot screen while a self-test runs, a transaction's screen. */
export type View =
  | { kind: 'home' }
  | { kind: 'report'; page: number }
  | { kind: 'running' }
  | { kind: 'host'; render: HostView }
  /** A page of the current diagnosis; `running`: the action under way (its steps page shows it). */
  | { kind: 'diagnosis'; page: number; running?: ActionId }
  /** `choice`: the one-button board's current choice (ui/activationScreens.ts codeChoiceOffered). */
  | { kind: 'code-entry'; digits: string; choice?: number }
  /** `stage`: 申请 → 审核 → 发放 (apply when not given). */
  | { kind: 'activating'; stage?: ActivationStage }
  | { kind: 'activation-result'; outcome: ActivationOutcome };

/**
 * Page `n` of diagnosis `d` as the panel draws it. The support code and the QR are made only for
 * the support page: a QR's matrix is the biggest thing a page holds.
 */
export function diagnosisPageList(own: DiagnosisScreens, d: Diagnosis, n: number, context: ScreenContext, serialNumber: string, running?: ActionId): DisplayList {
  if (diagnosisPage(d, n).kind !== 'support') return own.page(d, n, context, running);
  const ids = { firmwareVersion: context.firmwareVersion, serialNumber, ...(context.terminalId ? { terminalId: context.terminalId } : {}) };
  return own.page(d, n, { ...context, supportCode: supportCode(d), qr: encodeQr(encodeSummary(d, ids)) }, running);
}

export interface PanelDeps {
  ports: Ports;
  cbor: CborCodec;
  state(): TerminalState;
  lastReport(): SelfTestReport | undefined;
  /** The STAN of a reversal still waiting for the host (the idle screen says so). */
  pendingReversalStan(): string | undefined;
  stopped(): boolean;
  /** The diagnosis the diagnosis pages show. */
  diagnosis(): Diagnosis | undefined;
  /** The terminal is in its factory state (never activated): its fault screen is the activation screen. */
  factory(): boolean;
  /** ENTER on a PIN pad from home or a report: the diagnosis now. */
  openDiagnosis(): void;
  /** A step's action chosen on the steps page. */
  runStep(action: ActionId): void;
  /** ENTER on the code entry with enough digits. */
  submitCode(digits: string): void;
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
  let diagnosisScreens: DiagnosisScreens | undefined;
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
      else if (view.kind !== 'home' && view.kind !== 'report' && diagnosisScreens) drawOwn(diagnosisScreens, context);
      else if (deps.state() === 'fault' && deps.factory() && diagnosisScreens) ports.display.draw(diagnosisScreens.notActivated({ ...context, serialNumber: ports.system.serialNumber }));
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

  /** The diagnosis and activation views (a diagnosis view without a diagnosis shows the home screen). */
  function drawOwn(own: DiagnosisScreens, context: ScreenContext) {
    const d = deps.diagnosis();
    if (view.kind === 'diagnosis') {
      if (!d) {
        view = { kind: 'home' };
        return draw();
      }
      ports.display.draw(diagnosisPageList(own, d, view.page, context, ports.system.serialNumber, view.running));
    } else if (view.kind === 'code-entry') ports.display.draw(own.codeEntry(view.digits, context, view.choice));
    else if (view.kind === 'activating') ports.display.draw(own.activating({ ...context, ...(view.stage ? { stage: view.stage } : {}) }));
    else if (view.kind === 'activation-result') ports.display.draw(own.activationResult(view.outcome, context));
  }

  /** The first step with an action not yet tried, as its steps page lists them. */
  function firstUntried(d: Diagnosis): ActionId | undefined {
    for (const step of d.steps) if (step.action && !d.tried.some((t) => t.action === step.action)) return step.action;
    return undefined;
  }

  /** Keys on a diagnosis page: paging, and on the steps page the actions. */
  function diagnosisKey(key: KeyCode, page: number): boolean {
    const d = deps.diagnosis();
    if (!d || !diagnosisScreens) return false;
    const pages = diagnosisScreens.pageCount(d);
    if (key === 'down') return show(page + 1 < pages ? { kind: 'diagnosis', page: page + 1 } : { kind: 'home' });
    if (key === 'up') return show(page > 0 ? { kind: 'diagnosis', page: page - 1 } : { kind: 'home' });
    if (key === 'cancel') return show({ kind: 'home' });
    if (diagnosisPage(d, page).kind !== 'steps') return false;
    let action: ActionId | undefined;
    if (key >= '1' && key <= '9') action = d.steps[Number(key) - 1]?.action;
    // A hold on the one-button board runs the next step only here; elsewhere it is the self-test.
    else if (key === 'enter' || (key === 'menu' && ports.keypad.layout === 'one-button')) action = firstUntried(d);
    if (!action) return key !== 'menu';
    deps.runStep(action);
    return true;
  }

  /** Keys on the activation code entry (a PIN pad's digits). */
  function codeKey(key: KeyCode, digits: string): boolean {
    if (key >= '0' && key <= '9') return digits.length < ACTIVATION_CODE_MAX ? show({ kind: 'code-entry', digits: digits + key }) : true;
    if (key === 'clear') return show({ kind: 'code-entry', digits: digits.slice(0, -1) });
    if (key === 'cancel') return show({ kind: 'home' });
    if (key === 'enter' && digits.length >= ACTIVATION_CODE_MIN) deps.submitCode(digits);
    return true;
  }

  /** The one-button board's code entry: a press ('down') steps to the next choice, a hold ('menu') takes it. */
  function choiceKey(key: KeyCode, digits: string, choice: number | undefined): boolean {
    const current = currentCodeChoice(digits, choice);
    if (key === 'down') return show({ kind: 'code-entry', digits, choice: nextCodeChoice(digits, current) });
    if (key !== 'menu') return true;
    if (current === CODE_SUBMIT) deps.submitCode(digits);
    // ⌫ stays chosen, so several holds delete several digits; with nothing left to delete it leaves.
    else if (current === CODE_DELETE) show(digits ? { kind: 'code-entry', digits: digits.slice(0, -1), choice: CODE_DELETE } : { kind: 'home' });
    else show({ kind: 'code-entry', digits: digits + String(current) });
    return true;
  }

  function show(next: View): true {
    view = next;
    draw();
    return true;
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
    const oneButton = ports.keypad.layout === 'one-button';
    const activationScreen = view.kind === 'home' && deps.state() === 'fault' && deps.factory();
    // MENU (a hold on one button) is the self-test's, except on the diagnosis's steps page, the
    // code entry, and the one-button board's activation screen (where it opens the code entry).
    if (key === 'menu' && view.kind !== 'diagnosis' && view.kind !== 'code-entry' && !(oneButton && activationScreen)) return false;
    // Any key takes a transaction's result off the screen; a refused activation's leads to the diagnosis (its remedy, the support code).
    if (view.kind === 'host') return show({ kind: 'home' });
    if (view.kind === 'activation-result') return show(view.outcome.kind === 'refused' && deps.diagnosis() ? { kind: 'diagnosis', page: 0 } : { kind: 'home' });
    if (view.kind === 'activating' || view.kind === 'running') return true;
    if (view.kind === 'diagnosis') return diagnosisKey(key, view.page);
    if (view.kind === 'code-entry') return oneButton ? choiceKey(key, view.digits, view.choice) : codeKey(key, view.digits);
    if (oneButton && key === 'menu') return show({ kind: 'code-entry', digits: '' });
    const pinPad = ports.keypad.layout === 'pin-pad';
    if (pinPad && activationScreen && (key === 'enter' || (key >= '0' && key <= '9'))) return show({ kind: 'code-entry', digits: key === 'enter' ? '' : key });
    if (pinPad && key === 'enter') {
      deps.openDiagnosis();
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
        const font = parseFont(ports.display.font);
        transactionScreens = createTransactionScreens(font, ports.keypad.layout);
        diagnosisScreens = createDiagnosisScreens(font, ports.keypad.layout);
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
