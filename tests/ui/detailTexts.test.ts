/**
 * Probe details in the screen's language: given every self-test of every shipped scenario, a
 * Chinese screen shows each probe's facts in Chinese (values carried over unchanged), never
 * the English detail; a detail no form knows gets a Chinese note instead of English text.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeResult, SelfTestReport } from '../../firmware/core/selftest/types';
import { detailText, zhDetail, zhDetailVocabulary, ZH_DETAIL_FALLBACK } from '../../firmware/core/ui/detailTexts';
import { renderSelfTestPage, selfTestPageCount } from '../../firmware/core/ui/selfTestScreens';
import { loadScenario, SCENARIO_DIR } from '../../host-sim/scenario/load';
import { runInWorld } from '../../host-sim/world';
import { textOps } from './screenChecks';
import { committedFont } from './uiFont';

const font = committedFont();

/** Every distinct (code, detail) the shipped scenarios' self-tests produce. */
async function scenarioResults(): Promise<ProbeResult[]> {
  const seen = new Map<string, ProbeResult>();
  for (const file of readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const scenario = loadScenario(join(SCENARIO_DIR, file), { lang: 'zh' });
    const { report } = (await runInWorld(scenario)).outcome;
    for (const run of report.selfTests) for (const r of run.results) seen.set(`${r.code}\n${r.detail}`, r);
  }
  return [...seen.values()];
}

describe('details on Chinese screens', () => {
  let results: ProbeResult[] = [];
  beforeAll(async () => {
    results = await scenarioResults();
  }, 120_000);

  test('every detail a shipped scenario produces has a Chinese form (a probe that rewords its detail needs its form changed)', () => {
    expect(results.length).toBeGreaterThan(30);
    const missing = results.filter((r) => r.detail !== '' && zhDetail(r.code, r.detail) === undefined).map((r) => `${r.code}: ${r.detail}`);
    expect(missing).toEqual([]);
  });

  test('the Chinese forms keep the values and have every glyph in the font', () => {
    for (const r of results) {
      const zh = detailText('zh', r.code, r.detail);
      expect([r.code, font.missing(zh)]).toEqual([r.code, []]);
      // Dates, hex check values and digests, and counts cross over unchanged (a configuration
      // error's reason is the finding itself, already said in Chinese above it: its form names the field).
      if (/^config\..*-(invalid|missing)$/.test(r.code)) continue;
      for (const value of r.detail.match(/\d{4}-\d\d-\d\d(T[\d:]+Z)?|\b[0-9A-F]{8}\b|[0-9a-f]{16}…|\b\d+\b/g) ?? []) expect([r.code, zh]).toEqual([r.code, expect.stringContaining(value)]);
    }
    expect(font.missing(zhDetailVocabulary().join(''))).toEqual([]);
  });

  test('a zh detail page shows the Chinese form, not the English detail', () => {
    const result = results.find((r) => r.code === 'keys.kcv-mismatch' && r.detail.startsWith('last key block refused'));
    expect(result).toBeDefined();
    const report: SelfTestReport = { seq: 1, trigger: 'boot', startedUptimeMs: 0, startedWallMs: 0, durationMs: 0, verdict: 'fail', results: [result as ProbeResult] };
    const view = { lang: 'zh' as const, font, keys: 'one-button' as const, firmwareVersion: '0.1.0' };
    const shown = Array.from({ length: selfTestPageCount(report, view) }, (_, page) => textOps(renderSelfTestPage(report, page, view)).map((op) => op.text).join('')).join('');
    expect(shown).toContain('最近一次下发的密钥被拒绝');
    expect(shown).not.toMatch(/refused|host sent|still using/);
  });
});

describe('the forms', () => {
  test('say the facts in Chinese', () => {
    expect(zhDetail('rtc.before-build', 'rtc 1970-01-01T00:00:05Z, build 2026-11-20T08:00:00Z')).toBe('时钟 1970-01-01T00:00:05Z，固件构建于 2026-11-20T08:00:00Z');
    expect(zhDetail('keys.ok', 'generation 3: pin KCV 422A26AA, mac KCV 76CDB553')).toBe('第 3 代：PIN 密钥 KCV 422A26AA，MAC 密钥 KCV 76CDB553');
    expect(zhDetail('keypad.stuck', 'held: down menu')).toBe('被按住的键：▼ 菜单');
    expect(zhDetail('cert.expired', '10240001 expired 2026-06-30')).toBe('10240001 已于 2026-06-30 过期');
    expect(zhDetail('image.read-error', 'read failed: flash-io: bus error at 0x1000')).toBe('读取失败：错误代码 flash-io');
    expect(zhDetail('system.rtc.timeout', 'system.rtc gave no answer within 1000 ms')).toBe('system.rtc 在 1000 ms 内没有结果');
    expect(zhDetail('keys.kcv-mismatch', 'pin, mac key no longer gives its check value')).toBe('PIN 密钥、MAC 密钥与其校验值不再一致');
  });

  test('a detail no form knows is shown as a Chinese note, never in English; English screens show the detail as it is', () => {
    expect(detailText('zh', 'network.link-down', 'no carrier on eth0')).toBe(ZH_DETAIL_FALLBACK);
    expect(detailText('zh', 'keys.ok', 'generation 3: pin KCV 422A26AA, foo KCV 1')).toBe(ZH_DETAIL_FALLBACK);
    // Cut at the report's detail limit: the shape no longer holds.
    expect(detailText('zh', 'rtc.ok', 'rtc 2026-11-26T09:00:00Z, bui…')).toBe(ZH_DETAIL_FALLBACK);
    expect(detailText('zh', 'toString', 'x')).toBe(ZH_DETAIL_FALLBACK);
    expect(detailText('en', 'network.link-down', 'no carrier on eth0')).toBe('no carrier on eth0');
    expect(detailText('zh', 'rtc.ok', '')).toBe('');
  });
});
