/**
 * What the simulated acquirer is told at start: the acquirer profile it serves (dialect, TPDU,
 * MAC scheme, response-code table), its terminal registry with each terminal's master key, a
 * seed (working keys, auth codes and garbage are deterministic per seed), and optional TLS.
 * The answer codes it uses come from the profile's table by category, so the same registry
 * answers 83 on a Lakala-style profile and 97 on a CUP-style one.
 */
import type { AcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import type { ResponseCategory } from '../../firmware/core/host/types';
import { ACTIVATION_CODE_RULE, isActivationCode } from '../../firmware/core/activation/activationCode';

export type TerminalStatus = 'activated' | 'registered' | 'disabled';
export type MerchantStatus = 'ok' | 'restricted' | 'frozen';
/** Master key algorithms an activation can issue, with their wire code (issue-8 contract §6, tag D4). */
export type MasterKeyAlgorithm = 'tdes2' | 'tdes3' | 'aes128';
export const MASTER_KEY_ALGORITHMS: readonly MasterKeyAlgorithm[] = ['tdes2', 'tdes3', 'aes128'];
/** Hex digits of a master key per algorithm. */
export const MASTER_KEY_HEX: Readonly<Record<MasterKeyAlgorithm, number>> = { tdes2: 32, tdes3: 48, aes128: 32 };

/**
 * A terminal slot's activation data (申请 → 审核 → 发放: what the acquirer issued to the
 * merchant). The slot's state is the terminal's `status`: registered = code issued, not yet
 * used; activated (with `boundSerial`) = activated by that device; disabled = refused.
 */
export interface ActivationSlot {
  /** The activation code the operator types (digits). */
  code: string;
  /** Wall-clock ms after which the code is refused as expired; none = never expires. */
  expiresMs?: number;
  /** The master key algorithm the activation issues. */
  algorithm: MasterKeyAlgorithm;
  /** The serial number of the device the slot is bound to, once activated. */
  boundSerial?: string;
}

export interface RegisteredTerminal {
  tid: string;
  mid: string;
  /**
   * Terminal master key in hex (32 digits double-length 3DES unless `masterKeyAlgorithm` says
   * otherwise); the working keys are wrapped under it. Absent until an activation issues one.
   */
  masterKey?: string;
  /** Default tdes2. */
  masterKeyAlgorithm?: MasterKeyAlgorithm;
  status: TerminalStatus;
  merchantStatus?: MerchantStatus;
  activation?: ActivationSlot;
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
  /**
   * Where activations draw master keys and ephemeral keys: 'seeded' (default: the seed's
   * stream, so a scenario's run repeats exactly, like its working keys) or 'system'
   * (node:crypto's random source: npm run acquirer for a real terminal).
   */
  keySource?: 'seeded' | 'system';
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

const HEX = /^[0-9A-Fa-f]+$/;
/** Serial numbers a slot may be bound to (field 62 tag C1: printable ASCII). */
export const SERIAL_NUMBER = /^[\x21-\x7e]{1,32}$/;

/** Reads a registry entry's `activation` object. @throws AcquirerConfigError naming the field */
export function checkActivation(value: unknown, at: string): ActivationSlot | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new AcquirerConfigError('acquirer-config', at, 'must be an object');
  const { code, expires, algorithm = 'tdes2', boundSerial } = value as Record<string, unknown>;
  if (!isActivationCode(code)) throw new AcquirerConfigError('acquirer-config', `${at}.code`, `must be ${ACTIVATION_CODE_RULE}`);
  const expiresMs = typeof expires === 'string' ? Date.parse(expires) : expires;
  if (expires !== undefined && !(typeof expiresMs === 'number' && Number.isFinite(expiresMs))) throw new AcquirerConfigError('acquirer-config', `${at}.expires`, 'must be an ISO 8601 time or epoch milliseconds');
  if (!MASTER_KEY_ALGORITHMS.includes(algorithm as MasterKeyAlgorithm)) throw new AcquirerConfigError('acquirer-config', `${at}.algorithm`, `must be one of ${MASTER_KEY_ALGORITHMS.join(', ')}`);
  if (boundSerial !== undefined && (typeof boundSerial !== 'string' || !SERIAL_NUMBER.test(boundSerial))) throw new AcquirerConfigError('acquirer-config', `${at}.boundSerial`, 'must be 1 to 32 printable characters');
  return { code, algorithm: algorithm as MasterKeyAlgorithm, ...(expiresMs === undefined ? {} : { expiresMs: expiresMs as number }), ...(boundSerial === undefined ? {} : { boundSerial: boundSerial as string }) };
}

/**
 * Checks a registry read from a file (npm run acquirer): every terminal entry, field by field.
 * @throws AcquirerConfigError naming the field
 */
export function checkRegistry(terminals: unknown): RegisteredTerminal[] {
  if (!Array.isArray(terminals) || terminals.length === 0) throw new AcquirerConfigError('acquirer-config', 'terminals', 'must list at least one terminal');
  const seen = new Set<string>();
  const codes = new Set<string>();
  return terminals.map((t: unknown, i) => {
    const at = `terminals[${i}]`;
    if (typeof t !== 'object' || t === null) throw new AcquirerConfigError('acquirer-config', at, 'must be an object');
    const { tid, mid, masterKey, masterKeyAlgorithm = 'tdes2', status, merchantStatus = 'ok' } = t as Record<string, unknown>;
    if (typeof tid !== 'string' || !/^[\x20-\x7e]{8}$/.test(tid)) throw new AcquirerConfigError('acquirer-config', `${at}.tid`, 'must be 8 printable characters');
    if (seen.has(tid)) throw new AcquirerConfigError('acquirer-config', `${at}.tid`, 'is listed twice');
    seen.add(tid);
    if (typeof mid !== 'string' || !/^[\x20-\x7e]{15}$/.test(mid)) throw new AcquirerConfigError('acquirer-config', `${at}.mid`, 'must be 15 printable characters');
    if (!MASTER_KEY_ALGORITHMS.includes(masterKeyAlgorithm as MasterKeyAlgorithm)) throw new AcquirerConfigError('acquirer-config', `${at}.masterKeyAlgorithm`, `must be one of ${MASTER_KEY_ALGORITHMS.join(', ')}`);
    const digits = MASTER_KEY_HEX[masterKeyAlgorithm as MasterKeyAlgorithm];
    const activation = checkActivation((t as Record<string, unknown>).activation, `${at}.activation`);
    // The code finds the slot when the terminal has no TID yet: one code, one slot.
    if (activation && codes.has(activation.code)) throw new AcquirerConfigError('acquirer-config', `${at}.activation.code`, 'is the code of another slot');
    if (activation) codes.add(activation.code);
    // Never echo the value: it is key material. A slot waiting for its activation has none yet.
    if (masterKey === undefined ? !activation || status === 'activated' : typeof masterKey !== 'string' || masterKey.length !== digits || !HEX.test(masterKey))
      throw new AcquirerConfigError('acquirer-config', `${at}.masterKey`, `must be ${digits} hex digits (only a slot with activation data that is not activated may leave it out)`);
    if (status !== 'activated' && status !== 'registered' && status !== 'disabled') throw new AcquirerConfigError('acquirer-config', `${at}.status`, 'must be activated, registered or disabled');
    if (merchantStatus !== 'ok' && merchantStatus !== 'restricted' && merchantStatus !== 'frozen') throw new AcquirerConfigError('acquirer-config', `${at}.merchantStatus`, 'must be ok, restricted or frozen');
    return {
      tid,
      mid,
      ...(masterKey === undefined ? {} : { masterKey: masterKey as string, masterKeyAlgorithm: masterKeyAlgorithm as MasterKeyAlgorithm }),
      status,
      merchantStatus,
      ...(activation ? { activation } : {}),
    };
  });
}
