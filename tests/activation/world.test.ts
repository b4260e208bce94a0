/**
 * A factory terminal in a simulated world (host-sim/world.ts) activates against the scenario's
 * simulated acquirer over loopback TCP: the serial number the scenario gives (or the one derived
 * from its seed) goes out and is bound; the stored master key survives a power cycle as a
 * provisioned one does; then the configuration is complete, the link and session open from it,
 * and a sign-on installs working keys under the new master key (whose check values prove it is
 * the host's).
 */
import { activate } from '../../firmware/core/activation/activate';
import { activationState, readActivationRecord } from '../../firmware/core/activation/activationState';
import { linkFor, openAcquirerLink, readProfile } from '../../firmware/core/runtime/acquirerLink';
import { KeyStore, MASTER_KEY_SLOT } from '../../firmware/core/security/keyStore';
import { masterKeyProbe } from '../../firmware/core/selftest/probes/authProbes';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { RecordLog } from '../../firmware/core/store/recordLog';
import { simSerial } from '../../host-sim/world';
import { PROFILE, scenarioWith, worldWith } from '../runtime/world';

const CODE = '20261202';
const SLOT = { tid: '10240002', mid: '898440154110001', status: 'registered', activation: { code: CODE, algorithm: 'aes128' } };
const cbor = createCborCodec();

function factoryWorld(device: Record<string, unknown> = {}) {
  return worldWith({
    terminal: { profile: PROFILE },
    keys: { masterKey: null, workingKeys: null },
    device,
    acquirer: { terminals: [SLOT] },
  });
}

/** The activation's link, as the terminal makes it from the provisioned profile alone (a factory terminal has no TID, so no session yet). */
function linkOf(world: ReturnType<typeof factoryWorld>) {
  const profile = readProfile(world.settings, cbor)!;
  return { link: linkFor(world.ports, profile), profile };
}

describe('activation in a simulated world', () => {
  it('activates with the scenario serial, keeps the key across a power cycle, then signs on under it', async () => {
    const world = factoryWorld({ serial: 'SN-WORLD-0001' });
    const keys = new KeyStore(world.ports.crypto, undefined, cbor, world.settings);
    expect(openAcquirerLink(world.ports, undefined, cbor, keys)).toMatch(/^configuration: tid/);
    expect(activationState(world.ports, cbor, keys)).toMatchObject({ factory: true });
    const { link, profile } = linkOf(world);
    try {
      expect(await activate(CODE, { ports: world.ports, cbor, link, profile })).toEqual({ kind: 'activated', tid: SLOT.tid, mid: SLOT.mid });
    } finally {
      link.close();
    }
    expect(readActivationRecord(world.settings, cbor)).toMatchObject({ serial: 'SN-WORLD-0001', tid: SLOT.tid, mid: SLOT.mid, host: 0 });

    world.powerOn();
    expect(world.ports.crypto.provisionedKey(MASTER_KEY_SLOT)).toMatchObject({ algorithm: 'aes128', usage: 'master' });
    const log = RecordLog.open(world.flash);
    const after = new KeyStore(world.ports.crypto, log, cbor, world.settings);
    expect(await masterKeyProbe(after).run({ ports: world.ports, trigger: 'boot', resultOf: () => undefined } as never)).toMatchObject({ status: 'pass', code: 'master-key.ok' });
    const opened = openAcquirerLink(world.ports, log, cbor, after);
    if (typeof opened === 'string') throw new Error(opened);
    try {
      expect(await opened.session.signOn()).toMatchObject({ kind: 'answered', answer: { code: '00', category: 'approved' } });
      expect(after.status()).toMatchObject({ generation: 1, masterKey: true });
      expect(after.status().keys.map((k) => k.name)).toEqual(expect.arrayContaining(['pin', 'mac']));
    } finally {
      opened.link.close();
    }
  });

  it('gives the board a serial number derived from the seed when the scenario names none', () => {
    const world = factoryWorld();
    expect(world.ports.system.serialNumber).toBe(simSerial(scenarioWith().seed));
    expect(world.ports.system.serialNumber).toMatch(/^[0-9A-F]{12}$/);
    expect(factoryWorld({ serial: 'X-1' }).ports.system.serialNumber).toBe('X-1');
  });

  it("reports the scenario's key protection", () => {
    expect(factoryWorld().ports.crypto.keyProtection()).toBe('encrypted');
    expect(factoryWorld({ keyProtection: 'unprotected' }).ports.crypto.keyProtection()).toBe('unprotected');
  });
});
