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
import type { ActivationNotStartedCode } from '../ui/activationNotStarted';
import { createDiagnosisScreens, diagnosisPage, type DiagnosisScreens } from '../ui/diagnosisScreens';
import { parseFont } from '../ui/font';
import { createScreens, type ScreenContext, type Screens } from '../ui/screens';
import { createTransactionScreens, type TransactionScreens } from '../ui/transactionScreens';
import { CardScreens, type CardScreen } from '../ui/cardScreens';
import { renderUpdateScreen, type UpdateScreen } from '../ui/updateScreens';
import { renderSafeMode, type SafeModeFacts } from '../ui/safeModeScreen';
import type { UiFont } from '../ui/font';
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
  /** A card sale before the host is asked (runtime/cardDuties.ts): present, reading, PIN, a notice. */
  | { kind: 'card'; screen: CardScreen }
  /** A firmware update's progress or result (runtime/updateDuties.ts). */
  | { kind: 'update'; screen: UpdateScreen }
  /** A page of the current diagnosis; `running`: the action under way (its steps page shows it). */
  | { kind: 'diagnosis'; page: number; running?: ActionId }
  /** `choice`: the one-button board's current choice (ui/activationScreens.ts codeChoiceOffered). */
  | { kind: 'code-entry'; digits: string; choice?: number }
  /** `stage`: 申请 → 审核 → 发放 (apply when not given). */
  | { kind: 'activating'; stage?: ActivationStage }
  /** `notStarted`: the terminal itself would not start the activation the keypad asked for (outcome absent then). */
  | { kind: 'activation-result'; outcome: ActivationOutcome; notStarted?: undefined }
  | { kind: 'activation-result'; outcome?: undefined; notStarted: ActivationNotStartedCode };

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
  /** The crash loop's safe mode (runtime/resetHistory.ts): its screen replaces the fault screen. */
  safeMode(): SafeModeFacts | undefined;
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

/**
 * A class, not a closure factory: its methods are made once when the module is preloaded (flash
 * on the device), where each closure made per boot cost the XS heap its slots and a copy of its
 * code (docs/memory.md).
 */
export function createPanel(deps: PanelDeps): Panel {
  return new TerminalPanel(deps);
}

class TerminalPanel implements Panel {
  readonly #deps: PanelDeps;
  readonly #ports: Ports;
  #view: View = { kind: 'running' };
  #screens: Screens | undefined;
  #transactionScreens: TransactionScreens | undefined;
  #cardScreens: CardScreens | undefined;
  #font: UiFont | undefined;
  #diagnosisScreens: DiagnosisScreens | undefined;
  #idleRefresh: TimerToken | undefined;
  #identity: ScreenContext & { merchantId?: string };
  /** The panel shows the ready screen as draw() last drew it: the minute refresh need only redraw the clock. */
  #readyShown = false;

  constructor(deps: PanelDeps) {
    this.#deps = deps;
    this.#ports = deps.ports;
    this.#identity = { lang: 'zh', firmwareVersion: deps.ports.system.firmwareVersion };
  }

  get view(): View {
    return this.#view;
  }

  get identity(): ScreenContext & { merchantId?: string } {
    return this.#identity;
  }

  load(): void {
    const ports = this.#ports;
    try {
      this.#screens = createScreens(ports.display.font, ports.keypad.layout);
      const font = parseFont(ports.display.font);
      this.#transactionScreens = createTransactionScreens(font, ports.keypad.layout);
      this.#cardScreens = new CardScreens(font, ports.keypad.layout);
      this.#font = font;
      this.#diagnosisScreens = createDiagnosisScreens(font, ports.keypad.layout);
    } catch (error) {
      ports.trace(`font unusable: ${errorText(error)}`);
    }
  }

  show(next: View): void {
    // Not through #show: one frame less on the XS stack (512 slots), and an activation stage is drawn deep in the flow.
    this.#view = next;
    this.draw();
  }

  draw(): void {
    const deps = this.#deps;
    const ports = this.#ports;
    const screens = this.#screens;
    if (deps.stopped() || !screens) return;
    const { merchantId, ...context } = this.#identity;
    const view = this.#view;
    // Not for the running screen: while a self-test runs the last report is read back from the log.
    const report = view.kind === 'running' ? undefined : deps.lastReport();
    this.#readyShown = false;
    try {
      if (view.kind === 'running') ports.display.draw(screens.boot(context));
      else if (view.kind === 'host' && this.#transactionScreens) ports.display.draw(view.render(this.#transactionScreens, context));
      else if (view.kind === 'card' && this.#cardScreens) ports.display.draw(this.#cardScreens.render(context, view.screen));
      else if (view.kind === 'update' && this.#font) ports.display.draw(renderUpdateScreen({ ...context, font: this.#font, keys: ports.keypad.layout }, view.screen));
      else if (view.kind === 'report' && report) ports.display.draw(screens.selfTestPage(report, view.page, context));
      else if (view.kind !== 'home' && view.kind !== 'report' && this.#diagnosisScreens) this.#drawOwn(this.#diagnosisScreens, context);
      else if (deps.state() === 'fault' && deps.factory() && this.#diagnosisScreens) ports.display.draw(this.#diagnosisScreens.notActivated({ ...context, serialNumber: ports.system.serialNumber }));
      else if (deps.state() === 'fault' && deps.safeMode() && this.#font) ports.display.draw(renderSafeMode({ ...context, font: this.#font, keys: ports.keypad.layout }, deps.safeMode() as SafeModeFacts));
      else if (deps.state() === 'fault' && report) ports.display.draw(screens.fault(report, context));
      else {
        const pendingReversalStan = deps.pendingReversalStan();
        ports.display.draw(screens.ready({ ...context, merchantId, wallMs: ports.clock.wallMs(), lastVerdict: report?.verdict, ...(pendingReversalStan ? { pendingReversalStan } : {}) }));
        this.#readyShown = true;
      }
    } catch (error) {
      ports.trace(`draw failed: ${errorText(error)}`);
    }
  }

  readIdentity(): void {
    const ports = this.#ports;
    const config = readTerminalConfig(ports.settings, this.#deps.cbor);
    this.#identity = {
      lang: readLang(ports.settings),
      terminalId: readTerminalId(ports.settings),
      merchantId: config.ok ? config.value.merchantId : undefined,
      firmwareVersion: ports.system.firmwareVersion,
    };
  }

  page(key: KeyCode): boolean {
    const deps = this.#deps;
    const ports = this.#ports;
    const view = this.#view;
    const oneButton = ports.keypad.layout === 'one-button';
    const activationScreen = view.kind === 'home' && deps.state() === 'fault' && deps.factory();
    // MENU (a hold on one button) is the self-test's, except on the diagnosis's steps page, the
    // code entry, and the one-button board's activation screen (where it opens the code entry).
    if (key === 'menu' && view.kind !== 'diagnosis' && view.kind !== 'code-entry' && !(oneButton && activationScreen)) return false;
    // Any key takes a transaction's result off the screen; a refused activation's leads to the diagnosis (its remedy, the support code).
    if (view.kind === 'host' || view.kind === 'card' || view.kind === 'update') return this.#show({ kind: 'home' });
    if (view.kind === 'activation-result') return this.#show(view.outcome?.kind !== 'activated' && deps.diagnosis() ? { kind: 'diagnosis', page: 0 } : { kind: 'home' });
    if (view.kind === 'activating' || view.kind === 'running') return true;
    if (view.kind === 'diagnosis') return this.#diagnosisKey(key, view.page);
    if (view.kind === 'code-entry') return oneButton ? this.#choiceKey(key, view.digits, view.choice) : this.#codeKey(key, view.digits);
    if (oneButton && key === 'menu') return this.#show({ kind: 'code-entry', digits: '' });
    const pinPad = ports.keypad.layout === 'pin-pad';
    if (pinPad && activationScreen && (key === 'enter' || (key >= '0' && key <= '9'))) return this.#show({ kind: 'code-entry', digits: key === 'enter' ? '' : key });
    if (pinPad && key === 'enter') {
      deps.openDiagnosis();
      return true;
    }
    const report = deps.lastReport();
    const screens = this.#screens;
    if (!report || !screens) return false;
    const { merchantId: _, ...context } = this.#identity;
    const pages = screens.selfTestPageCount(report, context);
    // ▼ past the last page returns home (the last page's footer says so): one button can always get back.
    if (key === 'down') this.#view = view.kind !== 'report' ? { kind: 'report', page: 0 } : view.page + 1 < pages ? { kind: 'report', page: view.page + 1 } : { kind: 'home' };
    else if (key === 'up') this.#view = view.kind === 'report' && view.page > 0 ? { kind: 'report', page: view.page - 1 } : { kind: 'home' };
    else if (key === 'cancel') this.#view = { kind: 'home' };
    else return false;
    this.draw();
    return true;
  }

  startClock(): void {
    this.#scheduleIdleRefresh();
  }

  stop(): void {
    if (this.#idleRefresh) this.#ports.clock.clearTimer(this.#idleRefresh);
    this.#idleRefresh = undefined;
  }

  /** The diagnosis and activation views (a diagnosis view without a diagnosis shows the home screen). */
  #drawOwn(own: DiagnosisScreens, context: ScreenContext) {
    const ports = this.#ports;
    const d = this.#deps.diagnosis();
    const view = this.#view;
    if (view.kind === 'diagnosis') {
      if (!d) {
        this.#view = { kind: 'home' };
        return this.draw();
      }
      ports.display.draw(diagnosisPageList(own, d, view.page, context, ports.system.serialNumber, view.running));
    } else if (view.kind === 'code-entry') ports.display.draw(own.codeEntry(view.digits, context, view.choice));
    else if (view.kind === 'activating') ports.display.draw(own.activating({ ...context, ...(view.stage ? { stage: view.stage } : {}) }));
    else if (view.kind === 'activation-result') ports.display.draw(view.outcome ? own.activationResult(view.outcome, context) : own.activationNotStarted(view.notStarted, context));
  }

  /** Keys on a diagnosis page: paging, and on the steps page the actions. */
  #diagnosisKey(key: KeyCode, page: number): boolean {
    const d = this.#deps.diagnosis();
    const own = this.#diagnosisScreens;
    if (!d || !own) return false;
    const pages = own.pageCount(d);
    if (key === 'down') return this.#show(page + 1 < pages ? { kind: 'diagnosis', page: page + 1 } : { kind: 'home' });
    if (key === 'up') return this.#show(page > 0 ? { kind: 'diagnosis', page: page - 1 } : { kind: 'home' });
    if (key === 'cancel') return this.#show({ kind: 'home' });
    if (diagnosisPage(d, page).kind !== 'steps') return false;
    let action: ActionId | undefined;
    if (key >= '1' && key <= '9') action = d.steps[Number(key) - 1]?.action;
    // A hold on the one-button board runs the next step only here; elsewhere it is the self-test.
    else if (key === 'enter' || (key === 'menu' && this.#ports.keypad.layout === 'one-button')) action = firstUntried(d);
    if (!action) return key !== 'menu';
    this.#deps.runStep(action);
    return true;
  }

  /** Keys on the activation code entry (a PIN pad's digits). */
  #codeKey(key: KeyCode, digits: string): boolean {
    if (key >= '0' && key <= '9') return digits.length < ACTIVATION_CODE_MAX ? this.#show({ kind: 'code-entry', digits: digits + key }) : true;
    if (key === 'clear') return this.#show({ kind: 'code-entry', digits: digits.slice(0, -1) });
    if (key === 'cancel') return this.#show({ kind: 'home' });
    if (key === 'enter' && digits.length >= ACTIVATION_CODE_MIN) this.#deps.submitCode(digits);
    return true;
  }

  /** The one-button board's code entry: a press ('down') steps to the next choice, a hold ('menu') takes it. */
  #choiceKey(key: KeyCode, digits: string, choice: number | undefined): boolean {
    const current = currentCodeChoice(digits, choice);
    if (key === 'down') return this.#show({ kind: 'code-entry', digits, choice: nextCodeChoice(digits, current) });
    if (key !== 'menu') return true;
    if (current === CODE_SUBMIT) this.#deps.submitCode(digits);
    // ⌫ stays chosen, so several holds delete several digits; with nothing left to delete it leaves.
    else if (current === CODE_DELETE) this.#show(digits ? { kind: 'code-entry', digits: digits.slice(0, -1), choice: CODE_DELETE } : { kind: 'home' });
    else this.#show({ kind: 'code-entry', digits: digits + String(current) });
    return true;
  }

  #show(next: View): true {
    this.#view = next;
    this.draw();
    return true;
  }

  /** The minute refresh of the idle screen: only its clock when the rest is already there. */
  #refreshClock() {
    const screens = this.#screens;
    if (!this.#readyShown || !screens) return this.draw();
    const ports = this.#ports;
    const { merchantId: _, ...context } = this.#identity;
    try {
      ports.display.draw(screens.readyClock({ ...context, wallMs: ports.clock.wallMs() }));
    } catch (error) {
      this.#readyShown = false;
      ports.trace(`draw failed: ${errorText(error)}`);
    }
  }

  #scheduleIdleRefresh() {
    const { clock } = this.#ports;
    if (this.#idleRefresh) clock.clearTimer(this.#idleRefresh);
    this.#idleRefresh = clock.setTimer(IDLE_REFRESH_MS, () => {
      this.#idleRefresh = undefined;
      if (this.#deps.stopped()) return;
      if (this.#deps.state() === 'ready' && this.#view.kind === 'home') this.#refreshClock();
      this.#scheduleIdleRefresh();
    });
  }
}

/** The first step with an action not yet tried, as its steps page lists them. */
function firstUntried(d: Diagnosis): ActionId | undefined {
  for (const step of d.steps) if (step.action && !d.tried.some((t) => t.action === step.action)) return step.action;
  return undefined;
}
