/**
 * The activation result when the terminal itself would not start the activation the keypad asked
 * for (runtime/activationDuties.ts ActivationRequestError): already activated (a new activation
 * replaces the master key, so it is never a key press's side effect), or an action under way.
 * Laid out as the other refusals (ui/activationScreens.ts renderActivationResult): what happened,
 * then what to do; nothing was sent and nothing stored.
 */
import { activationLabel } from './activationTexts';
import { label } from './diagnosisTexts';
import type { DisplayList } from './displayList';
import { ScreenBuilder } from './layout';
import { PALETTE } from './palette';
import { CONTENT_WIDTH, LINE_STEP, MARGIN, footer, header, type ScreenView } from './screenChrome';
import { localize, UI_SYMBOLS } from './strings';
import { banner } from './transactionScreens';

/** Why the terminal did not start an activation (ActivationRequestError's code). */
export type ActivationNotStartedCode = 'activation-busy' | 'activation-already-activated';

export function renderActivationNotStarted(code: ActivationNotStartedCode, view: ScreenView): DisplayList {
  const { lang } = view;
  const screen = new ScreenBuilder(view.font);
  footer(screen, '', localize(lang, 'firmware.version', { version: view.firmwareVersion }));
  const top = header(screen, activationLabel(lang, 'act.result'));
  let y = banner(screen, 'fail', UI_SYMBOLS.fail, activationLabel(lang, 'act.refused'), top) + 8;
  const paragraph = (text: string, at: number, bold: boolean) => screen.paragraph(text, { x: MARGIN, width: CONTENT_WIDTH, y: at, color: PALETTE.text, bold, lineStep: LINE_STEP }) + 4;
  y = paragraph(label(lang, `act.${code}`), y, true) + 4;
  screen.rect(MARGIN, y + 3, CONTENT_WIDTH, 1, PALETTE.rule);
  screen.text(activationLabel(lang, 'act.remedy'), { x: MARGIN, width: CONTENT_WIDTH, y: y + 8, color: PALETTE.muted });
  paragraph(label(lang, `act.${code}.remedy`), y + 8 + LINE_STEP, false);
  return screen.build(PALETTE.background);
}
