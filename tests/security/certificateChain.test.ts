/** Chain checks on openssl-made PKIs with fixed dates; signatures verified by node:crypto. */
import { createPublicKey, verify } from 'node:crypto';
import { checkChain, type VerifySignature } from '../../firmware/core/security/certificateChain';
import { parseCertificate, type Certificate } from '../../firmware/core/security/x509';
import { TestPki, type Issued } from '../../host-sim/tools/pki';

const HASH = { 'rsa-pkcs1-sha1': 'sha1', 'rsa-pkcs1-sha256': 'sha256', 'rsa-pkcs1-sha384': 'sha384', 'ecdsa-sha256': 'sha256', 'ecdsa-sha384': 'sha384' } as const;
const nodeVerify: VerifySignature = (scheme, spki, data, signature) =>
  verify(HASH[scheme], data, createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }), signature);

let pki: TestPki;
const c: Record<string, Issued> = {};
const cert = (name: string): Certificate => parseCertificate(new Uint8Array(c[name].der));

beforeAll(() => {
  pki = new TestPki();
  c.root = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Acquirer Root', key: 'rsa', ca: true, from: '20250101000000Z', to: '20400101000000Z' });
  c.sub = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Terminal CA', key: 'ec', issuer: c.root, ca: true, from: '20250101000000Z', to: '20350101000000Z' });
  c.leaf = pki.issue({ subject: '/O=Demo Merchant/CN=10240001', key: 'ec', issuer: c.sub, ca: false, from: '20260101000000Z', to: '20271231235959Z' });
  c.otherRoot = pki.issue({ subject: '/O=Other Acquirer/CN=Other Root', key: 'ec', ca: true, from: '20250101000000Z', to: '20400101000000Z' });
  c.otherSub = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Terminal CA', key: 'ec', issuer: c.otherRoot, ca: true, from: '20250101000000Z', to: '20350101000000Z' });
  c.otherLeaf = pki.issue({ subject: '/O=Demo Merchant/CN=10240001', key: 'ec', issuer: c.otherSub, ca: false, from: '20260101000000Z', to: '20271231235959Z' });
  c.endUser = pki.issue({ subject: '/O=Demo Merchant/CN=Not a CA', key: 'ec', issuer: c.sub, ca: false, from: '20250101000000Z', to: '20350101000000Z' });
});

const NOW = Date.UTC(2026, 10, 26, 9);
const input = (over: Partial<Parameters<typeof checkChain>[1]> = {}) => ({
  terminal: cert('leaf'),
  intermediates: [cert('sub')],
  root: cert('root'),
  terminalId: '10240001',
  nowMs: NOW,
  clockTrusted: true,
  ...over,
});

describe('certificate chain', () => {
  it('passes a good chain and counts the days to the first expiry', () => {
    const f = checkChain(nodeVerify, input());
    expect(f).toMatchObject({ status: 'pass', code: 'cert.ok' });
    expect(f.daysToExpiry).toBe(Math.floor((Date.UTC(2027, 11, 31, 23, 59, 59) - NOW) / 86400000));
  });

  it('warns 30 days before expiry, fails after it and before the start', () => {
    expect(checkChain(nodeVerify, input({ nowMs: Date.UTC(2027, 11, 15) }))).toMatchObject({ status: 'warn', code: 'cert.expiring', daysToExpiry: 16 });
    expect(checkChain(nodeVerify, input({ nowMs: Date.UTC(2028, 0, 2) }))).toMatchObject({ status: 'fail', code: 'cert.expired' });
    expect(checkChain(nodeVerify, input({ nowMs: Date.UTC(2025, 11, 31) }))).toMatchObject({ status: 'fail', code: 'cert.not-yet-valid' });
  });

  it('says "cannot decide", not "expired", when the clock is untrusted, but still checks the signatures', () => {
    expect(checkChain(nodeVerify, input({ nowMs: 5000, clockTrusted: false }))).toMatchObject({ status: 'skip', code: 'cert.cannot-decide' });
    expect(checkChain(nodeVerify, input({ clockTrusted: false, root: cert('otherRoot') }))).toMatchObject({ status: 'fail' });
  });

  it('refuses a chain to another root, even one with the same intermediate name', () => {
    expect(checkChain(nodeVerify, input({ root: cert('otherRoot') }))).toMatchObject({ status: 'fail', code: 'cert.wrong-root' });
    // Same names all the way, different keys: only the signature can tell.
    expect(checkChain(nodeVerify, input({ terminal: cert('otherLeaf'), intermediates: [cert('otherSub')] })).code).toBe('cert.wrong-root');
    expect(checkChain(nodeVerify, input({ intermediates: [cert('otherSub')] }))).toMatchObject({ status: 'fail', code: 'cert.bad-signature' });
  });

  it('refuses a certificate for another terminal, and an issuer that is not a CA', () => {
    expect(checkChain(nodeVerify, input({ terminalId: '10240002' }))).toMatchObject({ status: 'fail', code: 'cert.wrong-terminal' });
    expect(checkChain(nodeVerify, input({ intermediates: [cert('endUser'), cert('sub')] })).status).toBe('fail');
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

describe('trust anchor (review finding)', () => {
  it('accepts a v1 root without extensions as the anchor', () => {
    const v1 = new TestPki();
    const rootIssued = v1.issue({ subject: '/CN=V1 Root', key: 'ec', ca: true, v1: true, from: '20250101000000Z', to: '20400101000000Z' });
    const root = parseCertificate(new Uint8Array(rootIssued.der));
    expect(root).toMatchObject({ version: 1, isCa: false });
    const leaf = v1.issue({ subject: '/CN=10240001', key: 'ec', issuer: rootIssued, ca: false, from: '20260101000000Z', to: '20271231235959Z' });
    expect(checkChain(nodeVerify, input({ terminal: parseCertificate(new Uint8Array(leaf.der)), intermediates: [], root }))).toMatchObject({ status: 'pass' });
  });
});
