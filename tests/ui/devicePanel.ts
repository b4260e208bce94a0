/**
 * The device's panel for host tests: a recording stand-in for Moddable's Poco (commodetto/Poco)
 * that paints into an RGB buffer and counts the draw calls of each band (begin…end), so a test
 * can hold the device's Poco display (firmware/device/display/pocoDisplay.ts) to its display-list
 * budget; and a PNG read back into RGB. Use from a jest.mock factory:
 *   jest.mock('commodetto/Poco', () => require('./devicePanel').pocoModule, { virtual: true });
 */
import { PNG } from 'pngjs';
import type { RgbImage } from '../../host-sim/render/raster';

export interface FakeScreen {
  width: number;
  height: number;
  rgb: Uint8Array;
  /** Draw calls per begin/end pair. */
  bands: number[];
}

class RecordingPoco {
  clip = { x: 0, y: 0, w: 0, h: 0 };
  calls = 0;
  constructor(readonly screen: FakeScreen) {}
  makeColor(r: number, g: number, b: number): number {
    return (r << 16) | (g << 8) | b;
  }
  begin(x: number, y: number, w: number, h: number): void {
    this.clip = { x, y, w, h };
    this.calls = 0;
  }
  end(): void {
    this.screen.bands.push(this.calls);
  }
  fillRectangle(color: number, x: number, y: number, w: number, h: number): void {
    this.calls++;
    const { clip, screen } = this;
    for (let py = Math.max(y, clip.y); py < Math.min(y + h, clip.y + clip.h); py++)
      for (let px = Math.max(x, clip.x); px < Math.min(x + w, clip.x + clip.w); px++) screen.rgb.set([color >> 16, (color >> 8) & 0xff, color & 0xff], (py * screen.width + px) * 3);
  }
  drawMonochrome(): void {
    this.calls++;
  }
}

export const pocoModule = { __esModule: true, default: RecordingPoco };
export const bitmapModule = { __esModule: true, default: class { static Monochrome = 1; } };

export function fromPng(png: Uint8Array): RgbImage {
  const read = PNG.sync.read(Buffer.from(png));
  const rgb = new Uint8Array(read.width * read.height * 3);
  for (let i = 0, j = 0; j < read.data.length; i += 3, j += 4) rgb.set(read.data.subarray(j, j + 3), i);
  return { width: read.width, height: read.height, rgb };
}
