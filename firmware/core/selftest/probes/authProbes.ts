/**
 * Terminal-authentication probes (keys, MACs, certificates: the code-83 causes a terminal can
 * check before the host refuses it) and the system-family crypto and CA-key checks.
 *
 * Each probe is a frozen module-level object (see systemProbes.ts for why); the factories, which
 * bind a probe to its subjects, are for running one alone (tests).
 */
import { isFactoryState } from '../../activation/activationState';
import { readTerminalId } from '../../config/terminalConfig';
import { judgeKey } from '../../security/caPublicKeys';
import { checkChain, worstFinding } from '../../security/certificateChain';
import { MASTER_KEY_SLOT, type KeyStore } from '../../security/keyStore';
import { runKnownAnswers } from '../../security/knownAnswers';
import { capkCount, readCapkKey, readCertificates } from '../../security/provisionedData';
import { CertificateError, parseCertificate } from '../../security/x509';
import type { CborCodec } from '../../store/cbor';
import { DETAIL_LIMIT, targetOf, withTargets } from '../runner';
import { deepFreeze } from '../../freeze';
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { fail, pass, skip, warn } from './outcome';
import { datesJudgeable } from './systemProbes';

/**
 * Dates are judged only by a trusted clock (systemProbes.ts datesJudgeable: the clock keeper,
 * which may still be setting it from SNTP, else the RTC probe's result). A probe waits for it at
 * most its timeout less this margin for its own work.
 */
const CLOCK_WAIT_MARGIN_MS = 2_000;

export const CRYPTO_PROBE: Probe = deepFreeze({ id: 'auth.crypto', family: 'system', timeoutMs: 5_000, run: runCrypto });
export const cryptoProbe = (): Probe => CRYPTO_PROBE;

async function runCrypto({ ports }: ProbeContext): Promise<ProbeOutcome> {
  const results = runKnownAnswers(ports.crypto);
  const failed = results.filter((r) => !r.ok).map((r) => r.name);
  return failed.length
    ? fail('crypto.kat-failed', `failed: ${failed.join(', ')}`)
    : pass('crypto.ok', `${results.length} known answers: ${results.map((r) => r.name).join(', ')}`);
}

export const MASTER_KEY_PROBE: Probe = deepFreeze({ id: 'auth.master-key', family: 'authentication', timeoutMs: 1_000, run: runMasterKey });
export const masterKeyProbe = (keys: KeyStore): Probe => withTargets(MASTER_KEY_PROBE, { keys });

async function runMasterKey(context: ProbeContext): Promise<ProbeOutcome> {
  const { ports } = context;
  const keys = targetOf(context, 'keys');
  if (!ports.crypto.provisionedKey(MASTER_KEY_SLOT)) {
    // Factory state (activation/activationState.ts): never activated, rather than a key lost.
    return isFactoryState(ports.settings, false, keys.status().signedOnBefore)
      ? fail('keys.not-activated', 'no master key and no activation record')
      : fail('master-key.missing', `no key in slot "${MASTER_KEY_SLOT}"`);
  }
  // Issue 8 §7: a dev build (devKeys=1) may store keys without flash and NVS encryption; it says so.
  return ports.crypto.keyProtection() === 'unprotected'
    ? warn('keys.unprotected', 'terminal master key present, stored without flash and NVS encryption (devKeys=1)')
    : pass('master-key.ok', 'terminal master key present (held by the crypto module)');
}

export const WORKING_KEYS_PROBE: Probe = deepFreeze({ id: 'auth.working-keys', family: 'authentication', timeoutMs: 2_000, after: ['auth.master-key'], run: runWorkingKeys });
export const workingKeysProbe = (keys: KeyStore): Probe => withTargets(WORKING_KEYS_PROBE, { keys });

async function runWorkingKeys(context: ProbeContext): Promise<ProbeOutcome> {
  const keys = targetOf(context, 'keys');
  const status = keys.status();
  const held = status.keys.map((k) => `${k.name} KCV ${k.kcv}`).join(', ');
  if (status.lastRejection) return fail(status.lastRejection.code === 'keys.kcv-mismatch' ? 'keys.kcv-mismatch' : 'keys.restore-failed', `last key block refused: ${status.lastRejection.detail}${held ? `; still using generation ${status.generation}` : ''}`);
  if (status.restoreProblem)
    return fail(status.restoreProblem.code === 'keys.kcv-mismatch' ? 'keys.kcv-mismatch' : 'keys.restore-failed', status.restoreProblem.detail);
  if (status.keys.length === 0) {
    // Only a terminal that never signed on may run without keys; one that had keys is out of service.
    if (status.wiped) return fail('keys.wiped', `generation ${status.generation} was wiped: sign on again`);
    if (status.signedOnBefore) return fail('keys.lost', `generation ${status.generation} was installed; no working keys are stored now`);
    return warn('keys.missing', 'never signed on');
  }
  const bad = keys.recheck().filter((k) => !k.ok).map((k) => k.name);
  if (bad.length) return fail('keys.kcv-mismatch', `${bad.join(', ')} key no longer gives its check value`);
  // Single-length DES comes in only under a profile with legacySingleDes (security/keyUsage.ts): working, but weak.
  if (status.keys.some((k) => k.algorithm === 'des')) return warn('keys.single-des', `generation ${status.generation}, single DES: ${held}`);
  return pass('keys.ok', `generation ${status.generation}: ${held}`);
}

export const MAC_PROBE: Probe = deepFreeze({ id: 'auth.mac', family: 'authentication', timeoutMs: 2_000, after: ['auth.working-keys'], run: runMac });
export const macProbe = (keys: KeyStore): Probe => withTargets(MAC_PROBE, { keys });

async function runMac(context: ProbeContext): Promise<ProbeOutcome> {
  const check = targetOf(context, 'keys').macSelfCheck();
  if (check === 'no-key') return skip('mac.no-key', 'no MAC key in use');
  return check === 'ok' ? pass('mac.ok', 'MAC of the check message matches the one recorded at sign-on') : fail('mac.mismatch', 'MAC of the check message differs from the one recorded at sign-on');
}

/** Warn this many days before expiry (see certificateChain). */
export const CERTIFICATE_PROBE: Probe = deepFreeze({ id: 'auth.certificate', family: 'authentication', timeoutMs: 5_000, after: ['system.rtc'], run: runCertificate });
export const certificateProbe = (cbor: CborCodec): Probe => withTargets(CERTIFICATE_PROBE, { cbor });

async function runCertificate(context: ProbeContext): Promise<ProbeOutcome> {
  const { ports } = context;
  const stored = readCertificates(ports.settings, targetOf(context, 'cbor'));
  if (!stored.terminal) return fail('cert.missing', 'no terminal certificate installed');
  if (!stored.root) return fail('cert.missing', "no acquirer root certificate installed");
  let parsed;
  try {
    parsed = { terminal: parseCertificate(stored.terminal), intermediates: stored.chain.map(parseCertificate), root: parseCertificate(stored.root) };
  } catch (error) {
    return fail('cert.malformed', error instanceof CertificateError ? `${error.code}: ${error.message}` : 'unreadable');
  }
  const clockTrusted = await datesJudgeable(context, CERTIFICATE_PROBE.timeoutMs - CLOCK_WAIT_MARGIN_MS);
  const result = checkChain((scheme, spki, data, signature) => ports.crypto.verifySignature(scheme, spki, data, signature), {
    ...parsed,
    terminalId: readTerminalId(ports.settings) ?? '',
    nowMs: ports.clock.wallMs(),
    clockTrusted,
  });
  // The worst finding leads; the other problems follow by code so none is hidden by it. With
  // nothing worse than dates left unjudged, the untrusted clock is the finding (a warning: the
  // clock probe's rtc.* names the cause), never an expiry.
  const found = worstFinding(result.findings);
  const worst = found.code === 'cert.cannot-decide' ? { ...found, status: 'warn' as const, code: 'cert.clock-untrusted' } : found;
  const others = result.findings.filter((f) => f !== found && f.status !== 'pass');
  const also = others.length ? ` | also ${others.map((f) => f.code).join(', ')}` : '';
  const room = DETAIL_LIMIT - also.length;
  const detail = worst.detail.length > room ? `${worst.detail.slice(0, room - 1)}…` : worst.detail;
  return { status: worst.status, code: worst.code, detail: detail + also } satisfies ProbeOutcome;
}

export const CAPK_PROBE: Probe = deepFreeze({ id: 'system.capk', family: 'system', timeoutMs: 10_000, after: ['system.rtc'], run: runCapk });
export const capkProbe = (cbor: CborCodec): Probe => withTargets(CAPK_PROBE, { cbor });

async function runCapk(context: ProbeContext): Promise<ProbeOutcome> {
  const { ports } = context;
  const cbor = targetOf(context, 'cbor');
  const count = capkCount(ports.settings);
  if (count === 0) return warn('capk.empty', 'no CA public keys loaded');
  const trusted = await datesJudgeable(context, CAPK_PROBE.timeoutMs - CLOCK_WAIT_MARGIN_MS);
  const nowMs = ports.clock.wallMs();
  // One key at a time: the whole table read at once (eleven keys, their copies and findings) was
  // the self-test's lowest moment after an 83 in mcsim, ~500 XS slots at once.
  const unreadable: string[] = [];
  const refusedKeys: string[] = [];
  let undecided = false;
  for (let i = 0; i < count; i++) {
    const key = readCapkKey(ports.settings, cbor, i);
    if (key === 'unreadable' || key === undefined) {
      unreadable.push(`k${i} unreadable`);
      continue;
    }
    const f = judgeKey(ports.crypto, key, nowMs, trusted);
    if (f.status === 'refused') refusedKeys.push(`${f.key} ${f.code}`);
    else if (f.status === 'undecided') undecided = true;
  }
  const refused = [...unreadable, ...refusedKeys];
  if (refused.length) return fail('capk.refused', `${refused.length} of ${count} refused: ${refused.slice(0, 3).join('; ')}${refused.length > 3 ? '; …' : ''}`);
  if (undecided) return skip('capk.undecided', `${count} keys pass their checksum; expiry not judged`);
  return pass('capk.ok', `${count} keys pass their checksum and dates`);
}
