/**
 * Host-side screen: draws a display list into an RGB888 buffer the way the device's Poco
 * adapter draws it (background fill, ops in order, glyph ink in the op's colour, everything
 * clipped at the panel edges), reading glyphs from the same font asset.
 */
import type { Color, DisplayList } from '../../firmware/core/ui/displayList';
import type { UiFont } from '../../firmware/core/ui/font';

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, rows top to bottom, R G B per pixel. */
  rgb: Uint8Array;
}

export function rasterize(list: DisplayList, font: UiFont): RgbImage {
  const { width, height } = list;
  const rgb = new Uint8Array(width * height * 3);
  const fill = (x0: number, y0: number, w: number, h: number, color: Color): void => {
    const left = Math.max(0, Math.floor(x0));
    const top = Math.max(0, Math.floor(y0));
    const right = Math.min(width, Math.floor(x0 + w));
    const bottom = Math.min(height, Math.floor(y0 + h));
    const r = (color >> 16) & 0xff;
    const g = (color >> 8) & 0xff;
    const b = color & 0xff;
    for (let y = top; y < bottom; y++)
      for (let x = left; x < right; x++) {
        const at = (y * width + x) * 3;
        rgb[at] = r;
        rgb[at + 1] = g;
        rgb[at + 2] = b;
      }
  };

  fill(0, 0, width, height, list.background);
  for (const op of list.ops) {
    if (op.op === 'rect') {
      fill(op.x, op.y, op.w, op.h, op.color);
      continue;
    }
    if (op.op === 'bits') {
      for (let n = 0; n < op.w * op.h; n++)
        if ((op.bits[n >> 3] >> (7 - (n & 7))) & 1) fill(op.x + (n % op.w) * op.scale, op.y + Math.floor(n / op.w) * op.scale, op.scale, op.scale, op.color);
      continue;
    }
    let penX = Math.floor(op.x);
    const top = Math.floor(op.y);
    for (const ch of op.text) {
      const glyph = font.glyph(ch.codePointAt(0) as number);
      for (let gy = 0; gy < glyph.height; gy++)
        for (let gx = 0; gx < glyph.width; gx++) if (font.ink(glyph, gx, gy)) fill(penX + gx, top + gy, 1, 1, op.color);
      penX += glyph.advance;
    }
  }
  return { width, height, rgb };
}
