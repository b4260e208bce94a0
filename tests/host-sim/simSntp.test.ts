/**
 * The simulated world's time and its SNTP servers: the RTC can be set without moving uptime or
 * timers; the world's own time line (elapsedMs) runs on across reboots whatever the RTC says;
 * a server answers the scenario's true time on that line in whole seconds, and says why not
 * as the device's SDK client would (link down, a name that does not resolve, no response).
 */
import { QueuedNetwork } from '../../host-sim/ports/queuedNetwork';
import { SimNetwork, type SimNetworkOptions } from '../../host-sim/ports/simNetwork';
import { VirtualClock } from '../../host-sim/ports/virtualClock';

const TRUE_MS = Date.UTC(2026, 11, 2, 8, 0, 0);

describe('the virtual clock', () => {
  it('sets the RTC without moving uptime or the timers, and keeps the world\'s time line across reboots', async () => {
    const clock = new VirtualClock(5_000);
    const fired: number[] = [];
    clock.setTimer(3_000, () => fired.push(clock.uptimeMs()));
    await clock.advance(1_000);
    clock.setWallMs(TRUE_MS);
    expect([clock.uptimeMs(), clock.wallMs(), clock.elapsedMs]).toEqual([1_000, TRUE_MS, 1_000]);
    await clock.advance(2_500);
    expect(fired).toEqual([3_000]);
    expect(clock.wallMs()).toBe(TRUE_MS + 2_500);
    clock.reboot();
    await clock.advance(400);
    expect([clock.uptimeMs(), clock.wallMs(), clock.elapsedMs]).toEqual([400, TRUE_MS + 2_900, 3_900]);
  });
});

describe('SNTP in the simulated world', () => {
  function ask(options: SimNetworkOptions, host: string, elapsedMs = 1_234): Promise<[number | undefined, string]> {
    const network = new QueuedNetwork(new SimNetwork(options), () => elapsedMs);
    return new Promise((resolve) => network.sntp(host, (wallMs, detail) => resolve([wallMs, detail])));
  }
  const world: SimNetworkOptions = { dns: { 'pool.ntp.org': '198.51.100.123' }, sntp: { trueMs: TRUE_MS, answers: true } };

  it('answers the true time on the world\'s time line, in whole seconds, in a later job', async () => {
    expect(await ask(world, 'pool.ntp.org')).toEqual([TRUE_MS + 1_000, '198.51.100.123 answered']);
    expect(await ask(world, '198.51.100.7', 61_999)).toEqual([TRUE_MS + 61_000, '198.51.100.7 answered']);
    const network = new QueuedNetwork(new SimNetwork(world), () => 0);
    let answered = false;
    network.sntp('pool.ntp.org', () => (answered = true));
    expect(answered).toBe(false);
  });

  it.each<[string, SimNetworkOptions, string, string]>([
    ['the link is down', { ...world, linkUp: false }, 'pool.ntp.org', 'link is down'],
    ['the name does not resolve', world, 'cn.pool.ntp.org', 'cannot resolve cn.pool.ntp.org'],
    ['the servers do not answer', { ...world, sntp: { trueMs: TRUE_MS, answers: false } }, 'pool.ntp.org', 'no response from SNTP server'],
    ['the world has no SNTP server', { dns: world.dns }, 'pool.ntp.org', 'no response from SNTP server'],
    ['the server is unreachable', { ...world, unreachable: ['pool.ntp.org'] }, 'pool.ntp.org', 'no response from SNTP server'],
  ])('gives no time when %s', async (_, options, host, detail) => {
    expect(await ask(options, host)).toEqual([undefined, detail]);
  });

  it('gives no time on a network without the world\'s time line', async () => {
    const network = new QueuedNetwork(new SimNetwork(world));
    await expect(new Promise((resolve) => network.sntp('pool.ntp.org', (wallMs, detail) => resolve([wallMs, detail])))).resolves.toEqual([
      undefined,
      'no SNTP server on this network',
    ]);
  });
});
