/**
 * TLS certificates for the simulated acquirer, made by openssl (tools/pki.ts) with fixed dates:
 * a root the terminal trusts and the host's certificate for 127.0.0.1 (subjectAltName IP, as
 * RFC 6125 checks an address), serverAuth. A fresh PKI in a temp folder per call, so no key is
 * ever committed.
 */
import { readFileSync } from 'node:fs';
import { TestPki } from '../tools/pki';

export interface AcquirerTls {
  /** Server certificate and its private key, PEM (AcquirerConfig.tls). */
  cert: string;
  key: string;
  /** The root to trust, PEM and DER (the terminal's NetworkPort tls.ca is DER). */
  rootPem: string;
  rootDer: Uint8Array;
  /** The name the certificate carries. */
  serverName: string;
}

export function issueAcquirerTls(pki: TestPki = new TestPki()): AcquirerTls {
  const root = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Acquirer TLS Root', key: 'ec', ca: true, from: '20250101000000Z', to: '20400101000000Z' });
  const host = pki.issue({
    subject: '/O=Demo Acquirer/CN=127.0.0.1',
    key: 'ec',
    issuer: root,
    ca: false,
    from: '20250101000000Z',
    to: '20350101000000Z',
    extra: ['subjectAltName = IP:127.0.0.1', 'extendedKeyUsage = serverAuth'],
  });
  return { cert: host.pem, key: readFileSync(host.keyPath, 'utf8'), rootPem: root.pem, rootDer: new Uint8Array(root.der), serverName: '127.0.0.1' };
}
