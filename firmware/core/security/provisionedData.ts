/**
 * Where provisioning leaves certificates and CA public keys: the settings port (NVS on the
 * device, each value ≤ 4,000 bytes, names ≤ 15 characters). Certificates in domain "certs":
 * "terminal" and "root" (DER), "chain" (CBOR list of DER, terminal's issuer first). CA keys in
 * domain "capk": "count", then "k0" … one CBOR map per key (a table exceeds one NVS value).
 */
import { POOL_LIMIT } from './certificatePath';
import type { SettingsPort } from '../ports';
import type { CborCodec } from '../store/cbor';
import { CAPK_TABLE_LIMIT, CapkError, type CaPublicKey } from './caPublicKeys';

export const CERTS_DOMAIN = 'certs';
export const CAPK_DOMAIN = 'capk';

export interface ProvisionedCertificates {
  terminal: Uint8Array | undefined;
  chain: Uint8Array[];
  root: Uint8Array | undefined;
}

export function storeCertificates(settings: SettingsPort, cbor: CborCodec, certs: ProvisionedCertificates): void {
  for (const name of ['terminal', 'root'] as const) {
    const value = certs[name];
    if (value) settings.set(CERTS_DOMAIN, name, value);
    else settings.delete(CERTS_DOMAIN, name);
  }
  settings.set(CERTS_DOMAIN, 'chain', cbor.encode(certs.chain));
}

/** What is stored; a chain value that does not decode reads as no chain (the chain check then says so). */
export function readCertificates(settings: SettingsPort, cbor: CborCodec): ProvisionedCertificates {
  const bytes = (v: unknown) => (v instanceof Uint8Array ? v : undefined);
  let chain: Uint8Array[] = [];
  const stored = bytes(settings.get(CERTS_DOMAIN, 'chain'));
  if (stored) {
    try {
      const list = cbor.decode(stored);
      // One past the path search's pool limit, so a longer stored chain is its finding (cert.path-limit), not cut silently.
      if (Array.isArray(list)) chain = list.filter((d): d is Uint8Array => d instanceof Uint8Array).slice(0, POOL_LIMIT + 1).map((d) => new Uint8Array(d));
    } catch {
      chain = [];
    }
  }
  return { terminal: bytes(settings.get(CERTS_DOMAIN, 'terminal')), chain, root: bytes(settings.get(CERTS_DOMAIN, 'root')) };
}

export function storeCapkTable(settings: SettingsPort, cbor: CborCodec, keys: readonly CaPublicKey[]): void {
  if (keys.length > CAPK_TABLE_LIMIT) throw new CapkError('(table)', `holds ${keys.length} keys; at most ${CAPK_TABLE_LIMIT}`);
  const previous = settings.get(CAPK_DOMAIN, 'count');
  for (let i = keys.length; typeof previous === 'number' && i < previous; i++) settings.delete(CAPK_DOMAIN, `k${i}`);
  keys.forEach((k, i) => settings.set(CAPK_DOMAIN, `k${i}`, cbor.encode({ ...k, expiresMs: k.expiresMs ?? null })));
  settings.set(CAPK_DOMAIN, 'count', keys.length);
}

/**
 * The stored table. An entry that does not decode to a key is reported by its slot name, so
 * the CA key probe can refuse it like a key whose checksum fails. With `only`, just the keys of
 * that RID and index are kept (a card read needs the one its 8F names, not the whole table:
 * eleven keys held through a read cost the board ~300 XS slots).
 */
export function readCapkTable(settings: SettingsPort, cbor: CborCodec, only?: { rid: string; index: number }): { keys: CaPublicKey[]; unreadable: string[] } {
  const keys: CaPublicKey[] = [];
  const unreadable: string[] = [];
  const count = capkCount(settings);
  for (let i = 0; i < count; i++) {
    const key = readCapkKey(settings, cbor, i, only);
    if (key === 'unreadable') unreadable.push(`k${i}`);
    else if (key) keys.push(key);
  }
  return { keys, unreadable };
}

/** How many key slots the stored table has (at most CAPK_TABLE_LIMIT; 0 with no table). */
export function capkCount(settings: SettingsPort): number {
  const count = settings.get(CAPK_DOMAIN, 'count');
  return typeof count === 'number' ? Math.max(0, Math.min(count, CAPK_TABLE_LIMIT)) : 0;
}

/**
 * Key slot `i` of the stored table ("k<i>"): the key, 'unreadable' when the entry does not
 * decode to one, undefined when `only` names another key.
 */
export function readCapkKey(settings: SettingsPort, cbor: CborCodec, i: number, only?: { rid: string; index: number }): CaPublicKey | 'unreadable' | undefined {
  const stored = settings.get(CAPK_DOMAIN, `k${i}`);
  try {
    if (!(stored instanceof Uint8Array)) throw new Error('missing');
    const k = cbor.decode(stored) as Record<string, unknown>;
    const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
    if (typeof k.rid !== 'string' || !/^[0-9A-Fa-f]{10}$/.test(k.rid) || !Number.isInteger(k.index) || (k.index as number) < 0 || (k.index as number) > 255) throw new Error('rid/index');
    if (!isBytes(k.modulus) || !isBytes(k.exponent) || !isBytes(k.checksum) || k.checksum.length !== 20) throw new Error('key bytes');
    if (k.expiresMs !== null && k.expiresMs !== undefined && !(typeof k.expiresMs === 'number' && Math.abs(k.expiresMs) <= 8.64e15)) throw new Error('expiry');
    if (only && (k.index !== only.index || k.rid.toUpperCase() !== only.rid.toUpperCase())) return undefined;
    return {
      rid: k.rid,
      index: k.index as number,
      modulus: new Uint8Array(k.modulus),
      exponent: new Uint8Array(k.exponent),
      checksum: new Uint8Array(k.checksum),
      expiresMs: typeof k.expiresMs === 'number' ? k.expiresMs : undefined,
      label: typeof k.label === 'string' ? k.label : '',
    };
  } catch {
    return 'unreadable';
  }
}
