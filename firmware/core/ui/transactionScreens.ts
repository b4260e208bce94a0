/**
 * The screens of a sale and of settlement, in zh and en: in progress (the amount), approved
 * (amount, masked PAN, auth code, STAN), declined (the host's code and the acquirer profile's
 * text for it), no answer (a reversal follows), the host refusing the terminal (what the host
 * said: code, text, its field 44/63 message; the self-test follows), and the settlement result.
 *
 * A host's words come from data (the profile's table, the host's own message), not from the
 * string tables: a profile text with a character the font lacks is replaced by the category's
 * own text; a host message is shown as it came (a missing glyph draws as the font's □).
 * A PAN is never shown whole: first 6 and last 4 digits at most (PCI DSS 3.4 display rule).
 */
import { maskPan } from '../card/pan';
import type { ResponseCategory } from '../host/types';
import type { KeypadLayout } from '../ports';
import { PANEL_WIDTH, type DisplayList } from './displayList';
import type { UiFont } from './font';
import { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS, type FamilyStatus } from './palette';
import { CONTENT_WIDTH, LINE_STEP, MARGIN, footer, header, type ScreenView } from './screenChrome';
import { localize, STRINGS, UI_SYMBOLS, type Lang, type StringKey } from './strings';

/** A host's answer as the screens need it (host/session.ts HostAnswer has these). */
export interface AnswerView {
  code: string;
  category: ResponseCategory;
  text: { zh: string; en: string };
  /** Field 44 or 63: what the host added in words. */
  hostText?: string;
}

/** Characters the screens draw that no string table holds (the font generator adds them). */
export const AMOUNT_SYMBOLS = '¥*';

/** "¥12.34" for CNY (ISO 4217 156), else "<numeric code> 12.34"; minor units, 2 decimals. */
export function formatAmount(amountMinor: number, currency = '156'): string {
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(amountMinor));
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return currency === '156' ? `${sign}¥${text}` : `${sign}${currency} ${text}`;
}

/** The profile's text for an answer in `lang`, or the category's own when the font cannot draw it. */
export function answerText(font: UiFont, lang: Lang, answer: AnswerView): string {
  const text = answer.text[lang];
  return text && font.missing(text).length === 0 ? text : STRINGS[lang][`category.${answer.category}` as StringKey];
}

type Field = [label: StringKey, value: string];

/** A coloured banner with a mark and a word (status never by colour alone); returns its bottom. */
export function banner(screen: ScreenBuilder, look: FamilyStatus, mark: string, words: string, top: number): number {
  const lines = screen.lines(`${mark} ${words}`, CONTENT_WIDTH - 1);
  const bottom = top + 12 + lines.length * LINE_STEP;
  screen.rect(0, top, PANEL_WIDTH, bottom - top, STATUS_LOOKS[look].fill);
  screen.paragraph(`${mark} ${words}`, { x: MARGIN, width: CONTENT_WIDTH, y: top + 6, color: STATUS_LOOKS[look].onFill, bold: true, lineStep: LINE_STEP });
  return bottom;
}

/** Label above value, each value wrapped, never cut; returns the y below the last. */
function fields(screen: ScreenBuilder, lang: Lang, list: Field[], top: number): number {
  let y = top;
  for (const [label, value] of list) {
    screen.text(STRINGS[lang][label], { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.muted });
    y = screen.paragraph(value, { x: MARGIN, width: CONTENT_WIDTH, y: y + LINE_STEP, color: PALETTE.text, bold: true, lineStep: LINE_STEP }) + 6;
  }
  return y;
}

function note(screen: ScreenBuilder, text: string, top: number): number {
  return screen.paragraph(text, { x: MARGIN, width: CONTENT_WIDTH, y: top, color: PALETTE.text, lineStep: LINE_STEP });
}

function frame(view: ScreenView, titleKey: StringKey): { screen: ScreenBuilder; top: number } {
  const screen = new ScreenBuilder(view.font);
  const top = header(screen, STRINGS[view.lang][titleKey]) + 8;
  footer(screen, view.terminalId ?? '', localize(view.lang, 'firmware.version', { version: view.firmwareVersion }));
  return { screen, top };
}

export interface SaleView {
  amountMinor: number;
  currency?: string;
}

export function renderSaleProgress(view: ScreenView, sale: SaleView): DisplayList {
  const { screen, top } = frame(view, 'sale.title');
  const y = fields(screen, view.lang, [['label.amount', formatAmount(sale.amountMinor, sale.currency)]], top);
  screen.text(STRINGS[view.lang]['sale.processing'], { x: MARGIN, width: CONTENT_WIDTH, y: y + 24, color: PALETTE.text, align: 'center', bold: true });
  note(screen, STRINGS[view.lang]['sale.wait'], y + 24 + LINE_STEP + 4);
  return screen.build(PALETTE.background);
}

export interface ApprovedView extends SaleView {
  pan: string;
  authCode: string;
  stan: string;
}

export function renderApproved(view: ScreenView, sale: ApprovedView): DisplayList {
  const { screen, top } = frame(view, 'sale.title');
  const y = banner(screen, 'pass', UI_SYMBOLS.pass, STRINGS[view.lang]['sale.approved'], top);
  fields(screen, view.lang, [
    ['label.amount', formatAmount(sale.amountMinor, sale.currency)],
    ['label.card', maskPan(sale.pan)],
    ['label.authCode', sale.authCode],
    ['label.stan', sale.stan],
  ], y + 8);
  return screen.build(PALETTE.background);
}

export interface DeclinedView extends SaleView {
  answer: AnswerView;
}

export function renderDeclined(view: ScreenView, sale: DeclinedView): DisplayList {
  const { lang, font } = view;
  const { screen, top } = frame(view, 'sale.title');
  const y = banner(screen, 'fail', UI_SYMBOLS.fail, STRINGS[lang]['sale.declined'], top);
  const list: Field[] = [
    ['label.amount', formatAmount(sale.amountMinor, sale.currency)],
    ['label.responseCode', `${sale.answer.code} ${answerText(font, lang, sale.answer)}`],
  ];
  if (sale.answer.hostText) list.push(['label.hostText', sale.answer.hostText]);
  fields(screen, lang, list, y + 8);
  return screen.build(PALETTE.background);
}

export interface NoAnswerView extends SaleView {
  stan?: string;
}

/** The 0200 may have reached the host: the sale is not complete and a reversal is pending. */
export function renderNoAnswer(view: ScreenView, sale: NoAnswerView): DisplayList {
  const { lang } = view;
  const { screen, top } = frame(view, 'sale.title');
  const y = banner(screen, 'warn', UI_SYMBOLS.warn, STRINGS[lang]['sale.noAnswer'], top);
  const list: Field[] = [['label.amount', formatAmount(sale.amountMinor, sale.currency)]];
  if (sale.stan) list.push(['label.stan', sale.stan]);
  note(screen, STRINGS[lang]['sale.notComplete'], fields(screen, lang, list, y + 8) + 4);
  return screen.build(PALETTE.background);
}

/** The host refused the terminal (code 83, 97, … by profile): what it said, and that the self-test follows. */
export function renderHostRefusal(view: ScreenView, answer: AnswerView): DisplayList {
  const { lang, font } = view;
  const { screen, top } = frame(view, 'host83.title');
  const y = banner(screen, 'fail', UI_SYMBOLS.fail, localize(lang, 'host83.said', { code: answer.code }), top);
  let below = screen.paragraph(answerText(font, lang, answer), { x: MARGIN, width: CONTENT_WIDTH, y: y + 8, color: PALETTE.text, bold: true, lineStep: LINE_STEP }) + 6;
  if (answer.hostText) below = fields(screen, lang, [['label.hostText', answer.hostText]], below);
  note(screen, STRINGS[lang]['host83.selftest'], below + 4);
  return screen.build(PALETTE.background);
}

export interface SettlementView {
  batch: string;
  count: number;
  amountMinor: number;
  currency?: string;
  /** 'uploaded': the host's totals disagreed and the batch was uploaded. */
  outcome: 'balanced' | 'uploaded' | 'failed';
  uploaded?: number;
  /** The host's answer when settlement failed with one. */
  answer?: AnswerView;
}

export function renderSettlement(view: ScreenView, settlement: SettlementView): DisplayList {
  const { lang, font } = view;
  const { screen, top } = frame(view, 'settle.title');
  const strings = STRINGS[lang];
  const y =
    settlement.outcome === 'failed'
      ? banner(screen, 'fail', UI_SYMBOLS.fail, strings['settle.failed'], top)
      : settlement.outcome === 'uploaded'
        ? banner(screen, 'warn', UI_SYMBOLS.warn, localize(lang, 'settle.uploaded', { count: settlement.uploaded ?? settlement.count }), top)
        : banner(screen, 'pass', UI_SYMBOLS.pass, strings['settle.balanced'], top);
  const list: Field[] = [
    ['settle.batch', settlement.batch],
    ['settle.count', String(settlement.count)],
    ['settle.total', formatAmount(settlement.amountMinor, settlement.currency)],
  ];
  if (settlement.answer) list.push(['label.responseCode', `${settlement.answer.code} ${answerText(font, lang, settlement.answer)}`]);
  fields(screen, lang, list, y + 8);
  return screen.build(PALETTE.background);
}

/** The transaction screens bound to the parsed font and the board's keys (as ui/screens.ts binds the others). */
export interface TransactionScreens {
  saleProgress(context: Omit<ScreenView, 'font' | 'keys'>, sale: SaleView): DisplayList;
  approved(context: Omit<ScreenView, 'font' | 'keys'>, sale: ApprovedView): DisplayList;
  declined(context: Omit<ScreenView, 'font' | 'keys'>, sale: DeclinedView): DisplayList;
  noAnswer(context: Omit<ScreenView, 'font' | 'keys'>, sale: NoAnswerView): DisplayList;
  hostRefusal(context: Omit<ScreenView, 'font' | 'keys'>, answer: AnswerView): DisplayList;
  settlement(context: Omit<ScreenView, 'font' | 'keys'>, settlement: SettlementView): DisplayList;
}

export function createTransactionScreens(font: UiFont, keys: KeypadLayout): TransactionScreens {
  return new BoundTransactionScreens(font, keys);
}

type Context = Omit<ScreenView, 'font' | 'keys'>;

/** A class, so its methods are made once at preload, not as arrows on the XS heap at each boot (docs/memory.md). */
class BoundTransactionScreens implements TransactionScreens {
  readonly #font: UiFont;
  readonly #keys: KeypadLayout;

  constructor(font: UiFont, keys: KeypadLayout) {
    this.#font = font;
    this.#keys = keys;
  }

  saleProgress(context: Context, sale: SaleView): DisplayList {
    return renderSaleProgress(this.#view(context), sale);
  }

  approved(context: Context, sale: ApprovedView): DisplayList {
    return renderApproved(this.#view(context), sale);
  }

  declined(context: Context, sale: DeclinedView): DisplayList {
    return renderDeclined(this.#view(context), sale);
  }

  noAnswer(context: Context, sale: NoAnswerView): DisplayList {
    return renderNoAnswer(this.#view(context), sale);
  }

  hostRefusal(context: Context, answer: AnswerView): DisplayList {
    return renderHostRefusal(this.#view(context), answer);
  }

  settlement(context: Context, settlement: SettlementView): DisplayList {
    return renderSettlement(this.#view(context), settlement);
  }

  #view(context: Context): ScreenView {
    return { ...context, font: this.#font, keys: this.#keys };
  }
}
