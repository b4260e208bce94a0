/**
 * The screens the runtime shows, bound to the parsed UI font and the board's keys: one object
 * the runtime holds, so the font asset is checked once at boot, every screen measures with the
 * same glyphs, and every hint names keys the board has.
 */
import type { KeypadLayout } from '../ports';
import type { SelfTestReport } from '../selftest/types';
import type { DisplayList } from './displayList';
import { parseFont, type UiFont } from './font';
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
  return new BoundScreens(parseFont(fontAsset), keys);
}

/** A class, so its methods are made once at preload, not as arrows on the XS heap at each boot (docs/memory.md). */
class BoundScreens implements Screens {
  readonly #font: UiFont;
  readonly #keys: KeypadLayout;

  constructor(font: UiFont, keys: KeypadLayout) {
    this.#font = font;
    this.#keys = keys;
  }

  boot(context: ScreenContext): DisplayList {
    return renderBootScreen({ ...context, font: this.#font, keys: this.#keys });
  }

  ready(context: Parameters<Screens['ready']>[0]): DisplayList {
    return renderReadyScreen({ ...context, font: this.#font, keys: this.#keys });
  }

  readyClock(context: Parameters<Screens['readyClock']>[0]): DisplayList {
    return renderReadyClock({ ...context, font: this.#font, keys: this.#keys });
  }

  fault(report: SelfTestReport, context: ScreenContext): DisplayList {
    return renderFaultScreen(report, { ...context, font: this.#font, keys: this.#keys });
  }

  selfTestPage(report: SelfTestReport, page: number, context: ScreenContext): DisplayList {
    return renderSelfTestPage(report, page, { ...context, font: this.#font, keys: this.#keys });
  }

  selfTestPageCount(report: SelfTestReport, context: ScreenContext): number {
    return selfTestPageCount(report, { ...context, font: this.#font, keys: this.#keys });
  }
}
