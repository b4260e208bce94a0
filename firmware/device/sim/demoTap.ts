/**
 * SIMULATOR ONLY: one contactless card sale after boot, so the heap of a card read with DDA
 * (PPSE to GENERATE AC, the CA key table, the issuer and ICC certificates recovered, INTERNAL
 * AUTHENTICATE's signature checked) and of the sale that carries its field 55 can be measured in
 * mcsim (docs/memory.md, issue 9). The reader is the host's virtual PN532 over TCP
 * (sim/tcpReaderLink.ts, fitted by sim/simBoard.ts when dev/pn532Port is set), started with the
 * card already in its field (`npm run pn532 -- --tcp PORT --card host-sim/cards/samples/unionpay-contactless-dda.json`),
 * so the terminal's first poll finds it.
 *
 * Asked for by a setting: domain "dev", key "demoTap", an i32 amount in minor units. Called by
 * demoSale.ts's runDemoSale; the manifest lists `device/sim/` in the simulator build only.
 */
import type { Ports } from '../../core/ports';
import type { Terminal } from '../../core/runtime/terminal';
import type { HeapWatch } from '../heapWatch';
import { outcomeText, readyForSale } from './demoSale';

export const DEMO_TAP_KEY = 'demoTap';

export async function runDemoTap(terminal: Terminal, ports: Ports, amount: number, watch?: HeapWatch): Promise<void> {
  const { trace } = ports;
  await readyForSale(terminal, ports, watch);
  trace(`demo tap (simulator only): ${amount} minor units, terminal ${terminal.state}, reader ${ports.reader.fitted ? 'fitted' : 'not fitted'}`);
  // Every sample traced; the read (present screen, detect, APDUs, ODA) until the first network call, then the host's part.
  watch?.phase('card read', trace, { when: 'network.', name: 'card sale: host' });
  const outcome = await terminal.cardSale(amount);
  const card = outcome.card;
  // The PAN is masked by the runtime (first 6, last 4); no other card data is traced.
  trace(
    `demo tap: ${outcomeText(outcome)}` +
      (card ? `; card ${card.entry} ${card.pan ?? ''} oda ${card.oda ?? '-'} tvr ${card.tvr ?? '-'} cvm ${card.cvm ?? '-'} ${card.cryptogram ?? ''}` : ''),
  );
  watch?.phase('after card sale');
}
