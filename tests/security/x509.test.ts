/** The X.509 parser and the DER reader on openssl-made certificates, hand-made DER (X.690), and random and mutated DER. */
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { DerError, readBoolean, readNode, readTime } from '../../firmware/core/security/der';
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

/** The hex octets openssl prints under an extension's heading ("X509v3 Subject Key Identifier:"). */
function opensslExtensionHex(issued: Issued, heading: string): string {
  const text = execFileSync('openssl', ['x509', '-in', issued.certPath, '-noout', '-text']).toString();
  const after = text.slice(text.indexOf(heading) + heading.length).split('\n')[1];
  return after.replace(/keyid:/, '').replace(/[\s:]/g, '').toLowerCase();
}

describe('DER primitives (X.690)', () => {
  const node = (bytes: number[]) => {
    const der = Uint8Array.from(bytes);
    return { der, node: readNode(der, 0) };
  };
  const bool = (bytes: number[]) => {
    const { der, node: n } = node(bytes);
    return readBoolean(der, n);
  };
  const time = (tag: number, text: string) => {
    const { der, node: n } = node([tag, text.length, ...Buffer.from(text, 'latin1')]);
    return readTime(der, n);
  };

  it('reads a BOOLEAN only as one byte 00 or FF (11.1)', () => {
    expect(bool([0x01, 0x01, 0xff])).toBe(true);
    expect(bool([0x01, 0x01, 0x00])).toBe(false);
    for (const bad of [[0x01, 0x01, 0x01], [0x01, 0x01, 0x7f], [0x01, 0x01, 0xfe], [0x01, 0x00], [0x01, 0x02, 0xff, 0xff], [0x01, 0x02, 0x00, 0x00]])
      expect(() => bool(bad)).toThrow(expect.objectContaining({ name: 'DerError', code: 'der-value' }));
    expect(() => bool([0x02, 0x01, 0xff])).toThrow(DerError);
  });

  it('windows only UTCTime years (1950–2049) and takes GeneralizedTime years as written', () => {
    expect(time(0x17, '491231235959Z')).toBe(Date.parse('2049-12-31T23:59:59Z'));
    expect(time(0x17, '500101000000Z')).toBe(Date.parse('1950-01-01T00:00:00Z'));
    expect(time(0x18, '20500101000000Z')).toBe(Date.parse('2050-01-01T00:00:00Z'));
    expect(time(0x18, '19490101000000Z')).toBe(Date.parse('1949-01-01T00:00:00Z'));
    // Years below 100: Date.UTC would make 0049 into 1949.
    expect(time(0x18, '00490101000000Z')).toBe(Date.parse('0049-01-01T00:00:00Z'));
    expect(time(0x18, '99991231235959Z')).toBe(Date.parse('9999-12-31T23:59:59Z'));
    for (const bad of ['20490230000000Z', '20491231240000Z', '2049123123595Z', '20491231235959', '20491231235959.5Z'])
      expect(() => time(0x18, bad)).toThrow(DerError);
  });
});

describe('X.509 fields the path and the probe use', () => {
  it('reads the key identifiers openssl wrote', () => {
    const cert = parseCertificate(pemToDer(leaf.pem)[0]);
    expect(Buffer.from(cert.authorityKeyId!).toString('hex')).toBe(opensslExtensionHex(leaf, 'X509v3 Authority Key Identifier:'));
    expect(Buffer.from(parseCertificate(root.der).subjectKeyId!).toString('hex')).toBe(opensslExtensionHex(root, 'X509v3 Subject Key Identifier:'));
    expect(Buffer.from(cert.authorityKeyId!).equals(Buffer.from(parseCertificate(root.der).subjectKeyId!))).toBe(true);
  });

  it('refuses a critical flag or a cA flag that is a BOOLEAN other than 00/FF', () => {
    const der = new Uint8Array(root.der);
    // basicConstraints (critical, cA TRUE) and keyUsage (critical): every 01 01 FF in the certificate is one of these.
    const at: number[] = [];
    for (let i = 0; i + 2 < der.length; i++) if (der[i] === 0x01 && der[i + 1] === 0x01 && der[i + 2] === 0xff) at.push(i + 2);
    expect(at.length).toBe(3);
    for (const i of at)
      for (const value of [0x01, 0x80, 0xfe]) {
        const copy = der.slice();
        copy[i] = value;
        expect(() => parseCertificate(copy)).toThrow(expect.objectContaining({ code: 'x509-malformed', message: expect.stringContaining('BOOLEAN') }));
      }
  });

  it('reads GeneralizedTime validity (2050 and later) as openssl prints it', () => {
    const far = pki.issue({ subject: '/CN=Far', key: 'ec', issuer: root, ca: false, from: '20491231235959Z', to: '20550630120000Z' });
    const asn1 = execFileSync('openssl', ['asn1parse', '-in', far.certPath]).toString();
    expect(asn1).toMatch(/UTCTIME\s+:491231235959Z/);
    expect(asn1).toMatch(/GENERALIZEDTIME\s+:20550630120000Z/);
    const cert = parseCertificate(new Uint8Array(far.der));
    const printed = (which: string) => Date.parse(execFileSync('openssl', ['x509', '-in', far.certPath, '-noout', `-${which}`]).toString().split('=')[1].trim());
    expect([cert.notBefore, cert.notAfter]).toEqual([printed('startdate'), printed('enddate')]);
  });

  it('keeps a certificate whose key it cannot use readable, saying why (the chain reports it)', () => {
    const ed = pki.issue({ subject: '/CN=Edwards', key: 'ed25519', issuer: root, ca: true, from: '20260101000000Z', to: '20301231235959Z' });
    expect(parseCertificate(new Uint8Array(ed.der)).publicKey).toMatchObject({ algorithm: 'unusable', problem: 'public key algorithm 1.3.101.112 not supported' });
    // The root's RSAPublicKey with its SEQUENCE tag changed: the key bits no longer decode.
    const der = new Uint8Array(root.der);
    const spki = parseCertificate(der).publicKey.spki;
    const bits = Buffer.from(der).indexOf(Buffer.from(spki)) + spki.length - (4 + 5 + 2048 / 8 + 5); // 30 82 01 0a, modulus 02 82 01 01 00 + 256 bytes, exponent 02 03 01 00 01
    expect(der[bits]).toBe(0x30);
    der[bits] = 0x31;
    expect(parseCertificate(der).publicKey).toMatchObject({ algorithm: 'unusable', problem: 'RSA key is not one SEQUENCE' });
    expect(parseCertificate(root.der).publicKey).toMatchObject({ algorithm: 'rsa', problem: undefined });
  });
});
