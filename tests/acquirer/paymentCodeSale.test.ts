/**
 * A scanned sale end to end: the terminal's host session sends the customer's payment code
 * (card/qrCodes classified it) in the profile's payment-code field (cup-style: 48, n...322 in the
 * cup-pos dialect, so Alipay's longest, 24 digits, fits), entry mode 03; the simulated acquirer,
 * written apart, finds it there and approves. Without a code the session refuses locally.
 */
import { HostLink } from '../../firmware/core/host/link';
import type { AcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { NodeNetwork } from '../../host-sim/ports/nodeNetwork';
import { startAcquirer, type Acquirer } from '../../host-sim/acquirer/server';
import { bootTerminal, MID, newFlash, realClock, TID, type Terminal } from '../host/sessionHarness';
import { config, profile, TMK } from './hostClient';

let acquirer: Acquirer;
let link: HostLink;
let terminal: Terminal;

beforeEach(async () => {
  acquirer = await startAcquirer(config(profile('cup-style'), [{ tid: TID, mid: MID, masterKey: TMK }]));
  const p: AcquirerProfile = profile('cup-style', { hosts: acquirer.ports.map((port) => ({ host: '127.0.0.1', port })), timeoutMs: 1000, connectTimeoutMs: 1000, retries: 0 });
  link = new HostLink({
    network: new NodeNetwork(), clock: realClock, random: (n) => new Uint8Array(n), trace: () => undefined, hosts: p.hosts,
    connectTimeoutMs: p.connectTimeoutMs, responseTimeoutMs: p.timeoutMs, retries: p.retries, backoff: p.backoff, failbackMs: p.failbackMs, maxFrameBytes: 4096,
  });
  terminal = bootTerminal(newFlash(), link, p);
});
afterEach(async () => {
  link.close();
  await acquirer.close();
});

describe('a scanned payment code in the sale message', () => {
  it('WeChat Pay (18 digits), Alipay (24) and UnionPay (19) codes are approved by the acquirer, which found them in field 48', async () => {
    expect(await terminal.session.signOn()).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    // WeChat Pay's documented example; an Alipay code of the longest length; a UnionPay C2B code.
    for (const paymentCode of ['120061098828009406', '287634438256643940000000', '6212345678901234567']) {
      expect(await terminal.session.sale({ amountMinor: 100, entry: 'qr', paymentCode })).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    }
    const sales = acquirer.log.filter((e) => e.mti === '0210');
    expect(sales.map((e) => [e.code, e.note])).toEqual(Array(3).fill(['00', expect.stringContaining('scanned payment code')]));
    expect(acquirer.batch(TID)).toMatchObject({ count: 3, amountMinor: 300 });
  });

  it('a scanned sale without a 16–24 digit code is refused before anything is sent', async () => {
    await terminal.session.signOn();
    for (const req of [{ entry: 'qr' as const, pan: '6222021234567890123' }, { entry: 'qr' as const, paymentCode: '123456789012345' }, { entry: 'manual' as const, pan: '6222021234567890123', paymentCode: '120061098828009406' }]) {
      expect(await terminal.session.sale({ amountMinor: 100, ...req })).toMatchObject({ kind: 'refused', code: 'bad-input' });
    }
    expect(acquirer.log.filter((e) => e.mti === '0210')).toEqual([]);
  });
});
