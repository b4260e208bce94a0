/**
 * The host session's vocabulary: what it is built from, what it answers, the sale it is asked
 * for, and the checks a sale request must pass before anything is written or sent.
 */
import type { Ports } from '../ports';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import type { KeyStore } from '../security/keyStore';
import type { AcquirerProfile } from '../config/acquirerProfile';
import type { HostLink } from './link';
import type { Dialect, Iso8583Message, ResponseCategory } from './types';

export interface HostContext {
  ports: Ports;
  log: RecordLog | undefined;
  cbor: CborCodec;
  keys: KeyStore;
  profile: AcquirerProfile;
  dialect: Dialect;
  terminalId: string;
  merchantId: string;
  link: HostLink;
}

export type HostAnswer = {
  code: string;
  category: ResponseCategory;
  text: { zh: string; en: string };
  mti: string;
  host: number;
  /** Field 44 or 63 as the host sent it. */
  hostText?: string;
  /** Field 38: the authorization code of an approval. */
  authCode?: string;
  /** Field 37: the host's retrieval reference number. */
  rrn?: string;
  wallMs: number;
  processingRequest: number;
};

export type HostOutcome =
  | { kind: 'answered'; answer: HostAnswer }
  | { kind: 'no-answer'; stage: string; detail: string }
  /** Local: no keys, not signed on, a reversal pending, bad input, the journal could not be written. */
  | { kind: 'refused'; code: string; detail: string };

export interface SaleRequest {
  amountMinor: number;
  entry: 'contact' | 'contactless' | 'magstripe' | 'qr' | 'manual';
  pan?: string;
  /** The customer's payment code (entry 'qr': 16–24 digits, card/qrCodes.ts classified it), sent in the profile's card.paymentCodeField. */
  paymentCode?: string;
  /** A magstripe sale of a chip card after its chip could not be read (the profile allowed it): field 22 says fallback (80). */
  fallback?: boolean;
  track2?: string;
  expiry?: string;
  cardSeq?: string;
  icc?: Uint8Array;
  pinBlock?: Uint8Array;
}

export interface HostStatus {
  signedOn: boolean;
  stan: number;
  batch: number;
  pendingReversal?: { stan: string; reason: string; attempts: number };
  advices: number;
  lastAnswer?: HostAnswer;
  needsSignOn: boolean;
}

/** What an exchange brought back: the answer's message and header, and the state of its MAC. */
export type Exchanged =
  | { ok: true; message: Iso8583Message; processingRequest: number; mac: 'ok' | 'bad' | 'absent'; host: number; roundTripMs: number }
  | { ok: false; stage: string; sent: boolean; detail: string };

/** A local refusal, as thrown inside the session and returned as an outcome. */
export class HostRefusal extends Error {
  override readonly name = 'HostRefusal';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export const refused = (code: string, detail: string): HostOutcome => ({ kind: 'refused', code, detail });
const isDigits = (v: string | undefined, min: number, max: number): boolean => v !== undefined && v.length >= min && v.length <= max && /^\d+$/.test(v);

/** Why a sale request cannot be sent as it is, or undefined. */
export function saleProblem(req: SaleRequest): string | undefined {
  if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor < 1 || req.amountMinor > 999999999999) return 'amount must be 1–999999999999 minor units';
  const ic = req.entry === 'contact' || req.entry === 'contactless';
  if (req.entry === 'magstripe' && req.track2 === undefined) return 'a swiped sale needs track 2';
  if (req.entry === 'manual' && !isDigits(req.pan, 12, 19)) return 'a keyed sale needs a PAN of 12–19 digits';
  if (req.entry === 'qr' && !isDigits(req.paymentCode, 16, 24)) return 'a scanned sale needs a payment code of 16–24 digits';
  if (req.entry !== 'qr' && req.paymentCode !== undefined) return 'only a scanned sale carries a payment code';
  if (req.fallback && req.entry !== 'magstripe') return 'only a swiped sale is a fallback';
  if (ic && req.pan === undefined && req.track2 === undefined) return 'a chip sale needs the PAN or track 2 equivalent data';
  if (req.pan !== undefined && !isDigits(req.pan, 12, 19)) return 'the PAN must be 12–19 digits';
  if (req.track2 !== undefined && !/^\d{12,19}=\d{0,18}$/.test(req.track2)) return 'track 2 must be PAN = data, at most 37 characters';
  if (req.expiry !== undefined && !isDigits(req.expiry, 4, 4)) return 'the expiry date is YYMM';
  if (req.cardSeq !== undefined && !isDigits(req.cardSeq, 3, 3)) return 'the card sequence number is 3 digits';
  if (req.pinBlock !== undefined && req.pinBlock.length !== 8) return 'the PIN block is 8 bytes';
  return undefined;
}
