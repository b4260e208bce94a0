/**
 * The trust anchor of the acquirer's TLS hosts (issue 7 item 7), judged with the terminal's own
 * certificate code before a handshake depends on it: the root the link is given
 * (runtime/acquirerLink.ts hostTrustAnchor: 'host-root', else the terminal PKI's 'root') must
 * parse, be a CA (basicConstraints cA, and keyCertSign when keyUsage is present: TLS stacks
 * refuse an issuer without them, RFC 5280 4.2.1.9 and 4.2.1.3), carry a self-signature that
 * verifies (checked through the crypto port, as the chain check does), and be within its
 * validity window by the RTC. Dates are judged only by a trusted clock, as in the certificate
 * probe (systemProbes.ts datesJudgeable: the clock keeper, waited for while it sets the clock
 * from SNTP, within this probe's timeout less 2 s): an untrusted clock gives "cannot decide"
 * (tls.anchor-undecided), never "expired".
 *
 * Its family is 'network': the anchor is used for nothing but the link's TLS handshake, so a bad
 * one shows as hosts that refuse the connection ("tls: UNABLE_TO_VERIFY…" in the connect
 * probes), and it belongs beside them in the support order. The terminal's own certificate,
 * which identifies it to the host, stays with the authentication family (auth.certificate).
 *
 * The probe is a frozen module-level object (see networkProbes.ts for why).
 */
import { hostTrustAnchor } from '../../runtime/acquirerLink';
import { certName } from '../../security/certificatePath';
import { DAY_MS, EXPIRY_WARNING_DAYS } from '../../security/certificateChain';
import { CertificateError, formatName, parseCertificate, type Certificate } from '../../security/x509';
import type { Ports } from '../../ports';
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { notConfigured, type HostSubjectsSource } from './hostSubjects';
import { fail, pass, skip, warn } from './outcome';
import { datesJudgeable } from './systemProbes';
import { targetOf, withTargets } from '../runner';
import { deepFreeze } from '../../freeze';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const HOST_TLS_PROBE: Probe = deepFreeze({ id: 'network.tls', family: 'network', timeoutMs: 5_000, after: ['system.rtc'], run: runHostTls });
export const hostTlsProbe = (host: HostSubjectsSource): Probe => withTargets(HOST_TLS_PROBE, { host });

async function runHostTls(context: ProbeContext): Promise<ProbeOutcome> {
  const { profile } = targetOf(context, 'host')();
  if (!profile) return notConfigured('acquirer profile');
  if (!profile.hosts.some((h) => h.tls)) return skip('tls.not-used', 'no host of the profile uses TLS');
  const anchor = hostTrustAnchor(context.ports.settings);
  if (!anchor) return fail('tls.no-anchor', 'neither host-root nor root is provisioned');
  const { setting, value } = anchor;
  if (!(value instanceof Uint8Array)) return fail('tls.anchor-malformed', `${setting}: not-der: stored value is not bytes`);
  let root: Certificate;
  try {
    root = parseCertificate(value);
  } catch (error) {
    return fail('tls.anchor-malformed', error instanceof CertificateError ? `${setting}: ${error.code}: ${error.message}` : `${setting}: unreadable`);
  }
  const name = `${setting} ${certName(root)}`;
  if (!root.isCa) return fail('tls.anchor-not-ca', `${name}: basicConstraints does not say CA`);
  if (root.keyCertSign === false) return fail('tls.anchor-not-ca', `${name}: keyUsage lacks keyCertSign`);
  if (root.publicKey.problem) return fail('tls.anchor-signature', `${name}: key unusable (${root.publicKey.problem})`);
  if (!selfSigned(context.ports, root)) return fail('tls.anchor-signature', `${name}: self-signature does not verify`);
  return judgeDates(context, root, setting, name, await datesJudgeable(context, HOST_TLS_PROBE.timeoutMs - 2_000));
}

/** A verifier that throws (a scheme the port lacks) has not verified. */
function selfSigned(ports: Ports, root: Certificate): boolean {
  try {
    return ports.crypto.verifySignature(root.signatureScheme, root.publicKey.spki, root.tbs, root.signature);
  } catch {
    return false;
  }
}

/** `name` is the setting and the certificate's name, as the other details say it. */
function judgeDates(context: ProbeContext, root: Certificate, setting: string, name: string, trusted: boolean): ProbeOutcome {
  if (!trusted) return warn('tls.anchor-undecided', `${name} valid ${day(root.notBefore)} – ${day(root.notAfter)}; not judged: the clock is not trusted`);
  const now = context.ports.clock.wallMs();
  if (now < root.notBefore) return fail('tls.anchor-not-yet-valid', `${name} valid from ${day(root.notBefore)}, in ${Math.ceil((root.notBefore - now) / DAY_MS)} day(s); clock says ${day(now)}`);
  if (now > root.notAfter) return fail('tls.anchor-expired', `${name} expired ${day(root.notAfter)}, ${Math.ceil((now - root.notAfter) / DAY_MS)} day(s) ago`);
  const left = Math.floor((root.notAfter - now) / DAY_MS);
  if (left < EXPIRY_WARNING_DAYS) return warn('tls.anchor-expiring', `${name} expires ${day(root.notAfter)}: ${left} day(s) left`);
  // The subject last: a long one is what the report's detail limit cuts.
  return pass('tls.ok', `${setting} expires ${day(root.notAfter)}: ${left} days left; subject ${formatName(root.subject)}`);
}
