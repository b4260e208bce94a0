/**
 * Field activation against the simulated acquirer over real TCP on 127.0.0.1 (issue-8 contract
 * §6): a device with its own P-256 key activates, opens the envelope itself (activationClient.ts,
 * nothing of the acquirer's code), checks the key's check value by openssl, and signs on and
 * sells under the master key it received.
 */
import { startAcquirer, type Acquirer } from '../../host-sim/acquirer/server';
import type { RegisteredTerminal } from '../../host-sim/acquirer/config';
import { activateOver, newDevice, openEnvelope, opensslCheckValue, opensslUnwrap } from './activationClient';
import { config, field, HostClient, MID, profile, saleFrame, signOnFrame, TID } from './hostClient';

const CODE = '20261202';

let acquirer: Acquirer | undefined;
let client: HostClient | undefined;
afterEach(async () => {
  client?.close();
  await acquirer?.close();
});

async function start(slot: Partial<RegisteredTerminal> = {}, keySource?: 'seeded' | 'system') {
  const terminal: Partial<RegisteredTerminal> = { masterKey: undefined, status: 'registered', activation: { code: CODE, algorithm: 'tdes2' }, ...slot };
  acquirer = await startAcquirer(config(profile('cup-style'), [terminal], { keySource }));
  client = await HostClient.connect(acquirer.ports[0]);
  return client;
}

/** Signs on with the activated TID and MID; the working keys unwrapped by openssl under `masterHex` must give their check values. */
async function signOnUnder(c: HostClient, masterHex: string, algorithm: 'tdes2' | 'tdes3' | 'aes128', stan = '000002') {
  const answer = await c.answer(signOnFrame(stan, '004', TID, MID));
  expect(field(answer, 39)).toBe('00');
  const block = field(answer, 62) as Uint8Array;
  const keys: string[] = [];
  for (let at = 0; at < block.length; at += 20) {
    const key = opensslUnwrap(masterHex, algorithm, block.subarray(at, at + 16));
    expect(opensslCheckValue(key, 'tdes2').subarray(0, 4)).toEqual(Buffer.from(block.subarray(at + 16, at + 20)));
    keys.push(key);
  }
  return { pin: keys[0], mac: keys[1] };
}

describe('activation (0800, network code 370)', () => {
  it('binds the slot the code names: 00, the bound TID and MID, D5 0 and a master key only the device can open, with its check value', async () => {
    const c = await start();
    const device = newDevice('A1B2C3D4E5F6');
    const { answer, tlv } = await activateOver(c, '000001', device, CODE);
    expect(answer.message.mti).toBe('0810');
    expect(field(answer, 39)).toBe('00');
    expect(field(answer, 41)).toBe(TID);
    expect(field(answer, 42)).toBe(MID);
    expect(field(answer, 11)).toBe('000001');
    expect(field(answer, 64)).toBeUndefined(); // no MAC: there is no key yet
    expect([...tlv.keys()].sort()).toEqual([0xd1, 0xd2, 0xd3, 0xd4, 0xd5]);
    expect(tlv.get(0xd5)).toEqual(Buffer.of(0));
    expect(tlv.get(0xd1)!.length).toBe(65);
    expect(tlv.get(0xd1)![0]).toBe(0x04);
    expect(tlv.get(0xd4)).toEqual(Buffer.of(1));
    expect(tlv.get(0xd2)!.length).toBe(16);
    const { keyHex, algorithm } = openEnvelope(device, tlv);
    expect(algorithm).toBe('tdes2');
    expect(opensslCheckValue(keyHex, algorithm).subarray(0, 4)).toEqual(tlv.get(0xd3));
    // Another device's key cannot open it: the check value does not come out.
    const other = openEnvelope(newDevice('A1B2C3D4E5F6'), tlv);
    expect(opensslCheckValue(other.keyHex, 'tdes2').subarray(0, 4)).not.toEqual(tlv.get(0xd3));

    const keys = await signOnUnder(c, keyHex, algorithm);
    expect(field(await c.answer(saleFrame('000003', 1234, keys.mac)), 39)).toBe('00');
    // The log says what happened with a check value, never the key.
    const notes = acquirer!.log.map((e) => e.note ?? '').join('\n');
    expect(notes).toContain(`${TID} activated by serial A1B2C3D4E5F6: tdes2 master key, check value ${tlv.get(0xd3)!.toString('hex').toUpperCase()}`);
    expect(notes.toUpperCase()).not.toContain(keyHex);
  });

  it.each([
    ['tdes2', 1, 16],
    ['tdes3', 2, 32],
    ['aes128', 3, 16],
  ] as const)('issues a %s master key (D4 %i, %i wrapped bytes) whose check value openssl agrees with, and signs the terminal on under it', async (algorithm, code, wrappedLength) => {
    const c = await start({ activation: { code: CODE, algorithm } }, 'system');
    const device = newDevice('SN-0001');
    const { answer, tlv } = await activateOver(c, '000001', device, CODE);
    expect(field(answer, 39)).toBe('00');
    expect(tlv.get(0xd4)).toEqual(Buffer.of(code));
    expect(tlv.get(0xd2)!.length).toBe(wrappedLength);
    const opened = openEnvelope(device, tlv);
    expect(opened.algorithm).toBe(algorithm);
    expect(opensslCheckValue(opened.keyHex, algorithm).subarray(0, 4)).toEqual(tlv.get(0xd3));
    await signOnUnder(c, opened.keyHex, algorithm);
  });

  it('a terminal that has its TID finds its own slot with it; the same device activating again gets a new master key and the old one is done with', async () => {
    const c = await start();
    const device = newDevice('SN-0002');
    const first = openEnvelope(device, (await activateOver(c, '000001', device, CODE, TID)).tlv);
    const again = await activateOver(c, '000002', device, CODE, TID);
    expect(field(again.answer, 39)).toBe('00');
    const second = openEnvelope(device, again.tlv);
    expect(second.keyHex).not.toBe(first.keyHex);
    const answer = await c.answer(signOnFrame('000003', '004', TID, MID));
    const block = field(answer, 62) as Uint8Array;
    const check = Buffer.from(block.subarray(16, 20));
    expect(opensslCheckValue(opensslUnwrap(second.keyHex, 'tdes2', block.subarray(0, 16)), 'tdes2').subarray(0, 4)).toEqual(check);
    expect(opensslCheckValue(opensslUnwrap(first.keyHex, 'tdes2', block.subarray(0, 16)), 'tdes2').subarray(0, 4)).not.toEqual(check);
  });

  it('the wrong-kcv fault (test-only) sends one D3 that does not match the key; the next activation is right again', async () => {
    const c = await start();
    acquirer!.addFaults([{ kind: 'wrong-kcv' }]);
    // A sign-on does not use the fault up: it only applies to an activation answer.
    expect(field(await c.answer(signOnFrame('000001', '004', TID, MID)), 39)).toBe('97');
    const device = newDevice('SN-0003');
    const broken = await activateOver(c, '000002', device, CODE);
    expect(field(broken.answer, 39)).toBe('00');
    const key = openEnvelope(device, broken.tlv);
    expect(opensslCheckValue(key.keyHex, 'tdes2').subarray(0, 4)).not.toEqual(broken.tlv.get(0xd3));
    const good = await activateOver(c, '000003', device, CODE);
    const key2 = openEnvelope(device, good.tlv);
    expect(opensslCheckValue(key2.keyHex, 'tdes2').subarray(0, 4)).toEqual(good.tlv.get(0xd3));
    expect(acquirer!.pendingFaults()).toEqual([]);
  });

  it('seeded by default: the same seed and device key give the same envelope (repeatable scenarios); system randomness does not', async () => {
    const device = newDevice('SN-0004');
    const run = async (keySource?: 'seeded' | 'system') => {
      const c = await start({}, keySource);
      const { tlv } = await activateOver(c, '000001', device, CODE);
      c.close();
      await acquirer!.close();
      acquirer = undefined;
      client = undefined;
      return tlv;
    };
    const [a, b] = [await run(), await run()];
    expect(a.get(0xd1)).toEqual(b.get(0xd1));
    expect(a.get(0xd2)).toEqual(b.get(0xd2));
    const [c1, c2] = [await run('system'), await run('system')];
    expect(c1.get(0xd1)).not.toEqual(c2.get(0xd1));
    expect(openEnvelope(device, c1).keyHex).not.toBe(openEnvelope(device, c2).keyHex);
  });
});
