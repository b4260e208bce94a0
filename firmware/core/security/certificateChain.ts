/**
 * Checks the terminal's certificate the way the acquirer's host will: a path from the terminal
 * certificate through the certificates given with it to the acquirer's root (certificatePath.ts),
 * every signature verified (RSA or ECDSA, by the crypto port), the terminal certificate's subject
 * bound to the terminal ID, and every validity window on the path checked against the RTC. When
 * the RTC cannot be trusted the dates are not judged: "cannot decide", never "expired".
 *
 * Each of these is judged on its own and every problem is a finding (a wrong terminal ID does
 * not hide an expiry): the result carries them all, and its own status, code and detail are the
 * worst one's (fail > warn > skip > pass; among equals, the path first, then the binding, then
 * the dates).
 */
import { buildPath, certName, type PathFailureCode, type VerifySignature } from './certificatePath';
import { nameAttribute, formatName, type Certificate } from './x509';
import { deepFreeze } from '../freeze';

export type { VerifySignature } from './certificatePath';

export const DAY_MS = 24 * 3600 * 1000;
/** Warn this long before the first certificate in the chain expires. */
export const EXPIRY_WARNING_DAYS = 30;

export type ChainCode = PathFailureCode | 'cert.ok' | 'cert.expiring' | 'cert.expired' | 'cert.not-yet-valid' | 'cert.cannot-decide' | 'cert.wrong-terminal';

export interface ChainFinding {
  status: 'pass' | 'warn' | 'fail' | 'skip';
  code: ChainCode;
  detail: string;
  /** Whole days until the certificate this finding is about expires (negative once expired). */
  daysToExpiry: number | undefined;
}

/** The worst finding's fields, and every finding (a single `cert.ok` when there is no problem). */
export interface ChainResult extends ChainFinding {
  findings: ChainFinding[];
  /** Names of the certificates on the path found, terminal first (empty when none was found). */
  path: string[];
}

export interface ChainInput {
  terminal: Certificate;
  /** The certificates given with the terminal's, in any order (a pool: see certificatePath.ts). */
  intermediates: readonly Certificate[];
  /** The acquirer's root, as provisioned: the trust anchor. */
  root: Certificate;
  terminalId: string;
  nowMs: number;
  /** False when the RTC probe failed: dates are then not judged. */
  clockTrusted: boolean;
}

const SEVERITY: Readonly<Record<ChainFinding['status'], number>> = deepFreeze({ pass: 0, skip: 1, warn: 2, fail: 3 });
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The worst of the findings (the first of equals), as a probe shows it. */
export function worstFinding(findings: readonly ChainFinding[]): ChainFinding {
  return findings.reduce((worst, f) => (SEVERITY[f.status] > SEVERITY[worst.status] ? f : worst));
}

export function checkChain(verify: VerifySignature, input: ChainInput): ChainResult {
  const { terminal, root } = input;
  const findings: ChainFinding[] = [];
  const add = (status: ChainFinding['status'], code: ChainCode, detail: string, daysToExpiry?: number) => findings.push({ status, code, detail, daysToExpiry });

  // The path: the terminal certificate and the root are always on it, so they are judged here;
  // the search judges the certificates it adds.
  for (const cert of [terminal, root])
    if (cert.unknownCritical.length) add('fail', 'cert.critical-extension', `${certName(cert)}: critical extension ${cert.unknownCritical[0]} not understood`);
  if (terminal.publicKey.problem) add('fail', 'cert.bad-key', `${certName(terminal)}: its own key is unusable (${terminal.publicKey.problem})`);
  const built = buildPath(verify, terminal, input.intermediates, root);
  if (!built.ok) add('fail', built.failure.code, built.failure.detail);
  else if (!root.publicKey.problem) {
    let selfSigned: boolean;
    try {
      selfSigned = verify(root.signatureScheme, root.publicKey.spki, root.tbs, root.signature);
    } catch {
      selfSigned = false;
    }
    if (!selfSigned) add('fail', 'cert.bad-signature', `root ${certName(root)} self-signature does not verify`);
  }

  // The binding: the host identifies the terminal by this certificate.
  const cn = nameAttribute(terminal.subject, 'CN');
  const serial = nameAttribute(terminal.subject, 'serialNumber');
  if (cn !== input.terminalId && serial !== input.terminalId)
    add('fail', 'cert.wrong-terminal', `certificate is for ${cn ?? formatName(terminal.subject)}, terminal is ${input.terminalId}`);

  // The dates of every certificate on the path (as far as it was found, and the root).
  const judged = built.ok ? built.path : [...built.partial, root];
  let daysToExpiry: number | undefined;
  if (!input.clockTrusted) add('skip', 'cert.cannot-decide', `validity not judged: the clock is not trusted (terminal cert ${day(terminal.notBefore)} – ${day(terminal.notAfter)})`);
  else {
    const now = input.nowMs;
    for (const cert of judged) {
      if (now < cert.notBefore) {
        const days = Math.ceil((cert.notBefore - now) / DAY_MS);
        add('fail', 'cert.not-yet-valid', `${certName(cert)} valid from ${day(cert.notBefore)}, in ${days} day(s); clock says ${day(now)}`, Math.floor((cert.notAfter - now) / DAY_MS));
      }
      if (now > cert.notAfter) {
        const days = Math.floor((cert.notAfter - now) / DAY_MS);
        add('fail', 'cert.expired', `${certName(cert)} expired ${day(cert.notAfter)}, ${-days} day(s) ago`, days);
      }
    }
    const first = judged.reduce((a, b) => (b.notAfter < a.notAfter ? b : a));
    daysToExpiry = Math.floor((first.notAfter - now) / DAY_MS);
    if (daysToExpiry >= 0 && daysToExpiry < EXPIRY_WARNING_DAYS) add('warn', 'cert.expiring', `${certName(first)} expires ${day(first.notAfter)}: ${daysToExpiry} day(s) left`, daysToExpiry);
  }

  const path = built.ok ? built.path.map(certName) : [];
  if (findings.length === 0) {
    const first = judged.reduce((a, b) => (b.notAfter < a.notAfter ? b : a));
    add('pass', 'cert.ok', `${judged.length} certificates to ${certName(root)}; ${certName(first)} expires ${day(first.notAfter)} (${daysToExpiry} days)`, daysToExpiry);
  }
  const worst = worstFinding(findings);
  return { ...worst, daysToExpiry: worst.daysToExpiry ?? daysToExpiry, findings, path };
}
