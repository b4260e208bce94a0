/**
 * `npm run bench`: costs measured side by side in one run, printed as a table.
 * XS figures are computrons (xsnap's metering: machine-independent); Node figures are
 * wall-clock throughput on this machine, so compare them only within one run.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { createCborCodec } from '../firmware/core/store/cbor';
import { RecordLog, RecordType } from '../firmware/core/store/recordLog';
import { parseFont } from '../firmware/core/ui/font';
import { DEFAULT_SCENARIO } from '../host-sim/cli';
import { NorFlash } from '../host-sim/ports/norFlash';
import { rasterize } from '../host-sim/render/raster';
import { encodePng } from '../host-sim/render/png';
import { runScenario } from '../host-sim/scenario/driver';
import { loadScenario } from '../host-sim/scenario/load';
import { buildWorld, loadFont } from '../host-sim/world';
import { PRELUDE, XsWorker, runOnXs, xsBundle } from '../host-sim/xs/xsLane';

const APPENDS = 1000;

function event(i: number) {
  return { kind: 'transition', from: 'ready', to: 'selftest', cause: 'selftest-periodic', uptimeMs: i * 1000, wallMs: 1795000000000 + i };
}

/** Best of `rounds` timings of `work`, in ms. */
function best(rounds: number, work: () => void): number {
  let fastest = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return fastest;
}

async function main() {
  const rows: [string, string, string][] = [];
  const row = (what: string, value: string, note = '') => rows.push([what, value, note]);

  // XS: boot + self-test of a healthy terminal, through the bridge.
  const bootOnly = { ...loadScenario(DEFAULT_SCENARIO), steps: [{ do: 'boot' as const }] };
  const xsBoot = await runOnXs(bootOnly);
  row('XS boot + self-test (7 probes, 256 KB image hashed)', `${(xsBoot.computrons / 1e6).toFixed(2)} M computrons`, 'incl. bridge calls to Node');
  const weekXs = await runOnXs(loadScenario(DEFAULT_SCENARIO));
  row('XS healthy scenario: 7 days idle, 9 self-tests', `${(weekXs.computrons / 1e6).toFixed(1)} M computrons`, `${(weekXs.computrons / 10080 / 1e3).toFixed(0)} k per minute of idle`);

  // XS: 1,000 log appends with the flash emulated inside XS.
  const worker = new XsWorker(() => new Uint8Array(0));
  let xsAppend = 0;
  try {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle(join(__dirname, '../host-sim/xs/benchEntry.ts')));
    const run = await worker.command(Buffer.from(`appends:${APPENDS}`));
    xsAppend = run.computrons;
    row(`XS ${APPENDS} log appends (CBOR event + CRC + NOR write, rotation)`, `${(run.computrons / 1e6).toFixed(2)} M computrons`, `${Math.round(run.computrons / APPENDS)} per append; ${Buffer.from(run.value)} read back`);
  } finally {
    worker.close();
  }

  // Node: the same appends.
  const cbor = createCborCodec();
  const payloads = Array.from({ length: APPENDS }, (_, i) => cbor.encode(event(i)));
  const appendMs = best(5, () => {
    const log = RecordLog.open(new NorFlash({ sectors: 16, sectorSize: 4096 }));
    for (const p of payloads) log.append(RecordType.event, p);
  });
  row(`Node ${APPENDS} log appends`, `${((APPENDS / appendMs) * 1000).toFixed(0)} appends/s`, `${((appendMs * 1000) / APPENDS).toFixed(1)} µs each`);
  const encodeMs = best(5, () => {
    for (let i = 0; i < APPENDS; i++) cbor.encode(event(i));
  });
  row(`Node ${APPENDS} CBOR event encodes`, `${((APPENDS / encodeMs) * 1000).toFixed(0)} encodes/s`, `encode is ${((encodeMs / appendMs) * 100).toFixed(0)}% of an append's time`);

  // Node: a simulated week of idle uptime.
  const healthy = loadScenario(DEFAULT_SCENARIO);
  const week = { ...healthy, steps: [{ do: 'boot' as const }, { do: 'advance' as const, ms: 7 * 24 * 3600 * 1000 }] };
  let weekMs = Infinity;
  let weekDraws = 0;
  for (let r = 0; r < 3; r++) {
    const w = buildWorld(week);
    const t0 = performance.now();
    await runScenario(week, w);
    weekMs = Math.min(weekMs, performance.now() - t0);
    weekDraws = w.display.draws;
  }
  row('Node boot + 7 simulated days idle', `${weekMs.toFixed(0)} ms`, `8 self-tests, ${weekDraws} screen draws (clock refresh each minute)`);

  // Node: screens.
  const fontBytes = loadFont();
  const font = parseFont(fontBytes);
  const world = buildWorld(loadScenario(DEFAULT_SCENARIO), fontBytes);
  const outcome = await runScenario(loadScenario(DEFAULT_SCENARIO), world);
  const lists = outcome.screens.map((s) => s.list);
  const rasterMs = best(3, () => lists.forEach((l) => rasterize(l, font)));
  row(`Node rasterize ${lists.length} screens 240×320`, `${((lists.length / rasterMs) * 1000).toFixed(0)} screens/s`, `${(rasterMs / lists.length).toFixed(2)} ms each`);
  const pngMs = best(3, () => lists.forEach((l) => encodePng(rasterize(l, font))));
  row('Node rasterize + PNG encode', `${((lists.length / pngMs) * 1000).toFixed(0)} screens/s`, `PNG adds ${(((pngMs - rasterMs) / rasterMs) * 100).toFixed(0)}% over rasterizing`);

  row('Ratio: XS computrons per append ÷ Node µs per append', (xsAppend / APPENDS / ((appendMs * 1000) / APPENDS)).toFixed(0), 'machine-dependent; compare across commits on one machine');

  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length), ['measure', 'figure', 'note'][c].length));
  const line = (r: string[]) => '| ' + r.map((cell, c) => cell.padEnd(widths[c])).join(' | ') + ' |';
  console.log(line(['measure', 'figure', 'note']));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
