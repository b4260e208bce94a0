/**
 * Working keys a terminal must never lose: across log rotation and reboots, a wipe that takes it
 * out of service at once, and stored key sets that are not what this firmware writes.
 */
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { PortError } from '../../firmware/core/ports';
import type { SelfTestReport } from '../../firmware/core/selftest/types';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { DurableKey, RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { loadScenario } from '../../host-sim/scenario/load';
import { runScenario } from '../../host-sim/scenario/driver';
import { startWorld } from '../../host-sim/world';
import { screenText, worldWith } from './world';
import { join } from 'node:path';

const byId = (report: SelfTestReport) => Object.fromEntries(report.results.map((r) => [r.id, r]));
const cbor = createCborCodec();
const transitions = (terminal: ReturnType<typeof createTerminal>) =>
  terminal.events().flatMap((e) => (e.kind === 'transition' ? [`${e.from}>${e.to}:${e.cause}`] : []));

describe('working keys survive rotation and reboots', () => {
  it('16 days of daily self-tests rotate the log past the key set, and after a reboot the keys are there with their generation', async () => {
    const scenario = loadScenario(join(__dirname, '../../host-sim/scenarios/keys-after-rotation.json'));
    // The scenario's acquirer answers the boot's sign-on: startWorld starts it and routes the profile's hosts to it.
    const world = await startWorld(scenario);
    const provisioned = RecordLog.open(world.flash).get(DurableKey.keySet)!;
    // What the boot's sign-on left, read when the days start to pass (the driver's first advance).
    let before: ReturnType<RecordLog['get']>;
    const advance = world.clock.advance.bind(world.clock);
    world.clock.advance = (ms) => {
      before ??= RecordLog.open(world.flash).get(DurableKey.keySet);
      return advance(ms);
    };
    const outcome = await runScenario(scenario, world).finally(() => world.close());
    // The sign-on installed generation 2 (provisioning's 1 + 1) in a record of its own.
    expect(before!.seq).toBeGreaterThan(provisioned.seq);
    const signedOn = cbor.decode(before!.payload) as { generation: number; keys: { name: string; kcv: Uint8Array }[] };
    expect(signedOn.generation).toBe(2);
    const kcv = (name: string) => Buffer.from(signedOn.keys.find((k) => k.name === name)!.kcv).toString('hex').toUpperCase();
    const last = outcome.report.selfTests.at(-1)!;
    expect(last.trigger).toBe('boot');
    expect(byId(last)['auth.working-keys']).toMatchObject({ status: 'pass', code: 'keys.ok', detail: `generation 2: pin KCV ${kcv('pin')}, mac KCV ${kcv('mac')}` });
    expect(byId(last)['auth.mac']).toMatchObject({ status: 'pass', code: 'mac.ok' });
    expect(outcome.report.finalState).toBe('ready');
    // The sector that held the sign-on's record was erased: the oldest ring record is newer than it,
    // and the key set now lives in a record written later (carried forward).
    const log = RecordLog.open(world.flash);
    const oldest = log.records().next().value!;
    expect(oldest.seq).toBeGreaterThan(before!.seq);
    const now = log.get(DurableKey.keySet)!;
    expect(now.seq).toBeGreaterThan(before!.seq);
    expect(Buffer.from(now.payload).equals(Buffer.from(before!.payload))).toBe(true);
  });
});

describe('no keys, no service', () => {
  it('a wipe takes a ready terminal out of service at once, then self-tests so the screen says why; a reboot keeps it there', async () => {
    const world = worldWith({ lang: 'en' });
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    // The boot's sign-on (generation 2) ends before the wipe: one arriving after it would be refused for want of a master key.
    await terminal.whenIdle();
    expect(terminal.keys.status()).toMatchObject({ generation: 2, wiped: false });
    expect(terminal.state).toBe('ready');
    const wiping = terminal.wipeKeys();
    // Before the self-test it starts has done anything, the terminal is already out of service.
    expect(transitions(terminal).slice(-2)).toEqual(['ready>fault:keys-wiped', 'fault>selftest:selftest-keys-wiped']);
    const report = await wiping;
    expect(terminal.state).toBe('fault');
    expect(byId(report)['auth.master-key']).toMatchObject({ status: 'fail', code: 'master-key.missing' });
    expect(byId(report)['auth.working-keys']).toMatchObject({ status: 'fail', code: 'keys.wiped', detail: 'generation 3 was wiped: sign on again' });
    expect(screenText(world)).toMatch(/keys\.wiped/);
    terminal.stop();

    world.powerOn();
    const again = createTerminal(world.ports);
    await again.boot();
    expect(again.state).toBe('fault');
    expect(byId(again.lastReport!)['auth.working-keys']).toMatchObject({ status: 'fail', code: 'keys.wiped' });
  });

  it('a second wipe command while the first is under way joins it (one wipe, one generation)', async () => {
    const world = worldWith({ lang: 'en' });
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    await terminal.whenIdle();
    const first = terminal.wipeKeys();
    const second = terminal.wipeKeys();
    expect(second).toBe(first);
    await first;
    expect(terminal.keys.status()).toMatchObject({ generation: 3, wiped: true });
    expect(transitions(terminal).filter((t) => t === 'ready>fault:keys-wiped')).toHaveLength(1);
  });

  it('a wipe whose record never reached the log still reads as gone after a reboot: the older stored set is stale', async () => {
    const world = worldWith({ lang: 'en' });
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    await terminal.whenIdle();
    const write = world.ports.flash.write.bind(world.ports.flash);
    world.ports.flash.write = () => {
      throw new PortError('flash-io', 'write refused');
    };
    await terminal.wipeKeys();
    terminal.stop();
    world.ports.flash.write = write;
    world.powerOn();
    const again = createTerminal(world.ports);
    await again.boot();
    expect(byId(again.lastReport!)['auth.working-keys']).toMatchObject({
      status: 'fail',
      code: 'keys.restore-failed',
      detail: 'stored set is generation 2; generation 3 was installed or wiped since',
    });
    expect(again.state).toBe('fault');
  });

  it('a terminal whose record log was lost (flash replaced) but that had signed on is out of service: keys.lost', async () => {
    const world = worldWith({ lang: 'en' });
    world.flash.bytes.fill(0xff);
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    expect(byId(terminal.lastReport!)['auth.working-keys']).toMatchObject({ status: 'fail', code: 'keys.lost', detail: 'generation 1 was installed; no working keys are stored now' });
    expect(terminal.state).toBe('fault');
  });

  it('"never signed on" is a warning only for a terminal that truly never was', async () => {
    const world = worldWith({ keys: { workingKeys: null } });
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    expect(byId(terminal.lastReport!)['auth.working-keys']).toMatchObject({ status: 'warn', code: 'keys.missing', detail: 'never signed on' });
    expect(terminal.state).toBe('ready');
    // A warning is no failure: the terminal then signs on and gets its first key set.
    await terminal.whenIdle();
    expect(terminal.keys.status()).toMatchObject({ generation: 1, wiped: false });
  });
});

describe('stored key sets this firmware did not write', () => {
  const good = (world: ReturnType<typeof worldWith>) => cbor.decode(RecordLog.open(world.flash).get(DurableKey.keySet)!.payload) as Record<string, unknown> & { keys: Record<string, unknown>[] };
  const variants: [string, (set: ReturnType<typeof good>) => void, RegExp][] = [
    ['a null key', (set) => (set.keys[0].wrapped = null), /keys\[0\]\.wrapped is not a byte string/],
    ['a check value of -1', (set) => (set.keys[0].kcv = -1), /keys\[0\]\.kcv is not a byte string/],
    ['a check value of 1e308', (set) => (set.keys[1].kcv = 1e308), /keys\[1\]\.kcv is not a byte string/],
    ['a check value "69109109"', (set) => (set.keys[0].kcv = '69109109'), /keys\[0\]\.kcv is not a byte string/],
    ['a check value of 2^31', (set) => (set.keys[0].kcv = 2 ** 31), /keys\[0\]\.kcv is not a byte string/],
    ['a generation of -1', (set) => (set.generation = -1), /generation is not a whole number/],
    ['an algorithm named __proto__', (set) => (set.algorithm = '__proto__'), /algorithm is not a key algorithm/],
    ['a key named twice', (set) => (set.keys[1].name = 'pin'), /keys\[1\]\.name is not pin, mac or data/],
    ['a wrapped key one byte short', (set) => (set.keys[0].wrapped = (set.keys[0].wrapped as Uint8Array).slice(1)), /keys\[0\]\.wrapped has 15 bytes/],
    ['a list for a map', (set) => Object.assign(set, { keys: 'x' }), /keys is not a list/],
  ];
  for (const [name, spoil, message] of variants)
    it(`${name}: a typed refusal and a trace line, out of service, the boot completes`, async () => {
      const world = worldWith({ lang: 'en' });
      const set = good(world);
      spoil(set);
      RecordLog.open(world.flash).put(DurableKey.keySet, RecordType.keySet, cbor.encode(set));
      const terminal = createTerminal(world.ports);
      await terminal.boot();
      const finding = byId(terminal.lastReport!)['auth.working-keys'];
      expect(finding).toMatchObject({ status: 'fail', code: 'keys.restore-failed' });
      expect(finding.detail).toMatch(message);
      expect(world.traceLines.some((l) => /stored keys not restored: keys\.unreadable: key set record \d+: keys-record-invalid: stored key set: /.test(l))).toBe(true);
      expect(terminal.state).toBe('fault');
    });

  it('a stored set that is not CBOR at all is refused the same way', async () => {
    const world = worldWith({ lang: 'en' });
    RecordLog.open(world.flash).put(DurableKey.keySet, RecordType.keySet, Uint8Array.of(0xff, 0xff, 0x1c));
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    expect(byId(terminal.lastReport!)['auth.working-keys']).toMatchObject({ status: 'fail', code: 'keys.restore-failed' });
    expect(terminal.state).toBe('fault');
  });
});

