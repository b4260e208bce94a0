/**
 * Diagnoses for the support-code and summary tests, and an independent reference for the
 * support code: bits packed as a binary string, the Damm table built by carry-less polynomial
 * multiplication in GF(32) (x⁵ + x² + 1), the check symbol found by search.
 */
import { DiagnosisError } from '../../firmware/core/diagnosis/errors';
import type { CauseStatus, Diagnosis, Evidence, EvidenceStatus, RankedCause } from '../../firmware/core/diagnosis/types';
import type { CauseFamily } from '../../firmware/core/selftest/types';

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** a·b in GF(2⁵) modulo x⁵ + x² + 1, bit by bit as on paper. */
function gfMultiply(a: number, b: number): number {
  let product = 0;
  for (let i = 0; i < 5; i++) if ((b >> i) & 1) product ^= a << i;
  for (let bit = 8; bit >= 5; bit--) if ((product >> bit) & 1) product ^= 0b100101 << (bit - 5);
  return product;
}

/** Damm's quasigroup table x∗y = 2·x + y. */
export const DAMM: number[][] = Array.from({ length: 32 }, (_, x) => Array.from({ length: 32 }, (_, y) => gfMultiply(2, x) ^ y));

const interim = (symbols: number[]) => symbols.reduce((i, s) => DAMM[i][s], 0);

/** The code the layout in supportCode.ts describes, built from strings. */
export function referenceCode(version: number, causes: number[], stamp: number): string {
  const bits = [version.toString(2).padStart(3, '0'), ...[0, 1, 2].map((i) => (causes[i] ?? 0).toString(2).padStart(7, '0')), stamp.toString(2).padStart(16, '0')].join('');
  const symbols = bits.match(/.{5}/g)!.map((b) => parseInt(b, 2));
  const last = interim(symbols);
  const check = [...Array(32).keys()].find((c) => DAMM[last][c] === 0)!;
  const chars = [...symbols, check].map((s) => CROCKFORD[s]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars[8]}`;
}

export const FAMILY_OF: Record<number, CauseFamily> = { 0: 'network', 1: 'device', 2: 'system', 3: 'account', 4: 'authentication' };

export function cause(id: string, number: number, status: CauseStatus): RankedCause {
  return { id, number, family: FAMILY_OF[Math.floor(number / 10)] ?? 'authentication', status, for: [], against: [], remedies: [] };
}

export function evidence(code: string, status: EvidenceStatus, family: CauseFamily = 'network'): Evidence {
  return { code, family, source: 'selftest', status, wallMs: 0, uptimeMs: 0 };
}

/** 2026-12-02T07:41:30.250Z */
export const WALL_MS = Date.UTC(2026, 11, 2, 7, 41, 30, 250);

export function diagnosis(causes: RankedCause[], found: Evidence[] = [], wallMs = WALL_MS): Diagnosis {
  const open = causes.filter((c) => c.status !== 'ruled-out');
  return { wallMs, uptimeMs: 5_000, causes, top: open[0], steps: [], tried: [], evidence: found };
}

/** The DiagnosisError `run` throws (fails the test when it throws nothing, or something else). */
export function errorOf(run: () => unknown): DiagnosisError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DiagnosisError);
    return error as DiagnosisError;
  }
  throw new Error('no error');
}
