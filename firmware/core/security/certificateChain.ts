/**
 * Checks the terminal's certificate the way the acquirer's host will: a chain from the
 * terminal certificate through any intermediates to the acquirer's root, every signature
 * verified (RSA or ECDSA, by the crypto port), every validity window checked against the RTC,
 * and the terminal certificate's subject bound to the terminal ID. When the RTC cannot be
 * trusted the dates are not judged: "cannot decide", never "expired".
 */
import type { SignatureScheme } from '../ports';
import { formatName, nameAttribute, type Certificate } from './x509';

/** Verifies `signature` over `data` with the public key in `spki` (SubjectPublicKeyInfo DER). */
export type VerifySignature = (scheme: SignatureScheme, spki: Uint8Array, data: Uint8Array, signature: Uint8Array) => boolean;

export const DAY_MS = 24 * 3600 * 1000;
/** Warn this long before the first certificate in the chain expires. */
export const EXPIRY_WARNING_DAYS = 30;

export type ChainCode =
  | 'cert.ok'
  | 'cert.expiring'
  | 'cert.expired'
  | 'cert.not-yet-valid'
  | 'cert.cannot-decide'
  | 'cert.chain-broken'
  | 'cert.wrong-root'
  | 'cert.bad-signature'
  | 'cert.not-ca'
  | 'cert.critical-extension'
  | 'cert.wrong-terminal';

export interface ChainFinding {
  status: 'pass' | 'warn' | 'fail' | 'skip';
  code: ChainCode;
  detail: string;
  /** Whole days until the first certificate of the chain expires (negative once expired). */
  daysToExpiry: number | undefined;
}

export interface ChainInput {
  terminal: Certificate;
  /** Issuer of the terminal certificate first, up to (not including) the root. */
  intermediates: readonly Certificate[];
  /** The acquirer's root, as provisioned: the trust anchor. */
  root: Certificate;
  terminalId: string;
  nowMs: number;
  /** False when the RTC probe failed: dates are then not judged. */
  clockTrusted: boolean;
}

const subjectName = (c: Certificate) => nameAttribute(c.subject, 'CN') ?? formatName(c.subject);
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function checkChain(verify: VerifySignature, input: ChainInput): ChainFinding {
  const { terminal, intermediates, root } = input;
  const chain = [terminal, ...intermediates, root];
  const finding = (status: ChainFinding['status'], code: ChainCode, detail: string, daysToExpiry?: number): ChainFinding => ({ status, code, detail, daysToExpiry });

  for (const cert of chain)
    if (cert.unknownCritical.length) return finding('fail', 'cert.critical-extension', `${subjectName(cert)}: critical extension ${cert.unknownCritical[0]} not understood`);

  // Links: each certificate is issued by the next, which must be a CA and must have signed it.
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i];
    const parent = chain[i + 1];
    const isRootLink = i + 1 === chain.length - 1;
    if (!sameBytes(child.issuer.der, parent.subject.der))
      return finding('fail', isRootLink ? 'cert.wrong-root' : 'cert.chain-broken', `${subjectName(child)} is issued by ${formatName(child.issuer)}, not by ${formatName(parent.subject)}`);
    // The root is the trust anchor, provisioned as such (RFC 5280 6.1: an input, not a certificate
    // to validate), so a v1 root without extensions is fine; every other issuer must be a CA.
    if (!isRootLink) {
      if (!parent.isCa || parent.keyCertSign === false) return finding('fail', 'cert.not-ca', `${subjectName(parent)} may not issue certificates`);
      // pathLenConstraint: how many intermediate CAs may stand below this one (chain[1..i] do).
      if (parent.pathLength !== undefined && i > parent.pathLength)
        return finding('fail', 'cert.not-ca', `${subjectName(parent)} allows ${parent.pathLength} intermediate(s)`);
    }
    if (!verify(child.signatureScheme, parent.publicKey.spki, child.tbs, child.signature))
      return finding('fail', isRootLink ? 'cert.wrong-root' : 'cert.bad-signature', `signature of ${subjectName(child)} does not verify with ${subjectName(parent)}'s key`);
  }
  if (!verify(root.signatureScheme, root.publicKey.spki, root.tbs, root.signature)) return finding('fail', 'cert.bad-signature', `root ${subjectName(root)} self-signature does not verify`);

  const cn = nameAttribute(terminal.subject, 'CN');
  const serial = nameAttribute(terminal.subject, 'serialNumber');
  if (cn !== input.terminalId && serial !== input.terminalId)
    return finding('fail', 'cert.wrong-terminal', `certificate is for ${cn ?? formatName(terminal.subject)}, terminal is ${input.terminalId}`);

  if (!input.clockTrusted) return finding('skip', 'cert.cannot-decide', `chain verifies; validity not judged: the clock is not trusted (terminal cert ${day(terminal.notBefore)} – ${day(terminal.notAfter)})`);

  const now = input.nowMs;
  for (const cert of chain) {
    if (now < cert.notBefore) return finding('fail', 'cert.not-yet-valid', `${subjectName(cert)} valid from ${day(cert.notBefore)}, clock says ${day(now)}`);
    if (now > cert.notAfter) return finding('fail', 'cert.expired', `${subjectName(cert)} expired ${day(cert.notAfter)}`, Math.floor((cert.notAfter - now) / DAY_MS));
  }
  const first = chain.reduce((a, b) => (b.notAfter < a.notAfter ? b : a));
  const days = Math.floor((first.notAfter - now) / DAY_MS);
  if (days < EXPIRY_WARNING_DAYS) return finding('warn', 'cert.expiring', `${subjectName(first)} expires ${day(first.notAfter)}: ${days} day(s) left`, days);
  return finding('pass', 'cert.ok', `${chain.length} certificates to ${subjectName(root)}; ${subjectName(first)} expires ${day(first.notAfter)} (${days} days)`, days);
}
