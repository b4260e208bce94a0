/**
 * The activation screens (issue 8, Deliver 6): a factory-state terminal says it is not
 * activated and what to do; the operator types the activation code (not a secret: shown large,
 * as typed, to check digit by digit); the three stages 申请 → 审核 → 发放 while the request is
 * out; then the result: activated with the TID and MID the host bound, or the refusal with what
 * to do about it. Nothing here ever shows a key: the master key stays behind the crypto port.
 */
import type { KeypadLayout } from '../ports';
import {
  ACTIVATION_CODE_MAX, ACTIVATION_CODE_MIN, ACTIVATION_STAGES, CODE_MARKS, REFUSAL_TEXTS, STAGE_MARKS,
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

/**
 * The one-button board's code entry (one button: a short press sends 'down', a 1.5 s hold
 * 'menu'): a press steps through the choices, a hold takes the one shown. Choices 0–9 are the
 * digits (while fewer than ACTIVATION_CODE_MAX are typed), CODE_SUBMIT activates (once
 * ACTIVATION_CODE_MIN are typed), CODE_DELETE deletes the last digit (with none typed, it leaves).
 */
export const CODE_SUBMIT = 10;
export const CODE_DELETE = 11;
const CODE_CHOICES = 12;

/** Whether choice `choice` is offered with `digits` typed. */
export function codeChoiceOffered(digits: string, choice: number): boolean {
  if (choice >= 0 && choice < CODE_SUBMIT) return digits.length < ACTIVATION_CODE_MAX;
  if (choice === CODE_SUBMIT) return digits.length >= ACTIVATION_CODE_MIN;
  return choice === CODE_DELETE;
}

/** The choice a press moves to after `choice` (-1: the first offered), skipping those not offered, round to the start. */
export function nextCodeChoice(digits: string, choice: number): number {
  for (let step = 1; step <= CODE_CHOICES; step++) {
    const next = (((choice + step) % CODE_CHOICES) + CODE_CHOICES) % CODE_CHOICES;
    if (codeChoiceOffered(digits, next)) return next;
  }
  return CODE_DELETE;
}

/** The choice shown: `choice` while it is offered, else the first offered. */
export function currentCodeChoice(digits: string, choice: number | undefined): number {
  return choice !== undefined && codeChoiceOffered(digits, choice) ? choice : nextCodeChoice(digits, -1);
}

/** What choice `choice` is drawn as: its digit, ✓ or ⌫. */
const choiceMark = (choice: number): string => (choice === CODE_SUBMIT ? CODE_MARKS.submit : choice === CODE_DELETE ? CODE_MARKS.delete : String(choice));

/** What a hold does now, in words. */
function choiceWords(lang: Lang, digits: string, choice: number): string {
  if (choice === CODE_SUBMIT) return activationLabel(lang, 'act.choice.submit');
  if (choice === CODE_DELETE) return activationLabel(lang, digits.length > 0 ? 'act.choice.delete' : 'act.choice.back');
  return activationLabel(lang, 'act.choice.digit', { digit: choice });
}

/** The row of choices, one cell each: the current one filled, those not offered now muted. Returns the y below it. */
function choiceRow(screen: ScreenBuilder, digits: string, choice: number, top: number): number {
  const cell = Math.floor(CONTENT_WIDTH / CODE_CHOICES);
  const left = MARGIN + Math.floor((CONTENT_WIDTH - cell * CODE_CHOICES) / 2);
  const height = LINE_STEP + 4;
  for (let c = 0; c < CODE_CHOICES; c++) {
    const x = left + c * cell;
    const current = c === choice;
    if (current) screen.rect(x, top, cell, height, PALETTE.text);
    const color = current ? PALETTE.background : codeChoiceOffered(digits, c) ? PALETTE.text : PALETTE.rule;
    screen.text(choiceMark(c), { x, width: cell, y: top + 3, color, align: 'center' });
  }
  return top + height;
}

/**
 * The code typed so far; on a PIN pad its keys, on the one-button board the choices with
 * `choice` (the first offered when not given) and what a hold does with it.
 */
export function renderCodeEntry(digits: string, view: ScreenView, choice?: number): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  const { top, bottom } = frame(screen, view, 'act.entry');
  let y = bigText(screen, groupedCode(digits), top + 24, PALETTE.text) + 12;
  const count = activationLabel(lang, 'act.entry.count', { count: digits.length, min: ACTIVATION_CODE_MIN, max: ACTIVATION_CODE_MAX });
  y = screen.paragraph(count, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted, align: 'center', lineStep: LINE_STEP }) + 12;
  if (view.keys === 'pin-pad') {
    screen.paragraph(activationLabel(lang, 'act.entry.notSecret'), { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted, lineStep: LINE_STEP });
    const keys: ActivationLabel[] = ['act.entry.enter', 'act.entry.clear', 'act.entry.cancel'];
    hint(screen, keys.map((key) => activationLabel(lang, key)), bottom);
    return screen.build(PALETTE.background);
  }
  const shown = currentCodeChoice(digits, choice);
  y = choiceRow(screen, digits, shown, y) + 8;
  y = paragraph(screen, choiceWords(lang, digits, shown), y, true) + 4;
  screen.paragraph(activationLabel(lang, 'act.entry.notSecret'), { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted, lineStep: LINE_STEP });
  hint(screen, [activationLabel(lang, 'act.entry.one')], bottom);
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
  /** `digits` typed so far (shown as typed: an activation code is not a secret); `choice`: the one-button board's current choice (codeChoiceOffered). */
  codeEntry(digits: string, context: ScreenContext, choice?: number): DisplayList;
  activating(context: ActivatingContext): DisplayList;
  activationResult(outcome: ActivationOutcomeView, context: ScreenContext): DisplayList;
}

export function activationScreens(font: UiFont, keys: KeypadLayout): ActivationScreens {
  return new BoundActivationScreens(font, keys);
}

/**
 * The screens bound to a font and keys as a class: its methods are made once at preload, where an
 * object of arrows made at boot cost the XS heap slots for each arrow and what it captured (docs/memory.md).
 */
export class BoundActivationScreens implements ActivationScreens {
  protected readonly font: UiFont;
  protected readonly keys: KeypadLayout;

  constructor(font: UiFont, keys: KeypadLayout) {
    this.font = font;
    this.keys = keys;
  }

  notActivated(context: NotActivatedContext): DisplayList {
    return renderNotActivated({ ...context, font: this.font, keys: this.keys });
  }

  codeEntry(digits: string, context: ScreenContext, choice?: number): DisplayList {
    return renderCodeEntry(digits, { ...context, font: this.font, keys: this.keys }, choice);
  }

  activating(context: ActivatingContext): DisplayList {
    return renderActivating({ ...context, font: this.font, keys: this.keys });
  }

  activationResult(outcome: ActivationOutcomeView, context: ScreenContext): DisplayList {
    return renderActivationResult(outcome, { ...context, font: this.font, keys: this.keys });
  }
}
