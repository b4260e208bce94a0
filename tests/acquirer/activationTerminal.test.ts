/**
 * The acquirer's activation against the terminal's own code: the master key a device opened
 * from the envelope (activationClient.ts) is provisioned in the terminal's crypto adapter
 * (NodeCrypto), and the terminal's key store installs the sign-on's key block under it, for each
 * master key algorithm: the host's ECB under 3DES (two and three keys) and AES-128 and the
 * terminal's unwrap agree.
 */
import { startAcquirer, type Acquirer } from '../../host-sim/acquirer/server';
import { KeyStore, MASTER_KEY_SLOT } from '../../firmware/core/security/keyStore';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { activateOver, newDevice, openEnvelope } from './activationClient';
import { config, field, HostClient, MID, profile, signOnFrame, TID } from './hostClient';

let acquirer: Acquirer | undefined;
afterEach(async () => acquirer?.close());

describe('activation, then the terminal\'s key store', () => {
  it.each(['tdes2', 'tdes3', 'aes128'] as const)('a %s master key: the sign-on\'s key block installs under it', async (algorithm) => {
    acquirer = await startAcquirer(config(profile('lakala-style'), [{ masterKey: undefined, status: 'registered', activation: { code: '44556677', algorithm } }]));
    const client = await HostClient.connect(acquirer.ports[0]);
    const device = newDevice('SN-KS');
    const { keyHex } = openEnvelope(device, (await activateOver(client, '000001', device, '44556677')).tlv);
    const answer = await client.answer(signOnFrame('000002', '004', TID, MID));
    client.close();
    expect(field(answer, 39)).toBe('00');
    const crypto = new NodeCrypto(1, { [MASTER_KEY_SLOT]: { algorithm, key: Buffer.from(keyHex, 'hex') } });
    const store = new KeyStore(crypto, undefined, createCborCodec());
    expect(store.install(field(answer, 62) as Uint8Array, { algorithm: 'tdes2', kcvLength: 4, mac: { algorithm: 'cup-ecb', padding: 1 } })).toEqual({ ok: true, generation: 1 });
    // Under the wrong master key the check values do not come out.
    const wrong = new NodeCrypto(1, { [MASTER_KEY_SLOT]: { algorithm, key: Buffer.alloc(keyHex.length / 2, 0x5a) } });
    expect(new KeyStore(wrong, undefined, createCborCodec()).install(field(answer, 62) as Uint8Array, { algorithm: 'tdes2', kcvLength: 4, mac: { algorithm: 'cup-ecb', padding: 1 } })).toMatchObject({ ok: false, code: 'keys.kcv-mismatch' });
  });

  it('an AES master key cannot carry single-length keys: a 001 sign-on is a format error', async () => {
    acquirer = await startAcquirer(config(profile('lakala-style'), [{ masterKey: undefined, status: 'registered', activation: { code: '44556677', algorithm: 'aes128' } }]));
    const client = await HostClient.connect(acquirer.ports[0]);
    await activateOver(client, '000001', newDevice('SN-KS'), '44556677');
    expect(field(await client.answer(signOnFrame('000002', '001', TID, MID)), 39)).toBe('30');
    client.close();
  });
});
