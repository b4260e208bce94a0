/**
 * The code-83 diagnosis as pages (issue 8, Deliver 4): the summary (top cause, its family and
 * standing, one line of evidence, the first step), a page per cause not ruled out (evidence for
 * and against, its remedies), one page listing the causes ruled out, the steps with what was
 * tried, and the support page (support code, TID, firmware, time and the QR of the summary).
 * ▼/▲ page through them in that order (runtime/terminal.ts); a step's number is the digit that
 * runs it on a PIN pad, the same on every page.
 */
import { REMEDIES } from '../diagnosis/remedies';
import type { ActionId, ActionOutcome, Diagnosis, Evidence, RankedCause, Remedy } from '../diagnosis/types';
import type { KeypadLayout } from '../ports';
import { qrOps, QUIET_ZONE } from '../qr/qrOps';
import type { QrMatrix } from '../qr/qrMatrix';
import { renderActivationNotStarted, type ActivationNotStartedCode } from './activationNotStarted';
import { BoundActivationScreens, type ActivationScreens } from './activationScreens';
import { bigText } from './bigText';
import { actionName, causeName, label, remedyText, statusName, actorName } from './diagnosisTexts';
import { PANEL_WIDTH, type DisplayList } from './displayList';
import { evidenceFacts, evidenceText } from './evidenceText';
import type { UiFont } from './font';
import { pageFooterTexts } from './keyHints';
import { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS, type FamilyStatus } from './palette';
import { drawRows, type RowItem, type RowSection } from './pageRows';
import { CONTENT_WIDTH, LINE_STEP, MARGIN, footer, header, type ScreenView } from './screenChrome';
import type { ScreenContext } from './screens';
import { familyName, localize, UI_SYMBOLS, type Lang } from './strings';
import { formatUtcDateTime } from './utcText';

/**
 * What the support page shows besides the diagnosis: diagnosis/supportCode.ts and the QR of
 * diagnosis/summary.ts. Encoding a QR takes memory the device is short of: build them only for
 * the support page (diagnosisPage(d, n).kind === 'support'); page() draws the other pages without.
 */
export interface SupportContext extends ScreenContext {
  supportCode: string;
  qr: QrMatrix;
}

/** What page() takes: the support page's code and QR only when that page is drawn. */
export type PageContext = ScreenContext & Partial<Pick<SupportContext, 'supportCode' | 'qr'>>;

/** Where page n of a diagnosis comes from. */
export type DiagnosisPage =
  | { kind: 'summary' }
  | { kind: 'cause'; index: number }
  | { kind: 'ruledOut' }
  | { kind: 'steps'; part: number }
  | { kind: 'support' };

/** Steps per steps page: each step takes two lines (its title, how it went or who does it). */
export const STEPS_PER_PAGE = 5;

/** How a cause's standing looks: confirmed as a failure, likely as a warning, ruled out as a pass. */
const STANDING: Readonly<Record<RankedCause['status'], 'fail' | 'warn' | 'pass'>> = Object.freeze({ confirmed: 'fail', likely: 'warn', 'ruled-out': 'pass' });
const EVIDENCE_MARK: Readonly<Record<Evidence['status'], string>> = Object.freeze({ fail: UI_SYMBOLS.fail, warn: UI_SYMBOLS.warn, pass: UI_SYMBOLS.pass, info: '·' });
const EVIDENCE_LOOK: Readonly<Record<Evidence['status'], FamilyStatus>> = Object.freeze({ fail: 'fail', warn: 'warn', pass: 'pass', info: 'skip' });

function ruledOutCount(d: Diagnosis): number {
  let n = 0;
  for (const cause of d.causes) if (cause.status === 'ruled-out') n++;
  return n;
}

const stepParts = (d: Diagnosis): number => Math.max(1, Math.ceil(d.steps.length / STEPS_PER_PAGE));

/** Pages in all: summary, one per cause not ruled out, the ruled-out list (when any), the steps (five a page), support. */
export function diagnosisPageCount(d: Diagnosis): number {
  const ruledOut = ruledOutCount(d);
  return 1 + (d.causes.length - ruledOut) + (ruledOut > 0 ? 1 : 0) + stepParts(d) + 1;
}

/** Page `n` (0 = summary); a number outside the diagnosis gives the nearest page. */
export function diagnosisPage(d: Diagnosis, n: number): DiagnosisPage {
  const count = diagnosisPageCount(d);
  const page = Number.isFinite(n) ? Math.min(Math.max(Math.floor(n), 0), count - 1) : 0;
  if (page === 0) return { kind: 'summary' };
  if (page === count - 1) return { kind: 'support' };
  const firstSteps = count - 1 - stepParts(d);
  if (page >= firstSteps) return { kind: 'steps', part: page - firstSteps };
  let seen = 0;
  for (let i = 0; i < d.causes.length; i++) if (d.causes[i].status !== 'ruled-out' && ++seen === page) return { kind: 'cause', index: i };
  return { kind: 'ruledOut' };
}

/** The page number (0-based) a cause's own page has; the ruled-out list's for a ruled-out cause. */
function causePageNumber(d: Diagnosis, index: number): number {
  let page = 1;
  for (let i = 0; i < d.causes.length; i++) {
    if (i === index && d.causes[i].status !== 'ruled-out') return page;
    if (d.causes[i].status !== 'ruled-out') page++;
  }
  return page;
}

/** Header and page footer; returns the room between them. */
function frame(screen: ScreenBuilder, view: ScreenView, d: Diagnosis, page: number, title: string, note?: string): { top: number; bottom: number } {
  const texts = pageFooterTexts(view, page + 1, diagnosisPageCount(d));
  const bottom = footer(screen, texts.left, texts.right) - 4;
  return { top: header(screen, title, note), bottom };
}

/** A full-width band: mark and word for the cause's standing, a note right; returns its bottom. */
function standingBand(screen: ScreenBuilder, look: FamilyStatus, words: string, note: string, top: number): number {
  const colors = STATUS_LOOKS[look];
  const noteWidth = note ? screen.font.measure(note) + MARGIN : 0;
  const lines = screen.lines(words, CONTENT_WIDTH - noteWidth - 1);
  const bottom = top + 10 + lines.length * LINE_STEP;
  screen.rect(0, top, PANEL_WIDTH, bottom - top, colors.fill);
  lines.forEach((line, i) => screen.text(line, { x: MARGIN, width: CONTENT_WIDTH - noteWidth, y: top + 5 + i * LINE_STEP, color: colors.onFill, bold: true }));
  if (note) screen.text(note, { x: MARGIN, width: CONTENT_WIDTH, y: top + 5, color: colors.onFill, align: 'right' });
  return bottom;
}

const standingWords = (lang: Lang, cause: RankedCause): string => `${UI_SYMBOLS[STANDING[cause.status]]} ${statusName(lang, cause.status)}`;

function evidenceItem(lang: Lang, evidence: Evidence): RowItem {
  const look = EVIDENCE_LOOK[evidence.status];
  return { lead: EVIDENCE_MARK[evidence.status], leadColor: STATUS_LOOKS[look].ink, text: evidenceText(lang, evidence), color: PALETTE.text, facts: evidenceFacts(lang, evidence) || undefined };
}

/** The latest outcome of an action in this diagnosis. */
function lastOutcome(d: Diagnosis, action: ActionId | undefined) {
  if (!action) return undefined;
  for (let i = d.tried.length - 1; i >= 0; i--) if (d.tried[i].action === action) return d.tried[i];
  return undefined;
}

/** The step the terminal runs next: the first with an action not yet tried. */
function nextStep(d: Diagnosis): number {
  for (let i = 0; i < d.steps.length; i++) if (d.steps[i].action && !lastOutcome(d, d.steps[i].action)) return i;
  return -1;
}

/**
 * The terminal passed the self-test that ended what was tried (an action's own, or the one that
 * follows an action that left no confirmed cause): a self-test that does not fail puts it back
 * in service (runtime/diagnosisRuntime.ts), so its diagnosis closes the fault.
 */
export function backInService(d: Diagnosis): boolean {
  const last = d.tried[d.tried.length - 1];
  return last !== undefined && last.action === 'self-test' && last.result === 'done' && !d.causes.some((c) => c.status === 'confirmed');
}

/** An action tried as a row: ✓ or ✗, the step's title, how it went, and its facts. */
function triedItem(lang: Lang, outcome: ActionOutcome): RowItem {
  const ok = outcome.result === 'done';
  const remedy = REMEDIES.find((r) => r.action === outcome.action);
  return {
    lead: ok ? UI_SYMBOLS.pass : UI_SYMBOLS.fail,
    leadColor: STATUS_LOOKS[ok ? 'pass' : 'fail'].ink,
    text: remedy ? remedyText(lang, remedy.id).title : actionName(lang, outcome.action),
    color: PALETTE.text,
    sub: label(lang, `step.${outcome.result}`),
    subColor: STATUS_LOOKS[ok ? 'pass' : 'fail'].ink,
    ...(outcome.detail ? { facts: outcome.detail } : {}),
  };
}

/** The actions tried that no step lists any more (their cause is gone): the steps page and the closing summary still show them. */
function triedOffSteps(lang: Lang, d: Diagnosis): RowItem[] {
  const items: RowItem[] = [];
  for (const outcome of d.tried) if (!d.steps.some((s) => s.action === outcome.action)) items.push(triedItem(lang, outcome));
  return items;
}

/** A step as a row: number, title, and one line saying how it went, or who does it. */
function stepItem(view: ScreenView, d: Diagnosis, index: number, running: ActionId | undefined, bold: boolean): RowItem {
  const { lang } = view;
  const remedy: Remedy = d.steps[index];
  const outcome = lastOutcome(d, remedy.action);
  const base = { lead: `${index + 1}.`, text: remedyText(lang, remedy.id).title, color: PALETTE.text, bold };
  if (remedy.action && remedy.action === running)
    return { ...base, sub: label(lang, 'step.running'), subColor: STATUS_LOOKS.warn.ink, tint: STATUS_LOOKS.warn.tint, bold: true };
  if (outcome) {
    const ok = outcome.result === 'done';
    return { ...base, sub: `${ok ? UI_SYMBOLS.pass : UI_SYMBOLS.fail} ${label(lang, `step.${outcome.result}`)}`, subColor: STATUS_LOOKS[ok ? 'pass' : 'fail'].ink };
  }
  if (remedy.action)
    return { ...base, sub: view.keys === 'pin-pad' && index < 9 ? label(lang, 'step.press', { n: index + 1 }) : label(lang, 'step.terminal') };
  if (remedy.actor) return { ...base, sub: label(lang, 'step.actor', { actor: actorName(lang, remedy.actor) }) };
  return base;
}

export function renderDiagnosisSummary(d: Diagnosis, view: ScreenView): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  const { top, bottom } = frame(screen, view, d, 0, label(lang, 'diag.title'));
  const cause = d.top;
  const sections: RowSection[] = [];
  let y: number;
  if (backInService(d)) {
    // The fault is closed: what was tried, each with how it went; no step to take.
    y = standingBand(screen, 'pass', `${UI_SYMBOLS.pass} ${label(lang, 'diag.cleared')}`, '', top);
    sections.push({ items: [{ text: label(lang, 'diag.clearedNote'), color: PALETTE.text, bold: true }] });
    sections.push({ title: label(lang, 'diag.tried'), items: d.tried.map((t) => triedItem(lang, t)) });
    drawRows(screen, lang, sections, y + 4, bottom);
    return screen.build(PALETTE.background);
  }
  if (cause) {
    y = standingBand(screen, STANDING[cause.status], standingWords(lang, cause), familyName(lang, cause.family), top);
    y = screen.paragraph(causeName(lang, cause.id), { x: MARGIN, width: CONTENT_WIDTH, y: y + 6, color: PALETTE.text, bold: true, lineStep: LINE_STEP }) + 2;
    if (cause.for.length > 0) sections.push({ title: label(lang, 'diag.evidence'), items: [evidenceItem(lang, cause.for[0])] });
  } else {
    y = standingBand(screen, 'pass', `${UI_SYMBOLS.pass} ${label(lang, 'diag.noCause')}`, '', top);
    const tally = { fail: 0, warn: 0, pass: 0 };
    for (const e of d.evidence) if (e.source === 'selftest' && e.status !== 'info') tally[e.status]++;
    const ran = tally.fail + tally.warn + tally.pass > 0;
    const said = ran ? label(lang, 'diag.selftest', { counts: localize(lang, 'summary.counts', tally) }) : label(lang, 'diag.noSelftest');
    sections.push({ items: [{ text: label(lang, 'diag.noCauseNote'), color: PALETTE.text }, { text: said, color: PALETTE.muted }, { text: label(lang, 'diag.noCauseAdvice'), color: PALETTE.text, bold: true }] });
    y += 4;
  }
  // The step to take now: the first, or once the terminal has tried some, the first not tried.
  let now = 0;
  while (now < d.steps.length - 1 && d.steps[now].action && lastOutcome(d, d.steps[now].action)) now++;
  if (d.steps.length > 0) {
    const step = stepItem(view, d, now, undefined, true);
    sections.push({ title: label(lang, now === 0 ? 'diag.firstStep' : 'diag.nextStep'), items: [{ ...step, facts: remedyText(lang, d.steps[now].id).how }] });
  }
  drawRows(screen, lang, sections, y, bottom);
  return screen.build(PALETTE.background);
}

/** Cause `index` of `d.causes`: its standing, the evidence for and against it, its steps by number. */
export function renderCausePage(d: Diagnosis, index: number, view: ScreenView): DisplayList {
  const { lang } = view;
  const cause = d.causes[Math.min(Math.max(0, Math.floor(index) || 0), d.causes.length - 1)];
  if (!cause) return renderDiagnosisSummary(d, view);
  const screen = new ScreenBuilder(view.font);
  // The family sits in the band, nothing beside the title: a cause name then keeps the header to one line (the support code carries the number).
  const { top, bottom } = frame(screen, view, d, causePageNumber(d, d.causes.indexOf(cause)), causeName(lang, cause.id));
  const y = standingBand(screen, STANDING[cause.status], standingWords(lang, cause), familyName(lang, cause.family), top);
  const none = label(lang, 'diag.none');
  const remedies: RowItem[] = [];
  for (const remedy of cause.remedies) {
    const step = d.steps.findIndex((s) => s.id === remedy.id);
    remedies.push({ lead: step >= 0 ? `${step + 1}.` : '·', text: remedyText(lang, remedy.id).title, color: PALETTE.text });
  }
  drawRows(screen, lang, [
    { title: label(lang, 'diag.for'), items: cause.for.map((e) => evidenceItem(lang, e)), empty: none },
    { title: label(lang, 'diag.against'), items: cause.against.map((e) => evidenceItem(lang, e)), empty: none },
    { title: label(lang, 'diag.remedies'), items: remedies, empty: none },
  ], y + 2, bottom);
  return screen.build(PALETTE.background);
}

/** The causes ruled out, each with the evidence that rules it out first. */
export function renderRuledOut(d: Diagnosis, view: ScreenView): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  const { top, bottom } = frame(screen, view, d, diagnosisPageCount(d) - 2 - stepParts(d), label(lang, 'diag.ruledOut'));
  const items: RowItem[] = [];
  for (const cause of d.causes) {
    if (cause.status !== 'ruled-out') continue;
    const why = cause.against[0];
    items.push({ lead: UI_SYMBOLS.pass, leadColor: STATUS_LOOKS.pass.ink, text: causeName(lang, cause.id), color: PALETTE.text, facts: why ? evidenceText(lang, why) : undefined });
  }
  drawRows(screen, lang, [{ items }], top + 6, bottom);
  return screen.build(PALETTE.background);
}

/** The steps part showing the step under way, else the next step to run, else the first. */
function defaultPart(d: Diagnosis, running: ActionId | undefined): number {
  const index = running ? d.steps.findIndex((s) => s.action === running) : nextStep(d);
  return index < 0 ? 0 : Math.floor(index / STEPS_PER_PAGE);
}

/** The page number (0-based) of the steps page holding the step under way, else the next step to run: where an action's progress is shown. */
export function diagnosisStepsPage(d: Diagnosis, running?: ActionId): number {
  return diagnosisPageCount(d) - 1 - stepParts(d) + defaultPart(d, running);
}

/**
 * The steps in order, numbered, each with how it went or who does it; `running` is the action
 * under way. Five a page: `part` chooses which five (by default those with the running or next step).
 */
export function renderSteps(d: Diagnosis, view: ScreenView, running?: ActionId, part?: number): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  const parts = stepParts(d);
  const shown = Math.min(Math.max(0, Math.floor(part ?? defaultPart(d, running)) || 0), parts - 1);
  const first = shown * STEPS_PER_PAGE;
  const last = Math.min(d.steps.length, first + STEPS_PER_PAGE);
  const note = parts > 1 ? `${first + 1}–${last}/${d.steps.length}` : undefined;
  const { top, bottom } = frame(screen, view, d, diagnosisPageCount(d) - 1 - parts + shown, label(lang, 'diag.steps'), note);
  const next = running ? -1 : nextStep(d);
  const runnable = d.steps.some((s) => s.action !== undefined);
  const hint = label(lang, view.keys === 'pin-pad' ? 'diag.keys.pad' : 'diag.keys.one');
  const hintLines = runnable ? screen.lines(hint, CONTENT_WIDTH) : [];
  const hintTop = bottom - hintLines.length * LINE_STEP;
  const items: RowItem[] = [];
  for (let i = first; i < last; i++) items.push(stepItem(view, d, i, running, i === next));
  const sections: RowSection[] = [{ items, empty: label(lang, 'diag.allTried') }];
  // What was tried for a cause that is gone stays in sight, under the steps left (on each steps page).
  const tried = triedOffSteps(lang, d);
  if (tried.length > 0) sections.push({ title: label(lang, 'diag.tried'), items: tried });
  drawRows(screen, lang, sections, top + 6, hintTop - 2);
  hintLines.forEach((line, i) => screen.text(line, { x: MARGIN, width: CONTENT_WIDTH, y: hintTop + i * LINE_STEP, color: PALETTE.muted, align: 'center' }));
  return screen.build(PALETTE.background);
}

/** The largest whole number of px per module that fits `room` (at least 1). */
export function qrScale(size: number, width: number, height: number): number {
  return Math.max(1, Math.floor(Math.min(width, height) / (size + 2 * QUIET_ZONE)));
}

/**
 * The support page: the code drawn twice as large as text (read over the phone), the QR of the
 * summary as large as the room allows (a version-10 symbol at 3 px a module), the time, and
 * the terminal ID and firmware version in the footer as on every other screen.
 */
export function renderSupport(d: Diagnosis, view: ScreenView & Partial<Pick<SupportContext, 'supportCode' | 'qr'>>): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  const version = localize(lang, 'firmware.version', { version: view.firmwareVersion });
  const count = diagnosisPageCount(d);
  const top = header(screen, label(lang, 'diag.support'), localize(lang, 'page.number', { page: count, pages: count }));
  const bottom = footer(screen, view.terminalId ?? '', version);
  const codeBottom = view.supportCode ? bigText(screen, view.supportCode, top + 4, PALETTE.text) : top + 4;
  const time = `${formatUtcDateTime(d.wallMs)} UTC`;
  const timeTop = bottom - 2 - LINE_STEP;
  const room = timeTop - codeBottom;
  if (view.qr) {
    const scale = qrScale(view.qr.size, PANEL_WIDTH, room);
    const side = (view.qr.size + 2 * QUIET_ZONE) * scale;
    screen.add(qrOps(view.qr, Math.floor((PANEL_WIDTH - side) / 2), codeBottom + Math.max(0, Math.floor((room - side) / 2)), scale));
  }
  screen.text(time, { x: MARGIN, width: CONTENT_WIDTH, y: timeTop, color: PALETTE.muted, align: 'center' });
  return screen.build(PALETTE.background);
}

export interface DiagnosisScreens extends ActivationScreens {
  summary(d: Diagnosis, context: ScreenContext): DisplayList;
  causePage(d: Diagnosis, index: number, context: ScreenContext): DisplayList;
  ruledOut(d: Diagnosis, context: ScreenContext): DisplayList;
  /** The steps page with the running (else next) step; `part` picks another five. */
  steps(d: Diagnosis, context: ScreenContext, running?: ActionId, part?: number): DisplayList;
  support(d: Diagnosis, context: SupportContext): DisplayList;
  pageCount(d: Diagnosis): number;
  /** Page `n` (0 = summary) as ▼/▲ reach it; `running` marks the action under way on the steps page. */
  page(d: Diagnosis, n: number, context: PageContext, running?: ActionId): DisplayList;
  /** The activation result when the terminal would not start the activation asked for. */
  activationNotStarted(code: ActivationNotStartedCode, context: ScreenContext): DisplayList;
}

/** The diagnosis and activation screens bound to the parsed font and the board's keys. */
export function createDiagnosisScreens(font: UiFont, keys: KeypadLayout): DiagnosisScreens {
  return new BoundDiagnosisScreens(font, keys);
}

/** A class, so its methods are made once at preload, not as arrows on the XS heap at each boot (docs/memory.md). */
class BoundDiagnosisScreens extends BoundActivationScreens implements DiagnosisScreens {
  summary(d: Diagnosis, context: ScreenContext): DisplayList {
    return renderDiagnosisSummary(d, this.#view(context));
  }

  causePage(d: Diagnosis, index: number, context: ScreenContext): DisplayList {
    return renderCausePage(d, index, this.#view(context));
  }

  ruledOut(d: Diagnosis, context: ScreenContext): DisplayList {
    return renderRuledOut(d, this.#view(context));
  }

  steps(d: Diagnosis, context: ScreenContext, running?: ActionId, part?: number): DisplayList {
    return renderSteps(d, this.#view(context), running, part);
  }

  support(d: Diagnosis, context: SupportContext): DisplayList {
    return renderSupport(d, { ...context, font: this.font, keys: this.keys });
  }

  pageCount(d: Diagnosis): number {
    return diagnosisPageCount(d);
  }

  page(d: Diagnosis, n: number, context: PageContext, running?: ActionId): DisplayList {
    const source = diagnosisPage(d, n);
    if (source.kind === 'summary') return renderDiagnosisSummary(d, this.#view(context));
    if (source.kind === 'cause') return renderCausePage(d, source.index, this.#view(context));
    if (source.kind === 'ruledOut') return renderRuledOut(d, this.#view(context));
    if (source.kind === 'steps') return renderSteps(d, this.#view(context), running, source.part);
    return renderSupport(d, { ...context, font: this.font, keys: this.keys });
  }

  activationNotStarted(code: ActivationNotStartedCode, context: ScreenContext): DisplayList {
    return renderActivationNotStarted(code, this.#view(context));
  }

  #view(context: ScreenContext): ScreenView {
    return { ...context, font: this.font, keys: this.keys };
  }
}


