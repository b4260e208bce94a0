/**
 * Reads QR symbols back with jsQR (an independent decoder, pinned at 1.4.0), from a matrix
 * drawn pixel by pixel here or from a rasterized screen.
 */
import jsQR, { type QRCode } from 'jsqr';
import type { QrMatrix } from '../../firmware/core/qr/encode';
import type { RgbImage } from '../../host-sim/render/raster';

/** Published data capacity at level M, versions 1–10 (ISO/IEC 18004:2015 Table 7): bytes, then alphanumeric characters. */
export const BYTE_CAPACITY_M = [14, 26, 42, 62, 84, 106, 122, 152, 180, 213];
export const ALPHANUMERIC_CAPACITY_M = [20, 38, 61, 90, 122, 154, 178, 221, 262, 311];

/** The version the capacity table names for `length` items, 0 past version 10. */
export function versionFor(capacities: readonly number[], length: number): number {
  return capacities.findIndex((c) => length <= c) + 1;
}

/** The matrix dark on white, `scale` px per module, inside a 4-module quiet zone, read by jsQR. */
export function readMatrix(matrix: QrMatrix, scale = 3): QRCode | null {
  const side = (matrix.size + 8) * scale;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let py = 0; py < side; py++)
    for (let px = 0; px < side; px++)
      if (matrix.dark(Math.floor(px / scale) - 4, Math.floor(py / scale) - 4)) rgba.fill(0, (py * side + px) * 4, (py * side + px) * 4 + 3);
  return jsQR(rgba, side, side, { inversionAttempts: 'dontInvert' });
}

/** An RGB image (a rasterized screen, or a PNG read back) read by jsQR. */
export function readImage(image: RgbImage): QRCode | null {
  const { width, height, rgb } = image;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i];
    rgba[j + 1] = rgb[i + 1];
    rgba[j + 2] = rgb[i + 2];
    rgba[j + 3] = 255;
  }
  return jsQR(rgba, width, height, { inversionAttempts: 'dontInvert' });
}

/** The bytes jsQR read, or a readable failure. */
export function bytesRead(code: QRCode | null): number[] | string {
  return code ? code.binaryData : 'jsQR found no symbol';
}
