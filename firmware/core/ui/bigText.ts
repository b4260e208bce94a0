/**
 * A short value drawn larger than the panel's one font: its glyphs copied into a cell grid and
 * drawn with the display list's 'bits' op at 2 px a pixel. For what a person reads out or
 * checks digit by digit (the support code over the phone, an activation code as typed).
 */
import type { Color } from './displayList';
import type { ScreenBuilder } from './layout';
import { CONTENT_WIDTH, MARGIN } from './screenChrome';

/**
 * Draws `text` centred at `top`, twice the font's size when that fits the content width (else
 * at its own size); returns the y below it. Characters the font lacks draw as its fallback (□).
 */
export function bigText(screen: ScreenBuilder, text: string, top: number, color: Color, maxScale = 2): number {
  const { font } = screen;
  const w = font.measure(text);
  const h = font.lineHeight;
  if (w === 0) return top;
  const scale = Math.max(1, Math.min(maxScale, Math.floor(CONTENT_WIDTH / w)));
  const bits = new Uint8Array((w * h + 7) >> 3);
  // Atlas bits copied row by row (font.ts layout: 1 bit a pixel, MSB leftmost), not a call a pixel:
  // this runs for every key press on the code entry.
  const { atlas, atlasStride } = font;
  let pen = 0;
  for (const ch of text) {
    const glyph = font.glyph(ch.codePointAt(0) as number);
    const columns = Math.min(glyph.width, w - pen);
    for (let gy = 0; gy < glyph.height && gy < h; gy++) {
      const row = (glyph.y + gy) * atlasStride;
      for (let gx = 0; gx < columns; gx++) {
        const ax = glyph.x + gx;
        if ((atlas[row + (ax >> 3)] & (0x80 >> (ax & 7))) === 0) continue;
        const n = gy * w + pen + gx;
        bits[n >> 3] |= 0x80 >> (n & 7);
      }
    }
    pen += glyph.advance;
  }
  screen.add([{ op: 'bits', x: MARGIN + Math.floor((CONTENT_WIDTH - w * scale) / 2), y: top, w, h, scale, bits, color }]);
  return top + h * scale;
}
