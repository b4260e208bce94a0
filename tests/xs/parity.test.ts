/**
 * The XS lane: every shipped scenario runs on the real XS engine (xsnap) and on Node, and the
 * two must agree byte for byte: the report, every captured screen, the trace, and the whole
 * flash image the record log left behind (so the CBOR records are identical too).
 */
import { basename } from 'node:path';
import { shippedScenarios } from '../../host-sim/cli';
import { runScenario } from '../../host-sim/scenario/driver';
import { loadScenario } from '../../host-sim/scenario/load';
import { buildWorld } from '../../host-sim/world';
import { PRELUDE, XsWorker, runOnXs, xsBundle } from '../../host-sim/xs/xsLane';
import { standardProbes } from '../../firmware/core/selftest/plan';
import { createCborCodec } from '../../firmware/core/store/cbor';
import type { KeyStore } from '../../firmware/core/security/keyStore';

/** The probe ids a self-test reports, in order (probes only read their subjects when they run). */
const PLAN = standardProbes({ log: 'not opened', cbor: createCborCodec(), keys: {} as KeyStore }).map((p) => p.id);

describe('XS lane parity', () => {
  it('bundles the core without Node built-ins', () => {
    const code = xsBundle();
    expect(code).not.toMatch(/require\(["']node:|from ["']node:/);
    expect(code.length).toBeGreaterThan(10_000);
  });

  it('runs the core without TextEncoder/TextDecoder, as on the device unless its manifest adds them', async () => {
    const worker = new XsWorker(() => new Uint8Array(0));
    try {
      await worker.evaluate(PRELUDE);
      await worker.evaluate(`globalThis.handleCommand = () => globalThis.__xsLaneText.encode(typeof TextEncoder + ',' + typeof TextDecoder + ',' + typeof Buffer).slice().buffer;`);
      const reply = await worker.command(Uint8Array.of(1));
      expect(Buffer.from(reply.value).toString()).toBe('undefined,undefined,undefined');
    } finally {
      worker.close();
    }
  });

  for (const file of shippedScenarios()) {
    it(`${basename(file, '.json')}: same report, screens, trace and flash bytes on XS as on Node`, async () => {
      const scenario = loadScenario(file);
      const xs = await runOnXs(scenario);
      const nodeWorld = buildWorld(scenario);
      const node = await runScenario(scenario, nodeWorld);

      expect(JSON.stringify(xs.value.report)).toBe(JSON.stringify(node.report));
      expect(xs.value.screens.map((s) => s.name)).toEqual(node.screens.map((s) => s.name));
      for (let i = 0; i < node.screens.length; i++) expect(JSON.stringify(xs.value.screens[i].list)).toBe(JSON.stringify(node.screens[i].list));
      expect(xs.world.traceLines).toEqual(nodeWorld.traceLines);
      expect(Buffer.from(xs.world.flash.bytes).equals(Buffer.from(nodeWorld.flash.bytes))).toBe(true);
      // The run really happened on XS: it was metered.
      expect(xs.computrons).toBeGreaterThan(1_000_000);
      // What both lanes agree on is a whole self-test: the newest report has every probe of the plan.
      expect(node.report.selfTests.at(-1)?.results.map((r) => r.id)).toEqual(PLAN);
    });
  }
});
