/**
 * The font asset parser: what make-font packs reads back glyph for glyph, and any damaged
 * asset (truncated, bit-flipped, random) is refused with a FontError, never another error.
 */
import fc from 'fast-check';
import { FONT_GLYPH_SIZE, FontError, parseFont, type UiFont } from '../../firmware/core/ui/font';
import { packFont, type FontSource, type GlyphBitmap } from '../../host-sim/tools/make-font';
import { committedFont } from './uiFont';

const bitOf = (g: GlyphBitmap, x: number, y: number): boolean => (g.rows[y * Math.ceil(g.width / 8) + (x >> 3)] & (0x80 >> (x & 7))) !== 0;

const glyphArb = (codePoint: number, lineHeight: number): fc.Arbitrary<GlyphBitmap> =>
  fc
    .record({ width: fc.integer({ min: 0, max: 40 }), height: fc.integer({ min: 0, max: lineHeight }), advance: fc.integer({ min: 0, max: 255 }) })
    .chain(({ width, height, advance }) =>
      fc
        .uint8Array({ minLength: height * Math.ceil(width / 8), maxLength: height * Math.ceil(width / 8) })
        .map((rows) => ({ codePoint, width, height, advance, rows })),
    );

const sourceArb: fc.Arbitrary<FontSource> = fc
  .record({
    lineHeight: fc.integer({ min: 1, max: 32 }),
    codePoints: fc.uniqueArray(fc.integer({ min: 0, max: 0x10ffff }), { minLength: 1, maxLength: 24 }),
  })
  .chain(({ lineHeight, codePoints }) =>
    fc.record({
      lineHeight: fc.constant(lineHeight),
      baseline: fc.integer({ min: 0, max: lineHeight }),
      fallbackCodePoint: fc.constantFrom(...codePoints),
      glyphs: fc.tuple(...codePoints.map((c) => glyphArb(c, lineHeight))),
    }),
  );

/** A small valid asset to damage: '?' as fallback, a few Latin and CJK-sized glyphs. */
function sampleAsset(): Uint8Array {
  const glyph = (codePoint: number, width: number, seed: number): GlyphBitmap => {
    const rows = new Uint8Array(16 * Math.ceil(width / 8)).map((_, i) => (i * 37 + seed) & 0xff);
    return { codePoint, width, height: 16, advance: width, rows };
  };
  return packFont({ lineHeight: 16, baseline: 14, fallbackCodePoint: 0x3f, glyphs: [glyph(0x20, 8, 0), glyph(0x3f, 8, 1), glyph(0x41, 8, 2), glyph(0x4e2d, 16, 3), glyph(0x6587, 16, 4)] });
}

/** Parses, and if that succeeds uses every glyph, so a bad offset that slipped through would show. */
function parseAndUse(bytes: Uint8Array): UiFont {
  const font = parseFont(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tableOffset = view.getUint32(20, true);
  let text = '';
  for (let i = 0; i < font.glyphCount; i++) {
    const codePoint = view.getUint32(tableOffset + i * FONT_GLYPH_SIZE, true);
    const glyph = font.glyph(codePoint);
    expect(glyph.codePoint).toBe(codePoint);
    expect(glyph.x + glyph.width).toBeLessThanOrEqual(font.atlasWidth);
    expect(glyph.y + glyph.height).toBeLessThanOrEqual(font.atlasHeight);
    expect((glyph.y + glyph.height) * font.atlasStride).toBeLessThanOrEqual(font.atlas.length);
    for (let y = 0; y < glyph.height; y++) for (let x = 0; x < glyph.width; x++) font.ink(glyph, x, y);
    if (codePoint >= 0x20 && codePoint <= 0xffff && (codePoint < 0xd800 || codePoint > 0xdfff)) text += String.fromCodePoint(codePoint);
  }
  font.measure(text + '\u{1F600}');
  font.missing(text + '\u{1F600}');
  return font;
}

function expectFontError(bytes: Uint8Array, code?: string): void {
  let caught: unknown;
  try {
    parseAndUse(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FontError);
  if (code) expect((caught as FontError).code).toBe(code);
}

describe('font asset round trip', () => {
  test('every packed glyph reads back with its metrics and pixels', () => {
    fc.assert(
      fc.property(sourceArb, (source) => {
        const font = parseFont(packFont(source, 64));
        expect([font.lineHeight, font.baseline, font.glyphCount, font.fallbackCodePoint]).toEqual([
          source.lineHeight,
          source.baseline,
          source.glyphs.length,
          source.fallbackCodePoint,
        ]);
        expect(font.atlasWidth % 32).toBe(0);
        for (const g of source.glyphs) {
          const read = font.glyph(g.codePoint);
          expect([read.codePoint, read.width, read.height, read.advance]).toEqual([g.codePoint, g.width, g.height, g.advance]);
          for (let y = 0; y < g.height; y++) for (let x = 0; x < g.width; x++) if (font.ink(read, x, y) !== bitOf(g, x, y)) throw new Error(`U+${g.codePoint.toString(16)} pixel ${x},${y}`);
          expect(font.has(g.codePoint)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('an unknown code point gets the fallback glyph, and is reported missing once', () => {
    const font = parseFont(sampleAsset());
    expect(font.glyph(0x1f600).codePoint).toBe(0x3f);
    expect(font.has(0x1f600)).toBe(false);
    expect(font.measure('A中?\u{1F600}')).toBe(8 + 16 + 8 + 8);
    expect(font.missing('AxA中yx')).toEqual([0x78, 0x79]);
  });

  test('glyphs at the edges of the search blocks and past the BMP are found; measure adds the packed advances', () => {
    // Code points either side of the 1,024-code-point blocks the parser indexes, ASCII's ends, and the supplementary planes.
    const codePoints = [0x1f, 0x20, 0x3f, 0x7e, 0x7f, 0x80, 0x3ff, 0x400, 0x4e2d, 0xd7ff, 0xe000, 0xfbff, 0xfc00, 0xffff, 0x10000, 0x1f600, 0x10ffff];
    const glyphs = codePoints.map((codePoint, i) => ({ codePoint, width: 0, height: 0, advance: i + 1, rows: new Uint8Array(0) }));
    const font = parseFont(packFont({ lineHeight: 16, baseline: 14, fallbackCodePoint: 0x3f, glyphs }));
    const advance = (codePoint: number): number => codePoints.indexOf(codePoint) + 1;
    for (const codePoint of codePoints) {
      expect(font.has(codePoint)).toBe(true);
      expect(font.glyph(codePoint).advance).toBe(advance(codePoint));
    }
    for (const absent of [0, 0x21, 0x81, 0x3fe, 0x401, 0xfffe, 0x10001, 0x1f5ff]) expect(font.has(absent)).toBe(false);
    // '?' stands in for what is absent (A, U+1F601, a lone surrogate); a pair counts once.
    const text = ' ?~\x7f\x80A\u4e2d\uffff\u{1F600}\u{1F601}\ud800\u{10FFFF}';
    const expected = [0x20, 0x3f, 0x7e, 0x7f, 0x80, 0x3f, 0x4e2d, 0xffff, 0x1f600, 0x3f, 0x3f, 0x10ffff].reduce((sum, c) => sum + advance(c), 0);
    expect(font.measure(text)).toBe(expected);
  });

  test('packing is deterministic: the same glyphs in any order give the same bytes', () => {
    fc.assert(
      fc.property(sourceArb, (source) => {
        const reversed = { ...source, glyphs: [...source.glyphs].reverse() };
        expect(packFont(reversed, 64)).toEqual(packFont(source, 64));
      }),
      { numRuns: 50 },
    );
  });

  test('the committed asset has 32-bit rows, 16 px lines and a □ for unknown characters', () => {
    const font = committedFont();
    expect([font.lineHeight, font.baseline, font.atlasWidth % 32, font.atlasStride * 8]).toEqual([16, 14, 0, font.atlasWidth]);
    expect(font.atlas.byteOffset % 4).toBe(0);
    expect(font.fallbackCodePoint).toBe(0x25a1);
    expect([font.glyph(0x41).advance, font.glyph(0x4e2d).advance]).toEqual([8, 16]);
  });
});

describe('damaged font assets', () => {
  const base = sampleAsset();
  const patched = (write: (view: DataView) => void): Uint8Array => {
    const copy = base.slice();
    write(new DataView(copy.buffer));
    return copy;
  };

  test('each kind of damage has its own code', () => {
    expectFontError(base.subarray(0, 31), 'truncated');
    expectFontError(base.subarray(0, base.length - 1), 'truncated');
    expectFontError(new Uint8Array([...base, 0]), 'trailing-bytes');
    expectFontError(patched((v) => v.setUint8(0, 0x59)), 'bad-magic');
    expectFontError(patched((v) => v.setUint16(4, 2, true)), 'bad-version');
    expectFontError(patched((v) => v.setUint16(8, 0, true)), 'bad-header');
    expectFontError(patched((v) => v.setUint16(10, 17, true)), 'bad-header');
    expectFontError(patched((v) => v.setUint16(14, 240, true)), 'bad-header');
    expectFontError(patched((v) => v.setUint32(20, 8, true)), 'bad-offset');
    expectFontError(patched((v) => v.setUint32(24, 40, true)), 'bad-offset');
    expectFontError(patched((v) => v.setUint32(28, 0x42, true)), 'no-fallback');
    expectFontError(patched((v) => v.setUint32(32, 0x50, true)), 'unsorted');
    expectFontError(patched((v) => v.setUint16(36, 250, true)), 'bad-glyph');
    expectFontError(patched((v) => v.setUint8(41, 17)), 'bad-glyph');
    expectFontError(patched((v) => v.setUint8(43, 1)), 'bad-glyph');
  });

  test('any truncation is refused with a FontError', () => {
    for (let length = 0; length < base.length; length++) expectFontError(base.subarray(0, length));
  });

  test('mutated bytes give a usable font or a FontError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        (edits, cut) => {
          const bytes = base.slice();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const damaged = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
          try {
            parseAndUse(damaged);
          } catch (error) {
            if (!(error instanceof FontError)) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('mutations of the header fields that matter most give only FontErrors', () => {
    const fields = [6, 8, 10, 12, 14, 16, 18, 20, 24, 28];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.integer({ min: 0, max: 0xffff }), (at, value) => {
        const bytes = base.slice();
        new DataView(bytes.buffer).setUint16(at, value, true);
        try {
          parseAndUse(bytes);
        } catch (error) {
          if (!(error instanceof FontError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('random bytes, with or without a valid magic, give only FontErrors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (random, magic) => {
        const bytes = random.slice();
        if (magic && bytes.length >= 6) bytes.set([0x58, 0x53, 0x50, 0x46, 1, 0]);
        try {
          parseAndUse(bytes);
        } catch (error) {
          if (!(error instanceof FontError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
