/**
 * Network-family probes: the first causes of "invalid terminal" to rule out, in the support
 * order (network → device → system → account → re-authenticate). Each step is its own finding:
 * the link (Wi-Fi associated or cable up, with an address), the names of the profile's hosts,
 * a TCP connection to the primary and to the backup, and an echo test through the session with
 * its round-trip time. A step whose prerequisite failed is skipped, saying why, so one fault is
 * reported once.
 *
 * Each probe's work is a module-level function, not a method written inside its factory: on
 * the device these modules are preloaded, and XS copies into the heap the code of every function
 * made at run time.
 */
import { isIpv4 } from '../../config/acquirerProfile';
import type { NetworkPort } from '../../ports';
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { hostRole, notConfigured, type HostSubjectsSource } from './hostSubjects';
import { fail, pass, skip, warn } from './outcome';

const LINK = 'network.link';
const RESOLVE = 'network.resolve';
const PRIMARY = 'network.primary';
const BACKUP = 'network.backup';

const linkDown = (context: ProbeContext) => context.resultOf(LINK)?.status !== 'pass';
const NO_LINK = skip('host.no-link', 'not tried: the network link is down');

export function linkProbe(): Probe {
  return { id: LINK, family: 'network', timeoutMs: 1_000, run: runLink };
}

async function runLink({ ports }: ProbeContext): Promise<ProbeOutcome> {
  const { up, address } = ports.network.link();
  if (!up) return fail('link.down', 'link down');
  if (!address) return fail('link.no-address', 'link up, no address');
  return pass('link.ok', `address ${address}`);
}

/** Names resolve with the network port's resolver; a name that gets no answer in this long has none. */
export const RESOLVE_WAIT_MS = 10_000;

export function resolveProbe(host: HostSubjectsSource): Probe {
  return { id: RESOLVE, family: 'network', timeoutMs: RESOLVE_WAIT_MS + 5_000, after: [LINK], run: (context) => runResolve(context, host) };
}

async function runResolve(context: ProbeContext, host: HostSubjectsSource): Promise<ProbeOutcome> {
  const { profile } = host();
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
export function connectProbe(host: HostSubjectsSource, index: 0 | 1): Probe {
  // The backup is judged after the primary: the terminal is out of service only when no host takes a connection.
  return { id: index === 0 ? PRIMARY : BACKUP, family: 'network', timeoutMs: 65_000, after: index === 0 ? [LINK, RESOLVE] : [LINK, RESOLVE, PRIMARY], run: (context) => runConnect(context, host, index) };
}

async function runConnect(context: ProbeContext, host: HostSubjectsSource, index: 0 | 1): Promise<ProbeOutcome> {
  const { link, profile } = host();
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
export function echoProbe(host: HostSubjectsSource): Probe {
  return { id: 'network.echo', family: 'network', timeoutMs: 150_000, after: [PRIMARY, BACKUP], run: (context) => runEcho(context, host) };
}

async function runEcho(context: ProbeContext, host: HostSubjectsSource): Promise<ProbeOutcome> {
  const { session, profile } = host();
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
