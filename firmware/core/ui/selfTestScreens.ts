/**
 * The self-test report as pages for the technician: page 0 sums the run up by cause family,
 * says what was not checked and names the diagnostic code to quote to support; then each
 * probe's pages, failures first, saying what was found and what to do about it. Text is
 * wrapped, never cut: a probe whose texts do not fit one page continues on the next.
 */
import {
  CAUSE_FAMILIES,
  type CauseFamily,
  type ProbeResult,
  type ProbeStatus,
  type SelfTestReport,
} from '../selftest/types';
import { PANEL_WIDTH, type Color, type DisplayList } from './displayList';
import { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS, type FamilyStatus } from './palette';
import { codeText, probeTitle } from './probeStrings';
import { detailText } from './detailTexts';
import { pageFooterTexts } from './keyHints';
import {
  CONTENT_WIDTH,
  FOOTER_TOP,
  HEADER_HEIGHT,
  LINE_STEP,
  MARGIN,
  footer,
  footerTop,
  header,
  headerHeight,
  statusBand,
  statusBandHeight,
  statusLabel,
  type ScreenView,
} from './screenChrome';
import { familyName, LIST_SEPARATORS, localize, STRINGS, triggerName, type Lang } from './strings';
import { deepFreeze } from '../freeze';

/** Detail pages list failures, then warnings, then skips ("cannot decide" matters), then passes; report order within each. */
const PAGE_RANK: Readonly<Record<ProbeStatus, number>> = deepFreeze({ fail: 0, warn: 1, skip: 2, pass: 3 });
/** How bad a status is when a family's probes are summed up (a skip says nothing). */
const SEVERITY: Readonly<Record<ProbeStatus, number>> = deepFreeze({ skip: 0, pass: 1, warn: 2, fail: 3 });

/** The results in detail-page order (page n + 1 shows element n). */
export function detailOrder(report: SelfTestReport): ProbeResult[] {
  return report.results
    .map((result, index) => ({ result, index }))
    .sort((a, b) => PAGE_RANK[a.result.status] - PAGE_RANK[b.result.status] || a.index - b.index)
    .map((entry) => entry.result);
}

/** The result a support call starts from: the first failure, else the first warning. */
export function diagnosticResult(report: SelfTestReport): ProbeResult | undefined {
  return report.results.find((r) => r.status === 'fail') ?? report.results.find((r) => r.status === 'warn');
}

/** The worst status among a family's probes; 'notTested' when none of them ran. */
export function familyStatus(report: SelfTestReport, family: CauseFamily): FamilyStatus {
  let worst: ProbeStatus | undefined;
  for (const result of report.results)
    if (result.family === family && (worst === undefined || SEVERITY[result.status] > SEVERITY[worst])) worst = result.status;
  return worst ?? 'notTested';
}


/** Where a report page comes from: the summary, or part `part` of the pages of one result. */
type PageSource = { kind: 'summary' } | { kind: 'detail'; result: ProbeResult; part: number; parts: number };

interface ReportPlan {
  /** Pages in all: the summary, then every part of every result in detail order. */
  count: number;
  /** Where detail pages' content ends: the top of the tallest footer any page can have. */
  bottom: number;
  source(page: number): PageSource;
}

/** The number of pages of `report` as shown on this screen (its texts decide how many parts a probe takes). */
export function selfTestPageCount(report: SelfTestReport, view: ScreenView): number {
  return planReport(new ScreenBuilder(view.font), report, view).count;
}

/**
 * Page `page` (0 = summary) of a report; a page number outside the report shows the
 * nearest page, so a stale key press can never draw nothing.
 */
export function renderSelfTestPage(report: SelfTestReport, page: number, view: ScreenView): DisplayList {
  const screen = new ScreenBuilder(view.font);
  const plan = planReport(screen, report, view);
  const index = Number.isFinite(page) ? Math.min(Math.max(Math.floor(page), 0), plan.count - 1) : 0;
  const texts = pageFooterTexts(view, index + 1, plan.count);
  const bottom = footer(screen, texts.left, texts.right);
  const source = plan.source(index);
  if (source.kind === 'summary') drawSummary(screen, report, view.lang, bottom);
  else drawDetail(screen, source.result, source.part, source.parts, view.lang, plan.bottom);
  return screen.build(PALETTE.background);
}

function planReport(screen: ScreenBuilder, report: SelfTestReport, view: ScreenView): ReportPlan {
  const ordered = detailOrder(report);
  // Content must end above the tallest footer of any page, and the footer names the page count:
  // plan for a one-line footer, and plan again while the count's footer turns out taller.
  const footerBottom = (count: number) =>
    Math.min(...[pageFooterTexts(view, count, count), pageFooterTexts(view, Math.max(1, count - 1), count)].map((t) => footerTop(screen, t.left, t.right))) - 2;
  let bottom = FOOTER_TOP - 2;
  let parts: number[] = [];
  let count = 0;
  for (let round = 0; round < 4; round++) {
    parts = ordered.map((result) => detailLayout(screen, result, view.lang, bottom).starts.length);
    count = 1 + parts.reduce((sum, n) => sum + n, 0);
    const needed = footerBottom(count);
    if (needed >= bottom) break;
    bottom = needed;
  }
  return {
    count,
    bottom,
    source(page) {
      if (page === 0) return { kind: 'summary' };
      let first = 1;
      for (let i = 0; i < ordered.length; i++) {
        if (page < first + parts[i]) return { kind: 'detail', result: ordered[i], part: page - first, parts: parts[i] };
        first += parts[i];
      }
      return { kind: 'summary' };
    },
  };
}

const BANNER_TOP = 54;
const BANNER_HEIGHT = 48;
const FAMILY_TOP = 108;
const FAMILY_ROW = 22;

function drawSummary(screen: ScreenBuilder, report: SelfTestReport, lang: Lang, bottom: number): void {
  const strings = STRINGS[lang];
  const shift = header(screen, strings['selftest.title'], localize(lang, 'selftest.run', { seq: report.seq })) - HEADER_HEIGHT;
  const trigger = localize(lang, 'selftest.trigger', { trigger: triggerName(lang, report.trigger) });
  screen.text(trigger, { x: MARGIN, width: CONTENT_WIDTH, y: HEADER_HEIGHT + shift + 5, color: PALETTE.muted });

  // The verdict, big enough to read from across the counter: band, mark, word and counts.
  const look = STATUS_LOOKS[report.verdict];
  screen.rect(0, BANNER_TOP + shift, PANEL_WIDTH, BANNER_HEIGHT, look.fill);
  const verdictY = BANNER_TOP + shift + 5;
  screen.text(statusLabel(lang, report.verdict), { x: MARGIN, width: CONTENT_WIDTH, y: verdictY, color: look.onFill, align: 'center', bold: true });
  const tally = { fail: 0, warn: 0, pass: 0 };
  for (const r of report.results) if (r.status !== 'skip') tally[r.status]++;
  screen.text(localize(lang, 'summary.counts', tally), { x: MARGIN, width: CONTENT_WIDTH, y: verdictY + LINE_STEP, color: look.onFill, align: 'center' });

  CAUSE_FAMILIES.forEach((family, row) => {
    const top = FAMILY_TOP + shift + row * FAMILY_ROW;
    const status = familyStatus(report, family);
    const familyLook = STATUS_LOOKS[status];
    const y = top + 3;
    screen.rect(MARGIN, y + 1, 4, screen.font.lineHeight - 2, familyLook.fill);
    const label = statusLabel(lang, status);
    const labelWidth = screen.font.measure(label) + 1;
    screen.text(label, { x: MARGIN, width: CONTENT_WIDTH, y, color: familyLook.ink, align: 'right', bold: status === 'fail' || status === 'warn' });
    screen.text(familyName(lang, family), { x: MARGIN + 12, width: CONTENT_WIDTH - 12 - labelWidth - MARGIN, y, color: PALETTE.text });
    screen.rect(MARGIN, top + FAMILY_ROW - 1, CONTENT_WIDTH, 1, PALETTE.rule);
  });

  const top = FAMILY_TOP + shift + CAUSE_FAMILIES.length * FAMILY_ROW + 6;
  const first = diagnosticResult(report);
  if (first) diagnosticCode(screen, first, lang, top, bottom);
  else coverage(screen, report, lang, top, bottom);
}

/**
 * The probe code of the first failure (else warning): what support asks for on the phone. A
 * code too long for the room left here is not cut: the summary says it is on the next page,
 * which is that probe's (failures come first) and draws it whole.
 */
function diagnosticCode(screen: ScreenBuilder, first: ProbeResult, lang: Lang, top: number, bottom: number): void {
  const strings = STRINGS[lang];
  const look = STATUS_LOOKS[first.status];
  const lines = screen.lines(first.code, CONTENT_WIDTH - 15);
  const boxHeight = Math.max(1, lines.length) * LINE_STEP + 6;
  const labelled = top + LINE_STEP + boxHeight <= bottom;
  if (!labelled && top + boxHeight > bottom) {
    screen.text(strings['summary.diagnosticCode'], { x: MARGIN, width: CONTENT_WIDTH, y: top, color: PALETTE.muted });
    screen.paragraph(strings['summary.codeOnNextPage'], { x: MARGIN, width: CONTENT_WIDTH, y: top + LINE_STEP, color: look.ink, bold: true, lineStep: LINE_STEP });
    return;
  }
  if (labelled) screen.text(strings['summary.diagnosticCode'], { x: MARGIN, width: CONTENT_WIDTH, y: top, color: PALETTE.muted });
  const boxTop = labelled ? top + LINE_STEP : top;
  screen.rect(MARGIN, boxTop, CONTENT_WIDTH, boxHeight, look.tint);
  screen.rect(MARGIN, boxTop, 4, boxHeight, look.fill);
  lines.forEach((line, row) => screen.text(line, { x: MARGIN + 10, width: CONTENT_WIDTH - 14, y: boxTop + 4 + row * LINE_STEP, color: look.ink, bold: true }));
  // The request to quote it is advice, not a value: it yields when a long code takes its room.
  const quoteTop = boxTop + boxHeight + 5;
  const quote = screen.lines(strings['summary.quoteCode'], CONTENT_WIDTH);
  if (quoteTop + (quote.length - 1) * LINE_STEP + screen.font.lineHeight <= bottom)
    screen.paragraph(strings['summary.quoteCode'], { x: MARGIN, width: CONTENT_WIDTH, y: quoteTop, color: PALETTE.muted, lineStep: LINE_STEP });
}

/**
 * No failure and no warning: "All checks passed" only when every cause family was checked
 * and nothing was skipped; otherwise what ran passed, and what was not checked is named.
 */
function coverage(screen: ScreenBuilder, report: SelfTestReport, lang: Lang, top: number, bottom: number): void {
  const strings = STRINGS[lang];
  const unchecked = CAUSE_FAMILIES.filter((f) => {
    const status = familyStatus(report, f);
    return status === 'notTested' || status === 'skip';
  });
  const skipped = report.results.filter((r) => r.status === 'skip' && !unchecked.includes(r.family)).length;
  const complete = report.results.length > 0 && unchecked.length === 0 && skipped === 0;
  const headline = report.results.length === 0 ? strings['summary.nothingRan'] : complete ? strings['summary.allPassed'] : strings['summary.ranPassed'];
  const ink = complete ? STATUS_LOOKS.pass.ink : PALETTE.text;
  if (complete) {
    screen.text(headline, { x: MARGIN, width: CONTENT_WIDTH, y: top + 12, color: ink, align: 'center', bold: true });
    return;
  }
  const y = screen.paragraph(headline, { x: MARGIN, width: CONTENT_WIDTH, y: top, color: ink, align: 'center', bold: true, lineStep: LINE_STEP });
  const join = lang === 'zh' ? '' : ' ';
  const skippedText = skipped > 0 ? localize(lang, 'summary.skipped', { count: skipped }) : '';
  const names = unchecked.map((f) => familyName(lang, f)).join(LIST_SEPARATORS[lang]);
  const named = unchecked.length ? localize(lang, 'summary.notChecked', { families: names }) : '';
  // Families by name when they fit; else the rows above already say which ("Not tested").
  const candidates = [
    [named, skippedText],
    [unchecked.length ? strings['summary.notCheckedRows'] : '', skippedText],
    [unchecked.length ? strings['summary.notCheckedRows'] : skippedText],
  ].map((parts) => parts.filter((p) => p !== '').join(join));
  const room = Math.floor((bottom - screen.font.lineHeight - y) / LINE_STEP) + 1;
  const text = candidates.find((c) => screen.lines(c, CONTENT_WIDTH).length <= room) ?? candidates[candidates.length - 1];
  screen.paragraph(text, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, lineStep: LINE_STEP });
}

// ---------------------------------------------------------------------------------------
// A probe's pages

const BAND_HEIGHT = 26;
/** Space a section heading takes beyond its own line: a rule with a little air around it. */
const SECTION_GAP = 8;

/** One row of a probe's pages: a line of text (the code line has its label), or a section heading. */
type Row =
  | { kind: 'line'; text: string; x: number; width: number; color: Color; bold?: boolean; label?: string; gapAfter: number }
  | { kind: 'section'; title: string };

function detailRows(screen: ScreenBuilder, result: ProbeResult, lang: Lang): Row[] {
  const strings = STRINGS[lang];
  const rows: Row[] = [];
  const line = (text: string, color: Color): Row => ({ kind: 'line', text, x: MARGIN, width: CONTENT_WIDTH, color, gapAfter: 0 });

  const label = strings['detail.code'];
  const codeX = MARGIN + screen.font.measure(label) + MARGIN;
  const codeWidth = PANEL_WIDTH - MARGIN - codeX;
  const codeLines = screen.lines(result.code, codeWidth - 1);
  const ink = STATUS_LOOKS[result.status].ink;
  (codeLines.length ? codeLines : ['']).forEach((text, i, all) =>
    rows.push({ kind: 'line', text, x: codeX, width: codeWidth, color: ink, bold: true, label: i === 0 ? label : undefined, gapAfter: i === all.length - 1 ? 4 : 0 }),
  );

  const text = codeText(lang, result.code);
  for (const l of screen.lines(text.message, CONTENT_WIDTH)) rows.push(line(l, PALETTE.text));
  rows.push({ kind: 'section', title: strings['detail.remedy'] });
  for (const l of screen.lines(text.remedy, CONTENT_WIDTH)) rows.push(line(l, PALETTE.text));
  const facts = screen.lines(detailText(lang, result.code, result.detail), CONTENT_WIDTH);
  if (facts.length) rows.push({ kind: 'section', title: strings['detail.facts'] });
  for (const l of facts) rows.push(line(l, PALETTE.muted));
  return rows;
}

const rowHeight = (row: Row): number => (row.kind === 'section' ? SECTION_GAP + LINE_STEP : LINE_STEP + row.gapAfter);

/** How far below its top a row must be free: a heading needs its first line with it. */
const rowNeeds = (screen: ScreenBuilder, row: Row): number =>
  row.kind === 'section' ? SECTION_GAP + LINE_STEP + screen.font.lineHeight : screen.font.lineHeight;

interface DetailLayout {
  rows: Row[];
  /** Index of the first row of each part. */
  starts: number[];
  firstTop: number;
  laterTop: number;
}

function detailLayout(screen: ScreenBuilder, result: ProbeResult, lang: Lang, bottom: number): DetailLayout {
  const rows = detailRows(screen, result, lang);
  const headerBottom = headerHeight(screen, probeTitle(lang, result.id), familyName(lang, result.family));
  const firstTop = headerBottom + statusBandHeight(screen, lang, result.status, BAND_HEIGHT, durationNote(lang, result)) + 6;
  // Later parts say "cont. k/n"; planned with n as large as it can get, so the note never needs more room than planned.
  const laterTop = headerBottom + statusBandHeight(screen, lang, result.status, BAND_HEIGHT, localize(lang, 'detail.continued', { part: rows.length, parts: rows.length })) + 6;
  const starts = [0];
  let y = firstTop;
  rows.forEach((row, i) => {
    if (i > starts[starts.length - 1] && y + rowNeeds(screen, row) > bottom) {
      starts.push(i);
      y = laterTop;
    }
    y += rowHeight(row);
  });
  return { rows, starts, firstTop, laterTop };
}

const durationNote = (lang: Lang, result: ProbeResult) => localize(lang, 'detail.duration', { ms: result.durationMs });

function drawDetail(screen: ScreenBuilder, result: ProbeResult, part: number, parts: number, lang: Lang, bottom: number): void {
  const { rows, starts, firstTop, laterTop } = detailLayout(screen, result, lang, bottom);
  const headerBottom = header(screen, probeTitle(lang, result.id), familyName(lang, result.family));
  const note = part === 0 ? durationNote(lang, result) : localize(lang, 'detail.continued', { part: part + 1, parts });
  statusBand(screen, lang, result.status, headerBottom, BAND_HEIGHT, note);
  let y = part === 0 ? firstTop : laterTop;
  for (const row of rows.slice(starts[part], starts[part + 1] ?? rows.length)) {
    if (row.kind === 'section') {
      screen.rect(MARGIN, y + 3, CONTENT_WIDTH, 1, PALETTE.rule);
      screen.text(row.title, { x: MARGIN, width: CONTENT_WIDTH, y: y + SECTION_GAP, color: PALETTE.muted });
    } else {
      if (row.label) screen.text(row.label, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted });
      screen.text(row.text, { x: row.x, width: row.width, y, color: row.color, bold: row.bold });
    }
    y += rowHeight(row);
  }
}
