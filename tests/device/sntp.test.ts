/**
 * The device's SNTP ask (NetworkAdapter.sntp over the SDK's client, tcpNetwork.ts) against a
 * fake that calls back as modules/network/sntp/sntp.js does: SNTP.time (1) with the transmit
 * time in whole seconds since 1970 (modsntp.c subtracts 2,208,988,800 from the NTP seconds),
 * SNTP.retry (2) on each resend, SNTP.error (-1) with the reason, after which it closes itself.
 * The port's contract (ports.ts): one answer, in a later job, ms since 1970 or why not.
 */
import type { Ports, TimerToken } from '../../firmware/core/ports';
import { SNTP_ANSWER_MS, SntpRound } from '../../firmware/core/runtime/clockSync';
import { NetworkAdapter } from '../../firmware/device/networkAdapter';
import { FakeStack, settle } from './networkFakes';

type Link = { up: boolean; address?: string };

function setUp(link: Link = { up: true, address: '192.168.7.23' }) {
  const stack = new FakeStack();
  const network = new NetworkAdapter(() => link, stack);
  const answers: [number | undefined, string][] = [];
  const ask = (host: string) => network.sntp(host, (wallMs, detail) => answers.push([wallMs, detail]));
  return { stack, answers, ask };
}

describe('SNTP on the device', () => {
  it('hands on the server\'s seconds as ms since 1970, once, ignoring the resends before it', () => {
    const { stack, answers, ask } = setUp();
    ask('cn.pool.ntp.org');
    expect(stack.sntpAsked.map((a) => a.host)).toEqual(['cn.pool.ntp.org']);
    const client = stack.sntpAsked[0].onMessage;
    client(2);
    client(2);
    expect(answers).toEqual([]);
    // NTP seconds 4,005,187,200 = 2026-12-02T08:00:00Z; the SDK hands on 4,005,187,200 − 2,208,988,800.
    client(1, 4_005_187_200 - 2_208_988_800);
    client(1, 0);
    expect(answers).toEqual([[Date.parse('2026-12-02T08:00:00Z'), 'answered']]);
  });

  it('hands on the client\'s reason when it gives up', () => {
    const { stack, answers, ask } = setUp();
    ask('pool.ntp.org');
    stack.sntpAsked[0].onMessage(-1, 'no response from SNTP server');
    expect(answers).toEqual([[undefined, 'no response from SNTP server']]);
  });

  it('asks nothing while the link is down, and says so in a later job', async () => {
    const { stack, answers, ask } = setUp({ up: false });
    ask('pool.ntp.org');
    expect(answers).toEqual([]);
    await settle();
    expect(answers).toEqual([[undefined, 'link is down']]);
    expect(stack.sntpAsked).toEqual([]);
  });

  it('reports a client that cannot be made (no UDP socket) in a later job', async () => {
    const { stack, answers, ask } = setUp();
    stack.refuse = new Error('no socket');
    ask('pool.ntp.org');
    expect(answers).toEqual([]);
    await settle();
    expect(answers).toEqual([[undefined, 'no socket']]);
  });

  it('closes the SDK client (its socket and retry timer) when the ask is cancelled, and says nothing after', () => {
    const { stack, answers } = setUp();
    const network = new NetworkAdapter(() => ({ up: true, address: '10.0.0.2' }), stack);
    const ask = network.sntp('pool.ntp.org', (wallMs, detail) => answers.push([wallMs, detail]));
    const { client } = stack.sntpAsked[0];
    client.retry();
    ask.cancel();
    expect(client.open).toBe(false);
    expect(client.closes).toBe(1);
    ask.cancel();
    client.onMessage(1, 4_005_187_200 - 2_208_988_800);
    expect(client.closes).toBe(1);
    expect(answers).toEqual([]);
  });

  it('never closes a client that closed itself (after its answer or its error)', () => {
    const { stack, answers } = setUp();
    const network = new NetworkAdapter(() => ({ up: true, address: '10.0.0.2' }), stack);
    const first = network.sntp('a.example', (wallMs, detail) => answers.push([wallMs, detail]));
    const second = network.sntp('b.example', (wallMs, detail) => answers.push([wallMs, detail]));
    stack.sntpAsked[0].client.time(4_005_187_200 - 2_208_988_800);
    stack.sntpAsked[1].client.error('cannot resolve b.example');
    // A second close would throw (the fake, as XS would); cancel() after the client's own close is a no-op.
    first.cancel();
    second.cancel();
    expect(stack.sntpAsked.map(({ client }) => client.closes)).toEqual([1, 1]);
    expect(answers).toEqual([
      [Date.parse('2026-12-02T08:00:00Z'), 'answered'],
      [undefined, 'cannot resolve b.example'],
    ]);
  });
});

/** A clock whose timers run only when the test says (uptime stands still otherwise). */
class StepClock {
  wall = Date.parse('1970-01-02T00:00:00Z');
  timers = new Map<number, { at: number; run: () => void }>();
  now = 0;
  #next = 1;
  uptimeMs = () => this.now;
  wallMs = () => this.wall;
  setWallMs = (ms: number) => void (this.wall = ms);
  setTimer = (delayMs: number, run: () => void): TimerToken => {
    const id = this.#next++;
    this.timers.set(id, { at: this.now + delayMs, run });
    return id as unknown as TimerToken;
  };
  clearTimer = (token: TimerToken) => void this.timers.delete(token as unknown as number);
  advance(ms: number) {
    this.now += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at > this.now) continue;
      this.timers.delete(id);
      timer.run();
    }
  }
}

describe('the clock sync round over the device adapter: no SDK client outlives the wait for it', () => {
  function round(servers: string[]) {
    const stack = new FakeStack();
    const clock = new StepClock();
    const network = new NetworkAdapter(() => ({ up: true, address: '192.168.7.23' }), stack);
    const traces: string[] = [];
    const ports = { network, clock, system: { buildTime: Date.parse('2026-11-01T00:00:00Z') }, trace: (line: string) => traces.push(line) } as unknown as Ports;
    return { stack, clock, sntpRound: new SntpRound(ports, servers) };
  }
  const clients = (stack: FakeStack) => stack.sntpAsked.map(({ host, client }) => [host, client.open, client.closes]);

  it('a cancelled round (the terminal stopped) closes the client it was waiting for', async () => {
    const { stack, clock, sntpRound } = round(['cn.pool.ntp.org', 'pool.ntp.org']);
    stack.sntpAsked[0].client.retry();
    sntpRound.cancel();
    expect(await sntpRound.done).toEqual({ kind: 'failed', detail: 'stopped' });
    expect(clients(stack)).toEqual([['cn.pool.ntp.org', false, 1]]);
    expect(clock.timers.size).toBe(0);
  });

  it('a server given up at the guard has its client closed before the next server is asked', async () => {
    const { stack, clock, sntpRound } = round(['cn.pool.ntp.org', 'pool.ntp.org']);
    clock.advance(SNTP_ANSWER_MS);
    expect(clients(stack)).toEqual([
      ['cn.pool.ntp.org', false, 1],
      ['pool.ntp.org', true, 0],
    ]);
    clock.advance(SNTP_ANSWER_MS);
    const sync = await sntpRound.done;
    expect(sync.kind).toBe('failed');
    expect(clients(stack)).toEqual([
      ['cn.pool.ntp.org', false, 1],
      ['pool.ntp.org', false, 1],
    ]);
    expect(clock.timers.size).toBe(0);
  });

  it('a client that answers or fails closes itself once, and the round sets the clock from the next', async () => {
    const { stack, clock, sntpRound } = round(['a.example', 'b.example']);
    stack.sntpAsked[0].client.error('no response from SNTP server');
    stack.sntpAsked[1].client.time(4_005_187_200 - 2_208_988_800);
    const sync = await sntpRound.done;
    expect(sync).toMatchObject({ kind: 'set', server: 'b.example', toMs: Date.parse('2026-12-02T08:00:00Z') });
    expect(clients(stack)).toEqual([
      ['a.example', false, 1],
      ['b.example', false, 1],
    ]);
    expect(clock.wall).toBe(Date.parse('2026-12-02T08:00:00Z'));
    expect(clock.timers.size).toBe(0);
  });
});
