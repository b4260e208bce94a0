/**
 * Minimal PNG encoder (ISO/IEC 15948): 8-bit truecolour, no interlace, filter type 0 on
 * every row, one IDAT from zlib at a fixed level, no ancillary chunks (no time stamp), so
 * the same pixels always give the same bytes and screenshots can be compared as files.
 */
import { deflateSync } from 'node:zlib';
import { crc32, crc32Table } from '../../firmware/core/store/crc32';
import type { RgbImage } from './raster';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function encodePng(image: RgbImage): Uint8Array {
  const { width, height, rgb } = image;
  if (rgb.length !== width * height * 3) throw new RangeError(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  const table = crc32Table();

  const ihdr = new Uint8Array(13);
  const header = new DataView(ihdr.buffer);
  header.setUint32(0, width);
  header.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  // compression 0 (deflate), filter method 0, interlace 0: already zero

  const rowBytes = width * 3;
  const raw = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const idat = new Uint8Array(deflateSync(raw, { level: 9 }));

  const chunks = [chunk(table, 'IHDR', ihdr), chunk(table, 'IDAT', idat), chunk(table, 'IEND', new Uint8Array(0))];
  const out = new Uint8Array(SIGNATURE.length + chunks.reduce((n, c) => n + c.length, 0));
  out.set(SIGNATURE, 0);
  let at = SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Length, type, data, CRC-32 of type and data (PNG §5.3). */
function chunk(table: Uint32Array, type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(table, out.subarray(4, 8 + data.length)));
  return out;
}
