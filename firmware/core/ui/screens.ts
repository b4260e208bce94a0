/**
 * The screens the runtime shows, bound to the parsed UI font: one object the runtime holds,
 * so the font asset is checked once at boot and every screen measures with the same glyphs.
 */
import type { SelfTestReport } from '../selftest/types';
import type { DisplayList } from './displayList';
import { parseFont } from './font';
import { renderSelfTestPage, selfTestPageCount } from './selfTestScreens';
import type { Lang } from './strings';
import { renderBootScreen, renderFaultScreen, renderReadyScreen } from './terminalScreens';

export interface ScreenContext {
  lang: Lang;
  terminalId?: string;
  firmwareVersion: string;
}

export interface Screens {
  boot(context: ScreenContext): DisplayList;
  ready(context: ScreenContext & { merchantId?: string; wallMs: number; lastVerdict?: SelfTestReport['verdict'] }): DisplayList;
  fault(report: SelfTestReport, context: ScreenContext): DisplayList;
  selfTestPage(report: SelfTestReport, page: number, context: ScreenContext): DisplayList;
  selfTestPageCount(report: SelfTestReport): number;
}

/** @throws FontError when the font asset is malformed */
export function createScreens(fontAsset: Uint8Array): Screens {
  const font = parseFont(fontAsset);
  return {
    boot: (context) => renderBootScreen({ ...context, font }),
    ready: (context) => renderReadyScreen({ ...context, font }),
    fault: (report, context) => renderFaultScreen(report, { ...context, font }),
    selfTestPage: (report, page, context) => renderSelfTestPage(report, page, { ...context, font }),
    selfTestPageCount,
  };
}
