/**
 * SIMULATOR ONLY: one firmware update check after boot, so the heap of an update (the seal
 * fetched and its signature checked, the image downloaded into the slot sector by sector, read
 * back and hashed, the switch) can be measured in mcsim (docs/memory.md, issue 10). The server is
 * the host's update server (host-sim/tools/moddable/update-serve.ts, started by
 * `run.sh <export> <seconds> update`), named by the provisioned setting update/url; the slot is
 * sim/simUpdateSlots.ts's file.
 *
 * Asked for by a setting: domain "dev", key "demoUpdate" (any value). Called by demoSale.ts's
 * runDemoSale; the manifest lists `device/sim/` in the simulator build only.
 */
import type { Ports } from '../../core/ports';
import type { Terminal } from '../../core/runtime/terminal';
import type { HeapWatch } from '../heapWatch';
import { readyForSale } from './demoSale';

export const DEMO_UPDATE_KEY = 'demoUpdate';

export async function runDemoUpdate(terminal: Terminal, ports: Ports, watch?: HeapWatch): Promise<void> {
  const { trace } = ports;
  // Signed on and idle first, as a scheduled check at night finds the terminal.
  await readyForSale(terminal, ports, watch);
  trace(`demo update (simulator only): terminal ${terminal.state}, running ${terminal.update.running}, phase ${terminal.update.phase}`);
  // Every sample traced: the seal's GET and check, each slot write, the read-back hash, the switch.
  watch?.phase('update', trace);
  const outcome = await terminal.checkUpdate();
  const detail = 'detail' in outcome ? `: ${outcome.detail}` : '';
  const version = 'version' in outcome && outcome.version ? ` ${outcome.version}` : '';
  const code = 'code' in outcome ? ` ${outcome.code}` : '';
  trace(`demo update: ${outcome.kind}${code}${version}${detail}; phase ${terminal.update.phase}`);
  watch?.phase('after update');
}
