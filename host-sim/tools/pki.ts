/**
 * Certificates for tests and scenarios, made by openssl with fixed dates (`openssl ca -startdate/-enddate`),
 * so every run checks the same validity windows. Each call builds a fresh PKI in a temp folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CONFIG = `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = .
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
countryName = optional
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[ v3_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
`;

export type KeyType = 'rsa' | 'ec';

export interface Issued {
  name: string;
  pem: string;
  der: Buffer;
  keyPath: string;
  certPath: string;
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'xspos-pki-'));
  #count = 0;

  constructor() {
    writeFileSync(join(this.dir, 'ca.cnf'), CONFIG);
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'serial'), '1000\n');
  }

  #run(args: string[]) {
    return execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }

  /**
   * Issues a certificate. `issuer` undefined = self-signed. Dates are openssl's YYYYMMDDHHMMSSZ.
   */
  issue(options: { subject: string; key: KeyType; issuer?: Issued; ca: boolean; from: string; to: string; v1?: boolean }): Issued {
    const name = `c${++this.#count}`;
    const keyPath = join(this.dir, `${name}.key`);
    const keyArgs = options.key === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    this.#run(['genpkey', ...keyArgs, '-out', keyPath]);
    this.#run(['req', '-new', '-key', keyPath, '-subj', options.subject, '-out', `${name}.csr`]);
    const signer = options.issuer ? ['-cert', options.issuer.certPath, '-keyfile', options.issuer.keyPath] : ['-selfsign', '-keyfile', keyPath];
    const certPath = join(this.dir, `${name}.pem`);
    this.#run(['ca', '-batch', '-config', 'ca.cnf', ...signer, '-in', `${name}.csr`, '-startdate', options.from, '-enddate', options.to,
      // Without an extensions section openssl ca writes an X.509 v1 certificate.
      ...(options.v1 ? [] : ['-extensions', options.ca ? 'v3_ca' : 'v3_leaf']), '-out', certPath, '-notext']);
    const pem = readFileSync(certPath, 'utf8');
    const der = this.#run(['x509', '-in', certPath, '-outform', 'DER']);
    return { name, pem, der, keyPath, certPath };
  }
}
