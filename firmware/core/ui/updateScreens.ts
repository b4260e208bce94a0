/**
 * The firmware update's screens, in zh and en (runtime/updateDuties.ts shows them).
 * STUB (issue 10 skeleton): the update helper replaces this file.
 */
import type { DisplayList } from './displayList';
import { ScreenBuilder } from './layout';
import { PALETTE } from './palette';
import { header, type ScreenView } from './screenChrome';
import type { UpdateResult } from '../update/types';

export type UpdateScreen =
  | { kind: 'progress'; version: string; stage: 'checking' | 'downloading' | 'verifying' | 'installing' | 'restarting'; percent?: number }
  | { kind: 'result'; result: UpdateResult };

export function renderUpdateScreen(view: ScreenView, _screen: UpdateScreen): DisplayList {
  const screen = new ScreenBuilder(view.font);
  header(screen, 'update');
  return screen.build(PALETTE.background);
}
