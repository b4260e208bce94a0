/**
 * The ranking, deterministic and explainable in one sentence each:
 * 1. confirmed, then likely, then ruled out;
 * 2. among equals, a cause with local evidence before one that only the host's word supports
 *    (the account family and host answers are the host's word: the terminal cannot see the
 *    acquirer's records, and a bare 83 names a symptom, not a cause);
 * 3. then the technician's family order (network, device, system, account, authentication) and
 *    the cause's number;
 * 4. last, a cause another standing cause explains (causes.ts `explainedBy`) moves right after
 *    it, when that one stands at least as firmly.
 * The steps are every remedy of the causes not ruled out, deduplicated, in family order (rank
 * order within a family), first those of the causes nothing explains, then those of the causes
 * rule 4 placed after what explains them (fix the cause, then its consequence: activate before
 * re-provisioning the IDs activation brings; set the clock before renewing a TLS anchor whose
 * dates it could not judge); a step whose action already succeeded moves behind the untried
 * ones; call-support is always last.
 */
import { CAUSE_FAMILIES } from '../selftest/types';
import { deepFreeze } from '../freeze';
import { CAUSES, causeById } from './causes';
import { CALL_SUPPORT, remedyById, remedyFamilyIndex } from './remedies';
import { matchesPattern } from './rules';
import type { ActionOutcome, CauseStatus, Evidence, RankedCause, Remedy } from './types';

const STATUS_RANK: Readonly<Record<CauseStatus, number>> = Object.freeze({ confirmed: 0, likely: 1, 'ruled-out': 2 });

/** The host's word, not something the terminal checked itself. */
export function isHostWord(e: Evidence): boolean {
  return e.source === 'host' || e.family === 'account';
}

function hostOnly(cause: RankedCause): number {
  if (cause.status === 'ruled-out') return 0;
  for (let i = 0; i < cause.for.length; i++) if (!isHostWord(cause.for[i])) return 0;
  return 1;
}

function compareCauses(a: RankedCause, b: RankedCause): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    hostOnly(a) - hostOnly(b) ||
    CAUSE_FAMILIES.indexOf(a.family) - CAUSE_FAMILIES.indexOf(b.family) ||
    a.number - b.number
  );
}

/** Sorts `causes` in place into rank order and returns them. */
export function rankCauses(causes: RankedCause[]): RankedCause[] {
  causes.sort(compareCauses);
  // Rule 4: at most one move per cause (the table's explainedBy has no cycles; the bound keeps a typo from looping).
  for (let i = 0, moves = 0; i < causes.length && moves <= causes.length; i++) {
    const explainedBy = causeById(causes[i].id).explainedBy;
    if (!explainedBy || causes[i].status === 'ruled-out') continue;
    for (let j = causes.length - 1; j > i; j--) {
      if (explainedBy.indexOf(causes[j].id) < 0 || STATUS_RANK[causes[j].status] > STATUS_RANK[causes[i].status]) continue;
      causes.splice(j + 1, 0, causes[i]);
      causes.splice(i, 1);
      i--;
      moves++;
      break;
    }
  }
  return causes;
}

/**
 * Each cause's remedies, then the support step, in CAUSES order: made once when the module is
 * evaluated (at build time on the device, where the frozen lists stay in flash), shared by every
 * diagnosis.
 */
const CAUSE_REMEDIES: readonly (readonly Remedy[])[] = deepFreeze(CAUSES.map((cause) => [...cause.remedies.map(remedyById), CALL_SUPPORT]));
/** The same for each cause's `remediesWhen` (undefined for a cause without). */
const CAUSE_REMEDIES_WHEN: readonly (readonly Remedy[] | undefined)[] = deepFreeze(
  CAUSES.map((cause) => (cause.remediesWhen ? [...cause.remediesWhen.remedies.map(remedyById), CALL_SUPPORT] : undefined)),
);

/** The remedies of CAUSES[index] given the evidence `forIt` for it (causes.ts `remediesWhen`), the support step last. */
export function causeRemedies(index: number, forIt: readonly Evidence[] = []): readonly Remedy[] {
  const when = CAUSES[index].remediesWhen;
  if (when) for (let i = 0; i < forIt.length; i++) if (matchesPattern(when.when, forIt[i])) return CAUSE_REMEDIES_WHEN[index]!;
  return CAUSE_REMEDIES[index];
}

/** Whether a cause ranked before `at` explains it and stands at least as firmly (rule 4's move). */
function explained(ranked: readonly RankedCause[], at: number): boolean {
  const explainedBy = causeById(ranked[at].id).explainedBy;
  if (!explainedBy) return false;
  for (let i = 0; i < at; i++)
    if (ranked[i].status !== 'ruled-out' && explainedBy.indexOf(ranked[i].id) >= 0 && STATUS_RANK[ranked[i].status] <= STATUS_RANK[ranked[at].status]) return true;
  return false;
}

function succeeded(remedy: Remedy, tried: readonly ActionOutcome[]): boolean {
  if (!remedy.action) return false;
  for (let i = 0; i < tried.length; i++) if (tried[i].action === remedy.action && tried[i].result === 'done') return true;
  return false;
}

/** The steps of the ranked causes (see the file's comment). */
export function orderSteps(ranked: readonly RankedCause[], tried: readonly ActionOutcome[]): Remedy[] {
  const steps: Remedy[] = [];
  const consequence: boolean[] = [];
  for (let c = 0; c < ranked.length; c++) consequence.push(ranked[c].status !== 'ruled-out' && explained(ranked, c));
  for (let round = 0; round < 2; round++)
    for (let family = 0; family < CAUSE_FAMILIES.length; family++)
      for (let c = 0; c < ranked.length; c++) {
        if (ranked[c].status === 'ruled-out' || consequence[c] !== (round === 1)) continue;
        const remedies = ranked[c].remedies;
        for (let r = 0; r < remedies.length; r++)
          if (remedyFamilyIndex(remedies[r]) === family && steps.indexOf(remedies[r]) < 0) steps.push(remedies[r]);
      }
  const done: Remedy[] = [];
  for (let i = 0; i < steps.length; i++)
    if (succeeded(steps[i], tried)) {
      done.push(steps[i]);
      steps.splice(i--, 1);
    }
  for (let i = 0; i < done.length; i++) steps.push(done[i]);
  steps.push(CALL_SUPPORT);
  return steps;
}
