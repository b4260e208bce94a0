/**
 * The CA key tables the scenarios provision are our own keys (host-sim/tools/make-capk.ts), checked
 * with node:crypto, and the system.capk probe judges them as a terminal must: every demo key
 * passes; the copy with one changed modulus digit fails on exactly that key.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { worldWith } from '../runtime/world';

interface Entry { rid: string; index: string; exponent: string; modulus: string; checksum: string }
const table = (name: string): Entry[] => JSON.parse(readFileSync(join(__dirname, '../../host-sim/scenarios/capk', name), 'utf8')).keys;
const DEMO = table('demo.json');
const CORRUPTED = table('one-corrupted.json');
const sha1 = (k: Entry) => createHash('sha1').update(Buffer.from(k.rid + k.index + k.modulus + k.exponent, 'hex')).digest('hex').toUpperCase();

async function capkResult(capk: string) {
  const world = worldWith({ capk });
  const terminal = createTerminal(world.ports);
  await terminal.boot();
  return terminal.lastReport!.results.find((r) => r.id === 'system.capk');
}

describe('demo CA public keys', () => {
  it('are RSA public keys node:crypto reads, in unregistered RIDs (ISO/IEC 7816-5 category F), with their SHA-1 checksums', () => {
    expect(DEMO).toHaveLength(9);
    for (const k of DEMO) {
      const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(k.modulus, 'hex').toString('base64url'), e: Buffer.from(k.exponent, 'hex').toString('base64url') }, format: 'jwk' });
      expect({ rid: k.rid, bits: key.asymmetricKeyDetails?.modulusLength, exponent: key.asymmetricKeyDetails?.publicExponent, checksum: k.checksum })
        .toEqual({ rid: expect.stringMatching(/^F[0-9A-F]{9}$/), bits: k.modulus.length * 4, exponent: BigInt(parseInt(k.exponent, 16)), checksum: sha1(k) });
    }
  });

  it('one-corrupted.json is demo.json with one modulus digit of one key changed and its checksum kept', () => {
    const changed = DEMO.flatMap((k, i) => {
      const c = CORRUPTED[i];
      const digits = [...k.modulus].filter((d, at) => d !== c.modulus[at]).length;
      return JSON.stringify({ ...k, modulus: '' }) === JSON.stringify({ ...c, modulus: '' }) && digits === 0 ? [] : [{ i, digits, checksum: c.checksum === k.checksum }];
    });
    expect(changed).toEqual([{ i: 2, digits: 1, checksum: true }]);
    expect(sha1(CORRUPTED[2])).not.toBe(CORRUPTED[2].checksum);
  });

  it('a terminal provisioned with them passes system.capk, and fails it on the corrupted key alone', async () => {
    expect(await capkResult('capk/demo.json')).toMatchObject({ status: 'pass', code: 'capk.ok', detail: '9 keys pass their checksum and dates' });
    const bad = CORRUPTED[2];
    expect(await capkResult('capk/one-corrupted.json')).toMatchObject({
      status: 'fail',
      code: 'capk.refused',
      detail: `1 of 9 refused: ${bad.rid}/${bad.index} capk.checksum`,
    });
  });
});
