/**
 * How the rules of causes.ts judge a cause against the evidence. The patterns are read in place
 * (index arithmetic, no parsing into new objects): the diagnosis runs on a board with a few
 * thousand slots free, right after a self-test.
 */
import type { Cause, EvidencePattern } from './causes';
import type { CauseStatus, Evidence } from './types';

const STAR = 0x2a;

/** Whether `e` matches `[probe:]code[*][@status]`. */
export function matchesPattern(pattern: EvidencePattern, e: Evidence): boolean {
  let start = 0;
  const colon = pattern.indexOf(':');
  if (colon >= 0) {
    if (e.probe === undefined || e.probe.length !== colon || !pattern.startsWith(e.probe)) return false;
    start = colon + 1;
  }
  let end = pattern.indexOf('@', start);
  if (end < 0) end = pattern.length;
  else if (e.status.length !== pattern.length - end - 1 || !pattern.endsWith(e.status)) return false;
  const code = e.code;
  if (pattern.charCodeAt(end - 1) === STAR) {
    const n = end - 1 - start;
    if (code.length < n) return false;
    for (let i = 0; i < n; i++) if (code.charCodeAt(i) !== pattern.charCodeAt(start + i)) return false;
    return true;
  }
  return code.length === end - start && pattern.startsWith(code, start);
}

/** What collect found: some evidence matched; some of it is of this boot (not fromHistory). */
const MATCHED = 1;
const MATCHED_NOW = 2;

/** Whether `code` sorts before pattern[start, end) as strings do (by UTF-16 unit), read in place. */
function codeBelow(code: string, pattern: string, start: number, end: number): boolean {
  for (let i = 0; i < end - start; i++) {
    if (i >= code.length) return true;
    const a = code.charCodeAt(i);
    const b = pattern.charCodeAt(start + i);
    if (a !== b) return a < b;
  }
  return false;
}

/** Whether `code` starts with pattern[start, end). */
function codeStartsWith(code: string, pattern: string, start: number, end: number): boolean {
  if (code.length < end - start) return false;
  for (let i = start; i < end; i++) if (code.charCodeAt(i - start) !== pattern.charCodeAt(i)) return false;
  return true;
}

/** The first item whose code does not sort before pattern[start, end) (binary search, read in place). */
function lowerBound(evidence: readonly Evidence[], pattern: EvidencePattern, start: number, end: number): number {
  let low = 0;
  let high = evidence.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (codeBelow(evidence[middle].code, pattern, start, end)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Adds the evidence that matches a pattern of `patterns` and is not there yet, in the evidence's
 * order per pattern, and says what matched (MATCHED, MATCHED_NOW). In evidence sorted by code
 * (diagnose sorts it) only the run of codes starting with a pattern's code part is tried.
 */
function collect(patterns: readonly EvidencePattern[], evidence: readonly Evidence[], sorted: boolean, into: Evidence[]): number {
  let found = 0;
  for (let p = 0; p < patterns.length; p++) {
    const pattern = patterns[p];
    // Every code the pattern matches starts with its code part (the code, or the prefix before its
    // `*`); sorted by code, those codes sit together from where that part would be inserted.
    const start = pattern.indexOf(':') + 1;
    let end = pattern.indexOf('@', start);
    if (end < 0) end = pattern.length;
    if (pattern.charCodeAt(end - 1) === STAR) end--;
    if (!sorted) end = start;
    for (let i = sorted ? lowerBound(evidence, pattern, start, end) : 0; i < evidence.length; i++) {
      const e = evidence[i];
      if (!codeStartsWith(e.code, pattern, start, end)) break;
      if (!matchesPattern(pattern, e)) continue;
      found |= e.fromHistory ? MATCHED : MATCHED | MATCHED_NOW;
      if (into.indexOf(e) < 0) into.push(e);
    }
  }
  return found;
}

/** Whether the codes are in order (diagnose sorts them): else collect tries every item. */
function sortedByCode(evidence: readonly Evidence[]): boolean {
  for (let i = 1; i < evidence.length; i++) if (evidence[i].code < evidence[i - 1].code) return false;
  return true;
}

/**
 * Every local check held: the report's findings are there (some self-test evidence outside the
 * account family, which is the host's word) and none of them failed. Warnings do not count
 * against it: a terminal with its primary host down still reaches the backup.
 */
export function localChecksPass(evidence: readonly Evidence[]): boolean {
  let seen = false;
  for (let i = 0; i < evidence.length; i++) {
    const e = evidence[i];
    if (e.source !== 'selftest' || e.family === 'account') continue;
    if (e.status === 'fail') return false;
    seen = true;
  }
  return seen;
}

export interface Judgement {
  readonly status: CauseStatus;
  readonly for: readonly Evidence[];
  readonly against: readonly Evidence[];
}

/** How `cause` stands (causes.ts says the order of the tests), or undefined when no rule of it holds. */
export function judge(cause: Cause, evidence: readonly Evidence[], localPass: boolean): Judgement | undefined {
  const forIt: Evidence[] = [];
  const against: Evidence[] = [];
  const sorted = sortedByCode(evidence);
  const confirmedFound = collect(cause.confirmedBy, evidence, sorted, forIt);
  const likelyFound = collect(cause.likelyBy, evidence, sorted, forIt);
  const ruledOut = collect(cause.ruledOutBy, evidence, sorted, against) !== 0;
  // What an earlier boot saw (the history) makes a cause likely at most: a failure gone since never outranks today's.
  const confirmed = (confirmedFound & MATCHED_NOW) !== 0;
  const likely = likelyFound !== 0 || (!confirmed && confirmedFound !== 0);
  if (!confirmed && !ruledOut && !likely) return undefined;
  let status: CauseStatus;
  if (confirmed) status = cause.requires === 'local-checks-pass' && !localPass ? 'likely' : 'confirmed';
  else status = ruledOut ? 'ruled-out' : 'likely';
  return { status, for: forIt, against };
}
