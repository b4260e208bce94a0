/**
 * What the simulated acquirer is told at start: the acquirer profile it serves (dialect, TPDU,
 * MAC scheme, response-code table), its terminal registry with each terminal's master key, a
 * seed (working keys, auth codes and garbage are deterministic per seed), and optional TLS.
 * The answer codes it uses come from the profile's table by category, so the same registry
 * answers 83 on a Lakala-style profile and 97 on a CUP-style one.
 */
import type { AcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import type { ResponseCategory } from '../../firmware/core/host/types';

export type TerminalStatus = 'activated' | 'registered' | 'disabled';
export type MerchantStatus = 'ok' | 'restricted' | 'frozen';

export interface RegisteredTerminal {
  tid: string;
  mid: string;
  /** Terminal master key, 32 hex digits (double-length 3DES); the working keys are wrapped under it. */
  masterKey: string;
  status: TerminalStatus;
  merchantStatus?: MerchantStatus;
}

export interface AcquirerConfig {
  /** As parseAcquirerProfile gives it (the terminal's own profile type). */
  profile: AcquirerProfile;
  terminals: RegisteredTerminal[];
  seed: number;
  /** PEM text. Every host listens with TLS (1.2 at least) when given. */
  tls?: { cert: string; key: string };
  /** Primary and backup ports on 127.0.0.1; 0 = ephemeral (tests). Default [0, 0]. */
  ports?: number[];
  /** Field 32 of responses (受理机构标识码). Default "48020000". */
  institution?: string;
  /** Overrides for the codes picked from the profile's table (see AnswerCodes). */
  codes?: Partial<AnswerCodes>;
}

/** The codes the host answers with, each picked from the profile's table by category. */
export interface AnswerCodes {
  approved: string;
  /** Unknown TID, registered but not activated, disabled. */
  terminalInvalid: string;
  /** MID not the registered one, merchant restricted or frozen. */
  merchantRestricted: string;
  /** Request MAC missing or wrong, or no working keys for the TID: the terminal signs on again. */
  macError: string;
  /** A sale whose STAN the batch has already seen (ISO 8583: 94 duplicate transmission). */
  duplicate: string;
  /** A message the host does not serve (ISO 8583: 30 format error). */
  formatError: string;
}

export class AcquirerConfigError extends Error {
  override readonly name = 'AcquirerConfigError';
  constructor(readonly code: 'acquirer-config', readonly field: string, reason: string) {
    super(`${field}: ${reason}`);
  }
}

/**
 * Picks each answer code from the profile's table: the first code of its category in the
 * profile's order, except the MAC error, which is A0 wherever the table lists A0 as re-sign-on
 * (CUP tables list other re-sign-on codes, 22 and 77, first).
 * @throws AcquirerConfigError naming the category the table lacks
 */
export function answerCodes(profile: AcquirerProfile, overrides: Partial<AnswerCodes> = {}): AnswerCodes {
  const table = profile.responseCodes;
  const need = (name: keyof AnswerCodes, category: ResponseCategory, preferred?: string): string => {
    const code = overrides[name] ?? (preferred && table.get(preferred)?.category === category ? preferred : table.codeOf(category));
    if (code === undefined) throw new AcquirerConfigError('acquirer-config', 'profile.responseCodes', `no code in category ${category} (for ${name})`);
    return code;
  };
  return {
    approved: need('approved', 'approved', '00'),
    terminalInvalid: need('terminalInvalid', 'terminal-invalid'),
    merchantRestricted: need('merchantRestricted', 'merchant-restricted', '03'),
    macError: need('macError', 're-sign-on', 'A0'),
    // ISO 8583:1987 codes, used as they are whether or not the profile's table lists them.
    duplicate: overrides.duplicate ?? '94',
    formatError: overrides.formatError ?? '30',
  };
}

const HEX32 = /^[0-9A-Fa-f]{32}$/;

/**
 * Checks a registry read from a file (npm run acquirer): every terminal entry, field by field.
 * @throws AcquirerConfigError naming the field
 */
export function checkRegistry(terminals: unknown): RegisteredTerminal[] {
  if (!Array.isArray(terminals) || terminals.length === 0) throw new AcquirerConfigError('acquirer-config', 'terminals', 'must list at least one terminal');
  const seen = new Set<string>();
  return terminals.map((t: unknown, i) => {
    const at = `terminals[${i}]`;
    if (typeof t !== 'object' || t === null) throw new AcquirerConfigError('acquirer-config', at, 'must be an object');
    const { tid, mid, masterKey, status, merchantStatus = 'ok' } = t as Record<string, unknown>;
    if (typeof tid !== 'string' || !/^[\x20-\x7e]{8}$/.test(tid)) throw new AcquirerConfigError('acquirer-config', `${at}.tid`, 'must be 8 printable characters');
    if (seen.has(tid)) throw new AcquirerConfigError('acquirer-config', `${at}.tid`, 'is listed twice');
    seen.add(tid);
    if (typeof mid !== 'string' || !/^[\x20-\x7e]{15}$/.test(mid)) throw new AcquirerConfigError('acquirer-config', `${at}.mid`, 'must be 15 printable characters');
    // Never echo the value: it is key material.
    if (typeof masterKey !== 'string' || !HEX32.test(masterKey)) throw new AcquirerConfigError('acquirer-config', `${at}.masterKey`, 'must be 32 hex digits');
    if (status !== 'activated' && status !== 'registered' && status !== 'disabled') throw new AcquirerConfigError('acquirer-config', `${at}.status`, 'must be activated, registered or disabled');
    if (merchantStatus !== 'ok' && merchantStatus !== 'restricted' && merchantStatus !== 'frozen') throw new AcquirerConfigError('acquirer-config', `${at}.merchantStatus`, 'must be ok, restricted or frozen');
    return { tid, mid, masterKey, status, merchantStatus };
  });
}
