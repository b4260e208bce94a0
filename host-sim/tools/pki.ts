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
`;

/** ed25519: a key the terminal does not support (its parser reports it, the chain refuses it). */
export type KeyType = 'rsa' | 'ec' | 'ed25519';

export interface IssueOptions {
  subject: string;
  key: KeyType;
  /** undefined = self-signed. Any certificate may sign (tests make issuers that are not CAs). */
  issuer?: Issued;
  ca: boolean;
  /** openssl's YYYYMMDDHHMMSSZ; from 2050 on openssl writes GeneralizedTime (RFC 5280 4.1.2.5). */
  from: string;
  to: string;
  /** No extensions at all: openssl ca then writes an X.509 v1 certificate. */
  v1?: boolean;
  /** basicConstraints pathLenConstraint (CA certificates). */
  pathLength?: number;
  /** false: no subject/authority key identifiers (openssl 3 adds both by default). */
  keyIds?: boolean;
  /** Certify this certificate's key again instead of a new one (cross-certificates, same-key decoys). */
  keyOf?: Issued;
  /** More lines for the extension section, e.g. '1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:x'. */
  extra?: string[];
}

/** The extension section openssl ca applies to one certificate. */
function extensionSection(options: IssueOptions): string {
  const lines = options.ca
    ? [`basicConstraints = critical,CA:TRUE${options.pathLength === undefined ? '' : `,pathlen:${options.pathLength}`}`, 'keyUsage = critical,keyCertSign,cRLSign']
    : ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature'];
  if (options.keyIds === false) lines.push('subjectKeyIdentifier = none', 'authorityKeyIdentifier = none');
  return `[ ext ]\n${[...lines, ...(options.extra ?? [])].join('\n')}\n`;
}

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

  /** Issues a certificate with openssl ca. */
  issue(options: IssueOptions): Issued {
    const name = `c${++this.#count}`;
    const keyPath = options.keyOf?.keyPath ?? join(this.dir, `${name}.key`);
    const keyArgs = { rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], ec: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], ed25519: ['-algorithm', 'ED25519'] }[options.key];
    if (!options.keyOf) this.#run(['genpkey', ...keyArgs, '-out', keyPath]);
    this.#run(['req', '-new', '-key', keyPath, '-subj', options.subject, '-out', `${name}.csr`]);
    const signer = options.issuer ? ['-cert', options.issuer.certPath, '-keyfile', options.issuer.keyPath] : ['-selfsign', '-keyfile', keyPath];
    const certPath = join(this.dir, `${name}.pem`);
    writeFileSync(join(this.dir, `${name}.ext`), extensionSection(options));
    const extensions = options.v1 ? [] : ['-extfile', `${name}.ext`, '-extensions', 'ext'];
    this.#run(['ca', '-batch', '-config', 'ca.cnf', ...signer, '-in', `${name}.csr`, '-startdate', options.from, '-enddate', options.to, ...extensions, '-out', certPath, '-notext']);
    const pem = readFileSync(certPath, 'utf8');
    const der = this.#run(['x509', '-in', certPath, '-outform', 'DER']);
    return { name, pem, der, keyPath, certPath };
  }
}
