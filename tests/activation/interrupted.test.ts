/**
 * An activation a reboot cuts between two writes (settings and the key vault are separate
 * stores) never strands the terminal: a power cut at each write of the flow, then a fresh boot's
 * reading (activationState.ts completeActivation, the master-key probe), finds it either in its
 * factory state (it offers activation, and the same code activates it again) or activated with
 * its key, IDs and record, never a key without IDs or a record without a key.
 *
 * The cut is a settings port and a crypto port whose write N, and every write after it, throw
 * (the power is gone); the reading after it uses the world's own ports (what the flash kept).
 */
import { activate } from '../../firmware/core/activation/activate';
import { activationState, completeActivation, readActivationRecord } from '../../firmware/core/activation/activationState';
import { SETTINGS_DOMAIN } from '../../firmware/core/config/terminalConfig';
import { PortError, type CryptoPort, type Ports, type SettingsPort } from '../../firmware/core/ports';
import { linkFor, readProfile } from '../../firmware/core/runtime/acquirerLink';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { KeyStore, MASTER_KEY_SLOT } from '../../firmware/core/security/keyStore';
import { masterKeyProbe } from '../../firmware/core/selftest/probes/authProbes';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { drive } from '../../host-sim/scenario/hostSteps';
import { PROFILE, worldWith } from '../runtime/world';

const CODE = '20261202';
const SLOT = { tid: '10240002', mid: '898440154110001', status: 'registered', activation: { code: CODE, algorithm: 'tdes2' } };
const cbor = createCborCodec();

const factoryWorld = () => worldWith({ terminal: { profile: PROFILE }, keys: { masterKey: null, workingKeys: null }, device: { serial: 'SN-CUT-1' }, acquirer: { terminals: [SLOT] } });
type World = ReturnType<typeof factoryWorld>;

/** The world's settings and crypto behind a power switch: write `cutAt` (1-based) and every later one throws. */
function cutPorts(world: World, cutAt: number): { ports: Ports; writes: string[] } {
  const writes: string[] = [];
  const write = (what: string) => {
    writes.push(what);
    if (writes.length >= cutAt) throw new PortError(what.startsWith('store') ? 'crypto' : 'settings', `power cut at write ${writes.length} (${what})`);
  };
  const real = world.ports.settings;
  const settings: SettingsPort = {
    get: (domain, key) => real.get(domain, key),
    set(domain, key, value) {
      write(`set ${domain}/${key}`);
      real.set(domain, key, value);
    },
    delete(domain, key) {
      write(`delete ${domain}/${key}`);
      real.delete(domain, key);
    },
  };
  const crypto = new Proxy(world.ports.crypto, {
    get(target, name) {
      if (name === 'storeMasterKey')
        return (slot: string, key: Parameters<CryptoPort['storeMasterKey']>[1]) => {
          write(`store ${slot}`);
          target.storeMasterKey(slot, key);
        };
      const value = Reflect.get(target, name, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { ports: { ...world.ports, settings, crypto }, writes };
}

async function activateWith(world: World, ports: Ports) {
  const profile = readProfile(world.settings, cbor)!;
  const link = linkFor(world.ports, profile);
  try {
    return await activate(CODE, { ports, cbor, link, profile });
  } catch (error) {
    return error as Error;
  } finally {
    link.close();
  }
}

/** What a fresh boot reads: the interrupted activation settled, then the state and the master-key probe. */
async function afterReboot(world: World) {
  world.powerOn();
  const recovered = completeActivation(world.ports, cbor);
  const keys = new KeyStore(world.ports.crypto, undefined, cbor, world.settings);
  const probe = await masterKeyProbe(keys).run({ ports: world.ports, trigger: 'boot', resultOf: () => undefined } as never);
  return { recovered, state: activationState(world.ports, cbor, keys), probe };
}

/** The flow's writes, in order, when nothing cuts it. */
const WRITES = ['set activation/pending', 'set terminal/tid', 'set terminal/mid', 'store tmk', 'set activation/record', 'delete activation/pending'];

describe('an activation cut by a reboot', () => {
  it('writes a pending record and the IDs first, the key, then the record, and the pending record goes last', async () => {
    const world = factoryWorld();
    const { ports, writes } = cutPorts(world, Infinity);
    expect(await activateWith(world, ports)).toEqual({ kind: 'activated', tid: SLOT.tid, mid: SLOT.mid });
    expect(writes).toEqual(WRITES);
    expect((await afterReboot(world)).recovered).toBe('none');
  });

  it.each(WRITES.map((what, i) => [i + 1, what] as const))('cut at write %i (%s): factory state or activated after the reboot, never stranded', async (n) => {
    const world = factoryWorld();
    const { ports, writes } = cutPorts(world, n);
    const cut = await activateWith(world, ports);
    // (A refused key store tries to undo the IDs: those writes fail too, the power being off.)
    expect(writes.slice(0, n)).toEqual(WRITES.slice(0, n));
    const { recovered, state, probe } = await afterReboot(world);
    const keyStored = n > WRITES.indexOf('store tmk') + 1;
    if (keyStored) {
      // The key is in its slot: the activation completes from the pending record (or was complete).
      expect(cut).toEqual({ kind: 'activated', tid: SLOT.tid, mid: SLOT.mid });
      expect(recovered).toBe('completed');
      expect(state).toMatchObject({ activated: true, factory: false, masterKey: true });
      expect(readActivationRecord(world.settings, cbor)).toMatchObject({ serial: 'SN-CUT-1', tid: SLOT.tid, mid: SLOT.mid });
      expect(world.settings.get(SETTINGS_DOMAIN, 'tid')).toBe(SLOT.tid);
      expect(probe).toMatchObject({ status: 'pass', code: 'master-key.ok' });
      return;
    }
    // No key: the pending record is dropped and the terminal offers activation again.
    expect(cut).toMatchObject({ name: 'ActivationDeviceError' });
    expect(recovered).toBe(n === 1 ? 'none' : 'dropped');
    expect(state).toMatchObject({ activated: false, factory: true, masterKey: false });
    expect(probe).toMatchObject({ status: 'fail', code: 'keys.not-activated' });
    expect(world.ports.crypto.provisionedKey(MASTER_KEY_SLOT)).toBeUndefined();
    // The host bound this serial already: the same code activates it now.
    expect(await activateWith(world, world.ports)).toEqual({ kind: 'activated', tid: SLOT.tid, mid: SLOT.mid });
    expect((await afterReboot(world)).state).toMatchObject({ activated: true });
  });
});

describe('the terminal booting after a cut activation', () => {
  it.each([
    [2, 'keys.not-activated', false],
    [5, 'master-key.ok', true],
  ] as const)('cut at write %i: the boot settles it before its self-test (master key probe %s)', async (n, code, activated) => {
    const world = factoryWorld();
    await activateWith(world, cutPorts(world, n).ports);
    world.powerOn();
    const terminal = createTerminal(world.ports);
    await drive(world, terminal.boot());
    expect(terminal.lastReport!.results.find((r) => r.id === 'auth.master-key')).toMatchObject({ code });
    // Settled at boot: no pending record is left either way.
    expect(world.settings.get('activation', 'pending')).toBeUndefined();
    expect(readActivationRecord(world.settings, cbor) !== undefined).toBe(activated);
    expect(world.traceLines.some((line) => line.includes(`activation: interrupted by a reboot, ${activated ? 'completed' : 'dropped'}`))).toBe(true);
    terminal.stop();
  });
});
