/**
 * The firmware update's screens, in zh and en (runtime/updateDuties.ts shows them): progress
 * (checking, downloading with its percentage and a bar, verifying, installing, restarting, and
 * the new image's trial boot: "new firmware: checking itself") and results (installed; failed,
 * crashed or interrupted and rolled back to the running version; refused or a download that
 * failed, with why in the screen's language and the technician's detail below). Any key takes a
 * result off (runtime/views.ts).
 */
import { PANEL_WIDTH, type DisplayList } from './displayList';
import { ScreenBuilder } from './layout';
import { PALETTE, STATUS_LOOKS, type FamilyStatus } from './palette';
import { CONTENT_WIDTH, LINE_STEP, MARGIN, footer, header, type ScreenView } from './screenChrome';
import { localize, STRINGS, UI_SYMBOLS, type Lang, type StringKey } from './strings';
import { banner } from './transactionScreens';
import type { UpdateErrorCode } from '../update/errors';
import type { UpdateResult } from '../update/types';

export type UpdateStage = 'checking' | 'downloading' | 'verifying' | 'installing' | 'restarting' | 'trial';

export type UpdateScreen =
  | { kind: 'progress'; version: string; stage: UpdateStage; percent?: number }
  | { kind: 'result'; result: UpdateResult }
  /** A demand check that installs nothing: up to date, no server set, or waiting for an idle terminal. */
  | { kind: 'none'; version: string; reason: 'current' | 'unavailable' | 'deferred' };

const STAGES: Readonly<Record<UpdateStage, StringKey>> = Object.freeze({
  checking: 'update.checking',
  downloading: 'update.downloading',
  verifying: 'update.verifying',
  installing: 'update.installing',
  restarting: 'update.restarting',
  trial: 'update.trial',
});

/** Why, by the error code a result's detail starts with. */
const WHY: Readonly<Record<UpdateErrorCode, StringKey>> = Object.freeze({
  'update-manifest': 'update.why.update-manifest',
  'update-seal': 'update.why.update-seal',
  'update-key': 'update.why.update-key',
  'update-signature': 'update.why.update-signature',
  'update-hash': 'update.why.update-hash',
  'update-size': 'update.why.update-size',
  'update-board': 'update.why.update-board',
  'update-downgrade': 'update.why.update-downgrade',
  'update-min-version': 'update.why.update-min-version',
  'update-known-bad': 'update.why.update-known-bad',
  'update-url': 'update.why.update-url',
  'update-server': 'update.why.update-server',
  'update-http': 'update.why.update-http',
  'update-truncated': 'update.why.update-truncated',
  'update-flash': 'update.why.update-flash',
  'update-state': 'update.why.update-state',
});

const BAR_HEIGHT = 14;

function frame(view: ScreenView, hint: string): { screen: ScreenBuilder; top: number; bottom: number } {
  const screen = new ScreenBuilder(view.font);
  const strings = STRINGS[view.lang];
  const top = header(screen, strings['update.title']) + 12;
  const bottom = footer(screen, hint, localize(view.lang, 'firmware.version', { version: view.firmwareVersion }));
  return { screen, top, bottom };
}

function say(screen: ScreenBuilder, text: string, top: number, bold: boolean, color: number = PALETTE.text): number {
  return screen.paragraph(text, { x: MARGIN, width: CONTENT_WIDTH, y: top, color, bold, lineStep: LINE_STEP });
}

function renderProgress(view: ScreenView, screen: Extract<UpdateScreen, { kind: 'progress' }>): DisplayList {
  const { lang } = view;
  const { screen: s, top } = frame(view, '');
  let y = say(s, `${localize(lang, STAGES[screen.stage], { version: screen.version })}…`, top, true) + 12;
  if (screen.stage === 'downloading') {
    const percent = Math.max(0, Math.min(100, Math.floor(screen.percent ?? 0)));
    s.rect(MARGIN, y, CONTENT_WIDTH, BAR_HEIGHT, PALETTE.rule);
    if (percent > 0) s.rect(MARGIN, y, Math.max(1, Math.floor((CONTENT_WIDTH * percent) / 100)), BAR_HEIGHT, STATUS_LOOKS.pass.fill);
    y += BAR_HEIGHT + 6;
    s.text(`${percent} %`, { x: MARGIN, width: CONTENT_WIDTH, y, color: PALETTE.text, align: 'center', bold: true });
    y += LINE_STEP + 12;
    say(s, STRINGS[lang]['update.background'], y, false, PALETTE.muted);
  } else if (screen.stage === 'installing' || screen.stage === 'restarting' || screen.stage === 'trial') {
    say(s, STRINGS[lang]['update.doNotPowerOff'], y, false);
  }
  return s.build(PALETTE.background);
}

/** The error code a detail starts with ("update-board: …"), if it names one. */
function codeOf(detail: string): UpdateErrorCode | undefined {
  const colon = detail.indexOf(':');
  const code = colon > 0 ? detail.slice(0, colon) : '';
  return Object.prototype.hasOwnProperty.call(WHY, code) ? (code as UpdateErrorCode) : undefined;
}

/** Why, in the screen's language, or undefined when the detail says nothing a screen can put in words. */
function whyText(lang: Lang, result: UpdateResult): string | undefined {
  const { detail } = result;
  if (result.code === 'update.crashed' || result.code === 'update.interrupted') {
    const reason = detail.split(' ')[0] ?? '';
    return reason ? localize(lang, 'update.why.crash', { reason }) : undefined;
  }
  if (detail.startsWith('self-test:')) return localize(lang, 'update.why.selftest', { probes: detail.slice(10).trim().split(' ').join(', ') });
  const code = codeOf(detail);
  return code ? STRINGS[lang][WHY[code]] : undefined;
}

function renderResult(view: ScreenView, result: UpdateResult): DisplayList {
  const { lang } = view;
  const strings = STRINGS[lang];
  const { screen: s, top } = frame(view, strings['update.anyKey']);
  const version = { version: result.version };
  const running = { version: view.firmwareVersion };
  let look: FamilyStatus = 'fail';
  let headline: string;
  let after: string | undefined;
  switch (result.code) {
    case 'update.ok':
      look = 'pass';
      headline = localize(lang, 'update.installed', version);
      break;
    case 'update.failed':
      headline = localize(lang, 'update.failed', version);
      after = localize(lang, 'update.rolledBack', running);
      break;
    case 'update.crashed':
      headline = localize(lang, 'update.crashed', version);
      after = localize(lang, 'update.rolledBack', running);
      break;
    case 'update.interrupted':
      look = 'warn';
      headline = localize(lang, 'update.interrupted', version);
      after = strings['update.retried'];
      break;
    case 'update.download-failed':
      look = 'warn';
      headline = strings['update.downloadFailed'];
      after = strings['update.resumes'];
      break;
    default:
      look = 'warn';
      headline = strings['update.refused'];
      after = localize(lang, 'update.offered', version);
  }
  let y = banner(s, look, look === 'pass' ? UI_SYMBOLS.pass : look === 'warn' ? UI_SYMBOLS.warn : UI_SYMBOLS.fail, headline, top) + 10;
  const why = result.code === 'update.ok' ? undefined : whyText(lang, result);
  if (why) y = say(s, why, y, true) + 8;
  if (after) y = say(s, after, y, false) + 8;
  // The technician's words, as recorded (printable ASCII, at most 60 characters).
  if (result.detail && result.code !== 'update.ok') {
    s.rect(MARGIN, y, PANEL_WIDTH - 2 * MARGIN, 1, PALETTE.rule);
    say(s, result.detail, y + 6, false, PALETTE.muted);
  }
  return s.build(PALETTE.background);
}

function renderNone(view: ScreenView, screen: Extract<UpdateScreen, { kind: 'none' }>): DisplayList {
  const { lang } = view;
  const strings = STRINGS[lang];
  const { screen: s, top } = frame(view, strings['update.anyKey']);
  const words = screen.reason === 'current' ? localize(lang, 'update.current', { version: screen.version }) : strings[screen.reason === 'deferred' ? 'update.deferred' : 'update.unavailable'];
  banner(s, screen.reason === 'current' ? 'pass' : 'warn', screen.reason === 'current' ? UI_SYMBOLS.pass : UI_SYMBOLS.warn, words, top);
  return s.build(PALETTE.background);
}

export function renderUpdateScreen(view: ScreenView, screen: UpdateScreen): DisplayList {
  if (screen.kind === 'progress') return renderProgress(view, screen);
  if (screen.kind === 'result') return renderResult(view, screen.result);
  return renderNone(view, screen);
}
