/**
 * Customers' payment codes (付款码) as a UART code scanner reads them off a phone: the customer
 * shows a barcode or QR code, the terminal sends the digits to the acquirer in the sale message.
 * The families, as their acquirers' integration documents give them:
 * - WeChat Pay: 18 digits beginning 10–15 (10–14 mainland China, 15 Hong Kong);
 * - Alipay: 16 to 24 digits beginning 25–30;
 * - UnionPay (云闪付 and banks' apps, C2B code): 19 digits beginning 62.
 * Anything else is CardError 'unknown-code', whose message says what was scanned in plain words
 * and never repeats a long run of digits (a scanned bank card number, say) in clear.
 */
import { CardError } from './errors';
import { maskPan } from './pan';

export type PaymentCodeScheme = 'wechat' | 'alipay' | 'unionpay';

export interface PaymentCode {
  readonly scheme: PaymentCodeScheme;
  /** The digits as scanned, 16 to 24 of them: they go into the sale message and nowhere else. */
  readonly code: string;
}

/** The longest scan read at all: a payment code is 24 digits, a URL QR code rarely past this. */
export const SCAN_MAX_BYTES = 512;

function isBlank(c: number): boolean {
  return c === 0x0d || c === 0x0a || c === 0x20 || c === 0x09;
}

/** The scan as text: bytes taken as Latin-1 (a payment code is ASCII digits; anything else only needs counting). */
function scanText(scan: Uint8Array | string): string {
  if (typeof scan === 'string') return scan;
  let text = '';
  for (let i = 0; i < scan.length; i++) text += String.fromCharCode(scan[i]);
  return text;
}

function allDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The scheme whose rule the digits meet, if any. */
function schemeOf(digits: string): PaymentCodeScheme | undefined {
  const prefix = (digits.charCodeAt(0) - 0x30) * 10 + (digits.charCodeAt(1) - 0x30);
  if (digits.length === 18 && prefix >= 10 && prefix <= 15) return 'wechat';
  if (digits.length >= 16 && digits.length <= 24 && prefix >= 25 && prefix <= 30) return 'alipay';
  if (digits.length === 19 && prefix === 62) return 'unionpay';
  return undefined;
}

/**
 * Classifies a scanned code (CR, LF and spaces around it dropped, as scanners end lines).
 * @throws CardError unknown-code: the message names what it was (how many digits, masked; or
 *   how many characters of text) and says it is no payment code the terminal takes.
 */
export function classifyPaymentCode(scan: Uint8Array | string): PaymentCode {
  const length = typeof scan === 'string' || scan instanceof Uint8Array ? scan.length : 0;
  if (length > SCAN_MAX_BYTES) throw new CardError('unknown-code', `a code of ${length} characters: not a WeChat Pay, Alipay or UnionPay payment code`);
  const raw = length === 0 ? '' : scanText(scan);
  let start = 0;
  let end = raw.length;
  while (start < end && isBlank(raw.charCodeAt(start))) start++;
  while (end > start && isBlank(raw.charCodeAt(end - 1))) end--;
  const text = raw.slice(start, end);
  if (text.length === 0) throw new CardError('unknown-code', 'an empty scan: no code was read');
  if (!allDigits(text)) throw new CardError('unknown-code', `a code of ${text.length} characters that are not all digits: not a WeChat Pay, Alipay or UnionPay payment code`);
  const scheme = text.length >= 2 ? schemeOf(text) : undefined;
  if (scheme) return { scheme, code: text };
  throw new CardError('unknown-code', `a code of ${text.length} digits (${maskPan(text)}): not a WeChat Pay, Alipay or UnionPay payment code`);
}
