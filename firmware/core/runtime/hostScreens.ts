/**
 * Which transaction screen an acquirer operation shows, from its request and outcome: the sale
 * in progress, approved, declined, no answer (a reversal follows), the host refusing the
 * terminal (what it said; the self-test follows), the settlement result. A local refusal (no
 * keys, out of service, a reversal still pending) shows no screen of its own: the terminal's
 * home or fault screen says why.
 */
import type { HostOutcome, HostSession, SaleRequest } from '../host/session';

/** What settlement screens need of the batch before it closes. */
export function batchSnapshot(session: HostSession): { batch: number; count: number; amountMinor: number } {
  const { count, amountMinor } = session.journal.totals;
  return { batch: session.status().batch, count, amountMinor };
}
import type { DisplayList } from '../ui/displayList';
import type { ScreenView } from '../ui/screenChrome';
import type { TransactionScreens } from '../ui/transactionScreens';
import type { HostOperation } from './events';

export type ScreenContext = Omit<ScreenView, 'font' | 'keys'>;
/** Draws the screen for the context the terminal has when it draws. */
export type HostView = (screens: TransactionScreens, context: ScreenContext) => DisplayList;

export function hostView(
  operation: HostOperation,
  outcome: (HostOutcome & { stan?: string; uploaded?: number }) | undefined,
  request: SaleRequest | undefined,
  /** The batch as it was when settlement began (a balanced settlement closes it). */
  batchBefore: { batch: number; count: number; amountMinor: number } | undefined,
  currency: string,
): HostView | undefined {
  const sale = request ? { amountMinor: request.amountMinor, currency } : undefined;
  if (!outcome) return sale && operation === 'sale' ? (s, c) => s.saleProgress(c, sale) : undefined;
  if (outcome.kind === 'refused') return undefined;
  if (outcome.kind === 'answered' && outcome.answer.category === 'terminal-invalid') {
    const answer = outcome.answer;
    return (s, c) => s.hostRefusal(c, answer);
  }
  if (operation === 'sale' && sale && request) {
    if (outcome.kind === 'no-answer') return (s, c) => s.noAnswer(c, { ...sale, stan: outcome.stan });
    const answer = outcome.answer;
    if (answer.category === 'approved') {
      const pan = request.pan ?? request.track2?.split('=')[0] ?? '';
      return (s, c) => s.approved(c, { ...sale, pan, authCode: answer.authCode ?? '', stan: outcome.stan ?? '' });
    }
    return (s, c) => s.declined(c, { ...sale, answer });
  }
  if (operation === 'settle' && batchBefore) {
    const settled = { batch: String(batchBefore.batch).padStart(6, '0'), count: batchBefore.count, amountMinor: batchBefore.amountMinor, currency };
    if (outcome.kind === 'no-answer') return (s, c) => s.settlement(c, { ...settled, outcome: 'failed' });
    const answer = outcome.answer;
    const result = answer.category !== 'approved' ? 'failed' : outcome.uploaded ? 'uploaded' : 'balanced';
    return (s, c) => s.settlement(c, { ...settled, outcome: result, ...(outcome.uploaded ? { uploaded: outcome.uploaded } : {}), answer });
  }
  return undefined;
}
