/**
 * The diagnosis: every cause of causes.ts judged against the evidence (rules.ts), ranked and
 * given its remedies (rank.ts). Actions already tried are evidence too (action.<id>.<result>).
 *
 * The same evidence in any order gives the same diagnosis: the evidence is put in one order
 * first (by code, then time, then the rest), so the for/against lists do not depend on the
 * order the sources were read in.
 */
import { CAUSES } from './causes';
import { factEvidence } from './evidence';
import { causeRemedies, orderSteps, rankCauses } from './rank';
import { judge, localChecksPass } from './rules';
import type { ActionOutcome, Diagnosis, Evidence, RankedCause } from './types';

const text = (a: string | undefined, b: string | undefined) => (a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a < b ? -1 : 1);

/** One total order of evidence (two items equal in it are the same in every field). */
export function compareEvidence(a: Evidence, b: Evidence): number {
  return (
    text(a.code, b.code) ||
    a.wallMs - b.wallMs ||
    a.uptimeMs - b.uptimeMs ||
    text(a.status, b.status) ||
    text(a.source, b.source) ||
    text(a.family, b.family) ||
    text(a.probe, b.probe) ||
    text(a.detail, b.detail)
  );
}

/** An action's outcome as evidence. */
export function actionEvidence(outcome: ActionOutcome, uptimeMs: number): Evidence {
  const status = outcome.result === 'done' ? 'pass' : outcome.result === 'failed' ? 'fail' : 'warn';
  return factEvidence(`action.${outcome.action}.${outcome.result}`, status, outcome.wallMs, uptimeMs, outcome.detail);
}

/**
 * Judges every cause against `evidence` and the actions `tried` (oldest first).
 * Pure: the same arguments give the same diagnosis.
 */
export function diagnose(evidence: readonly Evidence[], tried: readonly ActionOutcome[], now: { wallMs: number; uptimeMs: number }): Diagnosis {
  const all: Evidence[] = evidence.slice();
  for (let i = 0; i < tried.length; i++) all.push(actionEvidence(tried[i], now.uptimeMs));
  all.sort(compareEvidence);
  const localPass = localChecksPass(all);
  const causes: RankedCause[] = [];
  for (let i = 0; i < CAUSES.length; i++) {
    const cause = CAUSES[i];
    const judged = judge(cause, all, localPass);
    if (!judged) continue;
    causes.push({
      id: cause.id,
      number: cause.number,
      family: cause.family,
      status: judged.status,
      for: judged.for,
      against: judged.against,
      remedies: causeRemedies(i, judged.for),
    });
  }
  rankCauses(causes);
  const top = causes.length > 0 && causes[0].status !== 'ruled-out' ? causes[0] : undefined;
  return { wallMs: now.wallMs, uptimeMs: now.uptimeMs, causes, top, steps: orderSteps(causes, tried), tried: tried.slice(), evidence: all };
}
