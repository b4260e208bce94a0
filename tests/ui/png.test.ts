/** Our PNG encoder, read back by an independent decoder (pngjs), pixel for pixel. */
import { PNG } from 'pngjs';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { encodePng } from '../../host-sim/render/png';
import { rasterize, type RgbImage } from '../../host-sim/render/raster';
import { committedFont } from './uiFont';

const font = committedFont();

function decodedMatches(image: RgbImage): void {
  const png = PNG.sync.read(Buffer.from(encodePng(image)), { checkCRC: true } as never);
  expect([png.width, png.height]).toEqual([image.width, image.height]);
  const rgba = png.data;
  for (let i = 0, j = 0; i < image.rgb.length; i += 3, j += 4) {
    if (rgba[j] !== image.rgb[i] || rgba[j + 1] !== image.rgb[i + 1] || rgba[j + 2] !== image.rgb[i + 2] || rgba[j + 3] !== 255)
      throw new Error(`pixel ${i / 3} differs`);
  }
}

const screen: DisplayList = {
  width: 240,
  height: 320,
  background: 0xffffff,
  ops: [
    { op: 'rect', x: 0, y: 0, w: 240, h: 28, color: 0x1f2937 },
    { op: 'text', x: 8, y: 6, text: '自检 Self-test', color: 0xffffff },
    { op: 'rect', x: 0, y: 54, w: 240, h: 48, color: 0xdc2626 },
    { op: 'text', x: 90, y: 60, text: '✘ 失败 FAIL', color: 0xffffff },
  ],
};

describe('PNG encoder', () => {
  test('a rasterized screen decodes to the same pixels', () => {
    decodedMatches(rasterize(screen, font));
  });

  test('odd sizes and every byte value survive', () => {
    const rgb = new Uint8Array(7 * 5 * 3).map((_, i) => (i * 73) & 0xff);
    decodedMatches({ width: 7, height: 5, rgb });
    decodedMatches({ width: 1, height: 1, rgb: new Uint8Array([1, 2, 3]) });
  });

  test('the bytes are deterministic and carry no ancillary chunks', () => {
    const image = rasterize(screen, font);
    const a = encodePng(image);
    expect(encodePng(image)).toEqual(a);
    expect([...a.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const types: string[] = [];
    for (let at = 8; at < a.length; ) {
      const length = new DataView(a.buffer, a.byteOffset).getUint32(at);
      types.push(String.fromCharCode(...a.subarray(at + 4, at + 8)));
      at += 12 + length;
    }
    expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
  });

  test('a buffer of the wrong size is refused', () => {
    expect(() => encodePng({ width: 2, height: 2, rgb: new Uint8Array(11) })).toThrow(RangeError);
  });
});
