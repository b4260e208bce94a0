/**
 * Issue 8 acceptance: the QR on the support page, read back by an independent decoder (jsQR)
 * from the PNG host-sim writes, gives the summary bytes, and those bytes decode to the summary
 * (terminal ID, firmware, causes in rank order). The same page drawn by the device's Poco
 * display (a recording Poco that enforces the display-list budget band by band) reads back too,
 * the support code's large digits included in the budget.
 */
import { readFileSync } from 'node:fs';
import { decodeSummary, encodeSummary, type SummaryIds } from '../../firmware/core/diagnosis/summary';
import { supportCode } from '../../firmware/core/diagnosis/supportCode';
import type { Diagnosis } from '../../firmware/core/diagnosis/types';
import { encodeQr } from '../../firmware/core/qr/encode';
import { createDiagnosisScreens } from '../../firmware/core/ui/diagnosisScreens';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { encodePng } from '../../host-sim/render/png';
import { rasterize } from '../../host-sim/render/raster';
import { bytesRead, readImage } from '../qr/qrRead';
import { fromPng, type FakeScreen } from './devicePanel';
import { DNS_FAILURE, HOST_NOT_REGISTERED, NOTHING_FOUND, worstCase } from './diagnosisFixtures';
import { screenProblems } from './screenChecks';
import { committedFont, FONT_ASSET } from './uiFont';

const font = committedFont();
const IDS: SummaryIds = { terminalId: '10240001', firmwareVersion: '0.7.0', serialNumber: 'XSPOS-24A1B2C3D4E5' };
const CASES: [string, Diagnosis][] = [['DNS failure', DNS_FAILURE], ['host does not know the terminal', HOST_NOT_REGISTERED], ['nothing found', NOTHING_FOUND], ['worst case', worstCase()]];

function supportPage(d: Diagnosis, bytes: Uint8Array, lang: 'zh' | 'en' = 'zh'): DisplayList {
  const screens = createDiagnosisScreens(font, 'pin-pad');
  return screens.page(d, screens.pageCount(d) - 1, { lang, terminalId: IDS.terminalId, firmwareVersion: IDS.firmwareVersion, supportCode: supportCode(d), qr: encodeQr(bytes) });
}

describe('host-sim: support page → raster → PNG → pngjs → jsQR → summary', () => {
  test.each(CASES)('%s: the QR gives the summary bytes, and they decode to the summary', (_, d) => {
    const bytes = encodeSummary(d, IDS);
    for (const lang of ['zh', 'en'] as const) {
      const list = supportPage(d, bytes, lang);
      expect(screenProblems(list, font)).toEqual([]);
      const read = bytesRead(readImage(fromPng(encodePng(rasterize(list, font)))));
      expect(read).toEqual([...bytes]);
      const summary = decodeSummary(Uint8Array.from(read as number[]));
      expect(summary).toMatchObject({ terminalId: IDS.terminalId, firmwareVersion: IDS.firmwareVersion, serialNumber: IDS.serialNumber });
      expect(summary.causes.slice(0, 3)).toEqual(d.causes.filter((c) => c.status !== 'ruled-out').slice(0, 3).map((c) => c.number));
    }
  });

  test('the largest summary a QR holds (213 bytes, version 10) reads back from the page at 3 px a module', () => {
    const bytes = Uint8Array.from({ length: 213 }, (_, i) => (i * 89 + 7) & 0xff);
    const list = supportPage(DNS_FAILURE, bytes);
    expect(list.ops.some((op) => op.op === 'bits' && op.w === 57 && op.scale === 3)).toBe(true);
    expect(bytesRead(readImage(fromPng(encodePng(rasterize(list, font)))))).toEqual([...bytes]);
  });
});

/** Display-list bytes of the device build (manifest.json config.displayListBytes) and the Poco adapter's bytes per record. */
const DISPLAY_LIST_BYTES = 4096;
const RECORD_BYTES = 32;

jest.mock('commodetto/Bitmap', () => require('./devicePanel').bitmapModule, { virtual: true });
jest.mock('commodetto/Poco', () => require('./devicePanel').pocoModule, { virtual: true });

describe('device: the Poco display draws the support page within its display list', () => {
  // Required, not imported: the device adapter's Moddable types are not part of the host type check.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { PocoDisplay } = require('../../firmware/device/display/pocoDisplay') as {
    PocoDisplay: new (options: { screen: FakeScreen; font: Uint8Array; controller: string; displayListBytes: number }) => { draw(list: DisplayList): void };
  };

  test.each(CASES)('%s: every band within the budget, the QR reads back', (_, d) => {
    const bytes = encodeSummary(d, IDS);
    const screen: FakeScreen = { width: 240, height: 320, rgb: new Uint8Array(240 * 320 * 3), bands: [] };
    new PocoDisplay({ screen, font: new Uint8Array(readFileSync(FONT_ASSET)), controller: 'fake', displayListBytes: DISPLAY_LIST_BYTES }).draw(supportPage(d, bytes));
    expect(Math.max(...screen.bands)).toBeLessThanOrEqual(DISPLAY_LIST_BYTES / RECORD_BYTES);
    expect(bytesRead(readImage({ width: 240, height: 320, rgb: screen.rgb }))).toEqual([...bytes]);
  });
});
