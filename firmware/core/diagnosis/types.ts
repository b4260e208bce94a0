/**
 * The code-83 diagnosis vocabulary: evidence, causes, remedies and actions.
 *
 * A host answer in the terminal-invalid category (83 at one acquirer, 97 in the CUP tables)
 * names a symptom, not a cause. The diagnosis gathers everything the terminal knows as
 * evidence, lets rules written as data (causes.ts) judge each cause of the five families, and
 * ranks them; the screens show the ranking with its reasons and the remedies in the order a
 * technician works: network, device, system, account, terminal authentication, then support.
 */
import type { CauseFamily } from '../selftest/types';

export type { CauseFamily } from '../selftest/types';

/** Where a piece of evidence came from. */
export type EvidenceSource = 'selftest' | 'host' | 'link' | 'keys' | 'clock' | 'storage' | 'reset' | 'activation' | 'action' | 'reader' | 'update'
  /** Read back from the durable history with a code number this firmware does not know (a newer firmware wrote it). */
  | 'history';

/** How a piece of evidence reads: a failure, a warning, a check that held, or a plain fact. */
export type EvidenceStatus = 'fail' | 'warn' | 'pass' | 'info';

export interface Evidence {
  /** Stable code: a self-test finding's own code ("rtc.before-build"), or one of evidence.ts's ("host.terminal-invalid"). */
  readonly code: string;
  readonly family: CauseFamily;
  readonly source: EvidenceSource;
  readonly status: EvidenceStatus;
  /** When it was seen: RTC (may be wrong, that is evidence too) and uptime. */
  readonly wallMs: number;
  readonly uptimeMs: number;
  /** Language-neutral facts ("code=83 host=0 text=…"): never a key, never a PAN. */
  readonly detail?: string;
  /**
   * The self-test probe that found it ("network.backup"), for evidence from a report: the
   * connect probes share their codes (connect.failed), and which host failed decides the cause.
   */
  readonly probe?: string;
  /**
   * Read back from the durable history (gather.ts): an earlier boot saw it. It makes a cause
   * likely at most, never confirmed (rules.ts), and is not written back (the history keeps one boot).
   */
  readonly fromHistory?: true;
}

/** How a cause stands against the evidence. */
export type CauseStatus = 'confirmed' | 'likely' | 'ruled-out';

/** Something the terminal can do itself, from the keypad. */
export type ActionId = 'network-test' | 'sign-on' | 'restart' | 'set-clock' | 'self-test' | 'activate';

/** Who has to act when the terminal cannot. */
export type Actor = 'merchant' | 'technician' | 'acquirer' | 'support';

export interface Remedy {
  /** Stable id, the key of its texts ("check-network"). */
  readonly id: string;
  readonly family: CauseFamily | 'support';
  /** What the terminal runs for this step, if it can. */
  readonly action?: ActionId;
  /** Who must do it, when the terminal cannot. */
  readonly actor?: Actor;
}

export interface RankedCause {
  /** Stable id ("net.dns"), the key of its texts. */
  readonly id: string;
  /** Stable number (support code, QR summary): never renumbered. */
  readonly number: number;
  readonly family: CauseFamily;
  readonly status: CauseStatus;
  /** The evidence that speaks for it, and against it. */
  readonly for: readonly Evidence[];
  readonly against: readonly Evidence[];
  /** Its remedies, in the order to try them; the support step is always last. */
  readonly remedies: readonly Remedy[];
}

/** What one action did: recorded as evidence (source 'action'), then the diagnosis is recomputed. */
export interface ActionOutcome {
  readonly action: ActionId;
  readonly result: 'done' | 'failed' | 'refused';
  readonly wallMs: number;
  readonly detail?: string;
}

export interface Diagnosis {
  /** RTC and uptime when it was computed. */
  readonly wallMs: number;
  readonly uptimeMs: number;
  /** Confirmed, then likely, in rank order; then the causes ruled out (shown as such). */
  readonly causes: readonly RankedCause[];
  /** The first cause that is not ruled out, if any. */
  readonly top: RankedCause | undefined;
  /** Every remedy of the causes not ruled out, deduplicated, in the order to try them (support last). */
  readonly steps: readonly Remedy[];
  /** Actions already tried in this diagnosis, oldest first. */
  readonly tried: readonly ActionOutcome[];
  /** All the evidence considered. */
  readonly evidence: readonly Evidence[];
}
