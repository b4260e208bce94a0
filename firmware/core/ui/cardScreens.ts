/**
 * The screens of a card sale before the host is asked, in zh and en: present a card or a code
 * (the amount; the inputs the board has), reading (do not remove the card), PIN entry (a '*'
 * per digit, never the digits), and the notices a read can end in (insert the chip card, card
 * removed, not a payment code, read failed, declined by the card, over the contactless limit,
 * no PIN pad, timed out, cancelled). The sale's progress and result are transactionScreens'.
 *
 * No screen here takes a PAN: what shows of a card is masked before it reaches a screen.
 */
import type { KeypadLayout } from '../ports';
import type { DisplayList } from './displayList';
import type { UiFont } from './font';
import { ScreenBuilder } from './layout';
import { PALETTE } from './palette';
import { CONTENT_WIDTH, LINE_STEP, MARGIN, footer, header, type ScreenView } from './screenChrome';
import { STRINGS, UI_SYMBOLS, type StringKey } from './strings';
import { banner, formatAmount } from './transactionScreens';

/** How a card sale stopped before the host was asked, or what it asks the customer to do. */
export type CardNotice =
  | 'pinUnavailable'
  | 'insert'
  | 'removed'
  | 'notPaymentCode'
  | 'readFailed'
  | 'timeout'
  | 'cancelled'
  | 'declinedByCard'
  | 'overLimit'
  | 'expired'
  | 'notAccepted'
  | 'blocked'
  | 'noReader';

/** The words and look of each notice: its headline, a hint below it (if any), its banner's look. */
const NOTICES: Readonly<Record<CardNotice, readonly [headline: StringKey, hint: StringKey | undefined, look: 'warn' | 'fail']>> = Object.freeze({
  pinUnavailable: Object.freeze(['card.pinUnavailable', 'card.pinUnavailableHint', 'fail'] as const),
  insert: Object.freeze(['card.insert', 'card.insertHint', 'warn'] as const),
  removed: Object.freeze(['card.removed', 'card.removedHint', 'warn'] as const),
  notPaymentCode: Object.freeze(['card.notPaymentCode', 'card.notPaymentCodeHint', 'warn'] as const),
  readFailed: Object.freeze(['card.readFailed', 'card.readFailedHint', 'fail'] as const),
  timeout: Object.freeze(['card.timeout', undefined, 'warn'] as const),
  cancelled: Object.freeze(['card.cancelled', undefined, 'warn'] as const),
  declinedByCard: Object.freeze(['card.declinedByCard', 'card.readFailedHint', 'fail'] as const),
  overLimit: Object.freeze(['card.overLimit', undefined, 'warn'] as const),
  expired: Object.freeze(['card.expired', 'card.readFailedHint', 'fail'] as const),
  notAccepted: Object.freeze(['card.notAccepted', 'card.readFailedHint', 'fail'] as const),
  blocked: Object.freeze(['card.blocked', 'card.readFailedHint', 'fail'] as const),
  noReader: Object.freeze(['card.cancelled', 'card.noReader', 'fail'] as const),
});

/** What a card screen shows; `waiting`: the terminal still waits for a card (the footer offers cancel). */
export type CardScreen =
  | { kind: 'present'; amountMinor: number; currency: string }
  | { kind: 'reading'; amountMinor: number; currency: string }
  | { kind: 'pin'; amountMinor: number; currency: string; digits: number }
  | { kind: 'notice'; notice: CardNotice; amountMinor: number; currency: string; waiting: boolean };

type Context = Omit<ScreenView, 'font' | 'keys'>;

function frame(view: ScreenView, hint: StringKey | undefined): { screen: ScreenBuilder; top: number } {
  const screen = new ScreenBuilder(view.font);
  const strings = STRINGS[view.lang];
  const top = header(screen, strings['sale.title']) + 8;
  footer(screen, hint ? strings[hint] : (view.terminalId ?? ''));
  return { screen, top };
}

function amountLine(screen: ScreenBuilder, view: ScreenView, amountMinor: number, currency: string, top: number): number {
  screen.text(STRINGS[view.lang]['label.amount'], { x: MARGIN, width: CONTENT_WIDTH, y: top, color: PALETTE.muted });
  return screen.paragraph(formatAmount(amountMinor, currency), { x: MARGIN, width: CONTENT_WIDTH, y: top + LINE_STEP, color: PALETTE.text, bold: true, lineStep: LINE_STEP }) + 12;
}

function centred(screen: ScreenBuilder, text: string, top: number, bold: boolean): number {
  const lines = screen.lines(text, CONTENT_WIDTH - 1);
  let y = top;
  for (const line of lines) {
    screen.text(line, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, align: 'center', bold });
    y += LINE_STEP;
  }
  return y;
}

function cancelHint(keys: KeypadLayout): StringKey {
  return keys === 'pin-pad' ? 'keys.pad.cancel' : 'keys.one.cancel';
}

export function renderCardScreen(view: ScreenView, card: CardScreen): DisplayList {
  const strings = STRINGS[view.lang];
  if (card.kind === 'present' || card.kind === 'reading') {
    const { screen, top } = frame(view, card.kind === 'present' ? cancelHint(view.keys) : undefined);
    const y = amountLine(screen, view, card.amountMinor, card.currency, top);
    if (card.kind === 'present') {
      const below = centred(screen, strings['card.present'], y + 24, true);
      screen.paragraph(strings['card.presentWait'], { x: MARGIN, width: CONTENT_WIDTH, y: below + 12, color: PALETTE.muted, lineStep: LINE_STEP });
    } else {
      const below = centred(screen, `${strings['card.reading']}…`, y + 24, true);
      centred(screen, strings['card.doNotRemove'], below + 8, false);
    }
    return screen.build(PALETTE.background);
  }
  if (card.kind === 'pin') {
    const { screen, top } = frame(view, view.keys === 'pin-pad' ? 'keys.pad.pin' : undefined);
    const y = amountLine(screen, view, card.amountMinor, card.currency, top);
    const below = centred(screen, strings['card.pin'], y + 16, true);
    // One '*' per digit typed, never the digits; a dash per place still open up to four.
    const marks = '*'.repeat(card.digits) + '_'.repeat(Math.max(0, 4 - card.digits));
    const after = centred(screen, marks.split('').join(' '), below + 12, true);
    screen.paragraph(strings['card.pinHint'], { x: MARGIN, width: CONTENT_WIDTH, y: after + 12, color: PALETTE.muted, lineStep: LINE_STEP });
    return screen.build(PALETTE.background);
  }
  const [headline, hint, look] = NOTICES[card.notice];
  const { screen, top } = frame(view, card.waiting ? cancelHint(view.keys) : undefined);
  const y = banner(screen, look, look === 'warn' ? UI_SYMBOLS.warn : UI_SYMBOLS.fail, strings[headline], top);
  const below = amountLine(screen, view, card.amountMinor, card.currency, y + 8);
  if (hint) screen.paragraph(strings[hint], { x: MARGIN, width: CONTENT_WIDTH, y: below + 4, color: PALETTE.text, lineStep: LINE_STEP });
  return screen.build(PALETTE.background);
}

/** The card screens bound to the parsed font and the board's keys (as the transaction screens are). */
export class CardScreens {
  readonly #font: UiFont;
  readonly #keys: KeypadLayout;

  constructor(font: UiFont, keys: KeypadLayout) {
    this.#font = font;
    this.#keys = keys;
  }

  render(context: Context, card: CardScreen): DisplayList {
    return renderCardScreen({ ...context, font: this.#font, keys: this.#keys }, card);
  }
}
