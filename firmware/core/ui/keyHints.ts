/**
 * What the screens tell the technician to press, in the terms of the keys the board has
 * (the keypad port's `layout`). The Moddable Two has one button: a short press sends 'down'
 * (next page; from the home screen, the last report), a 1.5 s hold sends 'menu' (self-test).
 * A PIN pad has ▲ ▼, CANCEL and MENU. In both, ▼ on a report's last page returns home
 * (runtime/terminal.ts), so the last page's footer says so.
 */
import { localize, STRINGS, type StringKey } from './strings';
import type { ScreenView } from './screenChrome';

/** Things a key does that a screen may point out. */
export type KeyAction = 'details' | 'report' | 'selftest';

const ONE_BUTTON: Readonly<Record<KeyAction, StringKey>> = Object.freeze({
  details: 'keys.one.details',
  report: 'keys.one.report',
  selftest: 'keys.one.selftest',
});

const PIN_PAD: Readonly<Record<KeyAction, StringKey>> = Object.freeze({
  details: 'keys.pad.details',
  report: 'keys.pad.report',
  selftest: 'keys.pad.selftest',
});

/** "Press: details" on one button, "Press ▼ for details" on a PIN pad. */
export function keyHint(view: Pick<ScreenView, 'lang' | 'keys'>, action: KeyAction): string {
  return STRINGS[view.lang][(view.keys === 'one-button' ? ONE_BUTTON : PIN_PAD)[action]];
}

/** A report page's footer texts: where we are (left) and what the next press does (right). */
export function pageFooterTexts(view: Pick<ScreenView, 'lang' | 'keys'>, page: number, pages: number): { left: string; right: string } {
  const { lang } = view;
  const last = page >= pages;
  if (view.keys === 'one-button')
    return { left: localize(lang, 'page.number', { page, pages }), right: STRINGS[lang][last ? 'keys.one.home' : 'keys.one.next'] };
  return { left: localize(lang, 'keys.pad.page', { page, pages }), right: STRINGS[lang][last ? 'keys.pad.home' : 'keys.pad.back'] };
}
