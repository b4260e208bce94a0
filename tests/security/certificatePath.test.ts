/**
 * The certificates given with the terminal's are a pool: any order, decoys, loops. Paths are
 * built from openssl-made PKIs; signatures checked by node:crypto; the search's bounds hold.
 */
import { checkChain } from '../../firmware/core/security/certificateChain';
import { PATH_INTERMEDIATES_LIMIT, POOL_LIMIT, SIGNATURE_CHECK_LIMIT, buildPath } from '../../firmware/core/security/certificatePath';
import { parseCertificate, type Certificate } from '../../firmware/core/security/x509';
import { PortError } from '../../firmware/core/ports';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { TestPki, type Issued } from '../../host-sim/tools/pki';
import { FROM, NOW, TO, countingVerify, nodeVerify, parsed } from './chainHelpers';

let pki: TestPki;
const c: Record<string, Issued> = {};
const cert = (name: string) => parsed(c[name]);
const names = (path: Certificate[]) => path.map((p) => p.subject.attributes.find((a) => a.type === 'CN')?.value);

beforeAll(() => {
  pki = new TestPki();
  c.root = pki.issue({ subject: '/CN=Demo Acquirer Root', key: 'ec', ca: true, from: FROM, to: TO });
  // root → A → B → C → D → E: up to five intermediates, each issuing the next.
  let issuer = c.root;
  for (const n of ['A', 'B', 'C', 'D', 'E']) issuer = c[n] = pki.issue({ subject: `/CN=CA ${n}`, key: 'ec', issuer, ca: true, from: FROM, to: TO });
  c.leafB = pki.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.B, ca: false, from: FROM, to: '20300101000000Z' });
  c.leafD = pki.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.D, ca: false, from: FROM, to: '20300101000000Z' });
  c.leafE = pki.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.E, ca: false, from: FROM, to: '20300101000000Z' });
  // Decoys: same name as CA A and CA B, other keys, other issuers.
  c.otherRoot = pki.issue({ subject: '/CN=Other Root', key: 'ec', ca: true, from: FROM, to: TO });
  c.decoyA = pki.issue({ subject: '/CN=CA A', key: 'ec', issuer: c.otherRoot, ca: true, from: FROM, to: TO });
  c.decoyB = pki.issue({ subject: '/CN=CA B', key: 'ec', issuer: c.decoyA, ca: true, from: FROM, to: TO });
  c.stranger = pki.issue({ subject: '/CN=Somebody Else CA', key: 'ec', issuer: c.root, ca: true, from: FROM, to: TO });
  // Without key identifiers only the signature tells a decoy from the real issuer.
  const plain = new TestPki();
  c.plainRoot = plain.issue({ subject: '/CN=Plain Root', key: 'ec', ca: true, keyIds: false, from: FROM, to: TO });
  c.plainSub = plain.issue({ subject: '/CN=Plain CA', key: 'ec', issuer: c.plainRoot, ca: true, keyIds: false, from: FROM, to: TO });
  c.plainDecoy = plain.issue({ subject: '/CN=Plain CA', key: 'ec', issuer: c.plainRoot, ca: true, keyIds: false, from: FROM, to: TO });
  c.plainLeaf = plain.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.plainSub, ca: false, keyIds: false, from: FROM, to: '20300101000000Z' });
  // A loop: X and Y certify each other (cross-certificates), and neither leads to the root.
  c.x0 = pki.issue({ subject: '/CN=Loop X', key: 'ec', ca: true, from: FROM, to: TO });
  c.y0 = pki.issue({ subject: '/CN=Loop Y', key: 'ec', ca: true, from: FROM, to: TO });
  c.xByY = pki.issue({ subject: '/CN=Loop X', key: 'ec', keyOf: c.x0, issuer: c.y0, ca: true, from: FROM, to: TO });
  c.yByX = pki.issue({ subject: '/CN=Loop Y', key: 'ec', keyOf: c.y0, issuer: c.x0, ca: true, from: FROM, to: TO });
  c.loopLeaf = pki.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.x0, ca: false, from: FROM, to: '20300101000000Z' });
  // Work: four certificates of one key all named "Wide CA" (each verifies the leaf), issued by
  // "Wide Top", and four "Wide Top" decoys none of which signed them: 4 + 4 × 4 checks.
  c.wideTop = pki.issue({ subject: '/CN=Wide Top', key: 'ec', ca: true, from: FROM, to: TO });
  c.wide0 = pki.issue({ subject: '/CN=Wide CA', key: 'ec', issuer: c.wideTop, ca: true, from: FROM, to: TO });
  for (const i of [1, 2, 3]) c[`wide${i}`] = pki.issue({ subject: '/CN=Wide CA', key: 'ec', keyOf: c.wide0, issuer: c.wideTop, ca: true, from: FROM, to: TO });
  for (const i of [0, 1, 2, 3]) c[`top${i}`] = pki.issue({ subject: '/CN=Wide Top', key: 'ec', ca: true, from: FROM, to: TO });
  c.wideLeaf = pki.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.wide0, ca: false, from: FROM, to: '20300101000000Z' });
});

const shuffle = <T>(list: T[], seed: number) => list.map((v, i) => ({ v, k: (i * 7919 + seed * 104729) % 997 })).sort((a, b) => a.k - b.k).map((e) => e.v);

describe('path building from a pool', () => {
  it('finds the path whatever the order of the given certificates', () => {
    const pool = ['A', 'B', 'C', 'D'].map(cert);
    for (let seed = 0; seed < 6; seed++) {
      const result = buildPath(nodeVerify, cert('leafD'), shuffle(pool, seed), cert('root'));
      expect(result.ok && names(result.path)).toEqual(['10240001', 'CA D', 'CA C', 'CA B', 'CA A', 'Demo Acquirer Root']);
    }
  });

  it('passes over decoys: same names with other keys, unrelated CAs, extra certificates', () => {
    const pool = [cert('decoyB'), cert('stranger'), cert('decoyA'), cert('B'), cert('otherRoot'), cert('A')];
    const counted = countingVerify();
    const result = buildPath(counted.verify, cert('leafB'), pool, cert('root'));
    expect(result.ok && names(result.path)).toEqual(['10240001', 'CA B', 'CA A', 'Demo Acquirer Root']);
    // Key identifiers put the real issuers first: one signature check per link.
    expect(counted.calls()).toBe(3);
    expect(checkChain(nodeVerify, { terminal: cert('leafB'), intermediates: pool, root: cert('root'), terminalId: '10240001', nowMs: NOW, clockTrusted: true }).code).toBe('cert.ok');
  });

  it('without key identifiers, tells a same-name decoy from the issuer by its signature', () => {
    expect(cert('plainSub').subjectKeyId).toBeUndefined();
    expect(cert('plainLeaf').authorityKeyId).toBeUndefined();
    const result = buildPath(nodeVerify, cert('plainLeaf'), [cert('plainDecoy'), cert('plainSub')], cert('plainRoot'));
    expect(result.ok && names(result.path)).toEqual(['10240001', 'Plain CA', 'Plain Root']);
    const decoyOnly = buildPath(nodeVerify, cert('plainLeaf'), [cert('plainDecoy')], cert('plainRoot'));
    expect(!decoyOnly.ok && decoyOnly.failure.code).toBe('cert.bad-signature');
  });

  it('ends a loop of cross-certificates: each certificate at most once on a path', () => {
    const counted = countingVerify();
    const result = buildPath(counted.verify, cert('loopLeaf'), [cert('xByY'), cert('yByX'), cert('x0'), cert('y0')], cert('root'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.code).toBe('cert.wrong-root');
    expect(counted.calls()).toBeLessThanOrEqual(SIGNATURE_CHECK_LIMIT);
    expect(counted.pairs()).toBe(counted.calls());
    // It went round X and Y through all four certificates (each once) and found no way on.
    expect(names(result.partial)).toEqual(['10240001', 'Loop X', 'Loop Y', 'Loop Y', 'Loop X']);
    expect(new Set(result.partial.map((p) => Buffer.from(p.der).toString('hex'))).size).toBe(5);
  });

  it(`accepts ${PATH_INTERMEDIATES_LIMIT} intermediates and refuses a path that needs more (cert.path-limit)`, () => {
    const four = buildPath(nodeVerify, cert('leafD'), ['A', 'B', 'C', 'D'].map(cert), cert('root'));
    expect(four.ok).toBe(true);
    const five = buildPath(nodeVerify, cert('leafE'), ['A', 'B', 'C', 'D', 'E'].map(cert), cert('root'));
    expect(!five.ok && five.failure).toEqual({ code: 'cert.path-limit', detail: `no path to the root within ${PATH_INTERMEDIATES_LIMIT} intermediate certificates` });
  });

  it(`stops after ${SIGNATURE_CHECK_LIMIT} signature checks (cert.path-limit), never verifying a pair twice`, () => {
    const pool = ['wide0', 'wide1', 'wide2', 'wide3', 'top0', 'top1', 'top2', 'top3'].map(cert);
    const counted = countingVerify();
    const result = buildPath(counted.verify, cert('wideLeaf'), pool, cert('root'));
    expect(!result.ok && result.failure.code).toBe('cert.path-limit');
    expect(!result.ok && result.failure.detail).toContain(`${SIGNATURE_CHECK_LIMIT} signature checks`);
    expect(counted.calls()).toBe(SIGNATURE_CHECK_LIMIT);
    expect(counted.pairs()).toBe(SIGNATURE_CHECK_LIMIT);
  });

  it(`refuses a pool of more than ${POOL_LIMIT} certificates before any signature check`, () => {
    const counted = countingVerify();
    const pool = Array(POOL_LIMIT + 1).fill(cert('A'));
    const result = buildPath(counted.verify, cert('leafB'), pool, cert('root'));
    expect(!result.ok && result.failure.code).toBe('cert.path-limit');
    expect(counted.calls()).toBe(0);
  });
});

describe('unusable keys in CA certificates are findings', () => {
  /** The certificate with one byte of its public key changed (the signature no longer matters: the key is what is judged). */
  function withKeyByte(issued: Issued, fromEnd: number, value: (b: number) => number): Certificate {
    const der = new Uint8Array(issued.der);
    const spki = parseCertificate(der).publicKey.spki;
    const at = Buffer.from(der).indexOf(Buffer.from(spki)) + spki.length - fromEnd;
    der[at] = value(der[at]);
    return parseCertificate(der);
  }

  it('a CA whose EC point is not a point encoding: the parser says so and the path reports cert.bad-key', () => {
    const badB = withKeyByte(c.B, 65, () => 0x05); // the point's 04 prefix
    expect(badB.publicKey).toMatchObject({ algorithm: 'unusable', problem: expect.stringContaining('point') });
    const r = checkChain(nodeVerify, { terminal: cert('leafB'), intermediates: [badB, cert('A')], root: cert('root'), terminalId: '10240001', nowMs: NOW, clockTrusted: true });
    expect(r).toMatchObject({ status: 'fail', code: 'cert.bad-key' });
    expect(r.detail).toContain('CA B');
  });

  it('a CA key that parses but that the crypto port refuses (a point off the curve) is a finding, not a crash', () => {
    const offCurve = withKeyByte(c.B, 1, (b) => b ^ 0x01);
    expect(offCurve.publicKey.problem).toBeUndefined();
    const crypto = new NodeCrypto(1);
    const port = (...args: Parameters<NodeCrypto['verifySignature']>) => crypto.verifySignature(...args);
    expect(() => port('ecdsa-sha256', offCurve.publicKey.spki, new Uint8Array(1), new Uint8Array(8))).toThrow(PortError);
    const r = checkChain(port, { terminal: cert('leafB'), intermediates: [offCurve, cert('A')], root: cert('root'), terminalId: '10240001', nowMs: NOW, clockTrusted: true });
    expect(r).toMatchObject({ status: 'fail', code: 'cert.bad-key' });
    expect(r.detail).toMatch(/CA B: key unusable \(the crypto module cannot use the key/);
  });
});
