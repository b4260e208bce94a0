/**
 * The self-test report as pages for the technician: page 0 sums the run up by cause family
 * and names the diagnostic code to quote to support; then one page per probe, failures
 * first, saying what was found and what to do about it.
 */
import {
  CAUSE_FAMILIES,
  type CauseFamily,
  type ProbeResult,
  type ProbeStatus,
  type SelfTestReport,
} from '../selftest/types';
import { PANEL_WIDTH, type DisplayList } from './displayList';
import { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS, type FamilyStatus } from './palette';
import { codeText, probeTitle } from './probeStrings';
import {
  CONTENT_WIDTH,
  FOOTER_TOP,
  HEADER_HEIGHT,
  LINE_STEP,
  MARGIN,
  footer,
  header,
  statusBand,
  statusLabel,
  type ScreenView,
} from './screenChrome';
import { familyName, localize, STRINGS, triggerName, type Lang } from './strings';
import { deepFreeze } from '../freeze';

/** Detail pages list failures, then warnings, then skips ("cannot decide" matters), then passes; report order within each. */
const PAGE_RANK: Readonly<Record<ProbeStatus, number>> = deepFreeze({ fail: 0, warn: 1, skip: 2, pass: 3 });
/** How bad a status is when a family's probes are summed up (a skip says nothing). */
const SEVERITY: Readonly<Record<ProbeStatus, number>> = deepFreeze({ skip: 0, pass: 1, warn: 2, fail: 3 });

export function selfTestPageCount(report: SelfTestReport): number {
  return 1 + report.results.length;
}

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

/**
 * Page `page` (0 = summary) of a report; a page number outside the report shows the
 * nearest page, so a stale key press can never draw nothing.
 */
export function renderSelfTestPage(report: SelfTestReport, page: number, view: ScreenView): DisplayList {
  const count = selfTestPageCount(report);
  const index = Number.isFinite(page) ? Math.min(Math.max(Math.floor(page), 0), count - 1) : 0;
  const screen = new ScreenBuilder(view.font);
  if (index === 0) drawSummary(screen, report, view.lang);
  else drawDetail(screen, detailOrder(report)[index - 1], view.lang);
  footer(screen, localize(view.lang, 'hint.page', { page: index + 1, pages: count }), STRINGS[view.lang]['hint.back']);
  return screen.build(PALETTE.background);
}

const BANNER_TOP = 54;
const BANNER_HEIGHT = 48;
const FAMILY_TOP = 108;
const FAMILY_ROW = 22;

function drawSummary(screen: ScreenBuilder, report: SelfTestReport, lang: Lang): void {
  const strings = STRINGS[lang];
  header(screen, strings['selftest.title'], localize(lang, 'selftest.run', { seq: report.seq }));
  const trigger = localize(lang, 'selftest.trigger', { trigger: triggerName(lang, report.trigger) });
  screen.text(trigger, { x: MARGIN, width: CONTENT_WIDTH, y: HEADER_HEIGHT + 5, color: PALETTE.muted });

  // The verdict, big enough to read from across the counter: band, mark, word and counts.
  const look = STATUS_LOOKS[report.verdict];
  screen.rect(0, BANNER_TOP, PANEL_WIDTH, BANNER_HEIGHT, look.fill);
  const verdictY = BANNER_TOP + 5;
  screen.text(statusLabel(lang, report.verdict), { x: MARGIN, width: CONTENT_WIDTH, y: verdictY, color: look.onFill, align: 'center', bold: true });
  const tally = { fail: 0, warn: 0, pass: 0 };
  for (const r of report.results) if (r.status !== 'skip') tally[r.status]++;
  screen.text(localize(lang, 'summary.counts', tally), { x: MARGIN, width: CONTENT_WIDTH, y: verdictY + LINE_STEP, color: look.onFill, align: 'center' });

  CAUSE_FAMILIES.forEach((family, row) => {
    const top = FAMILY_TOP + row * FAMILY_ROW;
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

  const diagnosticTop = FAMILY_TOP + CAUSE_FAMILIES.length * FAMILY_ROW + 6;
  const first = diagnosticResult(report);
  if (!first) {
    const passLook = STATUS_LOOKS.pass;
    screen.text(strings['summary.allPassed'], { x: MARGIN, width: CONTENT_WIDTH, y: diagnosticTop + 12, color: passLook.ink, align: 'center', bold: true });
    return;
  }
  // The probe code of the first failure: what support asks for on the phone.
  const codeLook = STATUS_LOOKS[first.status];
  screen.text(strings['summary.diagnosticCode'], { x: MARGIN, width: CONTENT_WIDTH, y: diagnosticTop, color: PALETTE.muted });
  const boxTop = diagnosticTop + LINE_STEP;
  screen.rect(MARGIN, boxTop, CONTENT_WIDTH, 24, codeLook.tint);
  screen.rect(MARGIN, boxTop, 4, 24, codeLook.fill);
  screen.text(first.code, { x: MARGIN + 10, width: CONTENT_WIDTH - 14, y: boxTop + 4, color: codeLook.ink, bold: true });
  screen.text(strings['summary.quoteCode'], { x: MARGIN, width: CONTENT_WIDTH, y: boxTop + 29, color: PALETTE.muted });
}

function drawDetail(screen: ScreenBuilder, result: ProbeResult, lang: Lang): void {
  const strings = STRINGS[lang];
  header(screen, probeTitle(lang, result.id), familyName(lang, result.family));
  let y = statusBand(screen, lang, result.status, HEADER_HEIGHT, 26, localize(lang, 'detail.duration', { ms: result.durationMs }));

  y += 6;
  const codeLabel = strings['detail.code'];
  const labelWidth = screen.text(codeLabel, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted });
  const codeX = MARGIN + labelWidth + MARGIN;
  screen.text(result.code, { x: codeX, width: PANEL_WIDTH - MARGIN - codeX, y, color: STATUS_LOOKS[result.status].ink, bold: true });
  y += LINE_STEP + 4;

  const text = codeText(lang, result.code);
  y = screen.paragraph(text.message, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, maxLines: 3, lineStep: LINE_STEP });

  // The remedy may take up to 5 lines but leaves the facts at least one, below their heading.
  y = section(screen, strings['detail.remedy'], y);
  const factsNeed = SECTION_GAP + LINE_STEP + screen.font.lineHeight;
  const remedyLines = Math.min(5, Math.floor((FOOTER_TOP - 2 - factsNeed - y) / LINE_STEP));
  y = screen.paragraph(text.remedy, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, maxLines: remedyLines, lineStep: LINE_STEP });

  y = section(screen, strings['detail.facts'], y);
  screen.paragraph(result.detail, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted, maxLines: linesFitting(screen, y), lineStep: LINE_STEP });
}

/** Space a section heading takes beyond its own line: a rule with a little air around it. */
const SECTION_GAP = 8;

/** A thin rule and a heading; returns where the section's text starts. */
function section(screen: ScreenBuilder, title: string, y: number): number {
  screen.rect(MARGIN, y + 3, CONTENT_WIDTH, 1, PALETTE.rule);
  screen.text(title, { x: MARGIN, width: CONTENT_WIDTH, y: y + SECTION_GAP, color: PALETTE.muted });
  return y + SECTION_GAP + LINE_STEP;
}

/** How many body lines starting at `y` end above the footer. */
function linesFitting(screen: ScreenBuilder, y: number): number {
  return Math.max(0, Math.floor((FOOTER_TOP - 2 - screen.font.lineHeight - y) / LINE_STEP) + 1);
}
