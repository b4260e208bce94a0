/**
 * A screen as data: what to draw on the 240×320 portrait panel, in order. The device adapter
 * draws it with Poco, host-sim rasterizes it to PNG; both read glyphs from the same font asset.
 */

/** 0xRRGGBB. Adapters convert to the panel's pixel format (RGB565 on ILI9341). */
export type Color = number;

export type DisplayOp =
  /** A filled rectangle. */
  | { op: 'rect'; x: number; y: number; w: number; h: number; color: Color }
  /** One line of text, top-left at (x, y), in the UI font; glyphs with set bits get `color`. */
  | { op: 'text'; x: number; y: number; text: string; color: Color }
  /**
   * A w×h grid of cells (a QR symbol), top-left at (x, y): `bits` row-major, packed MSB first
   * across row ends (cell (c, r) is bit 7 − (n & 7) of byte n >> 3, n = r × w + c); each set bit
   * is a scale×scale square of `color`, clear bits leave what is under them.
   */
  | { op: 'bits'; x: number; y: number; w: number; h: number; scale: number; bits: Uint8Array; color: Color };

/** A rectangle of the panel. */
export interface Area {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface DisplayList {
  readonly width: number;
  readonly height: number;
  /** Fills the whole panel (or only `area`) before the ops. */
  readonly background: Color;
  readonly ops: readonly DisplayOp[];
  /**
   * When set, the list repaints only this rectangle (its ops lie inside it) and leaves the rest
   * of the panel as it was: the idle screen's clock, refreshed each minute without laying out
   * and sending the whole screen again.
   */
  readonly area?: Area;
}

export const PANEL_WIDTH = 240;
export const PANEL_HEIGHT = 320;
