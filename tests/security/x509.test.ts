/** The X.509 parser on openssl-made certificates, and on random and mutated DER. */
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { CertificateError, formatName, nameAttribute, parseCertificate, pemToDer } from '../../firmware/core/security/x509';
import { TestPki, type Issued } from '../../host-sim/tools/pki';

let pki: TestPki;
let root: Issued;
let leaf: Issued;

beforeAll(() => {
  pki = new TestPki();
  root = pki.issue({ subject: '/C=CN/O=Demo Acquirer/CN=Demo Acquirer Root', key: 'rsa', ca: true, from: '20250101000000Z', to: '20350101000000Z' });
  leaf = pki.issue({ subject: '/C=CN/O=Demo Merchant/CN=10240001', key: 'ec', issuer: root, ca: false, from: '20260101000000Z', to: '20261231235959Z' });
});

describe('X.509 parser', () => {
  it('reads what openssl says is in the certificate', () => {
    const cert = parseCertificate(pemToDer(leaf.pem)[0]);
    const text = execFileSync('openssl', ['x509', '-in', leaf.certPath, '-noout', '-serial', '-issuer', '-subject']).toString();
    expect(text).toContain(`serial=${cert.serialHex.toUpperCase()}`);
    expect(cert).toMatchObject({ version: 3, signatureScheme: 'rsa-pkcs1-sha256', isCa: false, keyCertSign: false, unknownCritical: [] });
    expect(cert.publicKey.algorithm).toBe('ec-p256');
    expect(nameAttribute(cert.subject, 'CN')).toBe('10240001');
    expect(formatName(cert.issuer)).toBe('CN=Demo Acquirer Root, O=Demo Acquirer, C=CN'); // openssl ca writes the policy's order
    expect(new Date(cert.notBefore).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(new Date(cert.notAfter).toISOString()).toBe('2026-12-31T23:59:59.000Z');
    // The signed part and the key are exactly openssl's bytes.
    const spki = execFileSync('openssl', ['x509', '-in', leaf.certPath, '-noout', '-pubkey']).toString();
    const spkiDer = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: spki });
    expect(Buffer.from(cert.publicKey.spki).equals(spkiDer)).toBe(true);
    expect(Buffer.from(cert.der).equals(leaf.der)).toBe(true);
  });

  it('reads a CA certificate: RSA key, cA and keyCertSign', () => {
    const cert = parseCertificate(root.der);
    expect(cert).toMatchObject({ isCa: true, keyCertSign: true });
    expect(cert.publicKey.algorithm).toBe('rsa');
    expect(Buffer.from(cert.issuer.der).equals(Buffer.from(cert.subject.der))).toBe(true);
  });

  it('refuses trailing bytes, truncation and a wrong outer tag with typed errors', () => {
    const der = new Uint8Array(leaf.der);
    expect(() => parseCertificate(Uint8Array.from([...der, 0]))).toThrow(CertificateError);
    for (const cut of [0, 1, 2, 10, 100, der.length - 1]) expect(() => parseCertificate(der.subarray(0, cut))).toThrow(CertificateError);
    const bad = der.slice();
    bad[0] = 0x31;
    expect(() => parseCertificate(bad)).toThrow(expect.objectContaining({ code: 'x509-malformed' }));
  });

  it('gives only CertificateError on random bytes and on mutated certificates, and never reads past the input', () => {
    const der = new Uint8Array(leaf.der);
    const check = (bytes: Uint8Array) => {
      // A copy with no spare bytes after it: a read past the end would hit undefined and break the parse.
      const exact = bytes.slice();
      try {
        parseCertificate(exact);
      } catch (error) {
        expect(error).toBeInstanceOf(CertificateError);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), check), { numRuns: 3000 });
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(der.length - 1), value: fc.nat(255) }), { minLength: 1, maxLength: 8 }), (edits) => {
        const copy = der.slice();
        for (const e of edits) copy[e.at] = e.value;
        check(copy);
      }),
      { numRuns: 5000 },
    );
    fc.assert(fc.property(fc.nat(der.length), fc.uint8Array({ maxLength: 16 }), (at, insert) => check(Uint8Array.from([...der.subarray(0, at), ...insert, ...der.subarray(at)]))), { numRuns: 2000 });
  });

  it('gives only CertificateError for every single-byte change of a real certificate', () => {
    for (const cert of [leaf.der, root.der]) {
      const der = new Uint8Array(cert);
      for (let at = 0; at < der.length; at++)
        for (const value of [0x00, 0x01, 0x7f, 0x80, 0xff, der[at] ^ 0x20]) {
          const copy = der.slice();
          copy[at] = value;
          try {
            parseCertificate(copy);
          } catch (error) {
            if (!(error instanceof CertificateError)) throw new Error(`byte ${at} = ${value}: ${String(error)}`);
          }
        }
    }
  });

  it('reads PEM with several certificates, and refuses bad base64', () => {
    expect(pemToDer(leaf.pem + root.pem).map((d) => d.length)).toEqual([leaf.der.length, root.der.length]);
    expect(() => pemToDer('-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----')).toThrow(CertificateError);
  });
});
