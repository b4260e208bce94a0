/**
 * The XS lane: every shipped scenario runs on the real XS engine (xsnap) and on Node, and the
 * two must agree byte for byte: the report, every captured screen, the trace, and the whole
 * flash image the record log left behind (so the CBOR records are identical too).
 */
import { basename } from 'node:path';
import { shippedScenarios } from '../../host-sim/cli';
import { PRELUDE, XsWorker, xsBundle } from '../../host-sim/xs/xsLane';
import { expectParity, LONG_SCENARIOS } from './parityCheck';
import { standardProbes } from '../../firmware/core/selftest/plan';
import { createCborCodec } from '../../firmware/core/store/cbor';
import type { KeyStore } from '../../firmware/core/security/keyStore';

/** The probe ids a self-test reports, in order (probes only read their subjects when they run). */
const PLAN = standardProbes({ log: 'not opened', cbor: createCborCodec(), keys: {} as KeyStore, host: () => ({}) }).map((p) => p.id);

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

  // The year-long scenario has a file of its own (tests/xs/parityYear.test.ts), so it runs beside these; the card
  // scenarios too (tests/xs/cardParity.test.ts: their boards fit card hardware, whose probes join the plan).
  for (const file of shippedScenarios().filter((f) => !LONG_SCENARIOS.includes(basename(f, '.json')) && !basename(f).startsWith('card-')))
    it(`${basename(file, '.json')}: same report, screens, trace and flash bytes on XS as on Node`, async () => {
      await expectParity(file, PLAN);
    });
});
