/**
 * The screens the runtime shows, bound to the parsed UI font and the board's keys: one object
 * the runtime holds, so the font asset is checked once at boot, every screen measures with the
 * same glyphs, and every hint names keys the board has.
 */
import type { KeypadLayout } from '../ports';
import type { SelfTestReport } from '../selftest/types';
import type { DisplayList } from './displayList';
import { parseFont } from './font';
import { renderSelfTestPage, selfTestPageCount } from './selfTestScreens';
import type { Lang } from './strings';
import { renderBootScreen, renderFaultScreen, renderReadyClock, renderReadyScreen } from './terminalScreens';

export interface ScreenContext {
  lang: Lang;
  terminalId?: string;
  firmwareVersion: string;
}

export interface Screens {
  boot(context: ScreenContext): DisplayList;
  ready(context: ScreenContext & { merchantId?: string; wallMs: number; lastVerdict?: SelfTestReport['verdict']; pendingReversalStan?: string }): DisplayList;
  /** Only the ready screen's clock (a list with an `area`), drawn over a ready screen each minute. */
  readyClock(context: ScreenContext & { wallMs: number }): DisplayList;
  fault(report: SelfTestReport, context: ScreenContext): DisplayList;
  selfTestPage(report: SelfTestReport, page: number, context: ScreenContext): DisplayList;
  /** Pages of the report as this screen lays them out (a probe with long texts takes more than one). */
  selfTestPageCount(report: SelfTestReport, context: ScreenContext): number;
}

/**
 * @param keys the keypad port's layout
 * @throws FontError when the font asset is malformed
 */
export function createScreens(fontAsset: Uint8Array, keys: KeypadLayout): Screens {
  const font = parseFont(fontAsset);
  return {
    boot: (context) => renderBootScreen({ ...context, font, keys }),
    ready: (context) => renderReadyScreen({ ...context, font, keys }),
    readyClock: (context) => renderReadyClock({ ...context, font, keys }),
    fault: (report, context) => renderFaultScreen(report, { ...context, font, keys }),
    selfTestPage: (report, page, context) => renderSelfTestPage(report, page, { ...context, font, keys }),
    selfTestPageCount: (report, context) => selfTestPageCount(report, { ...context, font, keys }),
  };
}
