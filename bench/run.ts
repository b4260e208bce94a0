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
import { PRELUDE, XsWorker, runOnXs, serveWorld, xsBundle } from '../host-sim/xs/xsLane';
import { readFileSync } from 'node:fs';
import { NodeCrypto } from '../host-sim/ports/nodeCrypto';
import { checkValue } from '../firmware/core/security/checkValue';
import { constantTimeEqual } from '../firmware/core/security/blocks';
import { checkChain } from '../firmware/core/security/certificateChain';
import { computeMac } from '../firmware/core/security/mac';
import { parseCertificate, pemToDer } from '../firmware/core/security/x509';
import { codecBench } from './iso8583';
import { saleBench } from './sale';
import { dayBench } from './day';
import { diagnosisBench } from './diagnosis';
import { cardBench } from './card';

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
  row(`XS boot + self-test (${xsBoot.value.report.selfTests[0]?.results.length} probes, 256 KB image hashed)`, `${(xsBoot.computrons / 1e6).toFixed(2)} M computrons`, 'incl. bridge calls to Node');
  const weekXs = await runOnXs(loadScenario(DEFAULT_SCENARIO));
  row('XS healthy scenario: 7 days idle, 9 self-tests', `${(weekXs.computrons / 1e6).toFixed(1)} M computrons`, `${(weekXs.computrons / 10080 / 1e3).toFixed(0)} k per minute of idle`);

  // XS: the log's own work (flash emulated inside XS), then crypto work through the bridge.
  const certDir = join(__dirname, '../host-sim/scenarios/certs');
  const certs = ['terminal.pem', 'terminal-ca.pem', 'root.pem'].map((f) => Buffer.from(pemToDer(readFileSync(join(certDir, f), 'utf8'))[0]));
  const worker = new XsWorker(serveWorld(buildWorld(loadScenario(DEFAULT_SCENARIO))));
  const xs: Record<string, number> = {};
  try {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle(join(__dirname, '../host-sim/xs/benchEntry.ts')));
    const metered = async (command: object) => {
      const run = await worker.command(Buffer.from(JSON.stringify(command)));
      return { computrons: run.computrons, reply: Buffer.from(run.value).toString() };
    };
    const appends = await metered({ what: 'appends', n: APPENDS });
    xs.append = appends.computrons / APPENDS;
    row(`XS ${APPENDS} log appends (CBOR event + CRC + NOR write, rotation)`, `${(appends.computrons / 1e6).toFixed(2)} M computrons`, `${Math.round(xs.append)} per append (31.0 k before durable records); ${appends.reply} read back`);
    for (const durable of [0, 1, 4]) {
      await metered({ what: 'rotation-setup', durable });
      const rotation = await metered({ what: 'rotation' });
      xs[`rotation${durable}`] = rotation.computrons;
      row(
        `XS append that rotates, ${durable} durable record(s) to carry`,
        `${(rotation.computrons / 1e3).toFixed(1)} k computrons`,
        durable === 0 ? `${(rotation.computrons / xs.append).toFixed(1)}× a plain append; ${rotation.reply}` : `carry-forward adds ${((rotation.computrons - xs.rotation0) / 1e3).toFixed(1)} k over no carry; ${rotation.reply}`,
      );
    }
    for (const algorithm of ['cup-ecb', 'x9.19'] as const) {
      const mac = await metered({ what: 'mac', n: 100, algorithm });
      xs[algorithm] = mac.computrons / 100;
      row(`XS MAC ${algorithm} over 200 bytes`, `${Math.round(xs[algorithm])} computrons`, 'per MAC; 3DES through the bridge');
    }
    const kcv = await metered({ what: 'kcv', n: 100 });
    xs.kcv = kcv.computrons / 100;
    row('XS check-value verification (3DES, 4 bytes)', `${Math.round(xs.kcv)} computrons`, `per check; ${kcv.reply}/100 matched`);
    const chain = await metered({ what: 'chain', n: 10, certs: certs.map((c) => c.toString('hex')) });
    xs.chain = chain.computrons / 10;
    row('XS certificate chain check (3 certs: parse + 3 verifies)', `${(xs.chain / 1e3).toFixed(0)} k computrons`, `per check; result ${chain.reply}`);
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
  row(`Node ${APPENDS} CBOR event encodes`, `${((APPENDS / encodeMs) * 1000).toFixed(0)} encodes/s`, `one encode costs ${(encodeMs / appendMs).toFixed(2)}× one append of ready bytes`);

  // Node: a simulated week of idle uptime.
  const healthy = loadScenario(DEFAULT_SCENARIO);
  const week = { ...healthy, steps: [{ do: 'boot' as const }, { do: 'advance' as const, ms: 7 * 24 * 3600 * 1000 }] };
  let weekMs = Infinity;
  let weekDraws = 0;
  let weekTests = 0;
  for (let r = 0; r < 3; r++) {
    const w = buildWorld(week);
    const t0 = performance.now();
    weekTests = (await runScenario(week, w)).report.selfTests.length;
    weekMs = Math.min(weekMs, performance.now() - t0);
    weekDraws = w.display.draws;
  }
  row('Node boot + 7 simulated days idle', `${weekMs.toFixed(0)} ms`, `${weekTests} self-tests in the log, ${weekDraws} screen draws (clock refresh each minute)`);

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

  // Node: the same crypto work.
  const crypto = new NodeCrypto(1);
  const key = crypto.importKey('tdes2', Buffer.from('0123456789abcdeffedcba9876543210', 'hex'));
  const message = new Uint8Array(200).map((_, i) => i);
  for (const algorithm of ['cup-ecb', 'x9.19'] as const) {
    const ms = best(3, () => {
      for (let i = 0; i < 1000; i++) computeMac(crypto, key, { algorithm, padding: 1 }, message);
    });
    row(`Node MAC ${algorithm} over 200 bytes`, `${Math.round(1000 / ms * 1000)} MACs/s`, `${((ms * 1000) / 1000).toFixed(1)} µs each`);
  }
  const expected = checkValue(crypto, key, 4);
  const kcvMs = best(3, () => {
    for (let i = 0; i < 1000; i++) constantTimeEqual(checkValue(crypto, key, 4), expected);
  });
  row('Node check-value verification', `${Math.round(1000 / kcvMs * 1000)} checks/s`, `${kcvMs.toFixed(1)} µs each`);
  const chainMs = best(3, () => {
    for (let i = 0; i < 20; i++) {
      const [terminal, ca, root] = certs.map((c) => parseCertificate(new Uint8Array(c)));
      checkChain((s, k, d, sig) => crypto.verifySignature(s, k, d, sig), { terminal, intermediates: [ca], root, terminalId: '10240001', nowMs: Date.UTC(2026, 10, 26), clockTrusted: true });
    }
  });
  row('Node certificate chain check', `${Math.round(20 / chainMs * 1000)} chains/s`, `${(chainMs / 20).toFixed(2)} ms each`);

  await codecBench(row, serveWorld(buildWorld(loadScenario(DEFAULT_SCENARIO))));
  await saleBench(row, serveWorld(buildWorld(loadScenario(DEFAULT_SCENARIO))), xs.append);
  await cardBench(row, serveWorld(buildWorld(loadScenario(DEFAULT_SCENARIO))), xs.append);
  await diagnosisBench(row);
  await dayBench(row);

  row('Ratio: XS computrons per append ÷ Node µs per append', (xs.append / ((appendMs * 1000) / APPENDS)).toFixed(0), 'machine-dependent; compare across commits on one machine');
  row('Ratio: XS chain check ÷ XS CUP MAC', (xs.chain / xs['cup-ecb']).toFixed(1), 'certificate checks are rare (self-test), MACs per message');

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
