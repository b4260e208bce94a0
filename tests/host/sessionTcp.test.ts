/** The session over the real link (host/link.ts) and real TCP on 127.0.0.1 to the test's CUP-style host. */
import { HostLink } from '../../firmware/core/host/link';
import { NodeNetwork } from '../../host-sim/ports/nodeNetwork';
import { CupHost, bootTerminal, cupProfile, newFlash, realClock, startTcpHost } from './sessionHarness';

describe('session over TCP', () => {
  it('signs on, sells, echoes and settles through the link', async () => {
    const host = new CupHost();
    const server = await startTcpHost(host);
    const profile = cupProfile({ hosts: [{ host: '127.0.0.1', port: server.port }], timeoutMs: 2000, connectTimeoutMs: 2000, retries: 0 });
    const link = new HostLink({
      network: new NodeNetwork(), clock: realClock, random: (n) => new Uint8Array(n), trace: () => undefined, hosts: profile.hosts,
      connectTimeoutMs: profile.connectTimeoutMs, responseTimeoutMs: profile.timeoutMs, retries: profile.retries, backoff: profile.backoff,
      failbackMs: profile.failbackMs, maxFrameBytes: 4096,
    });
    try {
      const t = bootTerminal(newFlash(), link, profile);
      expect(await t.session.signOn()).toMatchObject({ kind: 'answered', answer: { code: '00' } });
      expect(await t.session.sale({ amountMinor: 100, entry: 'manual', pan: '6222021234567890123', expiry: '2512' })).toMatchObject({ kind: 'answered', answer: { code: '00' } });
      expect(await t.session.echo()).toMatchObject({ kind: 'answered', roundTripMs: expect.any(Number) });
      expect(await t.session.settle()).toMatchObject({ kind: 'answered', uploaded: 0 });
      expect(host.requests.map((r) => r.mti)).toEqual(['0800', '0200', '0820', '0500', '0320']);
      expect(host.badMacs).toEqual([]);
    } finally {
      link.close();
      await server.close();
    }
  });
});
