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

/**
 * Adds the evidence that matches a pattern of `patterns` and is not there yet, in the evidence's
 * order per pattern, and says what matched (MATCHED, MATCHED_NOW): one pass, each pattern
 * tried on each item once.
 */
function collect(patterns: readonly EvidencePattern[], evidence: readonly Evidence[], into: Evidence[]): number {
  let found = 0;
  for (let p = 0; p < patterns.length; p++)
    for (let i = 0; i < evidence.length; i++) {
      const e = evidence[i];
      if (!matchesPattern(patterns[p], e)) continue;
      found |= e.fromHistory ? MATCHED : MATCHED | MATCHED_NOW;
      if (into.indexOf(e) < 0) into.push(e);
    }
  return found;
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
  const confirmedFound = collect(cause.confirmedBy, evidence, forIt);
  const likelyFound = collect(cause.likelyBy, evidence, forIt);
  const ruledOut = collect(cause.ruledOutBy, evidence, against) !== 0;
  // What an earlier boot saw (the history) makes a cause likely at most: a failure gone since never outranks today's.
  const confirmed = (confirmedFound & MATCHED_NOW) !== 0;
  const likely = likelyFound !== 0 || (!confirmed && confirmedFound !== 0);
  if (!confirmed && !ruledOut && !likely) return undefined;
  let status: CauseStatus;
  if (confirmed) status = cause.requires === 'local-checks-pass' && !localPass ? 'likely' : 'confirmed';
  else status = ruledOut ? 'ruled-out' : 'likely';
  return { status, for: forIt, against };
}
