/** The committed UI font asset, parsed, and the sample terminal data the screen tests use. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseFont, type UiFont } from '../../firmware/core/ui/font';

export const FONT_ASSET = path.resolve(__dirname, '../../firmware/assets/ui-font.bin');

export function committedFont(): UiFont {
  return parseFont(new Uint8Array(readFileSync(FONT_ASSET)));
}
