/**
 * What the network, account and reversal probes look at: the acquirer link, the host session
 * and the profile, as the terminal holds them when a probe runs. The terminal builds them only
 * once the configuration is valid (and may rebuild them), so the plan gets a function that
 * returns them, not the objects. The session and its answers are described by the parts the
 * probes read; host/session.ts's HostSession and HostAnswer have them.
 */
import type { AcquirerProfile } from '../../config/acquirerProfile';
import type { HostLink } from '../../host/link';
import type { HostAnswer } from '../../host/sessionTypes';
import { skip } from './outcome';
import type { ProbeOutcome } from '../types';

/** A host's answer as the session reports it: the parts the probes read. */
export type HostAnswerView = Pick<HostAnswer, 'code' | 'category' | 'text' | 'mti' | 'host' | 'hostText' | 'wallMs'>;

export type EchoOutcomeView = (
  | { kind: 'answered'; answer: HostAnswerView }
  | { kind: 'no-answer'; stage: string; detail: string }
  | { kind: 'refused'; code: string; detail: string }
) & { roundTripMs?: number };

export interface SessionView {
  /** An 0820 echo test (network management code 301). */
  echo(): Promise<EchoOutcomeView>;
  status(): { pendingReversal?: { stan: string; reason: string; attempts: number }; lastAnswer?: HostAnswerView };
}

export interface HostSubjects {
  link?: Pick<HostLink, 'probeConnect'>;
  session?: SessionView;
  profile?: Pick<AcquirerProfile, 'hosts' | 'timeoutMs'>;
  /**
   * The newest answer that judged the account (the terminal keeps it from `onAnswer`: any
   * category but 'host-problem' and 'retry'); when absent, the session's last answer is used.
   */
  accountAnswer?: HostAnswerView;
}

/** The terminal's accessor: called each time a probe runs. */
export type HostSubjectsSource = () => HostSubjects;

/** A probe's subjects are absent: no valid acquirer profile, or no link or session yet. */
export const notConfigured = (what: string): ProbeOutcome => skip('host.not-configured', `not configured: no ${what}`);

/** "primary" / "backup": how details name host 0 and host 1. */
export const hostRole = (index: number): string => (index === 0 ? 'primary' : 'backup');
