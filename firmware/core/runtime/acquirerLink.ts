/**
 * Builds the terminal's link to its acquirer from what is provisioned: the terminal and merchant
 * IDs, the acquirer profile (hosts, timeouts, retry policy, dialect, MAC scheme, response
 * codes) and, for hosts reached over TLS, the provisioned host root certificate as the trust anchor.
 * No valid configuration, no link: the configuration probe says why, and the terminal sells nothing.
 */
import { parseAcquirerProfile, type AcquirerProfile } from '../config/acquirerProfile';
import { readTerminalConfig, SETTINGS_DOMAIN } from '../config/terminalConfig';
import { dialectById } from '../host/dialects';
import { HostLink } from '../host/link';
import { HostSession } from '../host/session';
import type { Ports } from '../ports';
import type { KeyStore } from '../security/keyStore';
import { CERTS_DOMAIN } from '../security/provisionedData';
import type { CborCodec } from '../store/cbor';
import type { RecordLog } from '../store/recordLog';
import { errorText } from '../errorText';

/** Largest frame the link accepts, its length prefix included: a CUP POS message is well under 1 KB. */
export const MAX_FRAME_BYTES = 2048;

/** Settings key (domain `certs`) of the root certificate the acquirer's TLS hosts chain to. */
export const HOST_ROOT_SETTING = 'host-root';

/**
 * The acquirer's TLS trust anchor as provisioned: its own root ('host-root'), else the terminal
 * PKI's root; with the setting it came from (the self-test's TLS anchor probe judges the same value).
 */
export function hostTrustAnchor(settings: Ports['settings']): { setting: string; value: unknown } | undefined {
  for (const setting of [HOST_ROOT_SETTING, 'root']) {
    const value = settings.get(CERTS_DOMAIN, setting);
    if (value !== undefined) return { setting, value };
  }
  return undefined;
}

export interface AcquirerLink {
  link: HostLink;
  session: HostSession;
}

/** The profile as provisioned, with or without the terminal's IDs (a factory-state terminal has none yet). */
export function readProfile(settings: Ports['settings'], cbor: CborCodec): AcquirerProfile | undefined {
  const stored = settings.get(SETTINGS_DOMAIN, 'profile');
  if (!(stored instanceof Uint8Array)) return undefined;
  try {
    const parsed = parseAcquirerProfile(cbor.decode(stored));
    return parsed.ok ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}

/** The link to the profile's hosts (its timeouts, retries, failback and TLS anchor). @throws as HostLink */
export function linkFor(ports: Ports, profile: AcquirerProfile): HostLink {
  const root = profile.hosts.some((h) => h.tls) ? hostTrustAnchor(ports.settings)?.value : undefined;
  return new HostLink({
    network: ports.network,
    clock: ports.clock,
    random: (n) => ports.crypto.randomBytes(n),
    trace: ports.trace,
    hosts: profile.hosts,
    connectTimeoutMs: profile.connectTimeoutMs,
    responseTimeoutMs: profile.timeoutMs,
    retries: profile.retries,
    backoff: profile.backoff,
    failbackMs: profile.failbackMs,
    maxFrameBytes: MAX_FRAME_BYTES,
    ...(root instanceof Uint8Array ? { tls: { ca: root } } : {}),
  });
}

/** The link and session, or why there is none (traced; the configuration probe reports the cause). */
export function openAcquirerLink(ports: Ports, log: RecordLog | undefined, cbor: CborCodec, keys: KeyStore): AcquirerLink | string {
  const config = readTerminalConfig(ports.settings, cbor);
  if (!config.ok) return `configuration: ${config.error.message}`;
  const { terminalId, merchantId, profile } = config.value;
  const dialect = dialectById(profile.dialect);
  if (!dialect) return `configuration: no dialect ${profile.dialect}`;
  try {
    const link = linkFor(ports, profile);
    const session = new HostSession({ ports, log, cbor, keys, profile, dialect, terminalId, merchantId, link });
    session.restore();
    return { link, session };
  } catch (error) {
    return `acquirer link: ${errorText(error)}`;
  }
}
