/**
 * The primary account number (ISO/IEC 7812-1): its check digit, and the one way a PAN is shown
 * anywhere it leaves the transaction (screens, logs, traces, reports, toolbox output):
 * first six and last four digits, the rest '*' (PCI DSS 3.4).
 */

/** A PAN as it may be shown: the output of maskPan and nothing else. */
export type MaskedPan = string & { readonly __masked: true };

/** ISO/IEC 7812-1: a PAN has at most 19 digits. */
export const PAN_MAX_DIGITS = 19;

/** Shorter than this, no digit is shown at all (a 12-digit number with 10 shown is no secret kept). */
const MASK_MIN_DIGITS = 13;

/** Longest input maskPan reads: anything longer is masked whole, unread. */
const MASK_MAX_INPUT = 64;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * True when `pan` is 1 to 19 decimal digits whose last is the Luhn check digit (ISO/IEC 7812-1
 * annex B). Anything else (empty, a space, a letter, 20 digits) is false, never an exception.
 */
export function luhnValid(pan: string): boolean {
  if (typeof pan !== 'string' || pan.length === 0 || pan.length > PAN_MAX_DIGITS) return false;
  let sum = 0;
  let double = false;
  for (let i = pan.length - 1; i >= 0; i--) {
    const code = pan.charCodeAt(i);
    if (!isDigit(code)) return false;
    let d = code - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * First six and last four digits, '*' for each digit between (white space and separators a
 * person typed are dropped: "6222 0212 3456 7890" → "622202******7890"). Fewer than 13 digits,
 * or an input longer than 64 characters: every digit is '*'. Never throws.
 */
export function maskPan(pan: string): MaskedPan {
  const text = typeof pan === 'string' ? pan : '';
  let digits = '';
  if (text.length <= MASK_MAX_INPUT) {
    for (let i = 0; i < text.length; i++) if (isDigit(text.charCodeAt(i))) digits += text[i];
  }
  if (digits.length < MASK_MIN_DIGITS) return '*'.repeat(text.length <= MASK_MAX_INPUT ? digits.length : MASK_MIN_DIGITS) as MaskedPan;
  return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}` as MaskedPan;
}
