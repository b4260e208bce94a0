/**
 * The simulated acquirer's registry and sign-on, over real TCP on 127.0.0.1: which code each
 * kind of terminal gets on each profile, and the working keys a sign-on issues (unwrapped with
 * node:crypto, check values recomputed, and accepted by the terminal's own key store).
 */
import { startAcquirer, type Acquirer } from '../../host-sim/acquirer/server';
import { KeyStore, MASTER_KEY_SLOT } from '../../firmware/core/security/keyStore';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { checkBlock, config, field, HostClient, MID, profile, saleFrame, signOn, signOnFrame, TID, TMK, unwrap } from './hostClient';

let acquirer: Acquirer | undefined;
afterEach(async () => acquirer?.close());

async function first(frameBytes: Uint8Array, ...args: Parameters<typeof config>) {
  acquirer = await startAcquirer(config(...args));
  const client = await HostClient.connect(acquirer.ports[0]);
  const answer = await client.answer(frameBytes);
  client.close();
  return answer;
}

describe('acquirer registry', () => {
  it.each([
    ['lakala-style', '83'],
    ['cup-style', '97'],
  ] as const)('answers an unknown TID with the %s profile\'s terminal-invalid code %s', async (name, code) => {
    const answer = await first(signOnFrame('000001', '004', '99999999'), profile(name));
    expect(answer.message.mti).toBe('0810');
    expect(field(answer, 39)).toBe(code);
    expect(field(answer, 62)).toBeUndefined();
    expect(field(answer, 11)).toBe('000001');
  });

  it.each([['registered'], ['disabled']] as const)('answers a %s terminal with the terminal-invalid code', async (status) => {
    expect(field(await first(signOnFrame('000002'), profile('cup-style'), [{ status }]), 39)).toBe('97');
  });

  it('answers a merchant id that is not the terminal\'s with the merchant-restricted code', async () => {
    expect(field(await first(signOnFrame('000003', '004', TID, '999999999999999'), profile('lakala-style')), 39)).toBe('03');
  });

  it('signs a restricted merchant\'s terminal on but refuses its sale with 03; a frozen merchant cannot sign on', async () => {
    acquirer = await startAcquirer(config(profile('lakala-style'), [{ merchantStatus: 'restricted' }, { tid: '10240002', merchantStatus: 'frozen' }]));
    const client = await HostClient.connect(acquirer.ports[0]);
    const keys = await signOn(client);
    expect(field(keys.answer, 39)).toBe('00');
    expect(field(await client.answer(saleFrame('000002', 100, keys.mac)), 39)).toBe('03');
    expect(field(await client.answer(signOnFrame('000003', '004', '10240002')), 39)).toBe('03');
    expect(acquirer.batch(TID)).toBeUndefined(); // nothing booked
    client.close();
  });

  it('answers the terminal-invalid code once a terminal is disabled between steps', async () => {
    acquirer = await startAcquirer(config(profile('lakala-style')));
    const client = await HostClient.connect(acquirer.ports[1]);
    expect(field(await client.answer(signOnFrame('000001')), 39)).toBe('00');
    acquirer.updateTerminal(TID, { status: 'disabled' });
    expect(field(await client.answer(signOnFrame('000002')), 39)).toBe('83');
    client.close();
  });
});

describe('acquirer sign-on', () => {
  it.each([
    ['001', 24, 8],
    ['003', 40, 16],
    ['004', 60, 16],
  ] as const)('network code %s: a %i-byte field 62 of keys wrapped under the master key, each with its check value', async (code, length, keyLength) => {
    const answer = await first(signOnFrame('000001', code), profile('cup-style'));
    expect(field(answer, 39)).toBe('00');
    expect(field(answer, 60)).toBe(`00000001${code}`);
    const block = field(answer, 62) as Uint8Array;
    expect(block.length).toBe(length);
    const entry = keyLength + 4;
    const keys = new Set<string>();
    for (let at = 0; at < block.length; at += entry) {
      const key = unwrap(TMK, block.subarray(at, at + keyLength));
      keys.add(key.toString('hex'));
      expect(Buffer.from(block.subarray(at + keyLength, at + entry))).toEqual(checkBlock(key.toString('hex')).subarray(0, 4));
      // Odd parity in every byte, as an HSM makes DES keys.
      for (const b of key) expect(b.toString(2).split('1').length % 2).toBe(0);
    }
    expect(keys.size).toBe(length / entry);
  });

  it('carries 3-byte check values when the profile says so', async () => {
    const answer = await first(signOnFrame('000001', '003'), profile('cup-style', { kcvLength: 3 }));
    const block = field(answer, 62) as Uint8Array;
    expect(block.length).toBe(38);
    expect(Buffer.from(block.subarray(35, 38))).toEqual(checkBlock(unwrap(TMK, block.subarray(19, 35)).toString('hex')).subarray(0, 3));
  });

  it('issues a key block the terminal\'s key store installs, and fresh keys at every sign-on', async () => {
    acquirer = await startAcquirer(config(profile('lakala-style')));
    const client = await HostClient.connect(acquirer.ports[0]);
    const one = await signOn(client);
    const two = await signOn(client);
    expect(two.mac).not.toBe(one.mac);
    const crypto = new NodeCrypto(1, { [MASTER_KEY_SLOT]: { algorithm: 'tdes2', key: Buffer.from(TMK, 'hex') } });
    const store = new KeyStore(crypto, undefined, createCborCodec());
    const result = store.install(field(two.answer, 62) as Uint8Array, { algorithm: 'tdes2', kcvLength: 4, mac: { algorithm: 'cup-ecb', padding: 1 } });
    expect(result).toEqual({ ok: true, generation: 1 });
    expect(store.status().keys.map((k) => k.kcv)).toEqual([two.pin, two.mac, two.data!].map((k) => checkBlock(k).subarray(0, 4).toString('hex').toUpperCase()));
    client.close();
  });

  it('answers the same TID and MID it was asked about, and logs no key bytes', async () => {
    acquirer = await startAcquirer(config(profile('cup-style')));
    const client = await HostClient.connect(acquirer.ports[0]);
    const keys = await signOn(client);
    expect([field(keys.answer, 41), field(keys.answer, 42)]).toEqual([TID, MID]);
    const logged = JSON.stringify(acquirer.log);
    for (const k of [keys.pin, keys.mac, keys.data!, TMK]) expect(logged.toUpperCase()).not.toContain(k);
    expect(logged).toContain(checkBlock(keys.mac).subarray(0, 4).toString('hex').toUpperCase());
    client.close();
  });
});
