/**
 * The acquirer link over real TCP on 127.0.0.1: getting a connection (link state, names,
 * refusals, backoff, failover and failback), the self-test's connect probes, one exchange in
 * flight, and close(). Socket events arrive on Node's loop; virtual time moves only when a
 * test has seen the real I/O it waits for.
 */
import { backoffDelay } from '../../firmware/core/host/retry';
import { LinkError, MAX_WAITING_EXCHANGES } from '../../firmware/core/host/link';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { linkTestKit, SEED, TIMING, answerTo, answers, deadPort, local, request, until, watch } from './linkPeers';

const { peer, make } = linkTestKit();

describe('getting a connection', () => {
  it('retries a refused connect after full-jitter waits, then fails over to the backup, even for a sale (nothing left yet)', async () => {
    const primary = await deadPort();
    const backup = await peer();
    const { link, clock, net, traces } = make([local(primary), local(backup.port)]);
    const exchange = link.exchange(request('0200', '000011'), answers('0210', '000011'), false);
    const waits: number[] = [];
    for (let k = 1; k <= 2; k++) {
      await until(() => net.failures === k, `refusal ${k}`);
      const wait = await clock.backoffPending();
      waits.push(wait);
      await clock.advance(wait);
    }
    const result = await exchange;
    expect(result).toMatchObject({ ok: true, host: 1 });
    expect(net.connects.map((c) => c.port)).toEqual([primary, primary, primary, backup.port]);
    // The tries start exactly the waits apart on the clock port.
    expect(net.connects.map((c) => c.at)).toEqual([0, waits[0], waits[0] + waits[1], waits[0] + waits[1]]);
    // Full jitter: wait k within [0, min(cap, base·2^k)], drawn from the seeded crypto port.
    expect(waits[0]).toBeLessThanOrEqual(1_000);
    expect(waits[1]).toBeLessThanOrEqual(2_000);
    const replay = new NodeCrypto(SEED);
    const expected = [0, 1].map((k) => backoffDelay(k, TIMING.backoff.baseMs, TIMING.backoff.capMs, (n) => replay.randomBytes(n)));
    expect(waits).toEqual(expected);
    expect(link.activeHost).toBe(1);
    expect(traces.filter((l) => l.includes('connect (')).length).toBe(3);
    expect(traces).toContain(`link: failover to host 1 (127.0.0.1:${backup.port})`);
    expect(clock.pendingTimers).toBe(0);
    // The diagnosis reads these: three refused connects, one failover, nothing sent twice.
    expect(link.stats).toEqual({ failovers: 1, timeouts: 0, resends: 0, connectFailures: 3 });
  });

  it('stays on the backup until failbackMs has passed, then tries the primary first again', async () => {
    const primary = await peer();
    const backup = await peer();
    const { link, clock, net, traces } = make([local(primary.port), local(backup.port)], { retries: 0 });
    await primary.stop();
    const first = await link.exchange(request('0800', '000001'), answers('0810', '000001'), true);
    expect(first).toMatchObject({ ok: true, host: 1 });

    await primary.listen(); // the primary is back, but the failback time has not come
    await clock.advance(TIMING.failbackMs - 1);
    const second = await link.exchange(request('0800', '000002'), answers('0810', '000002'), true);
    expect(second).toMatchObject({ ok: true, host: 1 });
    expect(net.connects.slice(2).map((c) => c.port)).toEqual([backup.port]);

    await clock.advance(1);
    const third = await link.exchange(request('0800', '000003'), answers('0810', '000003'), true);
    expect(third).toMatchObject({ ok: true, host: 0 });
    expect(net.connects.slice(3).map((c) => c.port)).toEqual([primary.port]);
    expect(link.activeHost).toBe(0);
    expect(traces).toContain(`link: failback to host 0 (127.0.0.1:${primary.port})`);
  });

  it('gives up with stage connect and sent false when neither host takes the connection', async () => {
    const { link, net } = make([local(await deadPort()), local(await deadPort())], { retries: 0 });
    const result = await link.exchange(request('0200', '000012'), answers('0210', '000012'), false);
    expect(result).toMatchObject({ ok: false, stage: 'connect', sent: false, host: 1 });
    expect(net.connects).toHaveLength(2);
  });

  it('attempts nothing while the link is down', async () => {
    const { link, net, clock } = make([local(await deadPort())], { linkUp: false });
    const result = await link.exchange(request('0200', '000013'), answers('0210', '000013'), false);
    expect(result).toMatchObject({ ok: false, stage: 'link-down', sent: false, host: 0 });
    expect(await link.probeConnect(0)).toMatchObject({ ok: false, stage: 'link-down' });
    expect(net.resolves).toEqual([]);
    expect(net.connects).toEqual([]);
    expect(clock.timers).toEqual([]);
  });

  it('resolves host names with the port: a name that does not resolve is stage resolve, retried; localhost works', async () => {
    const { link, clock, net } = make([{ host: 'no-such-acquirer.invalid', port: 5000 }], { retries: 1 });
    const exchange = link.exchange(request('0800', '000004'), answers('0810', '000004'), true);
    await clock.advance(await clock.backoffPending());
    expect(await exchange).toMatchObject({ ok: false, stage: 'resolve', sent: false, detail: 'cannot resolve no-such-acquirer.invalid' });
    expect(net.resolves).toEqual(['no-such-acquirer.invalid', 'no-such-acquirer.invalid']);
    expect(net.connects).toEqual([]);

    const host = await peer();
    const named = make([{ host: 'localhost', port: host.port }]);
    expect(await named.link.exchange(request('0800', '000005'), answers('0810', '000005'), true)).toMatchObject({ ok: true, host: 0 });
    expect(named.net.connects[0]).toMatchObject({ host: '127.0.0.1', port: host.port });
  });

  it('times a connect out on the clock port and ignores the connection that opens too late', async () => {
    const host = await peer();
    const { link, clock, net } = make([local(host.port)], { retries: 0 });
    net.holdConnects = true;
    const exchange = watch(link.exchange(request('0200', '000014'), answers('0210', '000014'), false));
    await until(() => net.connects[0]?.release !== undefined, 'the TCP connection');
    await clock.advance(TIMING.connectTimeoutMs - 1);
    expect(exchange.settled()).toBe(false);
    await clock.advance(1);
    expect(await exchange.promise).toMatchObject({ ok: false, stage: 'connect', sent: false, detail: `not connected within ${TIMING.connectTimeoutMs} ms` });
    expect(net.connects[0].events).toContain('client-close');
    net.connects[0].release?.();
    expect(net.connects[0].written).toEqual([]);
    expect(host.frames).toEqual([]);
  });

  it('passes TLS with the trust anchor and the host name to the port for hosts marked tls', async () => {
    const ca = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
    expect(() => make([{ host: 'acq.example', port: 443, tls: true }])).toThrow(LinkError);
    const host = await peer();
    const { link, net } = make([{ host: 'localhost', port: host.port, tls: true }], { tls: { ca } });
    await link.probeConnect(0);
    expect(net.connects[0].tls).toEqual({ serverName: 'localhost', ca });
  });
});

describe('connect probes (self-test)', () => {
  it('reports each host on its own, with the connect time on the clock port', async () => {
    const primary = await peer();
    const { link, clock, net } = make([local(primary.port), local(await deadPort())]);
    net.holdConnects = true;
    const probe = link.probeConnect(0);
    await until(() => net.connects[0]?.release !== undefined, 'the TCP connection');
    await clock.advance(37);
    net.connects[0].release?.();
    expect(await probe).toEqual({ ok: true, ms: 37 });
    net.holdConnects = false;
    expect(await link.probeConnect(1)).toMatchObject({ ok: false, stage: 'connect' });
    expect(net.connects).toHaveLength(2); // no retry in a probe
    expect(net.connects[0].events).toContain('client-close');
    await expect(link.probeConnect(2)).rejects.toThrow(LinkError);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('one exchange in flight', () => {
  it('serialises concurrent exchanges first come first served, and refuses more than the waiting room holds', async () => {
    const held: (() => void)[] = [];
    const host = await peer((body, socket) => held.push(() => socket.write(answerTo(body))));
    const { link, net } = make([local(host.port)]);
    const order: string[] = [];
    const stans = ['000021', '000022', '000023'];
    const exchanges = stans.map((stan) =>
      link.exchange(request('0200', stan), answers('0210', stan), false).then((r) => {
        order.push(`${stan} answered`);
        return r;
      }),
    );
    const extra = MAX_WAITING_EXCHANGES - (stans.length - 1);
    const waiting = Array.from({ length: extra }, (_, i) => link.exchange(request('0800', `00009${i}`), answers('0810', `00009${i}`), true));
    expect(await link.exchange(request('0200', '000099'), answers('0210', '000099'), false)).toMatchObject({ ok: false, stage: 'busy', sent: false });
    for (let k = 0; k < stans.length; k++) {
      await until(() => held.length === k + 1, `request ${k + 1}`);
      // Only the exchange whose turn it is has a connection; the others wait.
      expect(net.connects).toHaveLength(k + 1);
      order.push(`${stans[k]} at host`);
      held[k]();
      await exchanges[k];
    }
    expect(order).toEqual(stans.flatMap((s) => [`${s} at host`, `${s} answered`]));
    expect(host.frames.map((f) => f.subarray(15, 21).toString())).toEqual(stans);
    link.close();
    for (const r of await Promise.all(waiting)) expect(r).toMatchObject({ ok: false, stage: 'closed' });
  });
});

describe('close()', () => {
  it('cancels the backoff wait: the exchange ends closed, no timer left, nothing more is tried or traced', async () => {
    const { link, clock, net, traces } = make([local(await deadPort())]);
    const exchange = link.exchange(request('0800', '000031'), answers('0810', '000031'), true);
    await clock.backoffPending();
    link.close();
    expect(clock.pendingTimers).toBe(0);
    expect(await exchange).toMatchObject({ ok: false, stage: 'closed', sent: false });
    const tried = net.connects.length;
    const traced = traces.length;
    await clock.advance(3_600_000);
    expect(net.connects).toHaveLength(tried);
    expect(traces).toHaveLength(traced);
    expect(await link.exchange(request('0800', '000032'), answers('0810', '000032'), true)).toMatchObject({ ok: false, stage: 'closed', sent: false });
    expect(net.connects).toHaveLength(tried);
  });

  it('drops the connection of an exchange waiting for its answer (the request had left: sent true)', async () => {
    const host = await peer(() => undefined);
    const { link, clock, net } = make([local(host.port)]);
    const exchange = link.exchange(request('0200', '000033'), answers('0210', '000033'), false);
    await until(() => host.frames.length === 1, 'the request at the host');
    link.close();
    expect(clock.pendingTimers).toBe(0);
    expect(await exchange).toMatchObject({ ok: false, stage: 'closed', sent: true });
    await until(() => host.closed === 1, 'the host to see the close');
    expect(net.connects[0].events).toEqual(['connect', 'client-close']);
  });
});
