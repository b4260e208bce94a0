/**
 * The terminal's activation (firmware/core/activation, over the real HostLink and TCP) against
 * the simulated acquirer: the two sides of the issue-8 contract §6 were written apart, so this
 * is where they meet. Activated for each master key algorithm (the key stored only after its
 * check value matched, then the terminal's key store installs a sign-on under it); each refusal
 * reaches the terminal as its reason; the wrong-kcv fault is caught and nothing is stored.
 */
import { activate, type ActivationOutcome } from '../../firmware/core/activation/activate';
import { readActivationRecord } from '../../firmware/core/activation/activationState';
import type { AcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { SETTINGS_DOMAIN } from '../../firmware/core/config/terminalConfig';
import { HostLink } from '../../firmware/core/host/link';
import type { Ports } from '../../firmware/core/ports';
import { KeyStore, MASTER_KEY_SLOT } from '../../firmware/core/security/keyStore';
import { createCborCodec } from '../../firmware/core/store/cbor';
import type { RegisteredTerminal } from '../../host-sim/acquirer/config';
import { startAcquirer, type Acquirer } from '../../host-sim/acquirer/server';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { NodeNetwork } from '../../host-sim/ports/nodeNetwork';
import { SimSettings } from '../../host-sim/ports/simDevices';
import { realClock } from '../host/sessionHarness';
import { field, HostClient, MID, profile, signOnFrame, TID } from './hostClient';

const CODE = '31415926';
let acquirer: Acquirer;
let link: HostLink;
afterEach(async () => {
  link.close();
  await acquirer.close();
});

/** A factory-state board: its own seeded crypto adapter, empty settings, a serial number. */
async function board(slots: Partial<RegisteredTerminal>[], serial = 'XSP-000042') {
  const terminals = slots.map((s) => ({ tid: TID, mid: MID, status: 'registered' as const, merchantStatus: 'ok' as const, activation: { code: CODE, algorithm: 'tdes2' as const }, ...s }));
  acquirer = await startAcquirer({ profile: profile('cup-style'), seed: 11, terminals });
  const p: AcquirerProfile = profile('cup-style', { hosts: acquirer.ports.map((port) => ({ host: '127.0.0.1', port })), timeoutMs: 1000, connectTimeoutMs: 1000, retries: 0 });
  link = new HostLink({
    network: new NodeNetwork(), clock: realClock, random: (n) => new Uint8Array(n), trace: () => undefined, hosts: p.hosts,
    connectTimeoutMs: p.connectTimeoutMs, responseTimeoutMs: p.timeoutMs, retries: p.retries, backoff: p.backoff, failbackMs: p.failbackMs, maxFrameBytes: 4096,
  });
  const crypto = new NodeCrypto(7);
  const settings = new SimSettings();
  const ports = { crypto, settings, clock: realClock, trace: () => undefined, system: { serialNumber: serial } } as unknown as Ports;
  const cbor = createCborCodec();
  return { crypto, settings, cbor, run: (code = CODE): Promise<ActivationOutcome> => activate(code, { ports, cbor, link, profile: p }) };
}

describe('terminal activation ↔ simulated acquirer', () => {
  it.each(['tdes2', 'tdes3', 'aes128'] as const)('%s: activated, the key stored under its check value, IDs and record written; a sign-on installs under it', async (algorithm) => {
    const b = await board([{ activation: { code: CODE, algorithm } }]);
    expect(await b.run()).toEqual({ kind: 'activated', tid: TID, mid: MID });
    expect([b.settings.get(SETTINGS_DOMAIN, 'tid'), b.settings.get(SETTINGS_DOMAIN, 'mid')]).toEqual([TID, MID]);
    expect(readActivationRecord(b.settings, b.cbor)).toMatchObject({ serial: 'XSP-000042', tid: TID, mid: MID });
    expect(b.crypto.provisionedKey(MASTER_KEY_SLOT)?.algorithm).toBe(algorithm);
    const client = await HostClient.connect(acquirer.ports[0]);
    const answer = await client.answer(signOnFrame('000100', '003', TID, MID));
    client.close();
    const store = new KeyStore(b.crypto, undefined, b.cbor);
    expect(store.install(field(answer, 62) as Uint8Array, { algorithm: 'tdes2', kcvLength: 4, mac: { algorithm: 'cup-ecb', padding: 1 } })).toEqual({ ok: true, generation: 1 });
  });

  it.each([
    ['code-wrong', {}, '99999999', 'activation code wrong'],
    ['code-expired', { activation: { code: CODE, algorithm: 'tdes2' as const, expiresMs: Date.parse('2020-01-01T00:00:00Z') } }, CODE, 'activation code expired'],
    ['tid-disabled', { status: 'disabled' as const }, CODE, 'TID disabled'],
    ['bound-elsewhere', { status: 'activated' as const, masterKey: '0123456789ABCDEFFEDCBA9876543210', activation: { code: CODE, algorithm: 'tdes2' as const, boundSerial: 'XSP-000001' } }, CODE, 'bound to another device'],
  ] as const)('%s: refused with that reason, the host\'s text in the detail, nothing stored', async (reason, slot, code, text) => {
    const b = await board([slot]);
    const outcome = await b.run(code);
    expect(outcome).toMatchObject({ kind: 'refused', reason, detail: expect.stringMatching(new RegExp(`^response code 97, reason .*${text}$`)) });
    expect(b.crypto.provisionedKey(MASTER_KEY_SLOT)).toBeUndefined();
    expect(b.settings.get(SETTINGS_DOMAIN, 'tid')).toBeUndefined();
  });

  it('wrong-kcv: the terminal finds the check value wrong and stores nothing; the next activation stores the key', async () => {
    const b = await board([{}]);
    acquirer.addFaults([{ kind: 'wrong-kcv' }]);
    expect(await b.run()).toMatchObject({ kind: 'refused', reason: 'kcv-mismatch' });
    expect(b.crypto.provisionedKey(MASTER_KEY_SLOT)).toBeUndefined();
    expect(await b.run()).toMatchObject({ kind: 'activated' });
  });
});
