/**
 * The running image's integrity probe (selftest/probes/imageProbe.ts) on image ports over bytes
 * the test chose: seals signed by openssl with the demo vendor key (or another key), digests and
 * SHA-256 prefixes computed by node:crypto. The port is what ports.ts FirmwareImagePort says
 * (the device's runningImage.ts and host-sim's OtaSlots give it so): byteLength is the whole image
 * file, the appended SHA-256 included, and expectedSha256 that appended digest, over the first
 * byteLength − 32 bytes. Every detail has its Chinese form, and every code its zh and en texts.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** Where the image runs: this firmware's version and the update port's board (none: a board without updates). */
interface Board {
  version?: string;
  board?: string | null;
  probe?: typeof IMAGE_PROBE;
}

/** The simulator's board running 1.2.3, the version and board fieldsFor signs. */
async function probe(image: FirmwareImagePort, { version = '1.2.3', board = 'xspos-sim', probe = IMAGE_PROBE }: Board = {}): Promise<ProbeOutcome> {
  const update = board === null ? undefined : { board };
  const ports = { system: { image, firmwareVersion: version }, update, crypto: NodeCrypto.secure() } as unknown as Ports;
  return probe.run({ ports, trigger: 'boot', resultOf: () => undefined });
}

/** The port over a file ending with its appended digest: that digest is expectedSha256 (as read from the file's end). */
const wholeFile = (file: Uint8Array, seal?: Uint8Array) => port({ bytes: file, expectedSha256: file.slice(-32), seal });
/** A body and its SHA-256 appended (node:crypto), as ESP-IDF's hash_appended and the sim image build it. */
const appended = (body: Uint8Array) => Uint8Array.from([...body, ...sha(body)]);

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
const run = async (image: FirmwareImagePort, board?: Board) => {
  const o = await probe(image, board);
  seen.push(o);
  return o;
};

describe('image probe: a sealed image', () => {
  const seal = signedSeal(FILE);

  it('passes an image as signed, naming version, key, the whole file\'s SHA-256 and size', async () => {
    expect(await run(wholeFile(FILE, seal))).toEqual({ status: 'pass', code: 'image.ok', detail: `version 1.2.3 for xspos-sim signed by xspos-demo-1, sha256 ${prefix(sha(FILE))}, ${FILE.length} bytes` });
  });

  // Spans ending inside a 4 KiB read, on its boundary, and files whose appended digest straddles two reads.
  it.each([1, 4063, 4064, 4065, 4096, 8192, 8200])('passes a %i-byte body with its digest appended (the span read in the same pass)', async (n) => {
    const file = appended(imageBytes(n, 3));
    expect(await run(wholeFile(file, signedSeal(file)))).toEqual({ status: 'pass', code: 'image.ok', detail: `version 1.2.3 for xspos-sim signed by xspos-demo-1, sha256 ${prefix(sha(file))}, ${file.length} bytes` });
  });

  it('fails image.digest-mismatch for a file as signed whose appended digest is not its body\'s SHA-256 (both named)', async () => {
    const wrong = Uint8Array.from([...BODY, ...sha(FILE)]);
    expect(await run(wholeFile(wrong, signedSeal(wrong)))).toEqual({ status: 'fail', code: 'image.digest-mismatch', detail: `sha256 ${prefix(sha(BODY))}, expected ${prefix(sha(FILE))}, ${BODY.length} bytes` });
  });

  it('judges the file against the manifest before the appended digest, which the port gives as the bootloader read it', async () => {
    // The file's last bytes changed after the boot: the port still gives the digest read then.
    const changed = FILE.slice();
    changed[FILE.length - 1] ^= 0x01;
    const r = await run(port({ bytes: changed, expectedSha256: sha(BODY), seal }));
    expect(r).toEqual({ status: 'fail', code: 'image.seal-mismatch', detail: `sha256 ${prefix(sha(changed))}, manifest ${prefix(sha(FILE))}, ${FILE.length} bytes, manifest ${FILE.length} bytes` });
  });

  it('passes an image without an appended digest whose seal covers it', async () => {
    expect(await run(port({ bytes: BODY, seal: signedSeal(BODY) }))).toMatchObject({ status: 'pass', code: 'image.ok' });
  });

  it.each([0, 4095, 4096, 9999, 10_000, FILE.length - 1])('fails the image with byte %i changed: image.seal-mismatch, the SHA-256 node:crypto computes named', async (at) => {
    const changed = FILE.slice();
    changed[at] ^= 0x01;
    const r = await run(wholeFile(changed, seal));
    expect(r).toEqual({ status: 'fail', code: 'image.seal-mismatch', detail: `sha256 ${prefix(sha(changed))}, manifest ${prefix(sha(FILE))}, ${FILE.length} bytes, manifest ${FILE.length} bytes` });
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
  it('warns image.unsigned and says the digest over the first byteLength − 32 bytes matched', async () => {
    expect(await run(wholeFile(FILE))).toEqual({ status: 'warn', code: 'image.unsigned', detail: `no seal; sha256 ${prefix(sha(BODY))} matches the build's digest; ${BODY.length} bytes` });
  });

  it.each([1, 4064, 4096, 4097, 8192])('checks a %i-byte body against its appended digest, the span ending where it ends', async (n) => {
    const body = imageBytes(n, 5);
    expect(await run(wholeFile(appended(body)))).toEqual({ status: 'warn', code: 'image.unsigned', detail: `no seal; sha256 ${prefix(sha(body))} matches the build's digest; ${n} bytes` });
  });

  it.each([0, 4095, 4096, 9999])('fails the image with byte %i changed: image.digest-mismatch, both digests named', async (at) => {
    const changed = FILE.slice();
    changed[at] ^= 0x01;
    const r = await run(wholeFile(changed));
    expect(r).toEqual({ status: 'fail', code: 'image.digest-mismatch', detail: `sha256 ${prefix(sha(changed.subarray(0, BODY.length)))}, expected ${prefix(sha(BODY))}, ${BODY.length} bytes` });
  });

  it('fails image.digest-mismatch when the appended digest itself changed (the port gives the changed one)', async () => {
    const changed = FILE.slice();
    changed[FILE.length - 32] ^= 0x01;
    expect(await run(wholeFile(changed))).toEqual({ status: 'fail', code: 'image.digest-mismatch', detail: `sha256 ${prefix(sha(BODY))}, expected ${prefix(changed.subarray(-32))}, ${BODY.length} bytes` });
  });

  it('a port shorter than the 32 bytes its digest needs: the empty span is judged, never read out of bounds', async () => {
    const r = await run(port({ bytes: BODY.slice(0, 10), expectedSha256: sha(BODY) }));
    expect(r).toEqual({ status: 'fail', code: 'image.digest-mismatch', detail: `sha256 ${prefix(sha(new Uint8Array(0)))}, expected ${prefix(sha(BODY))}, 0 bytes` });
  });

  it('warns image.no-digest when the build recorded no digest either (nothing could be checked)', async () => {
    expect(await run(port({ bytes: BODY }))).toEqual({ status: 'warn', code: 'image.no-digest', detail: `${BODY.length} bytes, build recorded no SHA-256` });
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

describe('image probe: a seal from another build, and the demo key', () => {
  it('fails image.seal-mismatch when the manifest names another version than the firmware runs (the image as signed)', async () => {
    const seal = signedSeal(FILE, undefined, { version: '1.2.4' });
    expect(await run(wholeFile(FILE, seal))).toEqual({ status: 'fail', code: 'image.seal-mismatch', detail: 'manifest version 1.2.4, running 1.2.3' });
    expect(await run(wholeFile(FILE, signedSeal(FILE)), { version: '0.1.0-dev' })).toEqual({ status: 'fail', code: 'image.seal-mismatch', detail: 'manifest version 1.2.3, running 0.1.0-dev' });
  });

  it('fails image.seal-mismatch when the manifest names another board than the update port', async () => {
    const seal = signedSeal(FILE, undefined, { board: 'moddable_two' });
    expect(await run(wholeFile(FILE, seal))).toEqual({ status: 'fail', code: 'image.seal-mismatch', detail: 'manifest board moddable_two, this board xspos-sim' });
  });

  it('warns image.demo-key for an image the demo key signed on a field board, or on a board without an update port', async () => {
    const seal = signedSeal(FILE, undefined, { board: 'moddable_two' });
    const facts = `version 1.2.3 for moddable_two signed by xspos-demo-1, sha256 ${prefix(sha(FILE))}, ${FILE.length} bytes`;
    expect(await run(wholeFile(FILE, seal), { board: 'moddable_two' })).toEqual({ status: 'warn', code: 'image.demo-key', detail: `demo key: ${facts}` });
    expect(await run(wholeFile(FILE, seal), { board: null })).toEqual({ status: 'warn', code: 'image.demo-key', detail: `demo key: ${facts}` });
    // A changed image is still a mismatch first: the warning is only for an image as signed.
    const changed = FILE.slice();
    changed[5] ^= 1;
    expect(await run(wholeFile(changed, seal), { board: 'moddable_two' })).toMatchObject({ status: 'fail', code: 'image.seal-mismatch' });
  });

  it("passes an image signed by the vendor's own trusted key on a field board", async () => {
    const key = opensslKey('probe-vendor');
    const spki = Buffer.from(createPublicKey(readFileSync(key)).export({ type: 'spki', format: 'der' })).toString('hex');
    let fieldProbe: typeof IMAGE_PROBE | undefined;
    jest.isolateModules(() => {
      jest.doMock('../../firmware/core/update/vendorKeys', () => {
        const actual = jest.requireActual('../../firmware/core/update/vendorKeys');
        return { ...actual, VENDOR_KEYS: [{ keyId: 'acme-2027-1', spki }, ...actual.VENDOR_KEYS] };
      });
      fieldProbe = require('../../firmware/core/selftest/probes/imageProbe').IMAGE_PROBE;
    });
    const seal = signedSeal(FILE, key, { board: 'moddable_two', keyId: 'acme-2027-1' });
    const o = await run(wholeFile(FILE, seal), { board: 'moddable_two', probe: fieldProbe });
    expect(o).toEqual({ status: 'pass', code: 'image.ok', detail: `version 1.2.3 for moddable_two signed by acme-2027-1, sha256 ${prefix(sha(FILE))}, ${FILE.length} bytes` });
    // The same list, the demo key's seal: still the warning.
    expect(await run(wholeFile(FILE, signedSeal(FILE, undefined, { board: 'moddable_two' })), { board: 'moddable_two', probe: fieldProbe })).toMatchObject({ status: 'warn', code: 'image.demo-key' });
  });
});
