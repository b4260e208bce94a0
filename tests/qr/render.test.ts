/**
 * The QR on a screen: qrOps in a full display list, drawn by host-sim's rasterizer, written as
 * PNG, read back by pngjs and then by jsQR; and drawn by the device's Poco display (against a
 * recording Poco that enforces the display-list budget band by band), read back by jsQR.
 */
import { PNG } from 'pngjs';
import { readFileSync } from 'node:fs';
import { encodeQr, encodeQrText, type QrMatrix } from '../../firmware/core/qr/encode';
import { qrOps, QUIET_ZONE } from '../../firmware/core/qr/qrOps';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { encodePng } from '../../host-sim/render/png';
import { rasterize, type RgbImage } from '../../host-sim/render/raster';
import { committedFont, FONT_ASSET } from '../ui/uiFont';
import { screenProblems } from '../ui/screenChecks';
import { bytesRead, readImage } from './qrRead';

const font = committedFont();

/** A support-like page: dark title bar and text, the QR centred below at the largest scale that fits. */
function page(matrix: QrMatrix): DisplayList {
  const scale = Math.floor(224 / (matrix.size + 2 * QUIET_ZONE));
  const side = (matrix.size + 2 * QUIET_ZONE) * scale;
  return {
    width: 240,
    height: 320,
    background: 0x111827,
    ops: [
      { op: 'rect', x: 0, y: 0, w: 240, h: 28, color: 0x1f2937 },
      { op: 'text', x: 8, y: 6, text: '联系支持 Support', color: 0xffffff },
      ...qrOps(matrix, Math.floor((240 - side) / 2), 40, scale),
      { op: 'text', x: 8, y: 290, text: '7K3M-Q9TD-4', color: 0xffffff },
    ],
  };
}

/** Summary-sized payloads: the smallest symbol, a CBOR-like one with 0x00/0xFF, the largest. */
const PAYLOADS: [string, Uint8Array][] = [
  ['3 bytes (version 1)', Uint8Array.from([0xa1, 0x00, 0x01])],
  ['a CBOR-like summary with 0x00 and 0xFF (version 4)', Uint8Array.from({ length: 60 }, (_, i) => [0x00, 0xff, 0xa6, 0x18][i % 4] ^ (i & 0x10))],
  ['213 bytes (version 10)', Uint8Array.from({ length: 213 }, (_, i) => (i * 89 + 7) & 0xff)],
];

function fromPng(png: Uint8Array): RgbImage {
  const read = PNG.sync.read(Buffer.from(png));
  const rgb = new Uint8Array(read.width * read.height * 3);
  for (let i = 0, j = 0; j < read.data.length; i += 3, j += 4) rgb.set(read.data.subarray(j, j + 3), i);
  return { width: read.width, height: read.height, rgb };
}

describe('host-sim: display list → raster → PNG → pngjs → jsQR', () => {
  test.each(PAYLOADS)('%s reads back byte for byte', (_, bytes) => {
    const list = page(encodeQr(bytes));
    expect(screenProblems(list, font)).toEqual([]);
    expect(bytesRead(readImage(fromPng(encodePng(rasterize(list, font)))))).toEqual([...bytes]);
  });

  test('a bits op paints only its set cells, scale×scale each, in its colour', () => {
    // 3×2 cells: 101 / 011, packed across the row end: 1010 1100 → 0xac.
    const list: DisplayList = { width: 8, height: 6, background: 0x000000, ops: [{ op: 'bits', x: 1, y: 1, w: 3, h: 2, scale: 2, bits: Uint8Array.of(0xac), color: 0xff0000 }] };
    const image = rasterize(list, font);
    const red = (x: number, y: number) => image.rgb[(y * 8 + x) * 3] === 0xff;
    const cells = ['101', '011'];
    for (let y = 0; y < 6; y++)
      for (let x = 0; x < 8; x++) {
        const [c, r] = [Math.floor((x - 1) / 2), Math.floor((y - 1) / 2)];
        const inside = x >= 1 && y >= 1 && c < 3 && r < 2;
        expect(`${x},${y} ${red(x, y)}`).toBe(`${x},${y} ${inside && cells[r][c] === '1'}`);
      }
  });
});

/** Display-list bytes of the device build (manifest.json config.displayListBytes) and the adapter's bytes per record. */
const DISPLAY_LIST_BYTES = 4096;
const RECORD_BYTES = 32;

interface FakeScreen {
  width: number;
  height: number;
  rgb: Uint8Array;
  /** Draw calls per begin/end pair. */
  bands: number[];
}

jest.mock(
  'commodetto/Bitmap',
  () => ({ __esModule: true, default: class { static Monochrome = 1; } }),
  { virtual: true },
);
jest.mock(
  'commodetto/Poco',
  () => ({
    __esModule: true,
    default: class {
      clip = { x: 0, y: 0, w: 0, h: 0 };
      calls = 0;
      constructor(readonly screen: FakeScreen, readonly options: { displayListLength: number }) {}
      makeColor(r: number, g: number, b: number) {
        return (r << 16) | (g << 8) | b;
      }
      begin(x: number, y: number, w: number, h: number) {
        this.clip = { x, y, w, h };
        this.calls = 0;
      }
      end() {
        this.screen.bands.push(this.calls);
      }
      fillRectangle(color: number, x: number, y: number, w: number, h: number) {
        this.calls++;
        const { clip, screen } = this;
        for (let py = Math.max(y, clip.y); py < Math.min(y + h, clip.y + clip.h); py++)
          for (let px = Math.max(x, clip.x); px < Math.min(x + w, clip.x + clip.w); px++)
            screen.rgb.set([color >> 16, (color >> 8) & 0xff, color & 0xff], (py * screen.width + px) * 3);
      }
      drawMonochrome() {
        this.calls++;
      }
    },
  }),
  { virtual: true },
);

describe('device: the Poco display draws the bits op band by band within its display list', () => {
  // Required, not imported: the device adapter's Moddable types are not part of the host type check.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { PocoDisplay } = require('../../firmware/device/display/pocoDisplay') as {
    PocoDisplay: new (options: { screen: FakeScreen; font: Uint8Array; controller: string; displayListBytes: number }) => { draw(list: DisplayList): void };
  };

  test.each([...PAYLOADS, ['the text "HTTPS://SUPPORT.EXAMPLE/7K3M-Q9TD-4"', encodeQrText('HTTPS://SUPPORT.EXAMPLE/7K3M-Q9TD-4')] as const])(
    '%s reads back from the panel',
    (_, what) => {
      const matrix = what instanceof Uint8Array ? encodeQr(what) : what;
      const screen: FakeScreen = { width: 240, height: 320, rgb: new Uint8Array(240 * 320 * 3), bands: [] };
      const display = new PocoDisplay({ screen, font: new Uint8Array(readFileSync(FONT_ASSET)), controller: 'fake', displayListBytes: DISPLAY_LIST_BYTES });
      display.draw(page(matrix));
      // The symbol's runs exceed one display list, so the screen is drawn in several bands, each within it.
      expect(screen.bands.length).toBeGreaterThan(1);
      expect(Math.max(...screen.bands)).toBeLessThanOrEqual(DISPLAY_LIST_BYTES / RECORD_BYTES);
      const code = readImage({ width: 240, height: 320, rgb: screen.rgb });
      if (what instanceof Uint8Array) expect(bytesRead(code)).toEqual([...what]);
      else expect(code?.data).toBe('HTTPS://SUPPORT.EXAMPLE/7K3M-Q9TD-4');
      // The panel shows what host-sim's rasterizer shows, pixel for pixel, in the QR's square.
      const sim = rasterize(page(matrix), font).rgb;
      const rows = (rgb: Uint8Array) => Buffer.from(rgb.subarray(40 * 720, (40 + 224) * 720));
      expect(rows(screen.rgb).equals(rows(sim))).toBe(true);
    },
  );
});
