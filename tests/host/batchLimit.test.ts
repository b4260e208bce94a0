/**
 * A batch holds at most 999 sales: settlement's field 48 counts a batch's sales in 3 digits (CUP
 * POS spec), so the 1,000th could never be settled. The terminal refuses it until settlement,
 * and the CUP-style host written in the test agrees with the totals it then sends.
 */
import { CupHost, InProcessLink, bootTerminal, newFlash } from './sessionHarness';
import { MAX_BATCH_SALES, type SaleRequest } from '../../firmware/core/host/session';

const swiped: SaleRequest = { amountMinor: 100, entry: 'magstripe', track2: '6222021234567890123=25121011234567' };

it('refuses the 1,000th sale of a batch until it is settled, then sells again', async () => {
  const host = new CupHost();
  const { session } = bootTerminal(newFlash(), new InProcessLink(host));
  expect(await session.signOn()).toMatchObject({ kind: 'answered', answer: { code: '00' } });
  for (let i = 0; i < MAX_BATCH_SALES; i++) expect(await session.sale(swiped)).toMatchObject({ kind: 'answered', answer: { code: '00' } });
  const sentBefore = host.requests.length;
  expect(await session.sale(swiped)).toMatchObject({ kind: 'refused', code: 'batch-full' });
  expect(host.requests.length).toBe(sentBefore); // nothing left the terminal
  const settled = await session.settle();
  expect(settled).toMatchObject({ kind: 'answered', answer: { code: '00' } });
  const field48 = host.requests.find((r) => r.mti === '0500')!.fields.get(48) as string;
  expect(field48.slice(12, 15)).toBe('999'); // debit count n3, after the debit amount n12
  expect(await session.sale(swiped)).toMatchObject({ kind: 'answered', answer: { code: '00' } });
}, 120_000);
