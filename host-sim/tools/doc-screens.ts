/**
 * Regenerates the screens shown in the README (docs/screens/<lang>/*.png) from the shipped
 * scenarios: `npm run doc-screens`. A test checks the committed files are what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFont } from '../../firmware/core/ui/font';
import { encodePng } from '../render/png';
import { rasterize } from '../render/raster';
import { loadScenario } from '../scenario/load';
import { loadFont, runInWorld } from '../world';

export const DOC_SCREENS_DIR = join(__dirname, '..', '..', 'docs', 'screens');

/** scenario → the captured screens the README shows, and the file names they get. */
export const DOC_SCREENS: Record<string, Record<string, string>> = {
  healthy: { ready: 'healthy-ready', 'selftest-01': 'healthy-summary', 'selftest-02': 'healthy-detail' },
  'corrupt-image': { home: 'corrupt-image-fault', 'selftest-01': 'corrupt-image-summary', 'selftest-02': 'corrupt-image-detail' },
  'clock-1970': { 'selftest-02': 'clock-1970-detail', 'selftest-03': 'clock-1970-certificate' },
  'stuck-key': { 'selftest-02': 'stuck-key-detail' },
  'corrupt-sector': { 'selftest-02': 'corrupt-sector-detail' },
  'cert-expired': { 'selftest-02': 'cert-expired-detail' },
  'cert-wrong-root': { 'selftest-02': 'cert-wrong-root-detail' },
  'wrong-kcv': { 'selftest-02': 'wrong-kcv-detail' },
  'capk-corrupted': { 'selftest-02': 'capk-corrupted-detail' },
  'host-healthy-day': { 'sale-approved': 'host-sale-approved', 'settlement-balanced': 'host-settlement' },
  'host-hang-reversal': { 'sale-no-answer': 'host-no-answer', 'ready-reversal-pending': 'host-reversal-pending' },
  'host-merchant-restricted': { 'sale-declined': 'host-declined-03' },
  'host-settle-upload': { 'settlement-uploaded': 'host-settlement-uploaded' },
  'host-83-sale': { fault: 'host-83-fault', 'selftest-03': 'host-83-detail' },
  'diag-dns-failure': { 'diagnosis-shown': 'diag-dns-summary', 'after-network-test': 'diag-dns-steps' },
  'diag-host-83-all': { support: 'diag-support' },
  'diag-factory-activation': { 'not-activated': 'diag-not-activated' },
  'update-healthy': { 'after-update': 'update-installed' },
  'update-truncated': { 'after-truncated': 'update-download-failed' },
  'update-crash-at-boot': { 'after-crash': 'update-crashed' },
  'update-selftest-fails': { 'after-rollback': 'update-rolled-back' },
  'crash-loop': { 'safe-mode': 'crash-loop-safe-mode' },
  'clock-sntp-cert': { 'selftest-09': 'clock-sntp-rtc' },
};

/** Renders every README screen: lang → file name → PNG bytes. */
export async function renderDocScreens(): Promise<Map<string, Uint8Array>> {
  const fontBytes = loadFont();
  const font = parseFont(fontBytes);
  const out = new Map<string, Uint8Array>();
  for (const lang of ['zh', 'en'] as const)
    for (const [name, picks] of Object.entries(DOC_SCREENS)) {
      const scenario = loadScenario(join(__dirname, '..', 'scenarios', `${name}.json`), { lang });
      const { outcome } = await runInWorld(scenario, fontBytes);
      for (const [screen, file] of Object.entries(picks)) {
        const found = outcome.screens.find((s) => s.name === screen);
        if (!found) throw new Error(`${name} has no screen ${screen}`);
        out.set(`${lang}/${file}.png`, encodePng(rasterize(found.list, font)));
      }
    }
  return out;
}

if (require.main === module) {
  renderDocScreens().then((screens) => {
    for (const [path, png] of screens) {
      mkdirSync(join(DOC_SCREENS_DIR, path, '..'), { recursive: true });
      writeFileSync(join(DOC_SCREENS_DIR, path), png);
    }
    console.log(`wrote ${screens.size} screens to ${DOC_SCREENS_DIR}`);
  });
}
