/** A QR symbol as display-list ops: the light quiet zone, then the dark modules as one bits op. */
import type { Color, DisplayOp } from '../ui/displayList';
import type { QrMatrix } from './qrMatrix';

/** ISO/IEC 18004:2015 6.3.8: a light margin 4 modules wide on every side. */
export const QUIET_ZONE = 4;

/** Module colours: dark on white whatever the screen's palette, as readers expect (6.2). */
const DARK: Color = 0x000000;
const LIGHT: Color = 0xffffff;

/**
 * Ops drawing `matrix` with its quiet zone's top-left corner at (x, y), `scale` px per module:
 * (size + 8) × scale px square in all.
 */
export function qrOps(matrix: QrMatrix, x: number, y: number, scale: number): DisplayOp[] {
  const side = (matrix.size + 2 * QUIET_ZONE) * scale;
  const margin = QUIET_ZONE * scale;
  return [
    { op: 'rect', x, y, w: side, h: side, color: LIGHT },
    { op: 'bits', x: x + margin, y: y + margin, w: matrix.size, h: matrix.size, scale, bits: matrix.bits, color: DARK },
  ];
}
