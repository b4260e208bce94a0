/**
 * The card part of an acquirer profile: which applications the terminal accepts and with what
 * contactless limits (the CUP AID parameters), the terminal's EMV data objects, the tags field
 * 55 carries, the magstripe fallback rule, the field a customer's payment code goes in, and the
 * CA key revocation list. Data, not code: acquirers differ.
 */
import { ConfigError, type Parsed } from './acquirerProfile';

/** Contactless limits of one application, in minor units of the profile's currency. */
export interface ContactlessLimits {
  /** Above this, the sale goes online (a zero floor limit: always online). */
  floorLimitMinor: number;
  /** At or above this, the card is refused for contactless ("insert or swipe"). */
  transactionLimitMinor: number;
  /** Above this, a cardholder verification is required (online PIN or signature). */
  cvmLimitMinor: number;
}

export interface CardAid {
  /** The AID, 5–16 bytes as upper-case hex. */
  aid: string;
  /** What the screen says when the cardholder must choose. */
  label: string;
  /** A card AID that starts with this one matches (EMV Book 1 §12.3.1, ASI 00). */
  partialMatch: boolean;
  contactless: ContactlessLimits;
}

export interface CardProfile {
  /** The terminal's candidate list, in the acquirer's priority order. */
  aids: CardAid[];
  terminal: {
    /** 9F35, 2 hex digits (22: attended, online with offline capability, merchant). */
    type: string;
    /** 9F33, 6 hex digits. */
    capabilities: string;
    /** 9F40, 10 hex digits. */
    additional: string;
    /** 9F66 Terminal Transaction Qualifiers (contactless), 8 hex digits. */
    ttq: string;
    /** 9F1A, 4 digits (0156: China). */
    country: string;
  };
  /** Tags field 55 carries, in order (upper-case hex). */
  field55: string[];
  /** Magstripe fallback after a chip failure: 'never', or 'after-chip-failure' (the card was inserted and could not be read). */
  fallback: 'never' | 'after-chip-failure';
  /** The ISO 8583 field a customer's payment code goes in (the dialect must define it as ans or z LLVAR/LLLVAR). */
  paymentCodeField: number;
  /** Revoked issuer public key certificates: RID, CA key index, certificate serial number (hex). */
  revoked: { rid: string; index: number; serial: string }[];
  /**
   * Local time's offset from UTC in minutes (China: +480): the transaction date 9A and the card
   * and certificate expiry checks are local dates, while the RTC keeps UTC.
   */
  utcOffsetMinutes: number;
}

const CUP_LIMITS: ContactlessLimits = Object.freeze({ floorLimitMinor: 0, transactionLimitMinor: 99_999_999, cvmLimitMinor: 100_000 });

/** A profile without a `card` section gets these: the UnionPay debit, credit and quasi-credit AIDs, then Visa and Mastercard. */
export const CARD_DEFAULTS: Readonly<CardProfile> = Object.freeze({
  aids: Object.freeze([
    Object.freeze({ aid: 'A000000333010101', label: 'UnionPay Debit', partialMatch: true, contactless: CUP_LIMITS }),
    Object.freeze({ aid: 'A000000333010102', label: 'UnionPay Credit', partialMatch: true, contactless: CUP_LIMITS }),
    Object.freeze({ aid: 'A000000333010103', label: 'UP Quasi Credit', partialMatch: true, contactless: CUP_LIMITS }),
    Object.freeze({ aid: 'A0000000031010', label: 'Visa', partialMatch: true, contactless: CUP_LIMITS }),
    Object.freeze({ aid: 'A0000000041010', label: 'Mastercard', partialMatch: true, contactless: CUP_LIMITS }),
  ]) as unknown as CardAid[],
  terminal: Object.freeze({ type: '22', capabilities: 'E0F8C8', additional: 'F000F0A001', ttq: '36000080', country: '0156' }),
  field55: Object.freeze([
    '9F26', '9F27', '9F10', '9F37', '9F36', '95', '9A', '9C', '9F02', '5F2A', '82', '9F1A', '9F03', '9F33', '9F34', '9F35', '9F1E', '84', '9F09', '9F41',
  ]) as unknown as string[],
  fallback: 'after-chip-failure',
  paymentCodeField: 48,
  revoked: Object.freeze([]) as unknown as CardProfile['revoked'],
  utcOffsetMinutes: 480,
});

const fail = (field: string, message: string): { ok: false; error: ConfigError } => ({ ok: false, error: new ConfigError('config-invalid', field, message) });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isHex = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max && v.length % 2 === 0 && /^[0-9A-Fa-f]*$/.test(v);
/** A BER tag of 1–3 bytes as hex (EMV Book 3 Annex B1). */
const isTag = (v: unknown): v is string => isHex(v, 2, 6);

function parseLimits(input: unknown, path: string): Parsed<ContactlessLimits> {
  if (input === undefined) return { ok: true, value: CUP_LIMITS };
  if (!isObject(input)) return fail(path, 'must be {floorLimitMinor, transactionLimitMinor, cvmLimitMinor}');
  const { floorLimitMinor, transactionLimitMinor, cvmLimitMinor } = input;
  for (const [k, v] of [['floorLimitMinor', floorLimitMinor], ['transactionLimitMinor', transactionLimitMinor], ['cvmLimitMinor', cvmLimitMinor]] as const)
    if (!isInt(v, 0, 999_999_999_999)) return fail(`${path}.${k}`, 'must be 0–999999999999 minor units');
  return { ok: true, value: { floorLimitMinor: floorLimitMinor as number, transactionLimitMinor: transactionLimitMinor as number, cvmLimitMinor: cvmLimitMinor as number } };
}

/** Validates a profile's `card` section (undefined: the defaults); errors name the field. */
export function parseCardProfile(input: unknown, path = 'profile.card'): Parsed<CardProfile> {
  if (input === undefined) return { ok: true, value: CARD_DEFAULTS as CardProfile };
  if (!isObject(input)) return fail(path, 'must be an object');
  const d = CARD_DEFAULTS;
  const { aids = d.aids, terminal = d.terminal, field55 = d.field55, fallback = d.fallback, paymentCodeField = d.paymentCodeField, revoked = d.revoked, utcOffsetMinutes = d.utcOffsetMinutes } = input;
  if (!Array.isArray(aids) || aids.length < 1 || aids.length > 16) return fail(`${path}.aids`, 'must list 1–16 applications');
  const parsedAids: CardAid[] = [];
  for (let i = 0; i < aids.length; i++) {
    const a: unknown = aids[i];
    const at = `${path}.aids[${i}]`;
    if (!isObject(a)) return fail(at, 'must be {aid, label}');
    const { aid, label, partialMatch = true, contactless } = a;
    if (!isHex(aid, 10, 32)) return fail(`${at}.aid`, 'must be 5–16 bytes as hex');
    if (typeof label !== 'string' || label.length < 1 || label.length > 16) return fail(`${at}.label`, 'must be 1–16 characters');
    if (typeof partialMatch !== 'boolean') return fail(`${at}.partialMatch`, 'must be true or false');
    const limits = parseLimits(contactless, `${at}.contactless`);
    if (!limits.ok) return limits;
    parsedAids.push({ aid: aid.toUpperCase(), label, partialMatch, contactless: limits.value });
  }
  if (!isObject(terminal)) return fail(`${path}.terminal`, 'must be {type, capabilities, additional, ttq, country}');
  const t = { ...d.terminal, ...terminal } as Record<string, unknown>;
  if (!isHex(t.type, 2, 2)) return fail(`${path}.terminal.type`, 'must be 2 hex digits (9F35)');
  if (!isHex(t.capabilities, 6, 6)) return fail(`${path}.terminal.capabilities`, 'must be 6 hex digits (9F33)');
  if (!isHex(t.additional, 10, 10)) return fail(`${path}.terminal.additional`, 'must be 10 hex digits (9F40)');
  if (!isHex(t.ttq, 8, 8)) return fail(`${path}.terminal.ttq`, 'must be 8 hex digits (9F66)');
  if (typeof t.country !== 'string' || !/^\d{4}$/.test(t.country)) return fail(`${path}.terminal.country`, 'must be 4 digits (9F1A)');
  if (!Array.isArray(field55) || field55.length < 1 || field55.length > 40) return fail(`${path}.field55`, 'must list 1–40 tags');
  const badTag = field55.findIndex((x: unknown) => !isTag(x));
  if (badTag >= 0) return fail(`${path}.field55[${badTag}]`, 'must be a tag of 1–3 bytes as hex');
  if (fallback !== 'never' && fallback !== 'after-chip-failure') return fail(`${path}.fallback`, 'must be "never" or "after-chip-failure"');
  if (!isInt(paymentCodeField, 2, 128)) return fail(`${path}.paymentCodeField`, 'must be a field number 2–128');
  if (!isInt(utcOffsetMinutes, -720, 840)) return fail(`${path}.utcOffsetMinutes`, 'must be -720–840 minutes (UTC-12:00 to UTC+14:00)');
  if (!Array.isArray(revoked) || revoked.length > 64) return fail(`${path}.revoked`, 'must list at most 64 certificates');
  const parsedRevoked: CardProfile['revoked'] = [];
  for (let i = 0; i < revoked.length; i++) {
    const r: unknown = revoked[i];
    const at = `${path}.revoked[${i}]`;
    if (!isObject(r) || !isHex(r.rid, 10, 10) || !isInt(r.index, 0, 255) || !isHex(r.serial, 6, 6)) return fail(at, 'must be {rid: 10 hex digits, index: 0–255, serial: 6 hex digits}');
    parsedRevoked.push({ rid: (r.rid as string).toUpperCase(), index: r.index as number, serial: (r.serial as string).toUpperCase() });
  }
  return {
    ok: true,
    value: {
      aids: parsedAids,
      terminal: { type: t.type.toUpperCase(), capabilities: t.capabilities.toUpperCase(), additional: t.additional.toUpperCase(), ttq: t.ttq.toUpperCase(), country: t.country },
      field55: field55.map((x: string) => x.toUpperCase()),
      fallback,
      paymentCodeField,
      revoked: parsedRevoked,
      utcOffsetMinutes,
    },
  };
}
