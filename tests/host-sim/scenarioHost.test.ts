/**
 * Scenarios that talk to the simulated acquirer over loopback TCP: host steps, faults, the
 * link, a power cut after the 0200 left; and the scenario file's new fields, refused naming
 * the field. The host's own log is the independent witness of what went over the wire.
 */
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { PROFILE } from '../runtime/world';
import { join } from 'node:path';
import { loadScenario } from '../../host-sim/scenario/load';
import { parseScenario } from '../../host-sim/scenario/schema';
import { buildWorld, runInWorld } from '../../host-sim/world';

const FIXTURES = join(__dirname, 'fixtures');
const base = { name: 'x', terminal: { tid: '10240001', mid: '898440154110001' } };

describe('scenario files: the acquirer, the network and host steps', () => {
  it('fills in a healthy network and no acquirer, and a demo chip card for a sale that names none', () => {
    const scenario = parseScenario({ ...base, steps: [{ do: 'boot' }, { do: 'sale', amountMinor: 100 }] });
    expect(scenario.acquirer).toBeNull();
    expect(scenario.network).toEqual({ linkUp: true, dns: {}, unreachable: [] });
    expect(scenario.steps[1]).toMatchObject({ do: 'sale', amountMinor: 100, card: { entry: 'contact', pan: '6214830000000017' } });
  });

  it('a world built without startWorld (a unit test awaiting the terminal itself) still reaches an acquirer that knows its terminal', async () => {
    const world = buildWorld(parseScenario({ ...base, terminal: { ...base.terminal, profile: PROFILE }, acquirer: {}, steps: [{ do: 'boot' }] }));
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    await terminal.whenIdle();
    expect(terminal.lastReport?.results.find((r) => r.id === 'network.echo')).toMatchObject({ status: 'pass', code: 'echo.ok' });
    expect(terminal.lastReport?.results.find((r) => r.id === 'network.primary')).toMatchObject({ status: 'pass', code: 'connect.ok' });
    terminal.stop();
  });
});

describe('a day with the acquirer on loopback', () => {
  it('signs on, sells, is declined when the host says so, settles; the host saw exactly that', async () => {
    const { outcome } = await runInWorld(loadScenario(join(FIXTURES, 'host-day.json')));
    const { transactions, acquirer } = outcome.report;
    expect(transactions.map((t) => [t.do, t.outcome, t.code])).toEqual([
      ['sign-on', 'answered', '00'],
      ['sale', 'answered', '00'],
      ['sale', 'answered', '05'],
      ['sale', 'answered', '00'],
      ['echo', 'answered', '00'],
      ['settle', 'answered', '00'],
    ]);
    // Every PAN the report holds is masked: first 6, last 4.
    expect(transactions.filter((t) => t.pan).map((t) => t.pan)).toEqual(['621483******0017', '621483******0025', '621483******0033']);
    expect(JSON.stringify(outcome.report)).not.toMatch(/6214830000000\d{3}/);
    const requests = acquirer!.filter((a) => a.direction === 'in').map((a) => a.mti);
    expect(requests.filter((m) => m === '0200')).toHaveLength(3);
    expect(requests).toEqual(expect.arrayContaining(['0800', '0820', '0500']));
    expect(acquirer!.find((a) => a.fault === 'split-bytes')).toMatchObject({ mti: '0210', code: '00' });
  });

  it('reverses a sale the host never answered before the next one, answers late replies in virtual time, and reverses after a power cut', async () => {
    const { outcome } = await runInWorld(loadScenario(join(FIXTURES, 'host-faults.json')));
    const { transactions, acquirer } = outcome.report;
    const log = acquirer!.filter((a) => a.direction === 'in').map((a) => `${a.host}:${a.mti}:${a.stan}`);
    const sale = (amountMinor: number) => transactions.find((t) => t.amountMinor === amountMinor)!;

    // The hung sale: no answer after the profile's 30 s; its reversal leaves before the next 0200.
    expect(sale(1000)).toMatchObject({ outcome: 'no-answer', stage: 'timeout', uptimeMs: 30_000 });
    const hung = sale(1000).stan;
    expect(log.indexOf(`0:0400:${hung}`)).toBeGreaterThan(log.indexOf(`0:0200:${hung}`));
    expect(log.indexOf(`0:0400:${hung}`)).toBeLessThan(log.indexOf(`0:0200:${sale(1100).stan}`));
    // The held answer came 2 s of virtual time later.
    expect(sale(1200).uptimeMs - sale(1100).uptimeMs).toBe(2000);
    // Primary refusing: the backup answered.
    expect(log).toContain(`1:0200:${sale(1400).stan}`);
    // The 0200 that left before the power died reached the host; after the reboot it is reversed, then the next sale goes.
    expect(sale(1500).outcome).toBe('power-cut');
    const cutStan = acquirer!.filter((a) => a.direction === 'in' && a.mti === '0200').map((a) => a.stan).find((s) => !transactions.some((t) => t.stan === s));
    expect(cutStan).toBeDefined();
    expect(log.indexOf(`1:0400:${cutStan}`)).toBeGreaterThan(log.indexOf(`1:0200:${cutStan}`));
    expect(log.indexOf(`1:0400:${cutStan}`)).toBeLessThan(log.indexOf(`1:0200:${sale(1600).stan}`));
    // With the link down nothing leaves.
    expect(sale(1700)).toMatchObject({ outcome: 'no-answer', stage: 'link-down' });
    expect(log.some((l) => l.endsWith(`:0200:${sale(1700).stan}`))).toBe(false);
  });
});
