/**
 * The terminal's own host session (firmware/core/host/session.ts over the real HostLink and
 * real TCP) against the simulated acquirer: the two sides were written apart, so this is where
 * their readings of the CUP spec meet — sign-on keys, MACs both ways, a hung sale reversed
 * before the next one, a wrong answer MAC, settlement balanced and, when the books disagree,
 * the batch upload.
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
const CARD = { entry: 'manual' as const, pan: '6222021234567890123', expiry: '2512' };

beforeEach(async () => {
  acquirer = await startAcquirer(config(profile('cup-style'), [{ tid: TID, mid: MID, masterKey: TMK }]));
  // The shortest response timeout a profile allows: a hung sale costs one real second.
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

const sale = (amountMinor: number) => terminal.session.sale({ amountMinor, ...CARD });
const codes = () => acquirer.log.filter((e) => e.direction === 'out').map((e) => `${e.mti}:${e.code}`);

describe('terminal session ↔ simulated acquirer', () => {
  it('signs on with the keys the acquirer issued, sells with MACs both sides verify, and settles balanced', async () => {
    expect(await terminal.session.signOn()).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    expect(terminal.keys.status().keys.map((k) => k.name)).toEqual(['pin', 'mac']); // cup-style signs on with 003
    for (const amount of [100, 250]) expect(await sale(amount)).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    expect(await terminal.session.echo()).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    expect(await terminal.session.settle()).toMatchObject({ kind: 'answered', uploaded: 0 });
    const batch = acquirer.log.find((e) => e.mti === '0510')?.note;
    expect(batch).toMatch(/balanced: terminal 2\/350, host 2\/350/);
    expect(codes()).toEqual(['0810:00', '0210:00', '0210:00', '0830:00', '0510:00', '0330:00']);
  });

  it('reverses a sale the acquirer never answered before the next sale, and the acquirer\'s books undo it once', async () => {
    await terminal.session.signOn();
    acquirer.addFaults([{ kind: 'hang', mti: '0200' }]);
    expect(await sale(700)).toMatchObject({ kind: 'no-answer' });
    expect(acquirer.batch(TID)).toMatchObject({ count: 1, amountMinor: 700 }); // booked: only the answer was lost
    expect(await sale(300)).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    const reversal = acquirer.log.find((e) => e.mti === '0410');
    expect(reversal).toMatchObject({ code: '00', note: expect.stringMatching(/reversal \(98\): undone/) });
    expect(acquirer.batch(TID)).toMatchObject({ count: 1, amountMinor: 300, reversals: 1 });
  });

  it('a wrong answer MAC: the terminal reverses with A0 and signs on again', async () => {
    await terminal.session.signOn();
    acquirer.addFaults([{ kind: 'wrong-mac', mti: '0200' }]);
    expect(await sale(500)).toMatchObject({ kind: 'no-answer', stage: 'mac' });
    expect(terminal.session.status()).toMatchObject({ needsSignOn: true, pendingReversal: { reason: 'A0' } });
    expect(await sale(200)).toMatchObject({ kind: 'refused', code: 'not-signed-on' });
    expect(await terminal.session.signOn()).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    expect(await sale(200)).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    // The reversal goes out under the new keys, before the next sale.
    expect(codes()).toEqual(['0810:00', '0210:00', '0810:00', '0410:00', '0210:00']);
    expect(acquirer.log.find((e) => e.mti === '0410')?.note).toMatch(/reversal \(A0\): undone/);
    expect(acquirer.batch(TID)).toMatchObject({ count: 1, amountMinor: 200, reversals: 1 });
  });

  it('when the books disagree the acquirer says so (48 code 2) and takes the batch upload', async () => {
    await terminal.session.signOn();
    // The acquirer answers 00 without booking: the terminal counts a sale the host does not have.
    acquirer.addFaults([{ kind: 'code', code: '00', mti: '0200' }]);
    await sale(400);
    await sale(600);
    expect(await terminal.session.settle()).toMatchObject({ kind: 'answered', uploaded: 2 });
    expect(acquirer.batch(TID)).toMatchObject({ settlement: 'unbalanced', uploaded: 2, uploadEnded: true });
  });
});
