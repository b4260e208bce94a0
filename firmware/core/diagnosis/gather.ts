/**
 * Gathers the evidence: everything the terminal knows that speaks for or against a cause.
 *
 * - The self-test report: every result, its own code, family and probe (a skip reads as a plain
 *   fact: "cert.cannot-decide" is what makes the certificate undecidable). The certificate probe
 *   names its worst finding and lists the others in its detail (" | also cert.expired, …"):
 *   each of those is evidence too, so a wrong terminal ID does not hide an expiry.
 * - The event log (oldest first, as the record log gives it): host answers as host.<category>
 *   with the code, MTI, host and text; what the host's text says (hosttext.*, read on terminal-invalid
 *   and merchant-restricted answers only: a decline's text is about the card); a terminal the
 *   host accepted earlier and now calls invalid (host.refused-after-accept); the CUP header's
 *   processing request 3 (host.sign-on-requested); resets by panic or watchdog (reset.*) or brownout
 *   (power.brownout: the supply; the reset history's fact about the same boot adds its detail),
 *   corruption found by recovery at boot, and card reads that kept failing with the same reader
 *   error (reader.repeated-error). An approval supersedes the refusals before it.
 * - The session (reversal pending and why, failovers, timeouts) and the activation state.
 * - The durable history (history.ts): what the previous boot saw (diagnosisDuties.ts keeps no
 *   more). Each item is marked fromHistory: it makes a cause likely at most, never confirmed
 *   (rules.ts), so a failure that is gone never outranks what the terminal sees now. An item is
 *   dropped when it is older than HISTORY_WINDOW_MS (24 h) by an RTC the self-test trusts (with
 *   rtc.before-build or rtc.implausible, or a stamp after now, its age is unknown and the boot rule
 *   bounds it); when a pass of this boot takes it back (TAKEN_BACK_BY: an approval its refusals,
 *   activation.done every activation failure; this boot is newer than the history whatever the RTC
 *   said); when a report of this boot has the self-test findings; and when this boot's events
 *   already gave it (same code, same second).
 * Every detail is language-neutral facts: never a key, never a PAN.
 */
import type { TerminalEvent } from '../runtime/events';
import type { ProbeStatus, SelfTestReport } from '../selftest/types';
import { deepFreeze } from '../freeze';
import { evidenceNumber, factEvidence, findingEvidence } from './evidence';
import type { Evidence, EvidenceStatus } from './types';

export interface SessionEvidence {
  pendingReversal: boolean;
  /** Field 39 the reversal carries (messages.ts ReversalReason): 'A0' = the answer's MAC did not verify. */
  reversalReason?: string;
  /** The link's counters since it opened (host/link.ts LinkStats). */
  failovers?: number;
  timeouts?: number;
  /** Requests sent again, and connects that failed: told in the detail of link.timeout and link.failover (no code of their own). */
  resends?: number;
  connectFailures?: number;
}

/** The activation outcome as the activation flow reports it (the reasons are evidence codes activation.<reason>). */
export type ActivationOutcomeView = { kind: 'activated' } | { kind: 'refused'; reason: string; detail?: string };

/** activation/activationState.ts's ActivationState (its `factory` and `activated`), with the newest attempt. */
export interface ActivationEvidence {
  /** No master key, no activation record, never signed on: the terminal was never activated. */
  factory: boolean;
  /** A master key and an activation record are stored. */
  activated: boolean;
  /** The newest attempt, if any. */
  last?: { outcome: ActivationOutcomeView; wallMs: number; uptimeMs: number };
}

export interface EvidenceSources {
  report?: SelfTestReport;
  /** Oldest first. */
  events: readonly TerminalEvent[];
  history: readonly Evidence[];
  session?: SessionEvidence;
  activation?: ActivationEvidence;
  now: { wallMs: number; uptimeMs: number };
}

const STATUS_OF: Readonly<Record<ProbeStatus, EvidenceStatus>> = deepFreeze({ pass: 'pass', warn: 'warn', fail: 'fail', skip: 'info' });
/** What a host answer of each category says: refusals fail, "try again" warns, a judged answer is a fact. */
const ANSWER_STATUS: Readonly<Record<string, EvidenceStatus>> = deepFreeze({
  approved: 'pass',
  declined: 'info',
  'card-problem': 'info',
  retry: 'warn',
  're-sign-on': 'warn',
  'host-problem': 'warn',
  'terminal-invalid': 'fail',
  'merchant-restricted': 'fail',
});
/**
 * The answers whose field 44/63 text is read: those about the merchant or the terminal. A decline's
 * text is about the customer's card ("restricted card", 受限制的卡) and never the merchant's account.
 */
const TEXT_CATEGORIES = deepFreeze(['terminal-invalid', 'merchant-restricted']);
/** Words in the host's field 44/63 text that name the cause (lower case; the CUP texts are Chinese). */
const TEXT_SIGNS: readonly (readonly [code: string, words: readonly string[]])[] = deepFreeze([
  ['hosttext.account-restricted', ['冻结', '止付', '受限', '限制', 'frozen', 'restricted', 'suspended', 'blocked']],
  ['hosttext.terminal-disabled', ['停用', '禁用', '注销', 'disabled', 'deactivated']],
]);
/** Codes an approval later in time takes back: the host accepts the terminal now. */
const TAKEN_BACK = deepFreeze(['host.terminal-invalid', 'host.merchant-restricted', 'host.refused-after-accept', 'host.re-sign-on', 'host.sign-on-requested', 'hosttext.account-restricted', 'hosttext.terminal-disabled']);
/**
 * A pass of this boot that takes back the failures an earlier boot saw: [its code, the codes it
 * takes back (a code ending in '.' is a prefix)]. The host accepting the terminal now takes back
 * its refusals; an activation that succeeded takes back every activation failure before it.
 */
const TAKEN_BACK_BY: readonly (readonly [pass: string, codes: readonly string[]])[] = deepFreeze([
  ['host.approved', TAKEN_BACK],
  ['activation.done', ['activation.']],
]);
/** The clock probe's findings that make the RTC untrusted (the history's age is then unknown). */
const UNTRUSTED_CLOCK = deepFreeze(['rtc.before-build', 'rtc.implausible']);
/** History older than this by a trusted RTC is no evidence any more: a day, the periodic self-test's interval. */
export const HISTORY_WINDOW_MS = 24 * 3_600_000;
/**
 * A boot's reset reason as evidence: crashes fail (system), a brownout warns and is the power
 * supply's (device: power.brownout; firmware before issue 10 said reset.brownout, still a code).
 */
const RESETS: Readonly<Record<string, readonly [code: string, status: EvidenceStatus]>> = deepFreeze({
  panic: ['reset.panic', 'fail'],
  watchdog: ['reset.watchdog', 'fail'],
  brownout: ['power.brownout', 'warn'],
});
/** The activation flow's refusal reasons (contract §6), each an evidence code activation.<reason>. */
const ACTIVATION_REASONS = deepFreeze(['code-wrong', 'code-expired', 'tid-disabled', 'bound-elsewhere', 'kcv-mismatch', 'unreachable', 'malformed', 'device-refused']);
const ALSO = ' | also ';
/** messages.ts ReversalReason.macFailure, as the reversal probe states it. */
const MAC_REVERSAL = 'reason A0,';
const TEXT_LIMIT = 40;
/** CUP header processing request: the host asks for a new sign-on (host/responses.ts). */
const SIGN_ON_REQUEST = 3;

type HostAnswerEvent = Extract<TerminalEvent, { kind: 'host-answer' }>;

/** The table's own entry for `key`: an event read from flash may name anything, "constructor" included. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Adds `e`, or replaces the item of the same code (the newest stands, with how often it was seen). */
function note(out: Evidence[], e: Evidence, counts: number[]): void {
  for (let i = 0; i < out.length; i++)
    if (out[i].code === e.code && out[i].source !== 'selftest') {
      counts[i]++;
      out[i] = { ...e, detail: `${e.detail ?? ''}${e.detail ? ' ' : ''}seen=${counts[i]}` };
      return;
    }
  out.push(e);
  counts[out.length - 1] = 1;
}

function findCode(out: readonly Evidence[], code: string): number {
  for (let i = 0; i < out.length; i++) if (out[i].code === code && out[i].source !== 'selftest') return i;
  return -1;
}

function dropCodes(out: Evidence[], counts: number[], codes: readonly string[]): void {
  for (let i = out.length - 1; i >= 0; i--)
    if (codes.indexOf(out[i].code) >= 0) {
      out.splice(i, 1);
      counts.splice(i, 1);
    }
}

function fromReport(report: SelfTestReport, out: Evidence[], counts: number[]): void {
  const { startedWallMs: wall, startedUptimeMs: up } = report;
  for (const r of report.results) {
    out.push(findingEvidence(r.code, STATUS_OF[r.status], r.family, r.id, wall, up, r.detail));
    counts.push(1);
    // reversalProbe.ts: "STAN …, reason A0, sent …": the reversal waits because an answer's MAC failed.
    if (r.id === 'system.reversal' && r.detail.indexOf(MAC_REVERSAL) >= 0) note(out, factEvidence('host.answer-mac-bad', 'fail', wall, up, 'reason=A0'), counts);
    const at = r.id === 'auth.certificate' ? r.detail.lastIndexOf(ALSO) : -1;
    if (at < 0) continue;
    for (const code of r.detail.slice(at + ALSO.length).split(', ')) {
      const status: EvidenceStatus = code === 'cert.expiring' ? 'warn' : code === 'cert.cannot-decide' ? 'info' : 'fail';
      out.push(findingEvidence(code, status, r.family, r.id, wall, up, `also found with ${r.code}`));
      counts.push(1);
    }
  }
}

function textSign(text: string): string | undefined {
  const lower = text.toLowerCase();
  for (const [code, words] of TEXT_SIGNS) for (const word of words) if (lower.indexOf(word) >= 0) return code;
  return undefined;
}

function fromAnswer(event: HostAnswerEvent, accepted: boolean, out: Evidence[], counts: number[]): void {
  const status = own(ANSWER_STATUS, event.category);
  if (status === undefined) return;
  const { wallMs, uptimeMs } = event;
  const nibble = event.processingRequest;
  const text = event.hostText === undefined ? '' : ` text=${event.hostText.slice(0, TEXT_LIMIT)}`;
  const detail = `code=${event.code} mti=${event.mti} host=${event.host} op=${event.operation}${nibble === undefined ? '' : ` nibble=${nibble}`}${text}`;
  if (status === 'pass') dropCodes(out, counts, TAKEN_BACK);
  note(out, factEvidence(`host.${event.category}`, status, wallMs, uptimeMs, detail), counts);
  if (event.category === 'terminal-invalid' && accepted) note(out, factEvidence('host.refused-after-accept', 'fail', wallMs, uptimeMs, detail), counts);
  if (nibble === SIGN_ON_REQUEST) note(out, factEvidence('host.sign-on-requested', 'warn', wallMs, uptimeMs, detail), counts);
  const sign = event.hostText === undefined || TEXT_CATEGORIES.indexOf(event.category) < 0 ? undefined : textSign(event.hostText);
  if (sign) note(out, factEvidence(sign, 'fail', wallMs, uptimeMs, detail), counts);
}

function fromEvents(events: readonly TerminalEvent[], out: Evidence[], counts: number[]): void {
  let accepted = false;
  // The code the newest boot event gave, until a fact of that code (the reset history's) says more about the same boot.
  let bootCode: string | undefined;
  for (const event of events) {
    if (event.kind === 'host-answer') {
      fromAnswer(event, accepted, out, counts);
      if (event.category === 'approved') accepted = true;
    } else if (event.kind === 'reader-error') {
      note(out, factEvidence('reader.repeated-error', 'warn', event.wallMs, event.uptimeMs, `error=${event.error} reads=${event.reads} via=${event.interface}`), counts);
    } else if (event.kind === 'fact') {
      // A code this firmware's table lacks (a newer firmware recorded it) is no evidence here.
      if (evidenceNumber(event.code) === undefined || event.code.charCodeAt(0) === 0x23) continue;
      const e = factEvidence(event.code, event.status, event.wallMs, event.uptimeMs, event.detail);
      // The reset history's power.brownout after its own brownout boot: the same sighting, its detail added.
      const same = event.code === bootCode ? findCode(out, event.code) : -1;
      if (same >= 0) out[same] = { ...out[same], detail: `${out[same].detail ?? ''}${out[same].detail && event.detail ? ' ' : ''}${event.detail ?? ''}` };
      else note(out, e, counts);
      if (event.code === bootCode) bootCode = undefined;
    } else if (event.kind === 'boot') {
      const reset = own(RESETS, event.resetReason);
      bootCode = reset?.[0];
      if (reset) note(out, factEvidence(reset[0], reset[1], event.wallMs, event.uptimeMs, `firmware=${event.firmwareVersion}`), counts);
      const { corruptRecords, corruptSectors } = event.recovery;
      if (corruptRecords > 0 || corruptSectors > 0)
        note(out, factEvidence('storage.corrupt', 'fail', event.wallMs, event.uptimeMs, `records=${corruptRecords} sectors=${corruptSectors}`), counts);
    }
  }
}

function fromState(sources: EvidenceSources, out: Evidence[], counts: number[]): void {
  const { session, activation, now } = sources;
  const fact = (code: string, status: EvidenceStatus, detail?: string, at = now) => note(out, factEvidence(code, status, at.wallMs, at.uptimeMs, detail), counts);
  if (session?.pendingReversal) {
    // messages.ts ReversalReason.macFailure: an answer came back and did not verify under our MAC
    // key. That is the keys, not the link (which carried the answer).
    if (session.reversalReason === 'A0') fact('host.answer-mac-bad', 'fail', 'reason=A0');
    else fact('link.reversal-pending', 'warn', session.reversalReason === undefined ? undefined : `reason=${session.reversalReason}`);
  }
  if (session?.failovers) fact('link.failover', 'warn', `count=${session.failovers}${session.connectFailures ? ` connect-failures=${session.connectFailures}` : ''}`);
  if (session?.timeouts) fact('link.timeout', 'warn', `count=${session.timeouts}${session.resends ? ` resends=${session.resends}` : ''}`);
  if (!activation) return;
  const last = activation.last;
  if (last?.outcome.kind === 'refused') {
    const code = `activation.${last.outcome.reason}`;
    // A reason this firmware does not know (a newer flow's) is still a failed activation: said as malformed.
    fact(ACTIVATION_REASONS.indexOf(last.outcome.reason) >= 0 ? code : 'activation.malformed', 'fail', last.outcome.detail, last);
  }
  // A master key provisioned before activation existed has no record: neither state, no evidence.
  if (activation.activated) fact('activation.done', 'pass', undefined, last ?? now);
  else if (activation.factory) fact('activation.not-activated', 'fail');
}


/** Whether the report says the RTC cannot be trusted now (the clock probe's failures). */
function clockDistrusted(report: SelfTestReport | undefined): boolean {
  if (report) for (const r of report.results) if (UNTRUSTED_CLOCK.indexOf(r.code) >= 0) return true;
  return false;
}

/** Whether a pass of this boot in `out` takes back `h`, a failure an earlier boot saw (TAKEN_BACK_BY). */
function takenBack(h: Evidence, out: readonly Evidence[]): boolean {
  if (h.status !== 'fail' && h.status !== 'warn') return false;
  for (const [pass, codes] of TAKEN_BACK_BY) {
    let taken = false;
    for (const code of codes) if (code.endsWith('.') ? h.code.startsWith(code) : h.code === code) taken = true;
    if (!taken) continue;
    for (const e of out) if (e.code === pass && e.status === 'pass') return true;
  }
  return false;
}

function fromHistory(sources: EvidenceSources, out: Evidence[], counts: number[]): void {
  const { history, report, now } = sources;
  const datable = !clockDistrusted(report);
  for (const h of history) {
    if (report && h.source === 'selftest') continue;
    // Older than the window by a clock the self-test trusts. A stamp after now, or a clock it
    // does not trust, tells no age: the runtime's boot rule bounds that (diagnosisDuties.ts).
    const age = now.wallMs - h.wallMs;
    if (datable && age > HISTORY_WINDOW_MS) continue;
    // Every item of this boot is newer than every item of the history, whatever the RTC says.
    if (takenBack(h, out)) continue;
    const second = Math.floor(h.wallMs / 1000);
    let seen = false;
    for (let i = 0; i < out.length && !seen; i++) seen = out[i].code === h.code && Math.floor(out[i].wallMs / 1000) === second;
    if (seen) continue;
    out.push(h.fromHistory ? h : { ...h, fromHistory: true });
    counts.push(1);
  }
}

/** Everything the sources say, as evidence (in no particular order: diagnose() orders it). */
export function gatherEvidence(sources: EvidenceSources): Evidence[] {
  const out: Evidence[] = [];
  const counts: number[] = [];
  if (sources.report) fromReport(sources.report, out, counts);
  fromEvents(sources.events, out, counts);
  fromState(sources, out, counts);
  fromHistory(sources, out, counts);
  return out;
}
