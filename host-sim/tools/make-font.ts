/**
 * Builds the UI font asset, firmware/assets/ui-font.bin (layout: firmware/core/ui/font.ts),
 * from GNU Unifont: every character of the string tables and of the Chinese forms of probe
 * details, printable ASCII and the symbols the screens and probe details use. Unifont is 8×16 (Latin) and 16×16 (CJK) bitmaps, so
 * the output is byte-for-byte deterministic for a given unifont.hex.
 *
 *   npx ts-node host-sim/tools/make-font.ts [unifont.hex] [out.bin]
 *
 * Run it after changing strings.ts, probeStrings.ts, authTexts.ts, hostTexts.ts, detailTexts.ts,
 * diagnosisTexts.ts, activationTexts.ts
 * or a shipped acquirer profile's response-code texts (host-sim/scenarios/profiles) and commit
 * the result: tests/ui check the committed font covers every string, and (with the Debian
 * package unifont, which .ci/run installs) that it is exactly what this tool builds.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FONT_GLYPH_SIZE, FONT_HEADER_SIZE, FONT_MAGIC, FONT_VERSION } from '../../firmware/core/ui/font';
import { CODE_TEXTS, PROBE_TITLES } from '../../firmware/core/ui/probeStrings';
import { DETAIL_SYMBOLS, LANGS, LIST_SEPARATORS, STRINGS, UI_SYMBOLS } from '../../firmware/core/ui/strings';
import { zhDetailVocabulary } from '../../firmware/core/ui/detailTexts';
import { UNLISTED_RESPONSE } from '../../firmware/core/config/responseCodes';
import { AMOUNT_SYMBOLS } from '../../firmware/core/ui/transactionScreens';
import { CAUSE_NAMES, DIAGNOSIS_LABELS, REMEDY_TEXTS } from '../../firmware/core/ui/diagnosisTexts';
import { ACTIVATION_LABELS, NEVER_ACTIVATED, REFUSAL_TEXTS, STAGE_MARKS } from '../../firmware/core/ui/activationTexts';
import { FONT_PATH } from '../world';

export const UNIFONT_PATH = '/usr/share/unifont/unifont.hex';
/** □, drawn for any character the font lacks (tests make sure none is ever needed). */
export const FALLBACK_CODE_POINT = 0x25a1;
/** Unifont cells are 16 px tall; Latin letters sit on row 14, leaving 2 rows for descenders. */
const UNIFONT_LINE_HEIGHT = 16;
const UNIFONT_BASELINE = 14;
const ATLAS_WIDTH = 256;

/** One glyph bitmap: `height` rows of ⌈width/8⌉ bytes, most significant bit leftmost. */
export interface GlyphBitmap {
  codePoint: number;
  width: number;
  height: number;
  advance: number;
  rows: Uint8Array;
}

export interface FontSource {
  lineHeight: number;
  baseline: number;
  fallbackCodePoint: number;
  glyphs: readonly GlyphBitmap[];
}

export const PROFILES_DIR = path.join(__dirname, '..', 'scenarios', 'profiles');

/**
 * The response-code texts of the shipped acquirer profiles (data, not code, but the screens
 * show them: a host's answer in its own words). A provisioned profile with a character the font
 * lacks is shown with the category's own text instead (ui/transactionScreens.ts).
 */
export function profileTexts(dir = PROFILES_DIR): string[] {
  const texts = [UNLISTED_RESPONSE.zh, UNLISTED_RESPONSE.en, AMOUNT_SYMBOLS];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const codes = JSON.parse(readFileSync(path.join(dir, file), 'utf8')).responseCodes as Record<string, unknown>;
    for (const entry of Object.values(codes ?? {})) {
      const [, zh, en] = Array.isArray(entry) ? entry : [undefined, (entry as { zh?: unknown }).zh, (entry as { en?: unknown }).en];
      for (const text of [zh, en]) if (typeof text === 'string') texts.push(text);
    }
  }
  return texts;
}

/** Every code point the screens can draw, ascending. */
export function uiCharacterSet(): number[] {
  const texts: string[] = [Object.values(UI_SYMBOLS).join(''), ...Object.values(STAGE_MARKS), DETAIL_SYMBOLS, String.fromCodePoint(FALLBACK_CODE_POINT), ...Object.values(LIST_SEPARATORS), ...zhDetailVocabulary(), ...profileTexts()];
  for (let c = 0x20; c <= 0x7e; c++) texts.push(String.fromCharCode(c));
  for (const lang of LANGS) {
    texts.push(...Object.values(STRINGS[lang]), ...Object.values(PROBE_TITLES[lang]));
    for (const text of Object.values(CODE_TEXTS[lang])) texts.push(text.message, text.remedy);
    texts.push(...Object.values(CAUSE_NAMES[lang]), ...Object.values(DIAGNOSIS_LABELS[lang]), ...Object.values(ACTIVATION_LABELS[lang]), NEVER_ACTIVATED[lang]);
    for (const text of [...Object.values(REMEDY_TEXTS[lang]), ...Object.values(REFUSAL_TEXTS[lang])]) texts.push(...Object.values(text));
  }
  const set = new Set<number>();
  for (const text of texts) for (const ch of text) if ((ch.codePointAt(0) as number) >= 0x20) set.add(ch.codePointAt(0) as number);
  return [...set].sort((a, b) => a - b);
}

/** Reads the glyphs in `wanted` from unifont.hex text ("XXXX:" + 32 or 64 hex digits a line). */
export function parseUnifontHex(text: string, wanted: ReadonlySet<number>): Map<number, GlyphBitmap> {
  const glyphs = new Map<number, GlyphBitmap>();
  for (const line of text.split('\n')) {
    const match = /^([0-9A-Fa-f]{4,6}):([0-9A-Fa-f]+)\s*$/.exec(line);
    if (!match) continue;
    const codePoint = parseInt(match[1], 16);
    if (!wanted.has(codePoint)) continue;
    const digits = match[2];
    if (digits.length !== 32 && digits.length !== 64) throw new Error(`unifont U+${match[1]}: ${digits.length} hex digits, expected 32 or 64`);
    const width = digits.length === 32 ? 8 : 16;
    const rows = new Uint8Array(digits.length / 2);
    for (let i = 0; i < rows.length; i++) rows[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
    glyphs.set(codePoint, { codePoint, width, height: 16, advance: width, rows });
  }
  return glyphs;
}

interface Placement {
  glyph: GlyphBitmap;
  x: number;
  y: number;
}

/**
 * Packs glyphs into a font asset: shelves filled tallest and widest first (ties by code
 * point), so the same glyphs always give the same bytes.
 */
export function packFont(source: FontSource, atlasWidth = ATLAS_WIDTH): Uint8Array {
  const glyphs = [...source.glyphs].sort((a, b) => a.codePoint - b.codePoint);
  if (glyphs.length === 0 || glyphs.length > 0xffff) throw new Error(`font needs 1..65535 glyphs, got ${glyphs.length}`);
  if (atlasWidth <= 0 || atlasWidth % 32 !== 0 || atlasWidth > 0xffff) throw new Error(`atlas width ${atlasWidth} is not a multiple of 32`);
  glyphs.forEach((g, i) => {
    if (i > 0 && g.codePoint === glyphs[i - 1].codePoint) throw new Error(`U+${g.codePoint.toString(16)} given twice`);
    if (g.width > 255 || g.width > atlasWidth || g.height > source.lineHeight || g.advance > 255) throw new Error(`U+${g.codePoint.toString(16)} too large`);
    if (g.rows.length !== g.height * Math.ceil(g.width / 8)) throw new Error(`U+${g.codePoint.toString(16)}: bitmap size does not match`);
  });
  if (!glyphs.some((g) => g.codePoint === source.fallbackCodePoint)) throw new Error('no glyph for the fallback code point');

  const shelfOrder = [...glyphs].sort((a, b) => b.height - a.height || b.width - a.width || a.codePoint - b.codePoint);
  const placements = new Map<number, Placement>();
  let x = 0;
  let shelfTop = 0;
  let shelfHeight = 0;
  for (const glyph of shelfOrder) {
    if (x + glyph.width > atlasWidth) {
      shelfTop += shelfHeight;
      x = 0;
      shelfHeight = 0;
    }
    placements.set(glyph.codePoint, { glyph, x, y: shelfTop });
    x += glyph.width;
    shelfHeight = Math.max(shelfHeight, glyph.height);
  }
  const atlasHeight = Math.max(1, shelfTop + shelfHeight);
  if (atlasHeight > 0xffff) throw new Error('atlas taller than 65535 px');

  const stride = atlasWidth / 8;
  const tableOffset = FONT_HEADER_SIZE;
  const atlasOffset = tableOffset + glyphs.length * FONT_GLYPH_SIZE; // 32 + 12n: 4-byte aligned
  const bytes = new Uint8Array(atlasOffset + stride * atlasHeight);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = FONT_MAGIC.charCodeAt(i);
  view.setUint16(4, FONT_VERSION, true);
  view.setUint16(6, FONT_HEADER_SIZE, true);
  view.setUint16(8, source.lineHeight, true);
  view.setUint16(10, source.baseline, true);
  view.setUint16(12, glyphs.length, true);
  view.setUint16(14, atlasWidth, true);
  view.setUint16(16, atlasHeight, true);
  view.setUint32(20, tableOffset, true);
  view.setUint32(24, atlasOffset, true);
  view.setUint32(28, source.fallbackCodePoint, true);

  glyphs.forEach((glyph, i) => {
    const { x: gx, y: gy } = placements.get(glyph.codePoint) as Placement;
    const at = tableOffset + i * FONT_GLYPH_SIZE;
    view.setUint32(at, glyph.codePoint, true);
    view.setUint16(at + 4, gx, true);
    view.setUint16(at + 6, gy, true);
    bytes[at + 8] = glyph.width;
    bytes[at + 9] = glyph.height;
    bytes[at + 10] = glyph.advance;
    const rowBytes = Math.ceil(glyph.width / 8);
    for (let row = 0; row < glyph.height; row++)
      for (let col = 0; col < glyph.width; col++) {
        if (!(glyph.rows[row * rowBytes + (col >> 3)] & (0x80 >> (col & 7)))) continue;
        const ax = gx + col;
        bytes[atlasOffset + (gy + row) * stride + (ax >> 3)] |= 0x80 >> (ax & 7);
      }
  });
  return bytes;
}

/** Builds the UI font from a unifont.hex file; throws naming any character Unifont lacks. */
export function makeUiFont(unifontHex: string): Uint8Array {
  const wanted = uiCharacterSet();
  const found = parseUnifontHex(unifontHex, new Set(wanted));
  const absent = wanted.filter((c) => !found.has(c));
  if (absent.length > 0) throw new Error(`unifont lacks ${absent.map((c) => `U+${c.toString(16).toUpperCase()}`).join(' ')}`);
  return packFont({
    lineHeight: UNIFONT_LINE_HEIGHT,
    baseline: UNIFONT_BASELINE,
    fallbackCodePoint: FALLBACK_CODE_POINT,
    glyphs: wanted.map((c) => found.get(c) as GlyphBitmap),
  });
}

if (require.main === module) {
  const [source = UNIFONT_PATH, target = FONT_PATH] = process.argv.slice(2);
  const bytes = makeUiFont(readFileSync(source, 'utf8'));
  writeFileSync(target, bytes);
  const glyphs = new DataView(bytes.buffer).getUint16(12, true);
  process.stdout.write(`${path.relative(process.cwd(), target)}: ${glyphs} glyphs, ${bytes.length} bytes\n`);
}
