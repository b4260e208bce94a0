/**
 * Sections of short items fitted to the room a page has: a diagnosis page must show all its
 * parts (evidence for, against, remedies) on one screen, so each item first gets up to three
 * lines, then fewer, then only the first items of each section with "+n more", until the
 * whole fits. A text cut short ends with "…": these pages summarise, the full facts are in
 * the self-test report and the support summary.
 */
import type { Color } from './displayList';
import type { ScreenBuilder } from './layout';
import { PALETTE } from './palette';
import { CONTENT_WIDTH, LINE_STEP, MARGIN } from './screenChrome';
import { localize, type Lang } from './strings';

const ELLIPSIS = '…';
/** A section heading: a rule with air around it, then the heading's line. */
const SECTION_GAP = 8;
const ITEM_GAP = 2;

/** `text` wrapped to `width` in at most `max` lines, the last ending in "…" when cut. */
export function clampLines(screen: ScreenBuilder, text: string, width: number, max: number): string[] {
  return clampWrapped(screen, screen.lines(text, width), width, max);
}

/** Lines already wrapped to `width`, cut to `max` with "…" (a text is wrapped once however often it is fitted). */
function clampWrapped(screen: ScreenBuilder, lines: string[], width: number, max: number): string[] {
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, Math.max(1, max));
  let last = kept[kept.length - 1];
  // Characters come off the end until the "…" fits, the width kept by subtraction (no re-measuring the line).
  let lineWidth = screen.font.measure(last) + screen.font.measure(ELLIPSIS);
  while (last !== '' && lineWidth > width) {
    lineWidth -= screen.font.measure(last.slice(-1));
    last = last.slice(0, -1);
  }
  kept[kept.length - 1] = last + ELLIPSIS;
  return kept;
}

export interface RowItem {
  readonly text: string;
  readonly color: Color;
  readonly bold?: boolean;
  /** Drawn left of the text (a step number, a status mark); the text is indented past it. */
  readonly lead?: string;
  readonly leadColor?: Color;
  /** One line under the text, always kept (who does a step, how it went). */
  readonly sub?: string;
  readonly subColor?: Color;
  /** One line of facts under that, dropped first when room is short. */
  readonly facts?: string;
  /** A light box behind the item (the step running now). */
  readonly tint?: Color;
}

export interface RowSection {
  readonly title?: string;
  readonly items: readonly RowItem[];
  /** Shown when `items` is empty ("None"). */
  readonly empty?: string;
}

/** What one item is given: lines of its text, lines of its facts (and both wrapped, once). */
interface Share {
  item: RowItem;
  lines: number;
  facts: number;
  wrapped?: string[];
  factsWrapped?: string[];
}

/** Most lines an item's text, and its facts, may take however roomy the page. */
const MAX_TEXT_LINES = 3;
const MAX_FACT_LINES = 2;
/** Items shown per section, from all to one, before "+n more". */
const ITEM_CAPS: readonly number[] = [Infinity, 6, 4, 3, 2, 1];

type Row =
  | { kind: 'heading'; text: string }
  | { kind: 'line'; text: string; x: number; color: Color; bold?: boolean; lead?: string; leadColor?: Color }
  | { kind: 'tint'; color: Color; lines: number }
  | { kind: 'gap' };

const rowHeight = (row: Row): number => (row.kind === 'heading' ? SECTION_GAP + LINE_STEP : row.kind === 'line' ? LINE_STEP : row.kind === 'gap' ? ITEM_GAP : 0);

function textWidth(screen: ScreenBuilder, item: RowItem): { x: number; width: number } {
  const indent = item.lead ? screen.font.measure(item.lead) + 4 : 0;
  return { x: MARGIN + indent, width: CONTENT_WIDTH - indent - (item.bold ? 1 : 0) };
}

function itemRows(screen: ScreenBuilder, share: Share, rows: Row[]): void {
  const { item } = share;
  const { x, width } = textWidth(screen, item);
  const text = clampWrapped(screen, share.wrapped ?? screen.lines(item.text, width), width, share.lines);
  const sub = item.sub ? clampLines(screen, item.sub, width, 1) : [];
  const facts = share.facts > 0 && item.facts ? clampWrapped(screen, share.factsWrapped ?? screen.lines(item.facts, width), width, share.facts) : [];
  if (item.tint !== undefined) rows.push({ kind: 'tint', color: item.tint, lines: text.length + sub.length + facts.length });
  text.forEach((line, i) => rows.push({ kind: 'line', text: line, x, color: item.color, bold: item.bold, lead: i === 0 ? item.lead : undefined, leadColor: item.leadColor }));
  for (const line of sub) rows.push({ kind: 'line', text: line, x, color: item.subColor ?? PALETTE.muted });
  for (const line of facts) rows.push({ kind: 'line', text: line, x, color: PALETTE.muted });
  rows.push({ kind: 'gap' });
}

/** Each section's shares at one line each, no facts, at most `cap` items ("+n more" standing for the rest). */
function minimalShares(lang: Lang, sections: readonly RowSection[], cap: number): Share[][] {
  return sections.map((section) => {
    if (section.items.length === 0) return section.empty ? [{ item: { text: section.empty, color: PALETTE.muted }, lines: 1, facts: 0 }] : [];
    const shown = section.items.length > cap ? cap - 1 : section.items.length;
    const shares: Share[] = [];
    for (let i = 0; i < shown; i++) shares.push({ item: section.items[i], lines: 1, facts: 0 });
    if (shown < section.items.length) shares.push({ item: { text: localize(lang, 'fault.more', { count: section.items.length - shown }), color: PALETTE.muted }, lines: 1, facts: 0 });
    return shares;
  });
}

function sharesHeight(sections: readonly RowSection[], shares: readonly Share[][]): number {
  let total = 0;
  sections.forEach((section, i) => {
    if (section.title !== undefined) total += SECTION_GAP + LINE_STEP;
    for (const share of shares[i]) total += (share.lines + (share.item.sub ? 1 : 0) + share.facts) * LINE_STEP + ITEM_GAP;
  });
  return total - ITEM_GAP;
}

/**
 * Fits the sections to `room`: the most items per section that fit at one line each, then the
 * room left goes to each item in page order, its text then its facts (the first evidence is the
 * strongest: it is shown whole before the next gets a second line).
 */
/** The height minimalShares(…, cap) takes, counted without building it. */
function minimalHeight(sections: readonly RowSection[], cap: number): number {
  let total = -ITEM_GAP;
  for (const section of sections) {
    if (section.title !== undefined) total += SECTION_GAP + LINE_STEP;
    const { items } = section;
    if (items.length === 0 && section.empty) total += LINE_STEP + ITEM_GAP;
    const shown = items.length > cap ? cap - 1 : items.length;
    for (let i = 0; i < shown; i++) total += (items[i].sub ? 2 : 1) * LINE_STEP + ITEM_GAP;
    if (shown < items.length) total += LINE_STEP + ITEM_GAP;
  }
  return total;
}

function fitRows(screen: ScreenBuilder, lang: Lang, sections: readonly RowSection[], room: number): Row[] {
  let cap = ITEM_CAPS[ITEM_CAPS.length - 1];
  for (const c of ITEM_CAPS)
    if (minimalHeight(sections, c) <= room) {
      cap = c;
      break;
    }
  const shares = minimalShares(lang, sections, cap);
  let spare = Math.floor((room - sharesHeight(sections, shares)) / LINE_STEP);
  for (const list of shares)
    for (const share of list) {
      if (spare <= 0) break;
      const width = textWidth(screen, share.item).width;
      share.wrapped = screen.lines(share.item.text, width);
      const more = Math.min(spare, Math.min(share.wrapped.length, MAX_TEXT_LINES) - 1);
      share.lines += more;
      spare -= more;
      if (share.item.facts && spare > 0) {
        share.factsWrapped = screen.lines(share.item.facts, width);
        share.facts = Math.min(spare, share.factsWrapped.length, MAX_FACT_LINES);
        spare -= share.facts;
      }
    }
  const rows: Row[] = [];
  sections.forEach((section, i) => {
    if (section.title !== undefined) rows.push({ kind: 'heading', text: section.title });
    for (const share of shares[i]) itemRows(screen, share, rows);
  });
  return rows;
}

/** Draws the sections from `top`, as roomy as `bottom` allows; nothing is drawn past `bottom`. Returns the y below the last row. */
export function drawRows(screen: ScreenBuilder, lang: Lang, sections: readonly RowSection[], top: number, bottom: number): number {
  let y = top;
  for (const row of fitRows(screen, lang, sections, bottom - top)) {
    const needs = row.kind === 'heading' ? SECTION_GAP + screen.font.lineHeight : row.kind === 'line' ? screen.font.lineHeight : 0;
    if (y + needs > bottom) break;
    if (row.kind === 'heading') {
      screen.rect(MARGIN, y + 3, CONTENT_WIDTH, 1, PALETTE.rule);
      screen.text(row.text, { x: MARGIN, width: CONTENT_WIDTH, y: y + SECTION_GAP, color: PALETTE.muted });
    } else if (row.kind === 'tint') screen.rect(MARGIN - 4, y - 1, CONTENT_WIDTH + 8, Math.min(row.lines * LINE_STEP + 2, bottom - y + 1), row.color);
    else if (row.kind === 'line') {
      if (row.lead) screen.text(row.lead, { x: MARGIN, width: row.x - MARGIN, y, color: row.leadColor ?? row.color, bold: row.bold });
      screen.text(row.text, { x: row.x, width: MARGIN + CONTENT_WIDTH - row.x, y, color: row.color, bold: row.bold });
    }
    y += rowHeight(row);
  }
  return y;
}
