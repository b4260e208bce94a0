/**
 * The causes of a terminal-invalid answer (83 at one acquirer, 97 in the CUP tables) and the
 * rules that judge them, written as data: rules.ts reads these lists, the tests read them too.
 *
 * A rule is an evidence pattern, `[probe:]code[@status]`: `code` is exact or ends in `*` (a prefix), `probe:`
 * limits it to one self-test probe's finding (the connect probes share their codes), `@status`
 * to one status. A cause is
 * - confirmed when a `confirmedBy` rule matches (for `requires: 'local-checks-pass'`, only when
 *   no local self-test check failed; otherwise the same evidence makes it likely),
 * - else ruled out when a `ruledOutBy` rule matches (a check that held this time beats a
 *   suspicion),
 * - else likely when a `likelyBy` rule matches,
 * - else not listed at all.
 *
 * Numbers are wire values (support code, QR summary): never renumbered; a new cause takes a new
 * number in its family's block of ten. The table is in family order (network, device, system,
 * account, authentication) and number order within it: the ranking's tie-break.
 */
import { deepFreeze } from '../freeze';
import type { CauseFamily } from './types';

/** `[probe:]code[@status]`, the code exact or ending in `*`. */
export type EvidencePattern = string;
/** A pattern, or patterns that must all match. */
export type EvidenceRule = EvidencePattern | readonly EvidencePattern[];

export interface Cause {
  readonly id: string;
  readonly number: number;
  readonly family: CauseFamily;
  readonly confirmedBy: readonly EvidencePattern[];
  readonly likelyBy: readonly EvidencePattern[];
  readonly ruledOutBy: readonly EvidencePattern[];
  /** 'local-checks-pass': the host's word confirms this only when every local check held (issue 8: "the top cause is on the host's side"). */
  readonly requires?: 'local-checks-pass';
  /**
   * Listed right after these when they stand at least as firmly: a consequence follows what caused
   * it (config lost with the flash, no IDs on a terminal never activated), and its remedies come
   * after the cause's (rank.ts).
   */
  readonly explainedBy?: readonly string[];
  /** Remedy ids in the order to try them; the support step is added last. */
  readonly remedies: readonly string[];
  /**
   * Other remedies when evidence for the cause matches `when`: the same fault met elsewhere needs
   * other hands (a check value refused at activation wants a new activation, not a sign-on).
   */
  readonly remediesWhen?: { readonly when: EvidencePattern; readonly remedies: readonly string[] };
}

const NONE: readonly EvidencePattern[] = [];

export const CAUSES: readonly Cause[] = deepFreeze([
  {
    id: 'net.link-down', number: 1, family: 'network',
    confirmedBy: ['link.down', 'link.no-address'], likelyBy: NONE, ruledOutBy: ['link.ok'],
    remedies: ['check-link', 'check-network'],
  },
  {
    id: 'net.dns', number: 2, family: 'network',
    confirmedBy: ['resolve.failed'], likelyBy: NONE, ruledOutBy: ['resolve.ok', 'resolve.not-needed'],
    remedies: ['check-dns', 'check-network'],
  },
  {
    // A connect probe fails (not warns) only when no host takes a connection (networkProbes.ts).
    id: 'net.host-unreachable', number: 3, family: 'network',
    confirmedBy: ['connect.failed@fail', 'echo.no-answer'], likelyBy: ['activation.unreachable'], ruledOutBy: ['echo.ok', 'echo.slow'],
    remedies: ['check-network', 'check-host-address'],
  },
  {
    // The primary refused while the backup served: sales still go, so never more than likely (a warning).
    id: 'net.primary-down', number: 4, family: 'network',
    confirmedBy: NONE, likelyBy: ['network.primary:connect.failed@warn'], ruledOutBy: ['network.primary:connect.ok', 'network.backup:connect.failed@fail'],
    remedies: ['check-network', 'check-host-address'],
  },
  {
    // A reversal the host never answered after every send (reversal.stuck) is the link failing for
    // certain. A reversal kept because an answer's MAC failed is not: the link carried that answer.
    id: 'net.unstable', number: 5, family: 'network',
    confirmedBy: ['reversal.stuck'],
    likelyBy: ['reversal.pending', 'link.reversal-pending', 'link.failover', 'link.timeout', 'echo.slow', 'host.retry', 'host.host-problem'],
    ruledOutBy: ['host.answer-mac-bad'],
    remedies: ['check-network', 'check-link'],
  },
  {
    id: 'net.tls', number: 6, family: 'network',
    confirmedBy: ['tls.no-anchor', 'tls.anchor-malformed', 'tls.anchor-not-ca', 'tls.anchor-signature', 'tls.anchor-expired', 'tls.anchor-not-yet-valid'],
    likelyBy: ['tls.anchor-undecided'], ruledOutBy: ['tls.ok', 'tls.not-used'],
    explainedBy: ['sys.clock'],
    remedies: ['renew-tls-anchor'],
  },
  {
    id: 'dev.display', number: 10, family: 'device',
    confirmedBy: ['display.no-answer', 'display.wrong-size'], likelyBy: NONE, ruledOutBy: ['display.ok'],
    remedies: ['service-display'],
  },
  {
    id: 'dev.keypad', number: 11, family: 'device',
    confirmedBy: ['keypad.stuck'], likelyBy: NONE, ruledOutBy: ['keypad.ok'],
    remedies: ['service-keypad'],
  },
  {
    // The reader's own tests (PN532 Diagnose, SAM configuration), the contact slot and the serial
    // input modules confirm it; card reads failing again and again with the same reader error make
    // it likely (a worn card fails too, but not three different cards the same way). A failed ODA
    // is the card's, never the reader's: it is no evidence here.
    id: 'dev.reader', number: 12, family: 'device',
    confirmedBy: [
      'reader.no-answer', 'reader.line-failed', 'reader.rom-failed', 'reader.ram-failed', 'reader.sam-refused', 'antenna.failed',
      'contact.no-answer', 'magstripe.no-answer', 'scanner.no-answer',
    ],
    likelyBy: ['reader.repeated-error'], ruledOutBy: ['reader.ok'],
    remedies: ['service-reader'],
  },
  {
    // A brownout reset: the supply sagged below what the board needs (runtime/resetHistory.ts,
    // the boot event). reset.brownout is how firmware before issue 10 named the same boot.
    id: 'dev.power', number: 13, family: 'device',
    confirmedBy: ['power.brownout'], likelyBy: ['reset.brownout'], ruledOutBy: NONE,
    remedies: ['check-power'],
  },
  {
    // A certificate check that waited for a trusted clock in vain points at the clock, not the certificate.
    id: 'sys.clock', number: 20, family: 'system',
    confirmedBy: ['rtc.before-build', 'rtc.implausible'], likelyBy: ['cert.clock-untrusted'], ruledOutBy: ['rtc.ok'],
    remedies: ['set-clock'],
  },
  {
    id: 'sys.config', number: 21, family: 'system',
    confirmedBy: ['config.tid-invalid', 'config.mid-invalid', 'config.profile-missing', 'config.profile-invalid'], likelyBy: NONE, ruledOutBy: ['config.ok'],
    // A terminal never activated has no TID or MID yet: activation brings them.
    explainedBy: ['sys.storage', 'auth.not-activated'],
    remedies: ['reprovision-config'],
  },
  {
    // Corruption found at boot stays evidence even when today's scratch write reads back.
    id: 'sys.storage', number: 22, family: 'system',
    confirmedBy: ['flash.corrupt', 'flash.readback', 'flash.durable-full', 'storage.corrupt'], likelyBy: NONE, ruledOutBy: ['flash.ok'],
    remedies: ['service-storage', 'reprovision-config'],
  },
  {
    // Known answers of the crypto module failing mean its code or hardware is not what was built.
    // An unsigned image (image.unsigned, a warning: a development build) is no evidence here.
    id: 'sys.image', number: 23, family: 'system',
    confirmedBy: ['image.digest-mismatch', 'image.read-error', 'image.signature-bad', 'image.seal-mismatch'], likelyBy: ['crypto.kat-failed'], ruledOutBy: ['image.ok'],
    remedies: ['reflash-firmware'],
  },
  {
    // A brownout is the supply's (dev.power), not a crash. A new image that crashed at its trial
    // boot (update.crashed) explains the crash: the update's remedy comes first.
    id: 'sys.crash', number: 24, family: 'system',
    confirmedBy: ['reset.panic', 'reset.watchdog', 'reset.crash-loop'], likelyBy: ['probe.crashed', 'probe.timeout'], ruledOutBy: NONE,
    explainedBy: ['sys.update'],
    remedies: ['restart', 'reflash-firmware'],
  },
  {
    id: 'sys.memory', number: 25, family: 'system',
    confirmedBy: ['memory.low'], likelyBy: ['memory.tight'], ruledOutBy: ['memory.ok'],
    remedies: ['restart'],
  },
  {
    // The board would not keep the master key the host sent (flash or NVS encryption off, and not
    // a devKeys=1 build): activating again cannot help, only a production build can.
    id: 'sys.key-storage', number: 26, family: 'system',
    confirmedBy: ['activation.device-refused'], likelyBy: NONE, ruledOutBy: ['activation.done'],
    remedies: ['secure-build'],
  },
  {
    // A firmware update that failed its self-test gate or crashed at its trial boot (rolled back:
    // the old image runs), or one a power cut or reset interrupted (retried by the next check).
    id: 'sys.update', number: 27, family: 'system',
    confirmedBy: ['update.failed', 'update.crashed'], likelyBy: ['update.interrupted'], ruledOutBy: ['update.ok'],
    remedies: ['update-firmware'],
  },
  {
    id: 'acct.restricted', number: 30, family: 'account',
    confirmedBy: ['account.merchant-restricted', 'host.merchant-restricted', 'hosttext.account-restricted'], likelyBy: NONE, ruledOutBy: ['account.ok'],
    remedies: ['call-acquirer-account'],
  },
  {
    // Factory state: the master-key probe's own code (no key, no activation record, never signed
    // on), or the activation state. A key present, protected or not, rules it out.
    id: 'auth.not-activated', number: 40, family: 'authentication',
    confirmedBy: ['keys.not-activated', 'activation.not-activated'],
    likelyBy: NONE, ruledOutBy: ['activation.done', 'master-key.ok', 'keys.unprotected'],
    // An activation the host refused for a reason: that reason first, "not activated" follows from it.
    explainedBy: ['auth.activation-code', 'auth.tid-disabled', 'auth.bound-elsewhere', 'auth.kcv-mismatch', 'sys.key-storage'],
    remedies: ['activate', 'new-activation-code'],
  },
  {
    id: 'auth.activation-code', number: 41, family: 'authentication',
    confirmedBy: ['activation.code-wrong', 'activation.code-expired'], likelyBy: NONE, ruledOutBy: ['activation.done'],
    remedies: ['new-activation-code', 'activate'],
  },
  {
    // The host accepted this terminal earlier (an approved sign-on) and now calls it invalid.
    id: 'auth.tid-disabled', number: 42, family: 'authentication',
    confirmedBy: ['activation.tid-disabled', 'hosttext.terminal-disabled', 'host.refused-after-accept'], likelyBy: NONE, ruledOutBy: NONE,
    // Only the acquirer can enable a TID again; the merchant asks, support follows with the code.
    remedies: ['call-acquirer-terminal'],
  },
  {
    id: 'auth.bound-elsewhere', number: 43, family: 'authentication',
    confirmedBy: ['activation.bound-elsewhere'], likelyBy: NONE, ruledOutBy: ['activation.done'],
    remedies: ['call-acquirer-terminal'],
  },
  {
    id: 'auth.master-key', number: 44, family: 'authentication',
    confirmedBy: ['master-key.missing'], likelyBy: NONE, ruledOutBy: ['master-key.ok', 'keys.unprotected'],
    remedies: ['activate', 'reinject-master-key'],
  },
  {
    id: 'auth.kcv-mismatch', number: 45, family: 'authentication',
    confirmedBy: ['keys.kcv-mismatch', 'activation.kcv-mismatch'], likelyBy: NONE, ruledOutBy: NONE,
    remedies: ['sign-on-again', 'reinject-master-key'],
    // At activation there is no master key to sign on under: the host seals a new key for the same board on the next try.
    remediesWhen: { when: 'activation.kcv-mismatch', remedies: ['activate', 'reinject-master-key'] },
  },
  {
    // Stale keys: the local MAC check still holds (same keys, same MAC); the host's answers do not verify.
    id: 'auth.working-keys', number: 46, family: 'authentication',
    confirmedBy: ['host.answer-mac-bad', 'mac.mismatch', 'keys.restore-failed'],
    likelyBy: ['host.re-sign-on', 'host.sign-on-requested', 'keys.wiped', 'keys.lost'], ruledOutBy: NONE,
    remedies: ['sign-on-again'],
  },
  {
    id: 'auth.certificate', number: 47, family: 'authentication',
    confirmedBy: [
      'cert.expired', 'cert.not-yet-valid', 'cert.chain-broken', 'cert.wrong-root', 'cert.bad-signature', 'cert.bad-key',
      'cert.not-ca', 'cert.critical-extension', 'cert.path-limit', 'cert.malformed', 'cert.missing', 'capk.refused',
    ],
    likelyBy: ['cert.cannot-decide', 'capk.undecided'], ruledOutBy: ['cert.ok', 'cert.expiring'],
    explainedBy: ['sys.clock'],
    remedies: ['replace-certificate'],
  },
  {
    id: 'auth.tid-mismatch', number: 48, family: 'authentication',
    confirmedBy: ['cert.wrong-terminal'], likelyBy: NONE, ruledOutBy: NONE,
    // No configured TID (lost, or never activated) differs from any certificate's subject.
    explainedBy: ['sys.config', 'auth.not-activated'],
    remedies: ['fix-tid', 'replace-certificate'],
  },
  {
    id: 'auth.host-not-registered', number: 49, family: 'authentication',
    confirmedBy: ['host.terminal-invalid', 'account.terminal-invalid'], likelyBy: NONE, ruledOutBy: NONE,
    requires: 'local-checks-pass',
    remedies: NONE as readonly string[],
  },
]);

/** @throws RangeError for an id the table lacks */
export function causeById(id: string): Cause {
  for (let i = 0; i < CAUSES.length; i++) if (CAUSES[i].id === id) return CAUSES[i];
  throw new RangeError(`no cause ${id}`);
}

/** The cause numbered `n`, or undefined (a newer firmware's number). */
export function causeByNumber(n: number): Cause | undefined {
  for (let i = 0; i < CAUSES.length; i++) if (CAUSES[i].number === n) return CAUSES[i];
  return undefined;
}
