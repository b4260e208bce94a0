/**
 * The terminal's state machine, as a technician would see it: what the screen says, what the
 * log holds, when the self-test runs.
 */
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { PortError } from '../../firmware/core/ports';
import { RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { decodeReport } from '../../firmware/core/selftest/reportRecord';
import type { Probe } from '../../firmware/core/selftest/types';
import { drive, driveIdle } from '../../host-sim/scenario/hostSteps';
import { startWorld, type NodeWorld } from '../../host-sim/world';
import { scenarioWith, screenText, worldWith } from './world';

const HOUR = 3600 * 1000;

/** Worlds startWorld made (their acquirers): closed after each test. */
const opened: NodeWorld[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
});

/**
 * A terminal booted (and signed on, when its self-test did not fail) in a world whose network
 * runs in virtual time: startWorld's acquirer, the network settled at every timer. A test that
 * moves the clock across self-tests needs it, since the network probes' timeouts are virtual.
 */
async function bootedOnSimNetwork(changes: Record<string, unknown> = {}) {
  const world = await startWorld(scenarioWith(changes));
  opened.push(world);
  const terminal = createTerminal(world.ports);
  await drive(world, terminal.boot());
  await driveIdle(world, terminal);
  return { world, terminal };
}

describe('terminal runtime', () => {
  it('boots through self-test to ready, logging every transition and the report', async () => {
    const world = worldWith();
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    expect(terminal.state).toBe('ready');
    // A self-test that did not fail is followed by the sign-on (in the background); its answer is evidence in the log.
    await terminal.whenIdle();
    const events = terminal.events();
    expect(events.map((e) => (e.kind === 'transition' ? `${e.from}>${e.to}:${e.cause}` : e.kind))).toEqual([
      'boot',
      'boot>selftest:selftest-boot',
      'selftest>ready:selftest-pass',
      'host-answer',
    ]);
    expect(events[3]).toMatchObject({ kind: 'host-answer', operation: 'sign-on', code: '00', category: 'approved', mti: '0810' });
    // The report is in flash as CBOR that an independent decoder (cbor-x) reads; its results are
    // stored as lists, which decodeReport turns back into results.
    const records = [...RecordLog.open(world.flash).records()].filter((r) => r.type === RecordType.selfTestReport);
    expect(records).toHaveLength(1);
    const report = decodeReport({ encode: cborEncode, decode: cborDecode }, records[0].payload);
    expect(report).toMatchObject({ seq: 1, trigger: 'boot', verdict: 'pass' });
    expect(report.results.map((r) => r.id)).toEqual([
      'network.link', 'network.resolve', 'network.primary', 'network.backup', 'network.echo', 'network.tls',
      'system.image', 'system.rtc', 'system.flash', 'system.memory', 'system.config', 'system.reversal', 'auth.crypto', 'system.capk',
      'device.display', 'device.keypad', 'account.host', 'auth.master-key', 'auth.working-keys', 'auth.mac', 'auth.certificate',
    ]);
    expect(screenText(world)).toMatch(/10240001/);
  });

  it('runs the self-test every 24 h of uptime and from the menu key', async () => {
    const { world, terminal } = await bootedOnSimNetwork({ lang: 'en' });
    await world.clock.advance(72 * HOUR + 1000);
    world.keypad.press('menu');
    await world.clock.settle();
    const reports = terminal.reports();
    expect(reports.map((r) => `${r.seq}:${r.trigger}@${r.startedUptimeMs / HOUR}h`)).toEqual([
      '1:boot@0h', '2:periodic@24h', '3:periodic@48h', '4:periodic@72h', `5:demand@${(72 * HOUR + 1000) / HOUR}h`,
    ]);
    // On demand the key that asked may still be down: the keypad is not judged then.
    expect(reports[4].results.find((r) => r.id === 'device.keypad')).toMatchObject({ status: 'skip', code: 'keypad.not-judged' });
    // A demand run opens on its summary page.
    expect(screenText(world)).toMatch(/PASS/);
  });

  it('pages through the report with ▼/▲ and returns with cancel', async () => {
    const world = worldWith({ lang: 'en' });
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    await terminal.whenIdle(); // the sign-on's own screen comes and goes first
    const home = screenText(world);
    // The summary, then one page per probe (each probe's English texts fit one page).
    const pages = 1 + terminal.lastReport!.results.length;
    world.keypad.press('down');
    const summary = screenText(world);
    expect(summary).toMatch(new RegExp(`1/${pages}\\b`));
    world.keypad.press('down');
    expect(screenText(world)).toMatch(new RegExp(`2/${pages}\\b`));
    world.keypad.press('up');
    expect(screenText(world)).toBe(summary);
    world.keypad.press('cancel');
    expect(screenText(world)).toBe(home);
  });

  it('a background sign-on ending leaves the report page a technician is reading on the screen', async () => {
    const world = worldWith({ lang: 'en' });
    const terminal = createTerminal(world.ports);
    await terminal.boot(); // the sign-on that follows a passing self-test is still under way
    world.keypad.press('down');
    const page = screenText(world);
    expect(page).toMatch(/1\/\d+\b/);
    await terminal.whenIdle();
    expect(terminal.host?.status().signedOn).toBe(true);
    expect(screenText(world)).toBe(page);
  });

  it('goes out of service on a failure and back to ready once a self-test passes', async () => {
    const { world, terminal } = await bootedOnSimNetwork({ device: { keysHeld: ['5'] }, lang: 'en' });
    expect(terminal.state).toBe('fault');
    expect(terminal.lastReport?.results.find((r) => r.id === 'device.keypad')).toMatchObject({ status: 'fail', code: 'keypad.stuck', detail: 'held: 5' });
    expect(screenText(world)).toMatch(/keypad\.stuck/);
    world.keypad.release('5');
    world.keypad.press('menu');
    await world.clock.settle();
    expect(terminal.state).toBe('ready');
    const causes = terminal.events().flatMap((e) => (e.kind === 'transition' ? [`${e.from}>${e.to}`] : []));
    expect(causes).toEqual(['boot>selftest', 'selftest>fault', 'fault>selftest', 'selftest>ready']);
  });

  it('joins a self-test already running instead of starting a second one', async () => {
    const world = worldWith();
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    const a = terminal.selfTest('demand');
    const b = terminal.selfTest('demand');
    expect(a).toBe(b);
    await a;
    expect(terminal.reports()).toHaveLength(2);
  });

  it('keeps its log across a power cut during a self-test, and says so at the next boot', async () => {
    const world = worldWith();
    let terminal = createTerminal(world.ports);
    await terminal.boot();
    // Cut the power 30 bytes into the next flash write: the demand run's first event (ready → selftest),
    // so that event is torn and nothing else of the run reaches the flash.
    world.flash.cutPowerAfter(30);
    await terminal.selfTest('demand').catch(() => undefined);
    terminal.stop();
    world.clock.reboot();
    world.powerOn();
    terminal = createTerminal(world.ports);
    await terminal.boot();
    const flash = terminal.lastReport?.results.find((r) => r.id === 'system.flash');
    expect(flash).toMatchObject({ status: 'warn', code: 'flash.torn-record' });
    // The first boot's events survive whole; the torn one is gone; the new boot counted it.
    const events = terminal.events();
    expect(events.map((e) => (e.kind === 'transition' ? `${e.from}>${e.to}:${e.cause}` : e.kind))).toEqual([
      'boot', 'boot>selftest:selftest-boot', 'selftest>ready:selftest-pass',
      'boot', 'boot>selftest:selftest-boot', 'selftest>ready:selftest-warn',
    ]);
    expect(events[3]).toMatchObject({ kind: 'boot', recovery: { tornRecords: 1 } });
    // The demand run's report never reached the flash, so the new boot's report takes its number.
    expect(terminal.reports().map((r) => `${r.seq}:${r.trigger}:${r.verdict}`)).toEqual(['1:boot:pass', '2:boot:warn']);
    expect(terminal.state).toBe('ready');
  });
});

describe('self-test runner', () => {
  const sleeper = (id: string, ms: number, after?: string[]): Probe => ({
    id,
    family: 'system',
    timeoutMs: 5_000,
    after,
    run: ({ ports, resultOf }) =>
      new Promise((resolve) =>
        ports.clock.setTimer(ms, () => resolve({ status: 'pass', code: `${id}.ok`, detail: after ? `after ${after.map((a) => resultOf(a)?.code).join()}` : '' })),
      ),
  });

  it('runs independent probes concurrently, dependent ones after, each bounded by its timeout', async () => {
    const world = worldWith();
    const probes: Probe[] = [
      sleeper('a', 1000),
      sleeper('b', 1000),
      sleeper('c', 500, ['a']),
      { id: 'hang', family: 'device', timeoutMs: 3000, run: () => new Promise(() => undefined) },
      { id: 'boom', family: 'network', timeoutMs: 3000, run: () => { throw new RangeError('bad'); } },
    ];
    const terminal = createTerminal(world.ports, { probes: () => probes });
    const booting = terminal.boot();
    await world.clock.settle(); // let the probes start and arm their timers
    await world.clock.advance(3000);
    await booting;
    const report = terminal.lastReport!;
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(byId.a.durationMs).toBe(1000);
    expect(byId.b.durationMs).toBe(1000);
    expect(byId.c).toMatchObject({ durationMs: 500, detail: 'after a.ok' });
    expect(byId.hang).toMatchObject({ status: 'fail', code: 'probe.timeout', durationMs: 3000 });
    expect(byId.boom).toMatchObject({ status: 'fail', code: 'probe.crashed', detail: 'boom: RangeError' });
    expect(report.durationMs).toBe(3000); // a‖b‖hang, not their sum
    expect(report.verdict).toBe('fail');
  });

  it('refuses a plan with a cycle or an unknown dependency', async () => {
    const { checkPlan } = await import('../../firmware/core/selftest/runner');
    expect(() => checkPlan([sleeper('a', 1, ['b']), sleeper('b', 1, ['a'])])).toThrow(expect.objectContaining({ code: 'selftest-plan' }));
    expect(() => checkPlan([sleeper('a', 1, ['zz'])])).toThrow(/unknown probe zz/);
    expect(() => checkPlan([sleeper('a', 1), sleeper('a', 1)])).toThrow(/twice/);
  });
});

describe('terminal on damaged storage', () => {
  it('still runs every other probe when the record log cannot be opened, and says why', async () => {
    const world = worldWith({ lang: 'en' });
    world.ports.flash = { byteLength: 4096, sectorSize: 4096, read: () => new Uint8Array(0), write: () => undefined, eraseSector: () => undefined };
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    expect(terminal.state).toBe('fault');
    const results = terminal.lastReport!.results;
    expect(results.find((r) => r.id === 'system.flash')).toMatchObject({ status: 'fail', code: 'flash.readback' });
    expect(results.find((r) => r.id === 'system.flash')!.detail).toMatch(/store-geometry/);
    expect(results.filter((r) => r.status === 'pass').map((r) => r.id)).toContain('system.image');
    expect(terminal.events()).toEqual([]);
  });

  it('skips a stored report or event it cannot read (another firmware version) instead of failing boot', async () => {
    const world = worldWith();
    const log = RecordLog.open(world.flash);
    log.append(RecordType.selfTestReport, Uint8Array.of(0xa1, 0x61, 0x78, 0x01)); // {x: 1}
    log.append(RecordType.event, Uint8Array.of(0xa1, 0x64, 0x6b, 0x69, 0x6e, 0x64, 0x63, 0x6e, 0x65, 0x77)); // {kind: "new"}
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    expect(terminal.state).toBe('ready');
    expect(terminal.lastReport?.seq).toBe(1);
    expect(terminal.events()[0]).toMatchObject({ kind: 'boot' });
    expect(world.traceLines.join('\n')).toMatch(/stored report skipped/);
    expect(world.traceLines.join('\n')).toMatch(/event \d+ skipped: unknown event kind new/);
  });
});

describe('self-test concurrency bound', () => {
  it('never has more than PROBE_CONCURRENCY probes in flight, and still overlaps them', async () => {
    const { runSelfTest, PROBE_CONCURRENCY } = await import('../../firmware/core/selftest/runner');
    const world = worldWith();
    let inFlight = 0;
    let most = 0;
    const probes: Probe[] = Array.from({ length: 10 }, (_, i) => ({
      id: `p${i}`,
      family: 'system',
      timeoutMs: 5_000,
      run: ({ ports }) => {
        most = Math.max(most, ++inFlight);
        return new Promise((resolve) => ports.clock.setTimer(1000, () => (inFlight--, resolve({ status: 'pass', code: 'ok', detail: '' }))));
      },
    }));
    const running = runSelfTest(world.ports, probes, 'demand', 1);
    for (let t = 0; t < 4; t++) {
      await world.clock.settle();
      await world.clock.advance(1000);
    }
    const report = await running;
    expect(most).toBe(PROBE_CONCURRENCY);
    expect(report.durationMs).toBe(Math.ceil(10 / PROBE_CONCURRENCY) * 1000);
    expect(report.results.every((r) => r.durationMs === 1000)).toBe(true);
  });
});

describe('terminal under failure (review findings)', () => {
  it('goes to fault, not stuck in selftest, when the self-test itself cannot run; a later run can recover', async () => {
    const world = worldWith();
    const plan: Probe[] = [
      { id: 'x', family: 'system', timeoutMs: 100, run: async () => ({ status: 'pass', code: 'x.ok', detail: '' }) },
      { id: 'x', family: 'system', timeoutMs: 100, run: async () => ({ status: 'pass', code: 'x.ok', detail: '' }) },
    ];
    const terminal = createTerminal(world.ports, { probes: () => plan });
    await expect(terminal.boot()).rejects.toThrow(/twice/);
    expect(terminal.state).toBe('fault');
    plan.length = 1; // the plan mended (the terminal holds this same list)
    await expect(terminal.selfTest('demand')).resolves.toMatchObject({ verdict: 'pass' });
    expect(terminal.state).toBe('ready');
  });

  it('a probe that resolves nothing is a crashed probe, not a crashed run', async () => {
    const world = worldWith();
    const terminal = createTerminal(world.ports, {
      probes: () => [{ id: 'odd', family: 'system', timeoutMs: 100, run: async () => undefined as never }],
    });
    await terminal.boot();
    expect(terminal.lastReport!.results[0]).toMatchObject({ status: 'fail', code: 'probe.crashed' });
  });

  it('a flash read error after the log opened still ends in a self-test that reports it', async () => {
    const world = worldWith();
    const read = world.flash.read.bind(world.flash);
    const write = world.flash.write.bind(world.flash);
    // The chip stops answering reads once the log has opened and written the boot event.
    let failing = false;
    world.ports.flash = {
      byteLength: world.flash.byteLength,
      sectorSize: world.flash.sectorSize,
      read: (offset, length) => {
        if (failing) throw new PortError('flash-io', 'spi');
        return read(offset, length);
      },
      write: (offset, data) => {
        write(offset, data);
        failing = true;
      },
      eraseSector: world.flash.eraseSector.bind(world.flash),
    };
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    expect(terminal.state).toBe('fault');
    const flash = terminal.lastReport!.results.find((r) => r.id === 'system.flash');
    expect(flash).toMatchObject({ status: 'fail', code: 'flash.readback', detail: expect.stringContaining('flash-io: spi') });
  });

  it('refuses a demand self-test before boot', async () => {
    const terminal = createTerminal(worldWith().ports);
    await expect(terminal.selfTest('demand')).rejects.toThrow(/state boot/);
    expect(terminal.state).toBe('boot');
  });
});
