/**
 * Builds the certification path from the terminal certificate up to the provisioned root out of
 * the certificates given with it. Those are a pool, not an ordered list (RFC 4158 2: any order,
 * extra certificates, cross-certificates that loop), so the path is searched for: depth first
 * from the terminal certificate; the candidates for a certificate's issuer are the root and the
 * pool certificates whose subject equals its issuer name (byte for byte) and that are not
 * already on the path (so a loop ends there). Candidates are tried root first (shortest path),
 * then by key identifier (RFC 4158 3.5.12): authorityKeyIdentifier = subjectKeyIdentifier first,
 * then those where either is absent, then mismatches. A candidate joins the path only when its
 * key is usable, its signature over the child verifies, it may issue certificates (cA and
 * keyCertSign), its pathLenConstraint admits the intermediates below it, and it carries no
 * critical extension this code does not understand. The first complete path wins; when there is
 * none, the failure met furthest from the terminal certificate is reported.
 *
 * Bounds (a device's heap is ~77 KB and one ECDSA verification is its most expensive step):
 * - POOL_LIMIT certificates in the pool; a larger pool is refused before any work;
 * - PATH_INTERMEDIATES_LIMIT intermediates in a path (recursion depth is this + 1);
 * - SIGNATURE_CHECK_LIMIT signature verifications in one search, each (child, issuer key) pair
 *   verified at most once; the search stops when it is spent.
 * Exceeding any of them is a `cert.path-limit` failure saying which.
 */
import type { SignatureScheme } from '../ports';
import { formatName, nameAttribute, type Certificate } from './x509';

/** Verifies `signature` over `data` with the public key in `spki` (SubjectPublicKeyInfo DER). May throw for a key the port cannot use. */
export type VerifySignature = (scheme: SignatureScheme, spki: Uint8Array, data: Uint8Array, signature: Uint8Array) => boolean;

export const POOL_LIMIT = 8;
export const PATH_INTERMEDIATES_LIMIT = 4;
export const SIGNATURE_CHECK_LIMIT = 12;

export type PathFailureCode =
  | 'cert.chain-broken'
  | 'cert.wrong-root'
  | 'cert.bad-signature'
  | 'cert.bad-key'
  | 'cert.not-ca'
  | 'cert.critical-extension'
  | 'cert.path-limit';

export interface PathFailure {
  code: PathFailureCode;
  detail: string;
}

export type PathResult =
  | { ok: true; path: Certificate[] }
  /** `partial`: the path as far as the search got before the reported failure (the terminal certificate at least). */
  | { ok: false; failure: PathFailure; partial: Certificate[] };

/** "10240001", or the whole name when there is no CN. */
export const certName = (c: Certificate) => nameAttribute(c.subject, 'CN') ?? formatName(c.subject);
export const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** 0: key ids match; 1: one of them absent; 2: both present and different. */
function keyIdRank(child: Certificate, candidate: Certificate): number {
  if (!child.authorityKeyId || !candidate.subjectKeyId) return 1;
  return sameBytes(child.authorityKeyId, candidate.subjectKeyId) ? 0 : 2;
}

/**
 * Searches the pool for a path from `terminal` to `root` (the trust anchor: its own extensions
 * and constraints are not judged here, RFC 5280 6.1.1 (d)).
 */
export function buildPath(verify: VerifySignature, terminal: Certificate, pool: readonly Certificate[], root: Certificate): PathResult {
  if (pool.length > POOL_LIMIT)
    return { ok: false, failure: { code: 'cert.path-limit', detail: `${pool.length} certificates given with the terminal's; at most ${POOL_LIMIT} are searched` }, partial: [terminal] };
  const verified = new Map<string, boolean | string>();
  let checks = 0;
  let spent = false;
  let best: { failure: PathFailure; partial: Certificate[] } | undefined;
  const note = (failure: PathFailure, path: Certificate[]) => {
    if (!best || path.length > best.partial.length) best = { failure, partial: path.slice() };
  };
  // The same key may be certified in several certificates (re-issued or cross-certified CAs): a
  // signature is verified once per (child, key), the key named by the first certificate holding it.
  const everyone = [...pool, root];
  const keyOf = everyone.map((cert) => everyone.findIndex((other) => sameBytes(other.publicKey.spki, cert.publicKey.spki)));
  /** true, false, why the key could not be used, or undefined once the work bound is spent. */
  const signedBy = (child: Certificate, childId: number, issuer: Certificate, issuerId: number): boolean | string | undefined => {
    const pair = `${childId}>${keyOf[issuerId]}`;
    const known = verified.get(pair);
    if (known !== undefined) return known;
    if (issuer.publicKey.problem) return issuer.publicKey.problem;
    if (checks === SIGNATURE_CHECK_LIMIT) {
      spent = true;
      return undefined;
    }
    checks++;
    let outcome: boolean | string;
    try {
      outcome = verify(child.signatureScheme, issuer.publicKey.spki, child.tbs, child.signature);
    } catch (error) {
      outcome = `the crypto module cannot use the key${error instanceof Error ? `: ${error.message.slice(0, 60)}` : ''}`;
    }
    verified.set(pair, outcome);
    return outcome;
  };

  // Ids: -1 the terminal, 0..n-1 the pool, n the root.
  const search = (path: Certificate[], ids: number[]): Certificate[] | undefined => {
    const child = path[path.length - 1];
    const childId = ids[ids.length - 1];
    const intermediatesBelow = path.length - 1;
    const candidates: { cert: Certificate; id: number; rank: number }[] = [];
    if (sameBytes(child.issuer.der, root.subject.der)) candidates.push({ cert: root, id: pool.length, rank: -1 });
    pool.forEach((cert, id) => {
      if (!ids.includes(id) && sameBytes(child.issuer.der, cert.subject.der)) candidates.push({ cert, id, rank: keyIdRank(child, cert) });
    });
    candidates.sort((a, b) => a.rank - b.rank || a.id - b.id);
    if (candidates.length === 0) {
      const where = `${certName(child)} is issued by ${formatName(child.issuer)}`;
      note(
        path.length === 1
          ? { code: 'cert.chain-broken', detail: `${where}: no such certificate was given, and the root is ${certName(root)}` }
          : { code: 'cert.wrong-root', detail: `${where}, not by the root ${certName(root)}` },
        path,
      );
      return undefined;
    }
    for (const { cert, id } of candidates) {
      const isRoot = id === pool.length;
      if (!isRoot && intermediatesBelow >= PATH_INTERMEDIATES_LIMIT) {
        note({ code: 'cert.path-limit', detail: `no path to the root within ${PATH_INTERMEDIATES_LIMIT} intermediate certificates` }, path);
        continue;
      }
      const signed = signedBy(child, childId, cert, id);
      if (signed === undefined) return undefined;
      if (typeof signed === 'string') {
        note({ code: 'cert.bad-key', detail: `${certName(cert)}: key unusable (${signed})` }, path);
        continue;
      }
      if (!signed) {
        note(
          isRoot
            ? { code: 'cert.wrong-root', detail: `${certName(child)} is not signed by the root's key (same name, other key)` }
            : { code: 'cert.bad-signature', detail: `signature of ${certName(child)} does not verify with ${certName(cert)}'s key` },
          path,
        );
        continue;
      }
      if (isRoot) return [...path, cert];
      if (cert.unknownCritical.length) {
        note({ code: 'cert.critical-extension', detail: `${certName(cert)}: critical extension ${cert.unknownCritical[0]} not understood` }, path);
        continue;
      }
      if (!cert.isCa || cert.keyCertSign === false) {
        note({ code: 'cert.not-ca', detail: `${certName(cert)} signed ${certName(child)} but may not issue certificates` }, path);
        continue;
      }
      // pathLenConstraint: how many intermediate CAs may stand below this one (RFC 5280 4.2.1.9).
      if (cert.pathLength !== undefined && intermediatesBelow > cert.pathLength) {
        note({ code: 'cert.not-ca', detail: `${certName(cert)} allows ${cert.pathLength} intermediate(s) below it; this path has ${intermediatesBelow}` }, path);
        continue;
      }
      const found = search([...path, cert], [...ids, id]);
      if (found || spent) return found;
    }
    return undefined;
  };

  const path = search([terminal], [-1]);
  if (path) return { ok: true, path };
  if (spent) return { ok: false, failure: { code: 'cert.path-limit', detail: `no path to the root within ${SIGNATURE_CHECK_LIMIT} signature checks` }, partial: best?.partial ?? [terminal] };
  // Every way the search ends without a path notes why first.
  return { ok: false, failure: best?.failure ?? { code: 'cert.chain-broken', detail: 'no path to the root' }, partial: best?.partial ?? [terminal] };
}
