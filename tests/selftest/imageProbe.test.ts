/**
 * The running image's integrity probe (selftest/probes/imageProbe.ts) on image ports over bytes
 * the test chose: seals signed by openssl with the demo vendor key (or another key), digests and
 * SHA-256 prefixes computed by node:crypto. Both forms of port are met: the whole image file
 * (the device's running image: byteLength includes the appended SHA-256) and the span the
 * appended SHA-256 covers with that digest apart (host-sim's slots, the older ports). Every detail
 * has its Chinese form, and every code its zh and en texts.
 */
import { createHash } from 'node:crypto';
import type { FirmwareImagePort, Ports } from '../../firmware/core/ports';
import { PortError } from '../../firmware/core/ports';
import { IMAGE_PROBE } from '../../firmware/core/selftest/probes/imageProbe';
import type { ProbeOutcome } from '../../firmware/core/selftest/types';
import { codeText } from '../../firmware/core/ui/probeStrings';
import { zhDetail } from '../../firmware/core/ui/detailTexts';
import { encodeSeal, sealSector } from '../../firmware/core/update/seal';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { encodeManifest } from '../../firmware/core/update/manifest';
import { DEMO_KEY, fieldsFor, imageBytes, opensslKey, opensslSign, opensslSigned } from '../update/verifyFixtures';

const sha = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const prefix = (bytes: Uint8Array) => `${Buffer.from(bytes.subarray(0, 8)).toString('hex')}…`;

// 10,000 bytes of image, then its SHA-256 appended (as ESP-IDF's hash_appended and host-sim's sim
// image do): the file the vendor signs.
const BODY = imageBytes(10_000, 9);
const FILE = Uint8Array.from([...BODY, ...sha(BODY)]);

interface PortForm {
  /** The bytes the port reads. */
  bytes: Uint8Array;
  expectedSha256?: Uint8Array;
  seal?: Uint8Array | (() => Uint8Array | undefined);
}

function port({ bytes, expectedSha256, seal }: PortForm): FirmwareImagePort {
  return {
    byteLength: bytes.length,
    expectedSha256,
    read: (offset, length) => {
      if (offset < 0 || offset + length > bytes.length) throw new PortError('flash-bounds', `image read ${offset}+${length} outside 0..${bytes.length}`);
      return bytes.slice(offset, offset + length);
    },
    seal: typeof seal === 'function' ? seal : () => seal,
  };
}

async function probe(image: FirmwareImagePort): Promise<ProbeOutcome> {
  const ports = { system: { image }, crypto: NodeCrypto.secure() } as unknown as Ports;
  return IMAGE_PROBE.run({ ports, trigger: 'boot', resultOf: () => undefined });
}

/** The two forms of port over a file and its appended digest. */
const wholeFile = (file: Uint8Array, seal?: Uint8Array) => port({ bytes: file, expectedSha256: file.slice(-32), seal });
const digestApart = (file: Uint8Array, seal?: Uint8Array) => port({ bytes: file.slice(0, -32), expectedSha256: file.slice(-32), seal });

const signedSeal = (file: Uint8Array, key?: string, changes = {}) => {
  const { manifest, signature } = opensslSigned(file, key, changes);
  return sealSector(encodeSeal(manifest, signature));
};

const seen: ProbeOutcome[] = [];
afterAll(() => {
  // Every outcome met here says its facts on a Chinese screen, and its code has zh and en texts.
  for (const o of seen) {
    expect({ code: o.code, detail: o.detail, zh: zhDetail(o.code, o.detail) !== undefined }).toEqual({ code: o.code, detail: o.detail, zh: true });
    for (const lang of ['zh', 'en'] as const) expect(codeText(lang, o.code)).not.toEqual(codeText(lang, 'code.unknown'));
  }
});
const run = async (image: FirmwareImagePort) => {
  const o = await probe(image);
  seen.push(o);
  return o;
};

describe('image probe: a sealed image', () => {
  const seal = signedSeal(FILE);

  it.each([
    ['the whole file', wholeFile],
    ['the appended digest apart', digestApart],
  ])('passes an image as signed (%s), naming version, key, SHA-256 and size', async (_, form) => {
    expect(await run(form(FILE, seal))).toEqual({ status: 'pass', code: 'image.ok', detail: `version 1.2.3 signed by xspos-demo-1, sha256 ${prefix(sha(FILE))}, ${FILE.length} bytes` });
  });

  it('passes an image without an appended digest whose seal covers it', async () => {
    expect(await run(port({ bytes: BODY, seal: signedSeal(BODY) }))).toMatchObject({ status: 'pass', code: 'image.ok' });
  });

  it.each([0, 4095, 4096, 9999, 10_000, FILE.length - 1])('fails the image with byte %i changed: image.seal-mismatch, the SHA-256 node:crypto computes named', async (at) => {
    const changed = FILE.slice();
    changed[at] ^= 0x01;
    for (const form of [wholeFile, digestApart]) {
      const r = await run(form(changed, seal));
      expect(r).toEqual({ status: 'fail', code: 'image.seal-mismatch', detail: `sha256 ${prefix(sha(changed))}, manifest ${prefix(sha(FILE))}, ${FILE.length} bytes, manifest ${FILE.length} bytes` });
    }
  });

  it('fails an image longer or shorter than its manifest says', async () => {
    const longer = Uint8Array.from([...FILE, 0]);
    expect(await run(port({ bytes: longer, seal }))).toMatchObject({ status: 'fail', code: 'image.seal-mismatch', detail: expect.stringContaining(`${longer.length} bytes, manifest ${FILE.length} bytes`) });
    expect(await run(port({ bytes: FILE.slice(0, -1), seal }))).toMatchObject({ status: 'fail', code: 'image.seal-mismatch' });
  });

  it.each<[string, () => Uint8Array, string]>([
    ['a signature byte changed', () => { const s = seal.slice(); s[7 + s[6] + (s[5] << 8) + 2 + 10] ^= 1; return s; }, 'update-signature'],
    ['a manifest byte changed (the version)', () => { const s = seal.slice(); s[Buffer.from(s).indexOf(Buffer.from('1.2.3')) + 4] = 0x34; return s; }, 'update-signature'],
    ['signed by a key the firmware does not trust', () => signedSeal(FILE, opensslKey('probe-untrusted'), { keyId: 'acme-1' }), 'update-key'],
    ['signed by another key under the demo id', () => signedSeal(FILE, opensslKey('probe-posing')), 'update-signature'],
    ['a malformed seal', () => Uint8Array.from([0x58, 0x53, 0x50, 0x53, 1, 0, 0]), 'update-seal'],
    ['a malformed manifest', () => { const m = encodeManifest(fieldsFor(FILE)); m[0] = 0xa8; return encodeSeal(m, opensslSign(m, DEMO_KEY)); }, 'update-manifest'],
  ])('fails %s: image.signature-bad', async (_, make, code) => {
    const r = await run(wholeFile(FILE, make()));
    expect(r).toMatchObject({ status: 'fail', code: 'image.signature-bad' });
    expect(r.detail.startsWith(`seal refused (${code}): `)).toBe(true);
  });
});

describe('image probe: no seal', () => {
  it.each([
    ['the whole file', wholeFile],
    ['the appended digest apart', digestApart],
  ])('warns image.unsigned and says the digest matched (%s)', async (_, form) => {
    expect(await run(form(FILE))).toEqual({ status: 'warn', code: 'image.unsigned', detail: `no seal; sha256 ${prefix(sha(BODY))} matches the build's digest; ${BODY.length} bytes` });
  });

  it.each([0, 4095, 4096, 9999])('fails the image with byte %i changed: image.digest-mismatch, both digests named', async (at) => {
    const changed = FILE.slice();
    changed[at] ^= 0x01;
    for (const form of [wholeFile, digestApart]) {
      const r = await run(form(changed));
      expect(r).toEqual({ status: 'fail', code: 'image.digest-mismatch', detail: `sha256 ${prefix(sha(changed.subarray(0, BODY.length)))}, expected ${prefix(sha(BODY))}, ${BODY.length} bytes` });
    }
  });

  it('warns image.unsigned when the build recorded no digest either', async () => {
    expect(await run(port({ bytes: BODY }))).toEqual({ status: 'warn', code: 'image.unsigned', detail: `no seal; build recorded no SHA-256; ${BODY.length} bytes` });
  });
});

describe('image probe: read errors', () => {
  it('a seal that cannot be read, or an image that cannot: image.read-error with the reason', async () => {
    const sealFails = port({ bytes: FILE, seal: () => { throw new PortError('flash-io', 'spi timeout'); } });
    expect(await run(sealFails)).toMatchObject({ status: 'fail', code: 'image.read-error', detail: expect.stringContaining('spi timeout') });
    const readFails = { ...wholeFile(FILE, signedSeal(FILE)), read: () => { throw new PortError('flash-io', 'bus error'); } };
    expect(await run(readFails)).toMatchObject({ status: 'fail', code: 'image.read-error', detail: expect.stringContaining('bus error') });
  });
});
