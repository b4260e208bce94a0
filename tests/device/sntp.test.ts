/**
 * The device's SNTP ask (NetworkAdapter.sntp over the SDK's client, tcpNetwork.ts) against a
 * fake that calls back as modules/network/sntp/sntp.js does: SNTP.time (1) with the transmit
 * time in whole seconds since 1970 (modsntp.c subtracts 2,208,988,800 from the NTP seconds),
 * SNTP.retry (2) on each resend, SNTP.error (-1) with the reason, after which it closes itself.
 * The port's contract (ports.ts): one answer, in a later job, ms since 1970 or why not.
 */
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
});
