/**
 * X.509 v3 certificates (RFC 5280), parsed with the bounded DER reader: the fields a terminal
 * needs to check its own certificate and its chain to the acquirer's root. Walks a fixed
 * structure, so nesting is bounded by this code, not by the input.
 */
import {
  DerError,
  Tag,
  childrenOf,
  content,
  expectNode,
  readAscii,
  readBitStringBytes,
  readBoolean,
  readNode,
  readOid,
  readSmallInteger,
  readTime,
  type DerNode,
} from './der';
import { toHex } from '../bytes';
import type { SignatureScheme } from '../ports';
import { deepFreeze } from '../freeze';

export type PublicKeyAlgorithm = 'rsa' | 'ec-p256' | 'ec-p384';

const SIGNATURE_OIDS: Record<string, SignatureScheme> = deepFreeze({
  '1.2.840.113549.1.1.5': 'rsa-pkcs1-sha1',
  '1.2.840.113549.1.1.11': 'rsa-pkcs1-sha256',
  '1.2.840.113549.1.1.12': 'rsa-pkcs1-sha384',
  '1.2.840.10045.4.3.2': 'ecdsa-sha256',
  '1.2.840.10045.4.3.3': 'ecdsa-sha384',
});
const CURVES: Record<string, PublicKeyAlgorithm> = deepFreeze({ '1.2.840.10045.3.1.7': 'ec-p256', '1.3.132.0.34': 'ec-p384' });
const ATTRIBUTE_NAMES: Record<string, string> = deepFreeze({
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
});
const EXT_BASIC_CONSTRAINTS = '2.5.29.19';
const EXT_KEY_USAGE = '2.5.29.15';
const EXT_SUBJECT_KEY_ID = '2.5.29.14';
const EXT_AUTHORITY_KEY_ID = '2.5.29.35';
/** Extensions understood (or safely ignorable) when marked critical. */
const KNOWN_EXTENSIONS = deepFreeze([EXT_BASIC_CONSTRAINTS, EXT_KEY_USAGE, EXT_SUBJECT_KEY_ID, EXT_AUTHORITY_KEY_ID, '2.5.29.37', '2.5.29.17']);
/** Uncompressed (04) or compressed (02/03) point lengths per curve (SEC 1, 2.3.3). */
const POINT_BYTES: Record<string, { uncompressed: number; compressed: number }> = deepFreeze({
  'ec-p256': { uncompressed: 65, compressed: 33 },
  'ec-p384': { uncompressed: 97, compressed: 49 },
});

export class CertificateError extends Error {
  override readonly name = 'CertificateError';
  constructor(readonly code: 'x509-malformed' | 'x509-unsupported', message: string) {
    super(message);
  }
}

export interface NameAttribute {
  /** Short name (CN, O, …) or the dotted OID when unknown. */
  type: string;
  value: string;
}

export interface DistinguishedName {
  /** The encoded Name: chains match issuer to subject on these bytes. */
  readonly der: Uint8Array;
  /** Read from `der` each time (only messages and screens ask for them). */
  readonly attributes: NameAttribute[];
}

/**
 * A Name kept as its bytes: parseCertificate validates its attributes and drops them, and they
 * are read again when a message or a screen asks. Three certificates' two names of objects and
 * strings were ~100 XS slots held through the chain check, the self-test's lowest moment in
 * mcsim (docs/memory.md, issue 10). A class: the getter is made once at preload.
 */
class EncodedName implements DistinguishedName {
  readonly der: Uint8Array;
  constructor(der: Uint8Array) {
    this.der = der;
  }
  get attributes(): NameAttribute[] {
    return nameAttributes(this.der, readNode(this.der, 0));
  }
}

export interface Certificate {
  der: Uint8Array;
  /** The signed part, as the issuer's signature covers it. */
  tbs: Uint8Array;
  version: number;
  serialHex: string;
  signatureScheme: SignatureScheme;
  signature: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: number;
  notAfter: number;
  publicKey: SubjectPublicKey;
  /** basicConstraints cA, and its pathLenConstraint if any. */
  isCa: boolean;
  pathLength: number | undefined;
  /** keyUsage keyCertSign, or undefined when the extension is absent. */
  keyCertSign: boolean | undefined;
  /** OIDs of critical extensions this code does not understand (RFC 5280: such a certificate must be refused). */
  unknownCritical: string[];
  /** subjectKeyIdentifier, and authorityKeyIdentifier's keyIdentifier (RFC 5280 4.2.1.1–2), when present: path building prefers issuers whose key ids match. */
  subjectKeyId: Uint8Array | undefined;
  authorityKeyId: Uint8Array | undefined;
}

/**
 * The certificate's public key. A key this code cannot use (an algorithm or curve it does not
 * support, key bits that do not decode) does not make the certificate unreadable: `problem` says
 * what is wrong, and the chain check reports it against the certificate that carries it.
 */
export interface SubjectPublicKey {
  algorithm: PublicKeyAlgorithm | 'unusable';
  /** The whole SubjectPublicKeyInfo, as the crypto port takes it. */
  spki: Uint8Array;
  problem: string | undefined;
}

/** The first attribute of `type` in a name (e.g. the CN). */
export function nameAttribute(name: DistinguishedName, type: string): string | undefined {
  return name.attributes.find((a) => a.type === type)?.value;
}

/** "CN=…, O=…" for screens and logs. */
export function formatName(name: DistinguishedName): string {
  return name.attributes.map((a) => `${a.type}=${a.value}`).join(', ');
}

function parseName(bytes: Uint8Array, node: DerNode): DistinguishedName {
  if (node.tag !== Tag.sequence) throw new DerError('der-tag', node.start, 'Name is not a SEQUENCE');
  // Validated now (a malformed Name refuses the certificate), kept as bytes.
  nameAttributes(bytes, node);
  // Views into the certificate's DER, not copies (each copy was one more buffer object, in XS slots, per certificate).
  return new EncodedName(bytes.subarray(node.start, node.end));
}

/** The attributes of the Name at `node` in `bytes`. @throws DerError */
function nameAttributes(bytes: Uint8Array, node: DerNode): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  for (const rdn of childrenOf(bytes, node, 32)) {
    if (rdn.tag !== Tag.set) throw new DerError('der-tag', rdn.start, 'RDN is not a SET');
    for (const atv of childrenOf(bytes, rdn, 8)) {
      const [type, value] = childrenOf(bytes, expectNode(bytes, atv.start, Tag.sequence, rdn.end), 2);
      if (!type || !value) throw new DerError('der-value', atv.start, 'attribute without type or value');
      const oid = readOid(bytes, type);
      attributes.push({ type: ATTRIBUTE_NAMES[oid] ?? oid, value: readAscii(bytes, value) });
    }
  }
  return attributes;
}

function parseSignatureAlgorithm(bytes: Uint8Array, node: DerNode): SignatureScheme {
  const [oidNode] = childrenOf(bytes, expectNode(bytes, node.start, Tag.sequence, node.end), 2);
  if (!oidNode) throw new DerError('der-value', node.start, 'empty AlgorithmIdentifier');
  const oid = readOid(bytes, oidNode);
  const scheme = SIGNATURE_OIDS[oid];
  if (!scheme) throw new CertificateError('x509-unsupported', `signature algorithm ${oid}`);
  return scheme;
}

function parsePublicKey(bytes: Uint8Array, node: DerNode): SubjectPublicKey {
  const [algorithm, key] = childrenOf(bytes, expectNode(bytes, node.start, Tag.sequence, node.end), 2);
  if (!algorithm || !key) throw new DerError('der-value', node.start, 'SubjectPublicKeyInfo incomplete');
  const [oidNode, params] = childrenOf(bytes, expectNode(bytes, algorithm.start, Tag.sequence, algorithm.end), 2);
  if (!oidNode) throw new DerError('der-value', algorithm.start, 'empty AlgorithmIdentifier');
  const bits = readBitStringBytes(bytes, key);
  const oid = readOid(bytes, oidNode);
  const spki = bytes.subarray(node.start, node.end);
  const unusable = (problem: string): SubjectPublicKey => ({ algorithm: 'unusable', spki, problem });
  if (oid === '1.2.840.113549.1.1.1') {
    const problem = rsaKeyProblem(bits);
    return problem ? unusable(problem) : { algorithm: 'rsa', spki, problem: undefined };
  }
  if (oid === '1.2.840.10045.2.1') {
    const curve = params && params.tag === Tag.oid ? CURVES[readOid(bytes, params)] : undefined;
    if (!curve) return unusable('EC key on a curve other than P-256 or P-384');
    const sizes = POINT_BYTES[curve];
    const ok = (bits[0] === 0x04 && bits.length === sizes.uncompressed) || ((bits[0] === 0x02 || bits[0] === 0x03) && bits.length === sizes.compressed);
    return ok ? { algorithm: curve, spki, problem: undefined } : unusable(`${curve} point of ${bits.length} bytes is not a curve point encoding`);
  }
  return unusable(`public key algorithm ${oid} not supported`);
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1), both positive and minimal. */
function rsaKeyProblem(bits: Uint8Array): string | undefined {
  try {
    const seq = readNode(bits, 0);
    if (seq.tag !== Tag.sequence || seq.end !== bits.length) return 'RSA key is not one SEQUENCE';
    const parts = childrenOf(bits, seq, 3);
    if (parts.length !== 2 || parts.some((p) => p.tag !== Tag.integer)) return 'RSA key is not a modulus and an exponent';
    for (const [part, name] of [[parts[0], 'modulus'], [parts[1], 'exponent']] as const) {
      const value = content(bits, part);
      if (value.length === 0 || value[0] & 0x80 || (value.length > 1 && value[0] === 0 && !(value[1] & 0x80))) return `RSA ${name} is not a minimal positive INTEGER`;
    }
    const modulusBytes = parts[0].end - parts[0].contentStart - (bits[parts[0].contentStart] === 0 ? 1 : 0);
    if (modulusBytes < 64 || modulusBytes > 512) return `RSA modulus of ${modulusBytes * 8} bits`;
    return undefined;
  } catch (error) {
    return error instanceof DerError ? `RSA key does not decode: ${error.message}` : 'RSA key does not decode';
  }
}

interface Extensions {
  isCa: boolean;
  pathLength: number | undefined;
  keyCertSign: boolean | undefined;
  unknownCritical: string[];
  subjectKeyId: Uint8Array | undefined;
  authorityKeyId: Uint8Array | undefined;
}

const noExtensions = (): Extensions => ({ isCa: false, pathLength: undefined, keyCertSign: undefined, unknownCritical: [], subjectKeyId: undefined, authorityKeyId: undefined });

function parseExtensions(bytes: Uint8Array, wrapper: DerNode): Extensions {
  const out = noExtensions();
  const list = expectNode(bytes, wrapper.contentStart, Tag.sequence, wrapper.end);
  for (const ext of childrenOf(bytes, list, 32)) {
    const parts = childrenOf(bytes, expectNode(bytes, ext.start, Tag.sequence, list.end), 3);
    if (parts.length < 2) throw new DerError('der-value', ext.start, 'extension without id or value');
    const oid = readOid(bytes, parts[0]);
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const critical = parts.length === 3 && readBoolean(bytes, parts[1]);
    const value = parts[parts.length - 1];
    if (value.tag !== Tag.octetString) throw new DerError('der-tag', value.start, 'extension value is not an OCTET STRING');
    if (oid === EXT_BASIC_CONSTRAINTS) {
      const seq = expectNode(bytes, value.contentStart, Tag.sequence, value.end);
      for (const item of childrenOf(bytes, seq, 2)) {
        if (item.tag === Tag.boolean) out.isCa = readBoolean(bytes, item);
        else if (item.tag === Tag.integer) out.pathLength = readSmallInteger(bytes, item);
        else throw new DerError('der-tag', item.start, 'basicConstraints holds neither cA nor pathLenConstraint');
      }
    } else if (oid === EXT_KEY_USAGE) {
      const bits = content(bytes, expectNode(bytes, value.contentStart, Tag.bitString, value.end));
      // KeyUsage bit 5 is keyCertSign: the sixth bit from the left of the first byte.
      out.keyCertSign = bits.length >= 2 && (bits[1] & 0x04) !== 0;
    } else if (oid === EXT_SUBJECT_KEY_ID) {
      out.subjectKeyId = content(bytes, expectNode(bytes, value.contentStart, Tag.octetString, value.end));
    } else if (oid === EXT_AUTHORITY_KEY_ID) {
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, [1] issuer, [2] serial }
      const seq = expectNode(bytes, value.contentStart, Tag.sequence, value.end);
      const keyId = childrenOf(bytes, seq, 3).find((item) => item.tag === 0x80);
      if (keyId) out.authorityKeyId = content(bytes, keyId);
    } else if (critical && !KNOWN_EXTENSIONS.includes(oid)) out.unknownCritical.push(oid);
  }
  return out;
}

/**
 * Parses one DER certificate.
 * @throws CertificateError 'x509-malformed' (with the DER problem) or 'x509-unsupported'
 */
export function parseCertificate(der: Uint8Array): Certificate {
  try {
    const cert = readNode(der, 0);
    if (cert.tag !== Tag.sequence) throw new DerError('der-tag', 0, 'certificate is not a SEQUENCE');
    if (cert.end !== der.length) throw new DerError('der-trailing', cert.end, `${der.length - cert.end} bytes after the certificate`);
    const [tbsNode, sigAlg, sigValue] = childrenOf(der, cert, 3);
    if (!tbsNode || !sigAlg || !sigValue) throw new DerError('der-value', 0, 'certificate lacks tbsCertificate, algorithm or signature');
    const fields = childrenOf(der, expectNode(der, tbsNode.start, Tag.sequence, tbsNode.end), 10);
    let i = 0;
    let version = 1;
    if (fields[i]?.tag === 0xa0) {
      version = readSmallInteger(der, expectNode(der, fields[i].contentStart, Tag.integer, fields[i].end)) + 1;
      i++;
    }
    if (version !== 3 && version !== 1) throw new CertificateError('x509-unsupported', `X.509 version ${version}`);
    const serial = fields[i++];
    if (!serial || serial.tag !== Tag.integer || serial.end - serial.contentStart > 20 + 1) throw new DerError('der-value', tbsNode.start, 'bad serial number');
    const innerAlg = fields[i++];
    const issuerNode = fields[i++];
    const validity = fields[i++];
    const subjectNode = fields[i++];
    const spkiNode = fields[i++];
    if (!innerAlg || !issuerNode || !validity || !subjectNode || !spkiNode) throw new DerError('der-value', tbsNode.start, 'tbsCertificate incomplete');
    const signatureScheme = parseSignatureAlgorithm(der, sigAlg);
    if (parseSignatureAlgorithm(der, innerAlg) !== signatureScheme) throw new DerError('der-value', innerAlg.start, 'inner and outer signature algorithms differ');
    const [notBeforeNode, notAfterNode] = childrenOf(der, expectNode(der, validity.start, Tag.sequence, validity.end), 2);
    if (!notBeforeNode || !notAfterNode) throw new DerError('der-value', validity.start, 'validity incomplete');
    let extensions = noExtensions();
    for (; i < fields.length; i++) if (fields[i].tag === 0xa3) extensions = parseExtensions(der, fields[i]);
    return {
      der,
      tbs: der.subarray(tbsNode.start, tbsNode.end),
      version,
      serialHex: toHex(content(der, serial)),
      signatureScheme,
      signature: readBitStringBytes(der, sigValue),
      issuer: parseName(der, issuerNode),
      subject: parseName(der, subjectNode),
      notBefore: readTime(der, notBeforeNode),
      notAfter: readTime(der, notAfterNode),
      publicKey: parsePublicKey(der, spkiNode),
      ...extensions,
    };
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    if (error instanceof DerError) throw new CertificateError('x509-malformed', error.message);
    throw error;
  }
}

/**
 * The DER certificates in PEM text ("-----BEGIN CERTIFICATE-----" blocks), in order.
 * @throws CertificateError 'x509-malformed' on bad base64
 */
export function pemToDer(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(pem)) && out.length < 16) out.push(base64Decode(m[1]));
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64Decode(text: string): Uint8Array {
  const clean = text.replace(/[\r\n\t ]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4) throw new CertificateError('x509-malformed', 'PEM body is not base64');
  const body = clean.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const ch of body) {
    value = (value << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out;
}
