/**
 * Makes the CA public key tables the scenarios provision (host-sim/scenarios/capk/demo.json and
 * one-corrupted.json): `npm run capk`. The keys are
 * our own, made here with node:crypto RSA; the private halves are thrown away. They are no
 * payment scheme's keys: their RIDs start with F, the category ISO/IEC 7816-5 leaves unregistered,
 * so no card names them. The files are committed; run this only to change them (every run makes
 * new keys).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = join(__dirname, '..', 'scenarios', 'capk');

/** Sizes EMV uses (Book 2, Annex A2: up to 1984 bits), exponent 3 mostly, one 65537. */
const PLAN = [
  { rid: 'F000000001', index: 0x01, bits: 1024, exponent: 3 },
  { rid: 'F000000001', index: 0x02, bits: 1152, exponent: 3 },
  { rid: 'F000000001', index: 0x03, bits: 1408, exponent: 3 },
  { rid: 'F000000002', index: 0x01, bits: 1280, exponent: 3 },
  { rid: 'F000000002', index: 0x02, bits: 1536, exponent: 3 },
  { rid: 'F000000002', index: 0x03, bits: 1984, exponent: 3 },
  { rid: 'F000000003', index: 0x01, bits: 1024, exponent: 65537 },
  { rid: 'F000000003', index: 0x02, bits: 1408, exponent: 3 },
  { rid: 'F000000003', index: 0x03, bits: 1984, exponent: 3 },
];

const hex = (bytes: Buffer) => bytes.toString('hex').toUpperCase();

const keys = PLAN.map(({ rid, index, bits, exponent }) => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: exponent });
  const jwk = publicKey.export({ format: 'jwk' });
  const modulus = Buffer.from(jwk.n!, 'base64url');
  const e = Buffer.from(jwk.e!, 'base64url');
  const indexByte = Buffer.of(index);
  // EMV Book 2, 6.1 / Annex A2: SHA-1 over RID ‖ index ‖ modulus ‖ exponent.
  const checksum = createHash('sha1').update(Buffer.from(rid, 'hex')).update(indexByte).update(modulus).update(e).digest();
  return { rid, index: hex(indexByte), exponent: hex(e), modulus: hex(modulus), checksum: hex(checksum), label: `demo ${bits}-bit key ${rid}/${hex(indexByte)}` };
});

/** The third key with one modulus digit changed, its checksum left as it was. */
const corrupted = keys.map((k, i) => {
  if (i !== 2) return k;
  const at = 40;
  const digit = ((parseInt(k.modulus[at], 16) + 1) % 16).toString(16).toUpperCase();
  return { ...k, modulus: k.modulus.slice(0, at) + digit + k.modulus.slice(at + 1) };
});

const source = 'demo CA keys made by host-sim/tools/make-capk.ts with node:crypto RSA (no payment scheme\'s keys; RIDs F… are unregistered)';
const write = (name: string, table: object) => writeFileSync(join(OUT, name), `${JSON.stringify(table, null, 1)}\n`);
write('demo.json', { source, keys });
write('one-corrupted.json', { source: 'demo.json with one modulus digit changed in its third key', keys: corrupted });
console.log(`wrote ${keys.length} demo CA keys to ${OUT}`);
