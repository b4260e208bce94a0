/**
 * Field 48 of the CUP settlement (批结算 0500/0510, 60.3 = 201), n...062: the totals of the
 * domestic cards (内卡) then of the foreign cards (外卡), each
 *   debit amount n12 ‖ debit count n3 ‖ credit amount n12 ‖ credit count n3 ‖ settlement code n1
 * (借记总金额, 借记总笔数, 贷记总金额, 贷记总笔数, 对账应答码). The terminal sends code 0; the host
 * answers the same totals with 1 = balanced (对账平), 2 = unbalanced (对账不平, the terminal then
 * uploads the batch), 3 = error. Sales are debits; this host books no credits (no refunds).
 */

export interface SideTotals {
  debitAmountMinor: number;
  debitCount: number;
  creditAmountMinor: number;
  creditCount: number;
  code: number;
}

export interface SettlementTotals {
  domestic: SideTotals;
  foreign: SideTotals;
}

export const SETTLEMENT_TOTALS_DIGITS = 62;
export const SETTLEMENT_CODE = { request: 0, balanced: 1, unbalanced: 2, error: 3 } as const;

function side(digits: string, at: number): SideTotals {
  return {
    debitAmountMinor: Number(digits.slice(at, at + 12)),
    debitCount: Number(digits.slice(at + 12, at + 15)),
    creditAmountMinor: Number(digits.slice(at + 15, at + 27)),
    creditCount: Number(digits.slice(at + 27, at + 30)),
    code: Number(digits.slice(at + 30, at + 31)),
  };
}

/** @returns undefined when field 48 is not 62 digits */
export function parseSettlementTotals(digits: string): SettlementTotals | undefined {
  if (!/^\d{62}$/.test(digits)) return undefined;
  return { domestic: side(digits, 0), foreign: side(digits, 31) };
}

const sideDigits = (s: SideTotals): string =>
  String(s.debitAmountMinor).padStart(12, '0') + String(s.debitCount).padStart(3, '0') + String(s.creditAmountMinor).padStart(12, '0') + String(s.creditCount).padStart(3, '0') + String(s.code);

export function formatSettlementTotals(t: SettlementTotals): string {
  return sideDigits(t.domestic) + sideDigits(t.foreign);
}
