/**
 * The evidence codes and their numbers: the one table every piece of evidence is named from.
 *
 * Numbers are what the durable history, the QR summary and the support code carry, so the table
 * is append-only: a number is never reused or renumbered, a new code takes the next free number
 * of its family's block. Blocks of 100 (network 1–99, device 100–199, system 200–299, account
 * 300–399, authentication 400–499) let an older firmware that meets a newer code still name its
 * family, and let a person on the phone read "4xx: authentication".
 *
 * Self-test evidence keeps the probe's own code ("rtc.before-build"): the screens' finding texts
 * are keyed by it. The other codes name where the fact came from: host.<category> (an answer of
 * that category), hosttext.* (what the host's field 44/63 text says), link.* (session state),
 * reset.* and storage.* (boot), activation.<reason>, action.<action>.<result>, reader.repeated-error
 * (card reads that kept failing with the same reader error).
 */
import { deepFreeze } from '../freeze';
import { CAUSE_FAMILIES, type CauseFamily } from '../selftest/types';
import type { Evidence, EvidenceSource, EvidenceStatus } from './types';

/** [code, number, where it comes from]. Family: the number's block. */
export type EvidenceEntry = readonly [code: string, number: number, source: EvidenceSource];

const S = 'selftest';
export const EVIDENCE_CODES: readonly EvidenceEntry[] = deepFreeze([
  // network (probes network.*, network.tls)
  ['link.ok', 1, S], ['link.down', 2, S], ['link.no-address', 3, S],
  ['resolve.ok', 4, S], ['resolve.failed', 5, S], ['resolve.not-needed', 6, S],
  ['connect.ok', 7, S], ['connect.failed', 8, S], ['connect.no-backup', 9, S],
  ['echo.ok', 10, S], ['echo.slow', 11, S], ['echo.no-answer', 12, S], ['echo.not-tried', 13, S], ['echo.refused', 14, S],
  ['host.no-link', 15, S], ['host.not-configured', 16, S],
  ['tls.ok', 17, S], ['tls.not-used', 18, S], ['tls.no-anchor', 19, S], ['tls.anchor-malformed', 20, S], ['tls.anchor-not-ca', 21, S],
  ['tls.anchor-signature', 22, S], ['tls.anchor-undecided', 23, S], ['tls.anchor-not-yet-valid', 24, S], ['tls.anchor-expired', 25, S],
  ['tls.anchor-expiring', 26, S],
  ['host.retry', 27, 'host'], ['host.host-problem', 28, 'host'],
  ['link.reversal-pending', 29, 'link'], ['link.failover', 30, 'link'], ['link.timeout', 31, 'link'],
  ['activation.unreachable', 32, 'activation'],
  ['action.network-test.done', 33, 'action'], ['action.network-test.failed', 34, 'action'], ['action.network-test.refused', 35, 'action'],
  // device (device.display, device.keypad)
  ['display.ok', 100, S], ['display.no-answer', 101, S], ['display.wrong-size', 102, S],
  ['keypad.ok', 103, S], ['keypad.stuck', 104, S], ['keypad.not-judged', 105, S],
  // the card reader and its inputs (device.reader, device.antenna, device.contact, device.magstripe, device.scanner)
  ['reader.ok', 106, S], ['reader.no-answer', 107, S], ['reader.line-failed', 108, S], ['reader.rom-failed', 109, S], ['reader.ram-failed', 110, S],
  ['reader.sam-refused', 111, S], ['antenna.ok', 112, S], ['antenna.failed', 113, S], ['antenna.not-judged', 114, S],
  ['contact.ok', 115, S], ['contact.no-answer', 116, S], ['magstripe.ok', 117, S], ['magstripe.no-answer', 118, S],
  ['scanner.ok', 119, S], ['scanner.no-answer', 120, S],
  // Card reads that failed 3 times running with the same reader error (runtime/cardDuties.ts).
  ['reader.repeated-error', 121, 'reader'],
  // A brownout reset: the supply sagged (runtime/resetHistory.ts).
  ['power.brownout', 122, 'reset'],
  // system (system.*; probe.* is the runner's, for a probe of any family)
  ['image.ok', 200, S], ['image.no-digest', 201, S], ['image.read-error', 202, S], ['image.digest-mismatch', 203, S],
  ['rtc.ok', 204, S], ['rtc.before-build', 205, S], ['rtc.implausible', 206, S],
  ['flash.ok', 207, S], ['flash.readback', 208, S], ['flash.corrupt', 209, S], ['flash.durable-full', 210, S], ['flash.torn-record', 211, S],
  ['memory.ok', 212, S], ['memory.tight', 213, S], ['memory.low', 214, S],
  ['config.ok', 215, S], ['config.tid-invalid', 216, S], ['config.mid-invalid', 217, S], ['config.profile-missing', 218, S], ['config.profile-invalid', 219, S],
  ['reversal.none', 220, S], ['reversal.pending', 221, S], ['reversal.stuck', 222, S],
  ['capk.ok', 223, S], ['capk.empty', 224, S], ['capk.refused', 225, S], ['capk.undecided', 226, S],
  ['probe.timeout', 227, S], ['probe.crashed', 228, S],
  ['reset.panic', 229, 'reset'], ['reset.watchdog', 230, 'reset'], ['reset.brownout', 231, 'reset'],
  ['storage.corrupt', 232, 'storage'],
  ['action.restart.done', 233, 'action'], ['action.restart.failed', 234, 'action'], ['action.restart.refused', 235, 'action'],
  ['action.set-clock.done', 236, 'action'], ['action.set-clock.failed', 237, 'action'], ['action.set-clock.refused', 238, 'action'],
  ['action.self-test.done', 239, 'action'], ['action.self-test.failed', 240, 'action'], ['action.self-test.refused', 241, 'action'],
  // Firmware updates (update/, runtime/updateDuties.ts) and the running image's seal (system.image).
  ['update.ok', 242, 'update'], ['update.failed', 243, 'update'], ['update.crashed', 244, 'update'], ['update.interrupted', 245, 'update'],
  ['update.refused', 246, 'update'], ['update.download-failed', 247, 'update'],
  ['image.unsigned', 248, S], ['image.signature-bad', 249, S], ['image.seal-mismatch', 250, S],
  // The clock (runtime/clockKeeper.ts) and the crash history (runtime/resetHistory.ts).
  ['clock.jump', 251, 'clock'], ['clock.sntp-failed', 252, 'clock'], ['reset.crash-loop', 253, 'reset'],
  // The running image is signed by the demo key, whose private key is public (system.image).
  ['image.demo-key', 254, S],
  // account (account.host: what the host's answers say about the merchant)
  ['account.ok', 300, S], ['account.no-answer', 301, S], ['account.not-judged', 302, S],
  ['account.merchant-restricted', 303, S], ['account.terminal-invalid', 304, S],
  ['host.merchant-restricted', 305, 'host'], ['host.declined', 306, 'host'], ['host.card-problem', 307, 'host'],
  ['hosttext.account-restricted', 308, 'host'],
  // authentication (auth.*)
  ['crypto.ok', 400, S], ['crypto.kat-failed', 401, S],
  ['master-key.ok', 402, S], ['master-key.missing', 403, S], ['keys.not-activated', 404, S],
  ['keys.ok', 405, S], ['keys.missing', 406, S], ['keys.wiped', 407, S], ['keys.lost', 408, S], ['keys.kcv-mismatch', 409, S],
  ['keys.restore-failed', 410, S], ['keys.single-des', 411, S],
  ['mac.ok', 412, S], ['mac.no-key', 413, S], ['mac.mismatch', 414, S],
  ['cert.ok', 415, S], ['cert.expiring', 416, S], ['cert.expired', 417, S], ['cert.not-yet-valid', 418, S], ['cert.cannot-decide', 419, S],
  ['cert.wrong-terminal', 420, S], ['cert.chain-broken', 421, S], ['cert.wrong-root', 422, S], ['cert.bad-signature', 423, S],
  ['cert.bad-key', 424, S], ['cert.not-ca', 425, S], ['cert.critical-extension', 426, S], ['cert.path-limit', 427, S],
  ['cert.malformed', 428, S], ['cert.missing', 429, S],
  ['host.approved', 430, 'host'], ['host.re-sign-on', 431, 'host'], ['host.terminal-invalid', 432, 'host'],
  ['host.refused-after-accept', 433, 'host'], ['host.sign-on-requested', 434, 'host'], ['hosttext.terminal-disabled', 435, 'host'],
  ['host.answer-mac-bad', 436, 'link'],
  ['activation.done', 437, 'activation'], ['activation.not-activated', 438, 'activation'], ['activation.code-wrong', 439, 'activation'],
  ['activation.code-expired', 440, 'activation'], ['activation.tid-disabled', 441, 'activation'], ['activation.bound-elsewhere', 442, 'activation'],
  ['activation.kcv-mismatch', 443, 'activation'], ['activation.malformed', 444, 'activation'],
  ['action.sign-on.done', 445, 'action'], ['action.sign-on.failed', 446, 'action'], ['action.sign-on.refused', 447, 'action'],
  ['action.activate.done', 448, 'action'], ['action.activate.failed', 449, 'action'], ['action.activate.refused', 450, 'action'],
  ['keys.unprotected', 451, S],
  // The board would not store the activation's master key (key storage not protected, no devKeys=1).
  ['activation.device-refused', 452, 'activation'],
  // A certificate check that waited for a trusted clock and got none (runtime/clockKeeper.ts).
  ['cert.clock-untrusted', 453, S],
] as const);

/** Largest evidence number a record may carry (history.ts keeps number × 4 + status in 16 bits). */
export const MAX_EVIDENCE_NUMBER = 16383;
const UNKNOWN_PREFIX = '#';

function entryOf(code: string): EvidenceEntry | undefined {
  for (let i = 0; i < EVIDENCE_CODES.length; i++) if (EVIDENCE_CODES[i][0] === code) return EVIDENCE_CODES[i];
  return undefined;
}

/** The stable number of `code`; "#123" (a code this firmware does not know, read back by number) gives 123. */
export function evidenceNumber(code: string): number | undefined {
  const entry = entryOf(code);
  if (entry) return entry[1];
  if (code.length < 2 || code.length > 6 || code.charCodeAt(0) !== 0x23) return undefined;
  let n = 0;
  for (let i = 1; i < code.length; i++) {
    const digit = code.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return n <= MAX_EVIDENCE_NUMBER ? n : undefined;
}

/** The code numbered `n`; "#n" when this firmware has no such number (a newer firmware's). */
export function evidenceCodeOf(n: number): string {
  for (let i = 0; i < EVIDENCE_CODES.length; i++) if (EVIDENCE_CODES[i][1] === n) return EVIDENCE_CODES[i][0];
  return UNKNOWN_PREFIX + String(n);
}

/** The family of an evidence number's block (500 and above: not yet allocated, said to be system). */
export function familyOfNumber(n: number): CauseFamily {
  const block = Math.floor(n / 100);
  return block < CAUSE_FAMILIES.length ? CAUSE_FAMILIES[block] : 'system';
}

type Mutable = { -readonly [K in keyof Evidence]: Evidence[K] };

/** A self-test finding as evidence: the probe's code, family and id ("skip" reads as a plain fact). */
export function findingEvidence(code: string, status: EvidenceStatus, family: CauseFamily, probe: string, wallMs: number, uptimeMs: number, detail: string): Evidence {
  return { code, family, source: 'selftest', status, wallMs, uptimeMs, detail, probe };
}

/** A fact named by a code of the table (family and source come from it). @throws RangeError for a code the table lacks: a programming error */
export function factEvidence(code: string, status: EvidenceStatus, wallMs: number, uptimeMs: number, detail?: string): Evidence {
  const entry = entryOf(code);
  if (!entry) throw new RangeError(`no evidence code ${code}`);
  const e: Mutable = { code, family: familyOfNumber(entry[1]), source: entry[2], status, wallMs, uptimeMs };
  if (detail !== undefined) e.detail = detail;
  return e;
}

/** What the history reads back: a known number is its code's fact, an unknown one "#n" of source 'history'. */
export function numberedEvidence(n: number, status: EvidenceStatus, wallMs: number): Evidence {
  const code = evidenceCodeOf(n);
  if (code.charCodeAt(0) !== 0x23) return factEvidence(code, status, wallMs, 0);
  return { code, family: familyOfNumber(n), source: 'history', status, wallMs, uptimeMs: 0 };
}
