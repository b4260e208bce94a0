/**
 * The display port on Commodetto Poco, drawing the core's display lists on the board's
 * screen (ILI9341 over SPI on the Moddable Two, the skin's screen in the simulator).
 *
 * Text comes from the UI font asset, linked into the firmware as the resource "ui-font.bin"
 * and read in place (on the board a Resource is a view of flash; nothing is copied). One 1-bit
 * Bitmap.Monochrome spans the font's whole atlas; each glyph is drawn from its rectangle of
 * that atlas with the background left transparent, exactly as host-sim's rasterizer draws it.
 */
import Bitmap from 'commodetto/Bitmap';
import Poco from 'commodetto/Poco';
import type PixelsOut from 'commodetto/PixelsOut';
import { PortError, type DisplayPort } from '../../core/ports';
import type { DisplayList, DisplayOp } from '../../core/ui/displayList';
import { PANEL_HEIGHT, PANEL_WIDTH } from '../../core/ui/displayList';
import { parseFont, type UiFont } from '../../core/ui/font';
import { errorText } from '../../core/errorText';
import { planBands } from './bandPlan';

/**
 * One display-list record costs at most this many bytes on a 32-bit target (the monochrome
 * bitmap record, the largest we use, is 28; Poco grows the list by half on 64-bit hosts).
 */
const RECORD_BYTES = 32;

type PocoInstance = InstanceType<typeof Poco>;

export interface PocoDisplayOptions {
  /** The screen driver (globalThis.screen); undefined when the build has none. */
  screen: PixelsOut | undefined;
  /** The font asset's bytes: a view over the "ui-font.bin" resource. */
  font: Uint8Array;
  /** Names the controller in status(), e.g. "ILI9341". */
  controller: string;
  /** Bytes of Poco display list; each band of the screen is drawn within it. */
  displayListBytes: number;
}

export class PocoDisplay implements DisplayPort {
  readonly width: number;
  readonly height: number;
  readonly font: Uint8Array;
  readonly #poco: PocoInstance | undefined;
  readonly #controller: string;
  readonly #maxRecords: number;
  /** Undefined with the reason in #fontProblem when the asset does not parse. */
  readonly #uiFont: UiFont | undefined;
  readonly #atlas: Bitmap | undefined;
  readonly #fontProblem: string | undefined;

  constructor(options: PocoDisplayOptions) {
    const { screen } = options;
    this.width = screen?.width ?? 0;
    this.height = screen?.height ?? 0;
    this.font = options.font;
    this.#controller = options.controller;
    this.#maxRecords = Math.floor(options.displayListBytes / RECORD_BYTES);
    this.#poco = screen ? new Poco(screen, { displayListLength: options.displayListBytes }) : undefined;
    try {
      const font = parseFont(options.font);
      // The atlas is a view into the font asset; its byteOffset is where it starts in the resource.
      this.#atlas = new Bitmap(font.atlasWidth, font.atlasHeight, Bitmap.Monochrome, font.atlas.buffer, font.atlas.byteOffset);
      this.#uiFont = font;
    } catch (error) {
      this.#fontProblem = errorText(error);
    }
  }

  /**
   * Poco cannot read the ILI9341 back (the Moddable Two wires it write-only), so "ready" means
   * what software can know: a screen driver exists and it is the 240×320 portrait panel.
   */
  status(): { ready: boolean; controller: string } {
    const ready = this.#poco !== undefined && this.width === PANEL_WIDTH && this.height === PANEL_HEIGHT;
    return { ready, controller: this.#poco ? this.#controller : 'no screen driver' };
  }

  /** @throws PortError 'display' without a screen or a usable font, when the list cannot be banded, or when Poco fails */
  draw(list: DisplayList): void {
    const poco = this.#poco;
    const font = this.#uiFont;
    const atlas = this.#atlas;
    if (!poco) throw new PortError('display', 'no screen driver in this build');
    if (!font || !atlas) throw new PortError('display', `font unusable: ${this.#fontProblem ?? 'not parsed'}`);
    let bands;
    try {
      bands = planBands(list, font.lineHeight, this.#maxRecords);
    } catch (error) {
      throw new PortError('display', errorText(error));
    }
    // A list with an area repaints only that rectangle; the panel keeps the rest.
    const clip = list.area ?? { x: 0, y: 0, w: this.width, h: this.height };
    try {
      const background = color(poco, list.background);
      for (const band of bands) {
        const top = Math.max(0, clip.y, band.top);
        const bottom = Math.min(this.height, clip.y + clip.h, band.bottom);
        if (bottom <= top) continue;
        // begin() clips every call to the band, and the band to the panel.
        poco.begin(clip.x, top, clip.w, bottom - top);
        poco.fillRectangle(background, clip.x, top, clip.w, bottom - top);
        for (const op of list.ops) {
          if (op.op === 'rect') this.#rect(poco, op, top, bottom);
          else if (op.op === 'bits') this.#bits(poco, op, top, bottom);
          else this.#text(poco, font, atlas, op, top, bottom);
        }
        poco.end();
      }
    } catch (error) {
      throw new PortError('display', `drawing failed: ${errorText(error)}`);
    }
  }

  #rect(poco: PocoInstance, op: Extract<DisplayOp, { op: 'rect' }>, top: number, bottom: number) {
    // Clamped here as well: Poco coordinates are 16-bit, and a clamped rect is the same pixels.
    const y0 = Math.max(top, Math.floor(op.y));
    const y1 = Math.min(bottom, Math.floor(op.y + op.h));
    const x0 = Math.max(0, Math.floor(op.x));
    const x1 = Math.min(this.width, Math.floor(op.x + op.w));
    if (x1 > x0 && y1 > y0) poco.fillRectangle(color(poco, op.color), x0, y0, x1 - x0, y1 - y0);
  }

  /** One fillRectangle per run of set bits in each cell row the band touches (bandPlan.ts budgets the same). */
  #bits(poco: PocoInstance, op: Extract<DisplayOp, { op: 'bits' }>, top: number, bottom: number) {
    const x = Math.floor(op.x);
    const y = Math.floor(op.y);
    const { w, scale, bits } = op;
    if (scale <= 0) return;
    const ink = color(poco, op.color);
    const first = Math.max(0, Math.floor((top - y) / scale));
    const last = Math.min(op.h, Math.ceil((bottom - y) / scale));
    const set = (n: number) => (bits[n >> 3] >> (7 - (n & 7))) & 1;
    for (let r = first; r < last; r++) {
      const y0 = Math.max(top, y + r * scale);
      const y1 = Math.min(bottom, y + (r + 1) * scale);
      for (let c = 0; c < w; c++) {
        if (!set(r * w + c)) continue;
        let end = c + 1;
        while (end < w && set(r * w + end)) end++;
        const x0 = Math.max(0, x + c * scale);
        const x1 = Math.min(this.width, x + end * scale);
        if (x1 > x0 && y1 > y0) poco.fillRectangle(ink, x0, y0, x1 - x0, y1 - y0);
        c = end;
      }
    }
  }

  #text(poco: PocoInstance, font: UiFont, atlas: Bitmap, op: Extract<DisplayOp, { op: 'text' }>, top: number, bottom: number) {
    const y = Math.floor(op.y);
    if (y >= bottom || y + font.lineHeight <= top) return;
    const ink = color(poco, op.color);
    let x = Math.floor(op.x);
    for (const ch of op.text) {
      if (x >= this.width) break;
      const glyph = font.glyph(ch.codePointAt(0) as number);
      // Glyph tops sit on the line top (font.ts); Poco clips the cell to the band.
      if (glyph.width > 0 && glyph.height > 0 && x + glyph.width > 0)
        poco.drawMonochrome(atlas, ink, undefined, x, y, glyph.x, glyph.y, glyph.width, glyph.height);
      x += glyph.advance;
    }
  }
}

/** 0xRRGGBB to the panel's pixel format (RGB565 big-endian on the ESP32 build, little-endian in the simulator). */
function color(poco: PocoInstance, rgb: number): number {
  return poco.makeColor((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
}
