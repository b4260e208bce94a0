/**
 * The safe mode's screen, in zh and en: crashes came too fast, the acquirer link is off.
 * STUB (issue 10 skeleton): the reset-history helper replaces this file.
 */
import type { DisplayList } from './displayList';
import { ScreenBuilder } from './layout';
import { PALETTE } from './palette';
import { header, type ScreenView } from './screenChrome';

export interface SafeModeFacts {
  /** Panics and watchdog resets within the window. */
  readonly crashes: number;
  readonly windowMinutes: number;
}

export function renderSafeMode(view: ScreenView, _facts: SafeModeFacts): DisplayList {
  const screen = new ScreenBuilder(view.font);
  header(screen, 'safe mode');
  return screen.build(PALETTE.background);
}
