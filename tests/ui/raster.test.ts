/**
 * The host rasterizer draws what the font asset says, clipped at the panel's edges. Two tests
 * compare with GNU Unifont's own bitmaps; they need /usr/share/unifont (Debian package
 * `unifont`, optional in the README). Without it they are skipped, with the reason in their
 * names and in the summary line's count, except under CI (.ci/run installs the package and
 * sets CI), where a missing package fails them instead. Nothing else needs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { rasterize, type RgbImage } from '../../host-sim/render/raster';
import { makeUiFont, UNIFONT_PATH } from '../../host-sim/tools/make-font';
import { committedFont, FONT_ASSET } from './uiFont';

const font = committedFont();
const BLACK = 0x000000;
const RED = 0xff0000;

const list = (ops: DisplayList['ops'], background = BLACK): DisplayList => ({ width: 240, height: 320, background, ops });
const pixel = (image: RgbImage, x: number, y: number): number => {
  const at = (y * image.width + x) * 3;
  return (image.rgb[at] << 16) | (image.rgb[at + 1] << 8) | image.rgb[at + 2];
};

describe('rasterizer', () => {
  test('fills the background, then rectangles in order', () => {
    const image = rasterize(list([{ op: 'rect', x: 10, y: 10, w: 5, h: 5, color: RED }, { op: 'rect', x: 12, y: 12, w: 5, h: 5, color: 0x00ff00 }], 0x123456), font);
    expect([pixel(image, 0, 0), pixel(image, 10, 10), pixel(image, 14, 14), pixel(image, 16, 16), pixel(image, 17, 17)]).toEqual([
      0x123456, RED, 0x00ff00, 0x00ff00, 0x123456,
    ]);
  });

  test('glyph ink takes the op colour; the rest of the cell stays as it was', () => {
    const image = rasterize(list([{ op: 'text', x: 0, y: 0, text: 'A', color: RED }]), font);
    const glyph = font.glyph(0x41);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) expect(pixel(image, x, y)).toBe(font.ink(glyph, x, y) ? RED : BLACK);
  });

  test('shapes and text past any edge are clipped, not wrapped or dropped', () => {
    const ops: DisplayList['ops'] = [
      { op: 'rect', x: -5, y: -5, w: 10, h: 10, color: RED },
      { op: 'rect', x: 235, y: 315, w: 50, h: 50, color: RED },
      { op: 'text', x: -4, y: -8, text: '█中', color: RED },
      { op: 'text', x: 236, y: 312, text: '██', color: RED },
    ];
    const image = rasterize(list(ops), font);
    expect(image.rgb.length).toBe(240 * 320 * 3);
    expect([pixel(image, 0, 0), pixel(image, 4, 4), pixel(image, 5, 5), pixel(image, 239, 319), pixel(image, 234, 314)]).toEqual([RED, RED, BLACK, RED, BLACK]);
    // The right edge does not bleed into the next row's left edge.
    expect(pixel(image, 0, 316)).toBe(BLACK);
  });
});

/** Reads one glyph straight from unifont.hex, independently of make-font. */
function unifontBits(hexFile: string, codePoint: number): boolean[][] {
  const key = codePoint.toString(16).toUpperCase().padStart(4, '0') + ':';
  const line = hexFile.split('\n').find((l) => l.startsWith(key));
  if (!line) throw new Error(`unifont has no ${key}`);
  const digits = line.slice(key.length).trim();
  const width = digits.length / 4; // 16 rows of width/4 hex digits
  const rows: boolean[][] = [];
  for (let y = 0; y < 16; y++) {
    const row = parseInt(digits.slice((y * width) / 4, ((y + 1) * width) / 4), 16);
    rows.push(Array.from({ length: width }, (_, x) => ((row >> (width - 1 - x)) & 1) === 1));
  }
  return rows;
}

const haveUnifont = existsSync(UNIFONT_PATH);
const underCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const withUnifont = haveUnifont || underCi ? test : test.skip;
const skipNote = haveUnifont ? '' : ` [${underCi ? 'FAILS under CI' : 'SKIPPED'}: ${UNIFONT_PATH} absent — apt-get install unifont to run]`;

describe('against GNU Unifont', () => {
  withUnifont(`rasterized "时A失✘" matches unifont.hex bit for bit${skipNote}`, () => {
    const hexFile = readFileSync(UNIFONT_PATH, 'utf8');
    const text = '时A失✘';
    const x0 = 5;
    const y0 = 37;
    const image = rasterize(list([{ op: 'text', x: x0, y: y0, text, color: RED }]), font);
    let penX = x0;
    for (const ch of text) {
      const bits = unifontBits(hexFile, ch.codePointAt(0) as number);
      for (let y = 0; y < 16; y++)
        for (let x = 0; x < bits[0].length; x++) if ((pixel(image, penX + x, y0 + y) === RED) !== bits[y][x]) throw new Error(`${ch} pixel ${x},${y}`);
      penX += bits[0].length;
    }
  });

  withUnifont(`the committed font is what make-font builds from this unifont.hex${skipNote}`, () => {
    expect(Buffer.from(makeUiFont(readFileSync(UNIFONT_PATH, 'utf8'))).equals(readFileSync(FONT_ASSET))).toBe(true);
  });
});
