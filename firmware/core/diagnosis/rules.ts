/**
 * How the rules of causes.ts judge a cause against the evidence. The patterns are read in place
 * (index arithmetic, no parsing into new objects): the diagnosis runs on a board with a few
 * thousand slots free, right after a self-test.
 */
import type { Cause, EvidencePattern, EvidenceRule } from './causes';
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

function matchesAny(rule: EvidenceRule, e: Evidence): boolean {
  if (typeof rule === 'string') return matchesPattern(rule, e);
  for (let i = 0; i < rule.length; i++) if (matchesPattern(rule[i], e)) return true;
  return false;
}

/** Whether the rule holds: its pattern matches some evidence, or each of its patterns does. */
export function ruleHolds(rule: EvidenceRule, evidence: readonly Evidence[]): boolean {
  const patterns = typeof rule === 'string' ? 1 : rule.length;
  for (let p = 0; p < patterns; p++) {
    const pattern = typeof rule === 'string' ? rule : rule[p];
    let found = false;
    for (let i = 0; i < evidence.length && !found; i++) found = matchesPattern(pattern, evidence[i]);
    if (!found) return false;
  }
  return true;
}

function anyHolds(rules: readonly EvidenceRule[], evidence: readonly Evidence[]): boolean {
  for (let i = 0; i < rules.length; i++) if (ruleHolds(rules[i], evidence)) return true;
  return false;
}

/** The evidence that takes part in a rule of `rules` that holds, in the evidence's order. */
function collect(rules: readonly EvidenceRule[], evidence: readonly Evidence[], into: Evidence[]): void {
  for (let r = 0; r < rules.length; r++) {
    if (!ruleHolds(rules[r], evidence)) continue;
    for (let i = 0; i < evidence.length; i++) if (matchesAny(rules[r], evidence[i]) && into.indexOf(evidence[i]) < 0) into.push(evidence[i]);
  }
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
  const confirmed = anyHolds(cause.confirmedBy, evidence);
  const ruledOut = anyHolds(cause.ruledOutBy, evidence);
  const likely = anyHolds(cause.likelyBy, evidence);
  if (!confirmed && !ruledOut && !likely) return undefined;
  const forIt: Evidence[] = [];
  const against: Evidence[] = [];
  collect(cause.confirmedBy, evidence, forIt);
  collect(cause.likelyBy, evidence, forIt);
  collect(cause.ruledOutBy, evidence, against);
  let status: CauseStatus;
  if (confirmed) status = cause.requires === 'local-checks-pass' && !localPass ? 'likely' : 'confirmed';
  else status = ruledOut ? 'ruled-out' : 'likely';
  return { status, for: forIt, against };
}
