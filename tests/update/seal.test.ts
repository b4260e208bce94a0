/**
 * The seal envelope (update/seal.ts): its bytes as the contract lays them out, built here with
 * Buffer's own writers; a slot's sector form (0xFF to 4096) read as the served form; and 10,000
 * seeded mutations of a good seal (bit flips, byte changes, cuts, insertions, length fields)
 * through parseSeal and verifySeal: each either refused with an UpdateError, or, when it
 * verifies, carrying the very manifest and signature openssl signed.
 */
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { UpdateError } from '../../firmware/core/update/errors';
import { encodeSeal, parseSeal, SEAL_SECTOR_BYTES, sealSector } from '../../firmware/core/update/seal';
import { decodeManifest } from '../../firmware/core/update/manifest';
import { verifySeal } from '../../firmware/core/update/verify';
import { imageBytes, opensslSigned, Prng, updateErrorCode as code } from './verifyFixtures';

const crypto = NodeCrypto.secure();
const { manifest, signature } = opensslSigned(imageBytes(4000));

describe('seal', () => {
  it('is "XSPS", format 1, u16be manifest length, manifest, u16be signature length, signature', () => {
    const u16 = (n: number) => {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(n);
      return b;
    };
    const expected = Buffer.concat([Buffer.from('XSPS', 'ascii'), Buffer.from([1]), u16(manifest.length), manifest, u16(signature.length), signature]);
    expect(Buffer.from(encodeSeal(manifest, signature)).toString('hex')).toBe(expected.toString('hex'));
  });

  it('reads the served form and the sector form (0xFF to 4096 bytes) alike', () => {
    const seal = encodeSeal(manifest, signature);
    const sector = sealSector(seal);
    expect(sector.length).toBe(SEAL_SECTOR_BYTES);
    expect(sector.subarray(seal.length).every((b) => b === 0xff)).toBe(true);
    for (const form of [seal, sector]) {
      const parsed = parseSeal(form);
      expect(parsed.manifest).toEqual(manifest);
      expect(parsed.signature).toEqual(signature);
      expect(parsed.fields).toEqual(decodeManifest(manifest));
      expect(verifySeal(crypto, form).keyId).toBe('xspos-demo-1');
    }
  });

  it.each<[string, (s: Uint8Array) => Uint8Array, string]>([
    ['a byte after the signature not erased', (s) => { const t = sealSector(s); t[4000] = 0xfe; return t; }, 'update-seal'],
    ['a byte more than a sector', (s) => Uint8Array.from([...sealSector(s), 0xff]), 'update-seal'],
    ['another magic', (s) => Uint8Array.from([0x58, 0x53, 0x50, 0x54, ...s.subarray(4)]), 'update-seal'],
    ['format 2', (s) => Uint8Array.from([...s.subarray(0, 4), 2, ...s.subarray(5)]), 'update-seal'],
    ['a manifest length of 0', (s) => Uint8Array.from([...s.subarray(0, 5), 0, 0, ...s.subarray(7)]), 'update-seal'],
    ['a manifest length past the seal', (s) => Uint8Array.from([...s.subarray(0, 5), 0x03, 0xff, ...s.subarray(7)]), 'update-seal'],
    ['a signature length of 0', (s) => { const t = s.slice(); t[7 + manifest.length] = 0; t[8 + manifest.length] = 0; return t; }, 'update-seal'],
    ['a signature cut', (s) => s.subarray(0, s.length - 1), 'update-seal'],
    ['an erased sector', () => new Uint8Array(SEAL_SECTOR_BYTES).fill(0xff), 'update-seal'],
    ['a zeroed sector', () => new Uint8Array(SEAL_SECTOR_BYTES), 'update-seal'],
    ['empty', () => new Uint8Array(0), 'update-seal'],
    ['the manifest one byte short (its length one less)', (s) => { const t = Uint8Array.from([...s.subarray(0, 6 + manifest.length), ...s.subarray(7 + manifest.length)]); t[6] -= 1; return t; }, 'update-manifest'],
  ])('refuses %s', (_, change, expected) => {
    expect(code(() => parseSeal(change(encodeSeal(manifest, signature))))).toBe(expected);
  });

  it('10,000 seeded mutations: only UpdateErrors, and whatever verifies is the manifest and signature openssl signed', () => {
    const good = encodeSeal(manifest, signature);
    const rng = new Prng(0x5eed10);
    const codes = new Map<string, number>();
    let verified = 0;
    for (let n = 0; n < 10_000; n++) {
      let bytes = (rng.below(4) === 0 ? sealSector(good) : good).slice();
      for (let k = 1 + rng.below(3); k > 0; k--) {
        const at = rng.below(Math.max(bytes.length, 1));
        switch (rng.below(7)) {
          case 0: bytes[at] ^= 1 << rng.below(8); break;
          case 1: bytes[at] = rng.below(256); break;
          case 2: bytes = bytes.slice(0, at); break;
          case 3: bytes = Uint8Array.from([...bytes.subarray(0, at), rng.below(256), ...bytes.subarray(at)]); break;
          case 4: bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]); break;
          // The length fields: the manifest's (5, 6) and the signature's.
          case 5: bytes[5 + rng.below(2)] = rng.below(256); break;
          default: { const i = 7 + manifest.length + rng.below(2); if (i < bytes.length) bytes[i] = rng.below(256); }
        }
      }
      let outcome: string;
      try {
        const fields = verifySeal(crypto, bytes);
        const parsed = parseSeal(bytes);
        expect([Buffer.from(parsed.manifest).equals(Buffer.from(manifest)), Buffer.from(parsed.signature).equals(Buffer.from(signature))]).toEqual([true, true]);
        expect(fields.keyId).toBe('xspos-demo-1');
        outcome = 'ok';
        verified++;
      } catch (error) {
        if (!(error instanceof UpdateError)) throw new Error(`mutation ${n} threw ${String(error)}`);
        outcome = error.code;
      }
      codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
    }
    // Every kind of refusal is met, and most mutations are refused.
    expect([...codes.keys()].sort()).toEqual(expect.arrayContaining(['update-manifest', 'update-seal', 'update-signature']));
    expect(verified).toBeLessThan(1000);
  });

  it('10,000 seeded mutations of the manifest alone: decodeManifest throws only UpdateError update-manifest', () => {
    const rng = new Prng(0xc0b0);
    let accepted = 0;
    for (let n = 0; n < 10_000; n++) {
      const bytes = manifest.slice();
      for (let k = 1 + rng.below(4); k > 0; k--) bytes[rng.below(bytes.length)] = rng.below(4) === 0 ? [0x18, 0x19, 0x1a, 0x1b, 0x5f, 0x7f, 0xbf, 0xff, 0xfb, 0xc0][rng.below(10)] : rng.below(256);
      try {
        decodeManifest(bytes.subarray(0, bytes.length - rng.below(3)));
        accepted++;
      } catch (error) {
        if (!(error instanceof UpdateError) || error.code !== 'update-manifest') throw new Error(`mutation ${n} threw ${String(error)}`);
      }
    }
    // Some mutations only change a value within range (a version digit, a hash byte): those decode.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(10_000);
  });
});
