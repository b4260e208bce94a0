/**
 * Screen colours (0xRRGGBB; the panel shows them as RGB565). Status is always drawn as a
 * word and a mark as well as a colour, so a colour-blind technician loses nothing.
 */
import type { Color } from './displayList';
import type { ProbeStatus } from '../selftest/types';
import { deepFreeze } from '../freeze';

export const PALETTE = Object.freeze({
  background: 0xffffff,
  text: 0x111827,
  muted: 0x4b5563,
  rule: 0xd1d5db,
  headerBar: 0x1f2937,
  headerText: 0xffffff,
  headerMuted: 0xcbd5e1,
  footerBar: 0xe5e7eb,
});

/** How one status looks: `fill` behind `onFill` text for banners, `ink` for text on white, `tint` for a light box. */
export interface StatusLook {
  readonly fill: Color;
  readonly onFill: Color;
  readonly ink: Color;
  readonly tint: Color;
}

/** 'notTested': a cause family no probe of this run covered. */
export type FamilyStatus = ProbeStatus | 'notTested';

export const STATUS_LOOKS: Readonly<Record<FamilyStatus, StatusLook>> = deepFreeze({
  pass: { fill: 0x15803d, onFill: 0xffffff, ink: 0x15803d, tint: 0xdcfce7 },
  warn: { fill: 0xf59e0b, onFill: 0x111827, ink: 0xb45309, tint: 0xfef3c7 },
  fail: { fill: 0xdc2626, onFill: 0xffffff, ink: 0xb91c1c, tint: 0xfee2e2 },
  skip: { fill: 0x6b7280, onFill: 0xffffff, ink: 0x6b7280, tint: 0xf3f4f6 },
  notTested: { fill: 0x9ca3af, onFill: 0x111827, ink: 0x6b7280, tint: 0xf3f4f6 },
});
