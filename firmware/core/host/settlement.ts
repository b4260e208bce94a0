/**
 * Settlement (CUP POS 结算): the 0500 with the batch's totals in field 48; the host's reconciliation
 * code in the 0510's field 48 says whether its totals agree. When they do not (2) or the host
 * reports an error (3), the terminal uploads the batch's sales (0320, network code 201, eight
 * records a message, from the lastTransaction versions still in flash: journal.ts) and ends
 * with 0320 / 202 and the number sent; when they agree, the end message is 0320 / 207 with none sent (the CUP
 * second-generation platform expects the end message either way). Then the batch is closed:
 * the next batch number, zero totals.
 *
 * Uploads are the magstripe record form (201) for every sale; the per-transaction IC form
 * (203, with field 55) is not sent.
 */
import { errorText } from '../errorText';
import { BATCH_UPLOAD_PER_MESSAGE, batchEndRequest, batchUploadRequest, reconciliation, settlementRequest, type UploadRecord } from './messages';
import type { Iso8583Message } from './types';
import { HostRefusal, type HostAnswer, type HostOutcome } from './sessionTypes';
import type { HostSession } from './session';

type Step = { ok: true; answer: HostAnswer; field48: unknown } | { ok: false; outcome: HostOutcome };

/** One settlement-family exchange; an answer other than approved ends the settlement with it. */
async function step(session: HostSession, build: (stan: string) => Iso8583Message): Promise<Step> {
  let message: Iso8583Message;
  let frame: Uint8Array;
  try {
    message = build(session.journal.nextStan());
    frame = session.frame(message, false);
  } catch (error) {
    const code = error instanceof HostRefusal ? error.code : 'journal';
    return { ok: false, outcome: { kind: 'refused', code, detail: errorText(error) } };
  }
  const ex = await session.send(frame, message.mti, message.fields.get(11) as string, true);
  if (!ex.ok) return { ok: false, outcome: { kind: 'no-answer', stage: ex.stage, detail: ex.detail } };
  const answer = session.answer(ex);
  if (answer.category !== 'approved') return { ok: false, outcome: { kind: 'answered', answer } };
  return { ok: true, answer, field48: ex.message.fields.get(48) };
}

export async function settleBatch(session: HostSession): Promise<HostOutcome & { uploaded?: number }> {
  const journal = session.journal;
  const ids = session.ids;
  const batch = journal.batch;
  const settled = await step(session, (stan) => settlementRequest(ids, stan, batch, journal.totals));
  if (!settled.ok) return settled.outcome;
  const balanced = reconciliation(settled.field48 as string | undefined) === 'balanced';
  let uploaded = 0;
  if (!balanced) {
    const records: UploadRecord[] = [];
    const flush = async (): Promise<Step> => {
      const sent = await step(session, (stan) => batchUploadRequest(ids, stan, batch, records));
      if (sent.ok) uploaded += records.length;
      records.length = 0;
      return sent;
    };
    for (const record of journal.uploadRecords()) {
      records.push(record);
      if (records.length < BATCH_UPLOAD_PER_MESSAGE) continue;
      const sent = await flush();
      if (!sent.ok) return sent.outcome;
    }
    if (records.length > 0) {
      const sent = await flush();
      if (!sent.ok) return sent.outcome;
    }
  }
  const ended = await step(session, (stan) => batchEndRequest(ids, stan, batch, uploaded, balanced));
  if (!ended.ok) return ended.outcome;
  try {
    journal.closeBatch();
  } catch (error) {
    return { kind: 'refused', code: 'journal', detail: errorText(error) };
  }
  return { kind: 'answered', answer: settled.answer, uploaded };
}
