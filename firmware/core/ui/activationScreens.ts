/**
 * The activation screens (issue 8, Deliver 6): a factory-state terminal says it is not
 * activated and what to do; the operator types the activation code (not a secret: shown large,
 * as typed, to check digit by digit); the three stages 申请 → 审核 → 发放 while the request is
 * out; then the result: activated with the TID and MID the host bound, or the refusal with what
 * to do about it. Nothing here ever shows a key: the master key stays behind the crypto port.
 */
import type { KeypadLayout } from '../ports';
import {
  ACTIVATION_CODE_MAX, ACTIVATION_CODE_MIN, ACTIVATION_STAGES, REFUSAL_TEXTS, STAGE_MARKS,
  activationLabel, type ActivationLabel, type ActivationRefusal, type ActivationStage,
} from './activationTexts';
import { bigText } from './bigText';
import type { DisplayList } from './displayList';
import type { UiFont } from './font';
import { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS } from './palette';
import { drawRows, type RowItem } from './pageRows';
import { CONTENT_WIDTH, LINE_STEP, MARGIN, footer, header, type ScreenView } from './screenChrome';
import type { ScreenContext } from './screens';
import { localize, STRINGS, UI_SYMBOLS, type Lang } from './strings';
import { banner } from './transactionScreens';

/** How an activation ended, as activation/activate.ts returns it (the refusal's detail is not shown: it is for the log). */
export type ActivationOutcomeView =
  | { readonly kind: 'activated'; readonly tid: string; readonly mid: string }
  | { readonly kind: 'refused'; readonly reason: ActivationRefusal; readonly detail?: string };

export interface NotActivatedContext extends ScreenContext {
  /** The board's serial number, which the acquirer binds the terminal to. */
  serialNumber?: string;
}

export interface ActivatingContext extends ScreenContext {
  /** The stage under way; 'apply' when not given. */
  stage?: ActivationStage;
}

/** Header, and a footer with the firmware version (the body shows the IDs); returns the room between. */
function frame(screen: ScreenBuilder, view: ScreenView, title: ActivationLabel): { top: number; bottom: number } {
  const bottom = footer(screen, '', localize(view.lang, 'firmware.version', { version: view.firmwareVersion })) - 4;
  return { top: header(screen, activationLabel(view.lang, title)), bottom };
}

/** A muted label and a bold value: on one line when both fit (value right), else the value wrapped below. Returns the y below. */
function field(screen: ScreenBuilder, name: string, value: string, top: number): number {
  screen.text(name, { x: MARGIN, width: CONTENT_WIDTH, y: top, color: PALETTE.muted });
  const beside = screen.font.measure(name) + MARGIN + screen.font.measure(value) + 1 <= CONTENT_WIDTH;
  if (beside) {
    screen.text(value, { x: MARGIN, width: CONTENT_WIDTH, y: top, color: PALETTE.text, bold: true, align: 'right' });
    return top + LINE_STEP + 4;
  }
  return screen.paragraph(value, { x: MARGIN, width: CONTENT_WIDTH, y: top + LINE_STEP, color: PALETTE.text, bold: true, lineStep: LINE_STEP }) + 4;
}

function paragraph(screen: ScreenBuilder, text: string, top: number, bold = false): number {
  return screen.paragraph(text, { x: MARGIN, width: CONTENT_WIDTH, y: top, color: PALETTE.text, bold, lineStep: LINE_STEP }) + 4;
}

/** Key hints centred just above `bottom`: on one line when they fit, else a line each (each wrapped). */
function hint(screen: ScreenBuilder, hints: readonly string[], bottom: number): void {
  const joined = hints.join('   ');
  const lines = screen.font.measure(joined) <= CONTENT_WIDTH ? [joined] : hints.flatMap((h) => screen.lines(h, CONTENT_WIDTH));
  lines.forEach((line, i) =>
    screen.text(line, { x: MARGIN, width: CONTENT_WIDTH, y: bottom - (lines.length - i) * LINE_STEP, color: PALETTE.text, align: 'center' }),
  );
}

const unset = (lang: Lang, value: string | undefined): string => (value ? value : STRINGS[lang]['label.unset']);

export function renderNotActivated(view: ScreenView & { serialNumber?: string }): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  const { top, bottom } = frame(screen, view, 'act.notActivated');
  let y = banner(screen, 'warn', UI_SYMBOLS.warn, activationLabel(lang, 'act.notActivated.band'), top) + 8;
  y = paragraph(screen, activationLabel(lang, 'act.notActivated.why'), y);
  y = paragraph(screen, activationLabel(lang, 'act.notActivated.how'), y, true) + 4;
  y = field(screen, STRINGS[lang]['label.terminalId'], unset(lang, view.terminalId), y);
  if (view.serialNumber) field(screen, activationLabel(lang, 'act.label.serial'), view.serialNumber, y);
  hint(screen, [activationLabel(lang, view.keys === 'pin-pad' ? 'act.keys.pad' : 'act.keys.one')], bottom);
  return screen.build(PALETTE.background);
}

/** "1234 5678 90_": groups of four, a cursor while more digits may follow. */
export function groupedCode(digits: string): string {
  let text = '';
  for (let i = 0; i < digits.length; i++) text += (i > 0 && i % 4 === 0 ? ' ' : '') + digits[i];
  if (digits.length < ACTIVATION_CODE_MAX) text += (digits.length > 0 && digits.length % 4 === 0 ? ' ' : '') + '_';
  return text;
}

export function renderCodeEntry(digits: string, view: ScreenView): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  const { top, bottom } = frame(screen, view, 'act.entry');
  let y = bigText(screen, groupedCode(digits), top + 24, PALETTE.text) + 12;
  const count = activationLabel(lang, 'act.entry.count', { count: digits.length, min: ACTIVATION_CODE_MIN, max: ACTIVATION_CODE_MAX });
  y = screen.paragraph(count, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted, align: 'center', lineStep: LINE_STEP }) + 12;
  screen.paragraph(activationLabel(lang, 'act.entry.notSecret'), { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted, lineStep: LINE_STEP });
  // A board without digits cannot type a code: the same words as on the not-activated screen.
  const keys: ActivationLabel[] = view.keys === 'pin-pad' ? ['act.entry.enter', 'act.entry.clear', 'act.entry.cancel'] : ['act.keys.one'];
  hint(screen, keys.map((key) => activationLabel(lang, key)), bottom);
  return screen.build(PALETTE.background);
}

export function renderActivating(view: ScreenView & { stage?: ActivationStage }): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  const { top, bottom } = frame(screen, view, 'act.progress');
  const current = ACTIVATION_STAGES.indexOf(view.stage ?? 'apply');
  const items: RowItem[] = [];
  ACTIVATION_STAGES.forEach((stage, i) => {
    const text = activationLabel(lang, `act.stage.${stage}`);
    if (i < current) items.push({ lead: UI_SYMBOLS.pass, leadColor: STATUS_LOOKS.pass.ink, text, color: PALETTE.text });
    else if (i === current) items.push({ lead: STAGE_MARKS.current, leadColor: STATUS_LOOKS.warn.ink, text, color: PALETTE.text, bold: true, tint: STATUS_LOOKS.warn.tint });
    else items.push({ lead: STAGE_MARKS.pending, text, color: PALETTE.muted });
  });
  const y = drawRows(screen, lang, [{ items }], top + 16, bottom);
  screen.paragraph(activationLabel(lang, 'act.wait'), { x: MARGIN, width: CONTENT_WIDTH, y: y + 16, color: PALETTE.text, align: 'center', bold: true, lineStep: LINE_STEP });
  return screen.build(PALETTE.background);
}

export function renderActivationResult(outcome: ActivationOutcomeView, view: ScreenView): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  const { top } = frame(screen, view, 'act.result');
  if (outcome.kind === 'activated') {
    let y = banner(screen, 'pass', UI_SYMBOLS.pass, activationLabel(lang, 'act.ok'), top) + 8;
    y = field(screen, STRINGS[lang]['label.terminalId'], unset(lang, outcome.tid), y);
    y = field(screen, STRINGS[lang]['label.merchantId'], unset(lang, outcome.mid), y);
    paragraph(screen, activationLabel(lang, 'act.ok.next'), y + 4);
    return screen.build(PALETTE.background);
  }
  const text = REFUSAL_TEXTS[lang][outcome.reason];
  let y = banner(screen, 'fail', UI_SYMBOLS.fail, activationLabel(lang, 'act.refused'), top) + 8;
  y = paragraph(screen, text.message, y, true) + 4;
  screen.rect(MARGIN, y + 3, CONTENT_WIDTH, 1, PALETTE.rule);
  screen.text(activationLabel(lang, 'act.remedy'), { x: MARGIN, width: CONTENT_WIDTH, y: y + 8, color: PALETTE.muted });
  paragraph(screen, text.remedy, y + 8 + LINE_STEP);
  return screen.build(PALETTE.background);
}

export interface ActivationScreens {
  notActivated(context: NotActivatedContext): DisplayList;
  /** `digits` typed so far (shown as typed: an activation code is not a secret). */
  codeEntry(digits: string, context: ScreenContext): DisplayList;
  activating(context: ActivatingContext): DisplayList;
  activationResult(outcome: ActivationOutcomeView, context: ScreenContext): DisplayList;
}

export function activationScreens(font: UiFont, keys: KeypadLayout): ActivationScreens {
  return {
    notActivated: (context) => renderNotActivated({ ...context, font, keys }),
    codeEntry: (digits, context) => renderCodeEntry(digits, { ...context, font, keys }),
    activating: (context) => renderActivating({ ...context, font, keys }),
    activationResult: (outcome, context) => renderActivationResult(outcome, { ...context, font, keys }),
  };
}
