/**
 * What a host's answer means: field 39 looked up in the acquirer profile's own table (codes
 * differ between acquirers: one's 83 is "invalid terminal", the CUP table says 97), and the
 * CUP header's processing-request nibble (CUP POS spec, 报文头 "处理要求": 3 = the terminal must
 * sign on again).
 *
 * A code the table does not list is 'declined' with the code shown (the CUP table's rule: a code
 * not in the table shows "交易失败"; the code is added so a technician can look it up).
 */
import type { ResponseCodeTable } from '../config/responseCodes';
import type { ResponseCategory } from './types';

/** CUP header processing request: the host asks the terminal to sign on again. */
export const PROCESSING_REQUEST_SIGN_ON = 3;

export interface Categorised {
  category: ResponseCategory;
  text: { zh: string; en: string };
}

/** The profile's meaning of response code `code` (2 characters), or 'declined' with the code shown. */
export function categorise(table: ResponseCodeTable, code: string): Categorised {
  const entry = table.get(code);
  if (entry) return { category: entry.category, text: { zh: entry.zh, en: entry.en } };
  const fallback = table.lookup(code);
  const shown = /^[\x20-\x7e]{1,2}$/.test(code) ? code : '??';
  return { category: 'declined', text: { zh: `${fallback.zh} ${shown}`, en: `${fallback.en} (${shown})` } };
}

/** Whether this answer tells the terminal to sign on again before its next transaction. */
export function asksSignOn(category: ResponseCategory, processingRequest: number): boolean {
  return category === 're-sign-on' || processingRequest === PROCESSING_REQUEST_SIGN_ON;
}
