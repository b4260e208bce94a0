/** Chain checks on openssl-made PKIs with fixed dates; signatures verified by node:crypto. */
import { execFileSync } from 'node:child_process';
import { checkChain } from '../../firmware/core/security/certificateChain';
import { parseCertificate } from '../../firmware/core/security/x509';
import { TestPki, type Issued } from '../../host-sim/tools/pki';
import { FROM, NOW, TO, nodeVerify, parsed } from './chainHelpers';

let pki: TestPki;
const c: Record<string, Issued> = {};
const cert = (name: string) => parsed(c[name]);
const DAY = 86400000;

beforeAll(() => {
  pki = new TestPki();
  c.root = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Acquirer Root', key: 'rsa', ca: true, from: FROM, to: TO });
  c.sub = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Terminal CA', key: 'ec', issuer: c.root, ca: true, from: FROM, to: '20350101000000Z' });
  c.leaf = pki.issue({ subject: '/O=Demo Merchant/CN=10240001', key: 'ec', issuer: c.sub, ca: false, from: '20260101000000Z', to: '20271231235959Z' });
  c.expiredLeaf = pki.issue({ subject: '/O=Demo Merchant/CN=10240001', key: 'ec', issuer: c.sub, ca: false, from: '20240101000000Z', to: '20260630235959Z' });
  c.otherRoot = pki.issue({ subject: '/O=Other Acquirer/CN=Other Root', key: 'ec', ca: true, from: FROM, to: TO });
  c.otherSub = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Terminal CA', key: 'ec', issuer: c.otherRoot, ca: true, from: FROM, to: '20350101000000Z' });
  c.otherLeaf = pki.issue({ subject: '/O=Demo Merchant/CN=10240001', key: 'ec', issuer: c.otherSub, ca: false, from: '20260101000000Z', to: '20271231235959Z' });
  // An end-entity certificate that signs anyway: openssl ca does not ask whether its -cert is a CA.
  c.endUser = pki.issue({ subject: '/O=Demo Merchant/CN=Not a CA', key: 'ec', issuer: c.sub, ca: false, from: FROM, to: '20350101000000Z' });
  c.underEndUser = pki.issue({ subject: '/O=Demo Merchant/CN=10240001', key: 'ec', issuer: c.endUser, ca: false, from: '20260101000000Z', to: '20271231235959Z' });
  // pathLenConstraint 0: no intermediate CA may stand below Demo Terminal CA 0.
  c.pathLen0 = pki.issue({ subject: '/CN=Demo Terminal CA 0', key: 'ec', issuer: c.root, ca: true, pathLength: 0, from: FROM, to: TO });
  c.pathLen1 = pki.issue({ subject: '/CN=Demo Terminal CA 0', key: 'ec', keyOf: c.pathLen0, issuer: c.root, ca: true, pathLength: 1, from: FROM, to: TO });
  c.below = pki.issue({ subject: '/CN=Demo Shop CA', key: 'ec', issuer: c.pathLen0, ca: true, from: FROM, to: TO });
  c.belowLeaf = pki.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.below, ca: false, from: FROM, to: '20300101000000Z' });
  const unknownCritical = ['1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:xspos test'];
  c.oddSub = pki.issue({ subject: '/CN=Odd Terminal CA', key: 'ec', issuer: c.root, ca: true, extra: unknownCritical, from: FROM, to: TO });
  c.oddSubLeaf = pki.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.oddSub, ca: false, from: FROM, to: '20300101000000Z' });
  c.oddLeaf = pki.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.sub, ca: false, extra: unknownCritical, from: FROM, to: '20300101000000Z' });
  // From 2050 on, openssl writes GeneralizedTime (RFC 5280 4.1.2.5).
  c.farSub = pki.issue({ subject: '/CN=Far Terminal CA', key: 'ec', issuer: c.root, ca: true, from: '20250101000000Z', to: '20551231235959Z' });
  c.farLeaf = pki.issue({ subject: '/CN=10240001', key: 'ec', issuer: c.farSub, ca: false, from: '20510301120000Z', to: '20530101000000Z' });
});

const input = (over: Partial<Parameters<typeof checkChain>[1]> = {}) => ({
  terminal: cert('leaf'),
  intermediates: [cert('sub')],
  root: cert('root'),
  terminalId: '10240001',
  nowMs: NOW,
  clockTrusted: true,
  ...over,
});
const codes = (r: ReturnType<typeof checkChain>) => r.findings.map((f) => f.code);
/** The date openssl prints for a certificate's notBefore/notAfter, as ms (independent of the DER reader). */
const opensslDate = (issued: Issued, which: 'startdate' | 'enddate') =>
  Date.parse(execFileSync('openssl', ['x509', '-in', issued.certPath, '-noout', `-${which}`]).toString().split('=')[1].trim());

describe('certificate chain', () => {
  it('passes a good chain and counts the days to the first expiry', () => {
    const f = checkChain(nodeVerify, input());
    expect(f).toMatchObject({ status: 'pass', code: 'cert.ok', path: ['10240001', 'Demo Terminal CA', 'Demo Acquirer Root'] });
    expect(f.daysToExpiry).toBe(Math.floor((opensslDate(c.leaf, 'enddate') - NOW) / DAY));
  });

  it('warns 30 days before expiry, fails after it, and says in how many days a certificate becomes valid', () => {
    expect(checkChain(nodeVerify, input({ nowMs: Date.UTC(2027, 11, 15) }))).toMatchObject({ status: 'warn', code: 'cert.expiring', daysToExpiry: 16 });
    expect(checkChain(nodeVerify, input({ nowMs: Date.UTC(2028, 0, 2) }))).toMatchObject({ status: 'fail', code: 'cert.expired' });
    const early = Date.UTC(2025, 11, 20, 12);
    const notYet = checkChain(nodeVerify, input({ nowMs: early }));
    expect(notYet).toMatchObject({ status: 'fail', code: 'cert.not-yet-valid' });
    // 11.5 days before 2026-01-01T00:00Z: valid in 12 days (whole days, rounded up).
    expect(Math.ceil((opensslDate(c.leaf, 'startdate') - early) / DAY)).toBe(12);
    expect(notYet.detail).toContain('in 12 day(s)');
  });

  it('says "cannot decide", not "expired", when the clock is untrusted, but still checks the signatures', () => {
    expect(checkChain(nodeVerify, input({ nowMs: 5000, clockTrusted: false }))).toMatchObject({ status: 'skip', code: 'cert.cannot-decide' });
    expect(checkChain(nodeVerify, input({ clockTrusted: false, root: cert('otherRoot') }))).toMatchObject({ status: 'fail', code: 'cert.wrong-root' });
  });

  it('refuses a chain to another root, even one with the same intermediate name', () => {
    expect(checkChain(nodeVerify, input({ root: cert('otherRoot') }))).toMatchObject({ status: 'fail', code: 'cert.wrong-root' });
    // Same names all the way, different keys: only the key ids and the signature can tell.
    expect(checkChain(nodeVerify, input({ terminal: cert('otherLeaf'), intermediates: [cert('otherSub')] })).code).toBe('cert.wrong-root');
    expect(checkChain(nodeVerify, input({ intermediates: [cert('otherSub')] }))).toMatchObject({ status: 'fail', code: 'cert.bad-signature' });
  });

  it('says the chain is broken when the terminal certificate’s issuer was not given', () => {
    const r = checkChain(nodeVerify, input({ intermediates: [] }));
    expect(r).toMatchObject({ status: 'fail', code: 'cert.chain-broken', path: [] });
    expect(r.detail).toContain('Demo Terminal CA');
  });

  it('refuses a tampered certificate: its signature no longer verifies', () => {
    const der = new Uint8Array(c.leaf.der);
    const tampered = der.slice();
    const at = Buffer.from(der).indexOf(Buffer.from('10240001'));
    tampered[at + 7] = 0x32; // CN 10240001 → 10240002
    const forged = parseCertificate(tampered);
    expect(checkChain(nodeVerify, input({ terminal: forged, terminalId: '10240002' }))).toMatchObject({ status: 'fail', code: 'cert.bad-signature' });
  });
});

describe('every finding is reported', () => {
  it('a wrong terminal ID does not hide an expiry: both are findings, the binding first', () => {
    const r = checkChain(nodeVerify, input({ terminal: cert('expiredLeaf'), terminalId: '10240002' }));
    expect(codes(r)).toEqual(['cert.wrong-terminal', 'cert.expired']);
    expect(r).toMatchObject({ status: 'fail', code: 'cert.wrong-terminal' });
    expect(r.findings[1].detail).toContain('2026-06-30');
  });

  it('a broken path does not hide the dates of the certificates it reached', () => {
    const r = checkChain(nodeVerify, input({ terminal: cert('expiredLeaf'), intermediates: [] }));
    expect(codes(r)).toEqual(['cert.chain-broken', 'cert.expired']);
  });

  it('a warning never outranks a failure, whichever comes first', () => {
    const r = checkChain(nodeVerify, input({ terminalId: '10240002', nowMs: Date.UTC(2027, 11, 15) }));
    expect(codes(r)).toEqual(['cert.wrong-terminal', 'cert.expiring']);
    expect(r.status).toBe('fail');
  });
});

describe('issuers and extensions (openssl-made)', () => {
  it('refuses an issuer that is not a CA even though its signature verifies', () => {
    const r = checkChain(nodeVerify, input({ terminal: cert('underEndUser'), intermediates: [cert('endUser'), cert('sub')] }));
    expect(cert('endUser')).toMatchObject({ isCa: false, keyCertSign: false });
    expect(r).toMatchObject({ status: 'fail', code: 'cert.not-ca' });
    expect(r.detail).toContain('Not a CA');
  });

  it('refuses a path longer than an issuer’s pathLenConstraint, and passes when the constraint allows it', () => {
    expect(cert('pathLen0').pathLength).toBe(0);
    const r = checkChain(nodeVerify, input({ terminal: cert('belowLeaf'), intermediates: [cert('below'), cert('pathLen0')] }));
    expect(r).toMatchObject({ status: 'fail', code: 'cert.not-ca' });
    expect(r.detail).toMatch(/allows 0 intermediate/);
    // The same key certified with pathlen 1 (a re-issued CA certificate) makes the path valid.
    expect(checkChain(nodeVerify, input({ terminal: cert('belowLeaf'), intermediates: [cert('below'), cert('pathLen0'), cert('pathLen1')] }))).toMatchObject({
      status: 'pass',
      path: ['10240001', 'Demo Shop CA', 'Demo Terminal CA 0', 'Demo Acquirer Root'],
    });
  });

  it('refuses an unknown critical extension on an intermediate and on the terminal certificate', () => {
    expect(cert('oddSub').unknownCritical).toEqual(['1.3.6.1.4.1.55555.1']);
    expect(checkChain(nodeVerify, input({ terminal: cert('oddSubLeaf'), intermediates: [cert('oddSub')] }))).toMatchObject({ status: 'fail', code: 'cert.critical-extension' });
    const r = checkChain(nodeVerify, input({ terminal: cert('oddLeaf'), terminalId: '10240002' }));
    expect(codes(r)).toEqual(['cert.critical-extension', 'cert.wrong-terminal']);
  });

  it('judges GeneralizedTime validity (dates from 2050) as openssl reads them', () => {
    const far = cert('farLeaf');
    expect([far.notBefore, far.notAfter]).toEqual([opensslDate(c.farLeaf, 'startdate'), opensslDate(c.farLeaf, 'enddate')]);
    expect(cert('farSub').notAfter).toBe(opensslDate(c.farSub, 'enddate'));
    const farInput = (nowMs: number) => input({ terminal: far, intermediates: [cert('farSub')], nowMs, root: cert('root') });
    // The root expires in 2040: the far chain is judged against a root that still is valid.
    const longRoot = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Acquirer Root', key: 'rsa', keyOf: c.root, ca: true, from: FROM, to: '20991231235959Z' });
    const judged = (nowMs: number) => checkChain(nodeVerify, { ...farInput(nowMs), root: parsed(longRoot) });
    expect(judged(Date.UTC(2052, 5, 1))).toMatchObject({ status: 'pass', code: 'cert.ok' });
    expect(judged(Date.UTC(2051, 1, 27, 12))).toMatchObject({ code: 'cert.not-yet-valid' });
    expect(judged(Date.UTC(2051, 1, 27, 12)).detail).toContain('2051-03-01, in 2 day(s)');
    expect(judged(Date.UTC(2053, 0, 2)).findings.map((f) => f.detail)).toEqual(['10240001 expired 2053-01-01, 1 day(s) ago']);
    expect(codes(checkChain(nodeVerify, farInput(Date.UTC(2052, 5, 1))))).toEqual(['cert.expired']); // the 2040 root
  });
});

describe('trust anchor (review finding)', () => {
  it('accepts a v1 root without extensions as the anchor', () => {
    const v1 = new TestPki();
    const rootIssued = v1.issue({ subject: '/CN=V1 Root', key: 'ec', ca: true, v1: true, from: FROM, to: TO });
    const root = parsed(rootIssued);
    expect(root).toMatchObject({ version: 1, isCa: false });
    const leaf = v1.issue({ subject: '/CN=10240001', key: 'ec', issuer: rootIssued, ca: false, from: '20260101000000Z', to: '20271231235959Z' });
    expect(checkChain(nodeVerify, input({ terminal: parsed(leaf), intermediates: [], root }))).toMatchObject({ status: 'pass' });
  });
});
