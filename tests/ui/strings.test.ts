/**
 * Every string a screen can show is drawable: its characters are in the committed font
 * asset. Adding a character to a table without running make-font fails here.
 */
import { CODE_TEXTS, PROBE_TITLES, codeText, probeTitle } from '../../firmware/core/ui/probeStrings';
import { DETAIL_SYMBOLS, LANGS, STRINGS, UI_SYMBOLS, localize, type StringKey } from '../../firmware/core/ui/strings';
import { uiCharacterSet } from '../../host-sim/tools/make-font';
import { committedFont } from './uiFont';

const font = committedFont();
const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;
const placeholders = (text: string): string[] => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]).sort();
const hex = (codePoints: number[]): string[] => codePoints.map((c) => `U+${c.toString(16).toUpperCase().padStart(4, '0')} ${String.fromCodePoint(c)}`);

/** Every table entry as [where, text], in both languages. */
function everyString(): [string, string][] {
  const all: [string, string][] = [];
  for (const lang of LANGS) {
    for (const [key, text] of Object.entries(STRINGS[lang])) all.push([`${lang} ${key}`, text]);
    for (const [id, text] of Object.entries(PROBE_TITLES[lang])) all.push([`${lang} title ${id}`, text]);
    for (const [code, text] of Object.entries(CODE_TEXTS[lang])) {
      all.push([`${lang} ${code} message`, text.message]);
      all.push([`${lang} ${code} remedy`, text.remedy]);
    }
  }
  return all;
}

describe('string tables', () => {
  test.each(everyString())('%s has every glyph in ui-font.bin, parameters filled in', (where, text) => {
    const filled = text.replace(PLACEHOLDER, 'Az09-#.:/');
    expect({ where, missing: hex(font.missing(filled)) }).toEqual({ where, missing: [] });
  });

  test('the screen symbols, detail symbols and printable ASCII are in the font', () => {
    const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    expect(hex(font.missing(Object.values(UI_SYMBOLS).join('') + DETAIL_SYMBOLS + ascii))).toEqual([]);
    expect(hex(font.missing(String.fromCodePoint(...uiCharacterSet())))).toEqual([]);
  });

  test('both languages take the same parameters for every key', () => {
    for (const key of Object.keys(STRINGS.en) as StringKey[]) expect([key, placeholders(STRINGS.zh[key])]).toEqual([key, placeholders(STRINGS.en[key])]);
  });

  test('both languages describe the same probes and codes', () => {
    expect(Object.keys(PROBE_TITLES.zh).sort()).toEqual(Object.keys(PROBE_TITLES.en).sort());
    expect(Object.keys(CODE_TEXTS.zh).sort()).toEqual(Object.keys(CODE_TEXTS.en).sort());
    expect(Object.keys(STRINGS.zh).sort()).toEqual(Object.keys(STRINGS.en).sort());
  });

  test('no string is empty and none carries stray white space', () => {
    for (const [where, text] of everyString()) expect([where, text.trim() === text && text.length > 0]).toEqual([where, true]);
  });

  test('the tables cannot be changed at run time', () => {
    expect(Object.isFrozen(STRINGS.zh) && Object.isFrozen(STRINGS.en) && Object.isFrozen(CODE_TEXTS.zh)).toBe(true);
  });
});

describe('localize', () => {
  test('fills parameters and leaves unknown ones visible', () => {
    expect(localize('en', 'keys.pad.page', { page: 2, pages: 8 })).toBe('▲▼ Page 2/8');
    expect(localize('zh', 'page.number', { page: 2, pages: 8 })).toBe('第 2/8 页');
    expect(localize('en', 'page.number', { page: 2 })).toBe('Page 2/{pages}');
    expect(localize('en', 'selftest.run', { seq: '$&' })).toBe('Run #$&');
  });

  test('status words are the ones the technician is trained on', () => {
    expect(['pass', 'warn', 'fail', 'skip'].map((s) => localize('zh', `status.${s}` as StringKey))).toEqual(['通过', '警告', '失败', '跳过']);
    expect(['pass', 'warn', 'fail', 'skip'].map((s) => localize('en', `status.${s}` as StringKey))).toEqual(['PASS', 'WARN', 'FAIL', 'SKIP']);
  });
});

describe('probe texts', () => {
  test('a known code has its own finding and remedy', () => {
    expect(codeText('zh', 'rtc.before-build').message).toBe('时钟早于固件构建时间。');
    expect(codeText('en', 'keypad.stuck').remedy).toMatch(/stuck key/);
  });

  test('timeouts and crashes, with or without a probe id in front, share the generic texts', () => {
    expect(codeText('en', 'probe.timeout')).toBe(CODE_TEXTS.en['probe.timeout']);
    expect(codeText('en', 'system.rtc.timeout')).toBe(CODE_TEXTS.en['probe.timeout']);
    expect(codeText('zh', 'device.keypad.crashed')).toBe(CODE_TEXTS.zh['probe.crashed']);
  });

  test('an unknown code falls back to the support order, and an unknown probe to its id', () => {
    expect(codeText('en', 'network.link-down')).toBe(CODE_TEXTS.en['code.unknown']);
    expect(codeText('en', 'toString')).toBe(CODE_TEXTS.en['code.unknown']);
    expect(probeTitle('zh', 'system.rtc')).toBe('时钟');
    expect(probeTitle('en', 'network.signal')).toBe('network.signal');
  });
});
