/**
 * `npm run acquirer` with the demo registry as a person runs it: a device activates the slot
 * waiting for its code (10240002), signs on under the key it opened itself, and the person
 * types `disable 10240002`: the next sign-on is answered 83 with "TID disabled". The log never
 * shows the master key.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activateOver, newDevice, openEnvelope, opensslCheckValue } from './activationClient';
import { AcquirerCli, ROOT } from './cliProcess';
import { field, HostClient, signOnFrame } from './hostClient';

const DEMO = join(ROOT, 'host-sim', 'acquirer', 'demo-registry.json');

let cli: AcquirerCli | undefined;
afterEach(() => cli?.stop());

it('activates the demo registry\'s waiting slot, and a typed `disable <TID>` refuses it from then on', async () => {
  // The demo registry on ephemeral ports (the profile's 5683/5684 may be taken on a test machine).
  const registry = { ...JSON.parse(readFileSync(DEMO, 'utf8')), profile: join(ROOT, 'host-sim', 'scenarios', 'profiles', 'demo-acquirer.json'), ports: [0, 0] };
  const path = join(mkdtempSync(join(tmpdir(), 'xspos-acq-')), 'registry.json');
  writeFileSync(path, JSON.stringify(registry));
  const acquirer = (cli = new AcquirerCli(path));
  const seen = (pattern: RegExp) => acquirer.seen(pattern);
  const [, port] = await seen(/primary listening on 127\.0\.0\.1:(\d+)/);
  await seen(/10240002 registered \(activation code issued\)/);
  const client = await HostClient.connect(Number(port));
  const device = newDevice('DEMO-0001');
  const { answer, tlv } = await activateOver(client, '000001', device, '20261202');
  expect([field(answer, 39), field(answer, 41), field(answer, 42)]).toEqual(['00', '10240002', '898440154110001']);
  const { keyHex } = openEnvelope(device, tlv);
  expect(opensslCheckValue(keyHex, 'tdes2').subarray(0, 4)).toEqual(tlv.get(0xd3));
  await seen(/10240002 activated by serial DEMO-0001/);
  const answer2 = await client.answer(signOnFrame('000002', '003', '10240002', '898440154110001'));
  expect(field(answer2, 39)).toBe('00');

  acquirer.proc.stdin.write('disable 10240002\n');
  await seen(/acquirer: 10240002 disabled/);
  const refused = await client.answer(signOnFrame('000003', '003', '10240002', '898440154110001'));
  expect([field(refused, 39), field(refused, 44)]).toEqual(['83', 'TID disabled']);
  // 10240001 is untouched.
  expect(field(await client.answer(signOnFrame('000004', '003', '10240001', '898440154110001')), 39)).toBe('00');
  client.close();
  expect(acquirer.stdout.toUpperCase()).not.toContain(keyHex);
});
