/**
 * Renders every screen for a failing, a healthy and a mixed sample report, in zh and en, to PNG
 * files for a person to look at:
 *
 *   npx ts-node host-sim/tools/render-sample.ts [out-dir]     (default /tmp/xspos-screens)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SelfTestReport } from '../../firmware/core/selftest/types';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { parseFont } from '../../firmware/core/ui/font';
import { renderSelfTestPage, selfTestPageCount } from '../../firmware/core/ui/selfTestScreens';
import { LANGS } from '../../firmware/core/ui/strings';
import { renderBootScreen, renderFaultScreen, renderReadyScreen } from '../../firmware/core/ui/terminalScreens';
import { encodePng } from '../render/png';
import { rasterize } from '../render/raster';
import { FONT_ASSET_PATH } from './make-font';

const WALL = Date.UTC(2025, 2, 14, 9, 26);

export const FAILING_SAMPLE: SelfTestReport = {
  seq: 7,
  trigger: 'boot',
  startedUptimeMs: 1200,
  startedWallMs: WALL,
  durationMs: 420,
  verdict: 'fail',
  results: [
    { id: 'system.image', family: 'system', status: 'pass', code: 'image.ok', detail: 'sha256 3f9a0c1d22e47b10…, 917504 bytes', durationMs: 180 },
    { id: 'system.rtc', family: 'system', status: 'fail', code: 'rtc.before-build', detail: 'rtc 2000-01-01T00:03:10Z, build 2025-03-01T08:00:00Z', durationMs: 1 },
    { id: 'system.flash', family: 'system', status: 'warn', code: 'flash.torn-record', detail: '16×4096 B, 41 records at boot, 1 torn, 0 CRC errors, 0 bad sectors', durationMs: 35 },
    { id: 'system.memory', family: 'system', status: 'pass', code: 'memory.ok', detail: 'chunks 41210/77824 B free, slots 2910/4928 free', durationMs: 0 },
    { id: 'system.config', family: 'system', status: 'fail', code: 'config.mid-invalid', detail: 'mid: merchant ID must be 15 characters', durationMs: 2 },
    { id: 'device.display', family: 'device', status: 'fail', code: 'probe.timeout', detail: 'device.display gave no answer within 500 ms', durationMs: 500 },
    { id: 'device.keypad', family: 'device', status: 'fail', code: 'keypad.stuck', detail: 'held: 5', durationMs: 0 },
  ],
};

export const HEALTHY_SAMPLE: SelfTestReport = {
  ...FAILING_SAMPLE,
  seq: 8,
  trigger: 'demand',
  verdict: 'pass',
  results: FAILING_SAMPLE.results.map((r) => ({ ...r, status: 'pass', code: `${r.id.split('.')[1]}.ok`, detail: 'all good' })),
};

/** A run after a code 83: storage and memory warn, the keypad is not judged. */
export const WARNING_SAMPLE: SelfTestReport = {
  ...HEALTHY_SAMPLE,
  seq: 9,
  trigger: 'code83',
  verdict: 'warn',
  results: HEALTHY_SAMPLE.results.map((r) =>
    r.id === 'system.flash'
      ? FAILING_SAMPLE.results[2]
      : r.id === 'device.keypad'
        ? { ...r, status: 'skip', code: 'keypad.not-judged', detail: 'not judged when started from the keypad' }
        : r.id === 'system.memory'
          ? { ...r, status: 'warn', code: 'memory.tight', detail: 'chunks 9120/77824 B free, slots 610/4928 free' }
          : r,
  ),
};

if (require.main === module) {
  const outDir = process.argv[2] ?? '/tmp/xspos-screens';
  mkdirSync(outDir, { recursive: true });
  const font = parseFont(new Uint8Array(readFileSync(FONT_ASSET_PATH)));
  const save = (name: string, list: DisplayList): void => {
    writeFileSync(path.join(outDir, `${name}.png`), encodePng(rasterize(list, font)));
  };
  for (const lang of LANGS) {
    const view = { lang, font, terminalId: '10293847', firmwareVersion: '0.1.0' };
    save(`${lang}-boot`, renderBootScreen(view));
    save(`${lang}-ready`, renderReadyScreen({ ...view, merchantId: '898310048161234', wallMs: WALL, lastVerdict: 'warn' }));
    save(`${lang}-fault`, renderFaultScreen(FAILING_SAMPLE, view));
    for (const [name, report] of [['failing', FAILING_SAMPLE], ['healthy', HEALTHY_SAMPLE], ['warning', WARNING_SAMPLE]] as const)
      for (let page = 0; page < selfTestPageCount(report); page++) save(`${lang}-${name}-${page}`, renderSelfTestPage(report, page, view));
  }
  process.stdout.write(`screens written to ${outDir}\n`);
}
