/**
 * The card scenarios (issue 9) on the real XS engine and on Node, in Chinese and in English:
 * the same report (each sale's read: entry, masked PAN, TVR, CVM, cryptogram, ODA), every
 * screen, the trace and the flash bytes. The card inputs (virtual PN532 behind the core's
 * driver, contact slot, magstripe, scanner) and the cards run inside XS on the XS lane.
 */
import { basename } from 'node:path';
import { shippedScenarios } from '../../host-sim/cli';
import { loadScenario } from '../../host-sim/scenario/load';
import { expectSameOnBothLanes } from './parityCheck';

const CARD_SCENARIOS = shippedScenarios().filter((f) => basename(f).startsWith('card-'));

describe('card scenarios on XS and Node', () => {
  it('ships the card scenarios of issue 9', () => {
    expect(CARD_SCENARIOS.map((f) => basename(f, '.json'))).toEqual([
      'card-contact-pin', 'card-contactless-arqc', 'card-fallback-magstripe', 'card-qr-codes', 'card-reader-antenna', 'card-removed', 'card-sda-fails', 'card-swipe-chip',
    ]);
  });

  for (const file of CARD_SCENARIOS)
    for (const lang of ['zh', 'en'] as const)
      it(`${basename(file, '.json')} (${lang}): same report, screens, trace and flash on XS as on Node`, async () => {
        const node = await expectSameOnBothLanes(loadScenario(file, { lang }));
        // Each card sale captured the screens it showed, and what the report keeps of a card is masked.
        for (const t of node.report.transactions) if (t.pan) expect(t.pan).toMatch(/^\d{6}\*+\d{4}$/);
      }, 60_000);
});
