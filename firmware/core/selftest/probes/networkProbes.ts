/**
 * Network-family probes: the first causes of "invalid terminal" to rule out, in the support
 * order (network → device → system → account → re-authenticate). Each step is its own finding:
 * the link (Wi-Fi associated or cable up, with an address), the names of the profile's hosts,
 * a TCP connection to the primary and to the backup, and an echo test through the session with
 * its round-trip time. A step whose prerequisite failed is skipped, saying why, so one fault is
 * reported once.
 *
 * Each probe is a frozen module-level object whose work is a module-level function reading the
 * host subjects from the run's context (ProbeTargets): on the device these modules are
 * preloaded, and XS copies into the heap the code of every function made at run time and gives
 * each its closure's slots. The factories, which bind a probe to its host, are for tests.
 */
import { isIpv4 } from '../../config/acquirerProfile';
import type { NetworkPort } from '../../ports';
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { hostRole, notConfigured, type HostSubjectsSource } from './hostSubjects';
import { fail, pass, skip, warn } from './outcome';
import { targetOf, withTargets } from '../runner';
import { deepFreeze } from '../../freeze';

const LINK = 'network.link';
const RESOLVE = 'network.resolve';
const PRIMARY = 'network.primary';
const BACKUP = 'network.backup';

const linkDown = (context: ProbeContext) => context.resultOf(LINK)?.status !== 'pass';
const NO_LINK = skip('host.no-link', 'not tried: the network link is down');

export const LINK_PROBE: Probe = deepFreeze({ id: LINK, family: 'network', timeoutMs: 1_000, run: runLink });
export const linkProbe = (): Probe => LINK_PROBE;

async function runLink({ ports }: ProbeContext): Promise<ProbeOutcome> {
  const { up, address } = ports.network.link();
  if (!up) return fail('link.down', 'link down');
  if (!address) return fail('link.no-address', 'link up, no address');
  return pass('link.ok', `address ${address}`);
}

/** Names resolve with the network port's resolver; a name that gets no answer in this long has none. */
export const RESOLVE_WAIT_MS = 10_000;

export const RESOLVE_PROBE: Probe = deepFreeze({ id: RESOLVE, family: 'network', timeoutMs: RESOLVE_WAIT_MS + 5_000, after: [LINK], run: runResolve });
export const resolveProbe = (host: HostSubjectsSource): Probe => withTargets(RESOLVE_PROBE, { host });

async function runResolve(context: ProbeContext): Promise<ProbeOutcome> {
  const { profile } = targetOf(context, 'host')();
  if (!profile) return notConfigured('acquirer profile');
  const names = [...new Set(profile.hosts.map((h) => h.host).filter((name) => !isIpv4(name)))];
  if (names.length === 0) return skip('resolve.not-needed', 'hosts are IPv4 addresses');
  if (linkDown(context)) return NO_LINK;
  const resolved: string[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const address = await resolveName(context, name);
    if (address) resolved.push(`${name} → ${address}`);
    else missing.push(name);
  }
  if (missing.length) return fail('resolve.failed', `no address for ${missing.join(', ')}${resolved.length ? `; resolved ${resolved.join(', ')}` : ''}`);
  return pass('resolve.ok', `resolved ${resolved.join(', ')}`);
}

/** The port's answer, or undefined when it has none within RESOLVE_WAIT_MS. */
function resolveName({ ports }: ProbeContext, name: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = ports.clock.setTimer(RESOLVE_WAIT_MS, () => resolve(undefined));
    askResolver(ports.network, name, (address) => {
      ports.clock.clearTimer(timer);
      resolve(address);
    });
  });
}

/** A resolver that throws is a resolver with no answer. */
function askResolver(network: NetworkPort, name: string, answer: (address: string | undefined) => void): void {
  try {
    network.resolve(name, answer);
  } catch {
    answer(undefined);
  }
}

/** TCP connect to one host alone (HostLink.probeConnect: no retry, no failover). */
// The backup is judged after the primary: the terminal is out of service only when no host takes a connection.
export const PRIMARY_PROBE: Probe = deepFreeze({ id: PRIMARY, family: 'network', timeoutMs: 65_000, after: [LINK, RESOLVE], run: runPrimary });
export const BACKUP_PROBE: Probe = deepFreeze({ id: BACKUP, family: 'network', timeoutMs: 65_000, after: [LINK, RESOLVE, PRIMARY], run: runBackup });
export const connectProbe = (host: HostSubjectsSource, index: 0 | 1): Probe => withTargets(index === 0 ? PRIMARY_PROBE : BACKUP_PROBE, { host });

function runPrimary(context: ProbeContext): Promise<ProbeOutcome> {
  return runConnect(context, 0);
}

function runBackup(context: ProbeContext): Promise<ProbeOutcome> {
  return runConnect(context, 1);
}

async function runConnect(context: ProbeContext, index: 0 | 1): Promise<ProbeOutcome> {
  const { link, profile } = targetOf(context, 'host')();
  if (!profile || !link) return notConfigured(profile ? 'acquirer link' : 'acquirer profile');
  const target = profile.hosts[index];
  if (!target) return skip('connect.no-backup', 'the profile names no backup host');
  if (linkDown(context)) return NO_LINK;
  const where = `${hostRole(index)} ${target.host}:${target.port}${target.tls ? ' (TLS)' : ''}`;
  const result = await link.probeConnect(index);
  if (result.ok) return pass('connect.ok', `${where} connected in ${result.ms} ms`);
  const facts = `${where}: ${result.stage}: ${result.detail}`;
  // One host down while the other serves is a warning (sales go to the other); both down is a failure.
  const other = index === 0 ? (profile.hosts.length > 1 ? 'untried' : 'none') : context.resultOf(PRIMARY)?.status === 'pass' ? 'up' : 'down';
  return other === 'untried' || other === 'up' ? warn('connect.failed', facts) : fail('connect.failed', facts);
}

/** Above this share of the profile's response timeout, a round trip is a warning. */
export const ECHO_SLOW_SHARE = 0.5;

/** An echo test (0820/0830) through the session, after both connection checks. */
export const ECHO_PROBE: Probe = deepFreeze({ id: 'network.echo', family: 'network', timeoutMs: 150_000, after: [PRIMARY, BACKUP], run: runEcho });
export const echoProbe = (host: HostSubjectsSource): Probe => withTargets(ECHO_PROBE, { host });

async function runEcho(context: ProbeContext): Promise<ProbeOutcome> {
  const { session, profile } = targetOf(context, 'host')();
  if (!session) return notConfigured('host session');
  if (context.resultOf(PRIMARY)?.status !== 'pass' && context.resultOf(BACKUP)?.status !== 'pass') return skip('echo.not-tried', 'not tried: neither host accepted a connection');
  const outcome = await session.echo();
  if (outcome.kind === 'refused') return skip('echo.refused', `not sent: ${outcome.code}: ${outcome.detail}`);
  if (outcome.kind === 'no-answer') return fail('echo.no-answer', `no answer: ${outcome.stage}: ${outcome.detail}`);
  // Any answer carried both ways is the network working; what the code means is the account probe's.
  const { answer } = outcome;
  const ms = outcome.roundTripMs ?? 0;
  const facts = `round trip ${ms} ms to the ${hostRole(answer.host)}, answer ${answer.code}`;
  if (profile && ms > profile.timeoutMs * ECHO_SLOW_SHARE) return warn('echo.slow', `${facts}; response timeout ${profile.timeoutMs} ms`);
  return pass('echo.ok', facts);
}
