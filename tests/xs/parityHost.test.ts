/**
 * Scenarios with the simulated acquirer on loopback TCP, on the real XS engine and on Node:
 * the same report (transactions and the host's log included), screens, trace and flash bytes,
 * faults, held replies, a power cut and a reboot included.
 */
import { join } from 'node:path';
import { standardProbes } from '../../firmware/core/selftest/plan';
import { createCborCodec } from '../../firmware/core/store/cbor';
import type { KeyStore } from '../../firmware/core/security/keyStore';
import { expectParity } from './parityCheck';

const PLAN = standardProbes({ log: 'not opened', cbor: createCborCodec(), keys: {} as KeyStore, host: () => ({}) }).map((p) => p.id);

describe('XS lane parity with the acquirer', () => {
  for (const name of ['host-day', 'host-faults'])
    it(`${name}: same on XS as on Node, through real TCP`, async () => {
      const node = await expectParity(join(__dirname, '../host-sim/fixtures', `${name}.json`), PLAN);
      expect(node.report.transactions.length).toBeGreaterThan(5);
      expect(node.report.acquirer!.length).toBeGreaterThan(10);
    }, 60_000);
});
