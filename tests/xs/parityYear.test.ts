/**
 * 400 days in service on the real XS engine and on Node: the flash-rotating scenario's log, a
 * self-test a day, a power cycle every 10 days. Both lanes must agree byte for byte, and the
 * working keys must come through every rotation and reboot with their generation.
 */
import { join } from 'node:path';
import { standardProbes } from '../../firmware/core/selftest/plan';
import { createCborCodec } from '../../firmware/core/store/cbor';
import type { KeyStore } from '../../firmware/core/security/keyStore';
import { expectParity } from './parityCheck';

const PLAN = standardProbes({ log: 'not opened', cbor: createCborCodec(), keys: {} as KeyStore, host: () => ({}) }).map((p) => p.id);

it('year-of-service: same on XS as on Node, and the keys keep their generation', async () => {
  const node = await expectParity(join(__dirname, '../../host-sim/scenarios/year-of-service.json'), PLAN);
  const last = node.report.selfTests.at(-1)!;
  const keys = last.results.find((r) => r.id === 'auth.working-keys');
  // The provisioned set is generation 1; the first boot's sign-on installed generation 2, and no
  // reboot or rotation since needed another: the acquirer saw exactly one sign-on.
  expect(keys).toMatchObject({ status: 'pass', code: 'keys.ok', detail: expect.stringMatching(/^generation 2: pin KCV [0-9A-F]{8}, mac KCV [0-9A-F]{8}$/) });
  const acquirerLog = (node.report as unknown as { acquirer?: { direction: string; mti?: string }[] }).acquirer ?? [];
  expect(acquirerLog.filter((e) => e.direction === 'in' && e.mti === '0800')).toHaveLength(1);
  expect(last.results.find((r) => r.id === 'system.flash')).toMatchObject({ status: 'pass', code: 'flash.ok' });
  expect(node.report.finalState).toBe('ready');
}, 900_000);
