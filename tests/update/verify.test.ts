/**
 * Signed images (update/verify.ts) against openssl: manifests signed by `openssl dgst -sha256
 * -sign` verify in our code under the firmware's trusted demo key; what the toolbox's signImage
 * signs, `openssl dgst -sha256 -verify` accepts; a change of any one byte of the manifest or of
 * the signature is refused by both; a change of any byte of the image (every byte of a small one,
 * a spread of a 64 KB one) fails its SHA-256 (node:crypto) against the manifest; a key the
 * firmware does not trust is refused.
 */
import { readFileSync } from 'node:fs';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { encodeSeal } from '../../firmware/core/update/seal';
import { checkImage, checkImageAgainst, sha256Of, verifyManifest, verifySeal } from '../../firmware/core/update/verify';
import { VENDOR_KEYS } from '../../firmware/core/update/vendorKeys';
import { signImage, vendorKeyFrom } from '../../host-sim/toolbox/image';
import { DEMO_KEY, DEMO_PUB, imageBytes, opensslKey, opensslSigned, opensslVerifies, publicPem, sha256, updateErrorCode as outcome } from './verifyFixtures';

const crypto = NodeCrypto.secure();

const IMAGE = imageBytes(3000);

describe('signatures against openssl', () => {
  it('a manifest openssl signed with the demo key verifies under the trusted keys, as a seal too', () => {
    const { manifest, signature } = opensslSigned(IMAGE);
    expect(verifyManifest(crypto, manifest, signature)).toMatchObject({ version: '1.2.3', keyId: 'xspos-demo-1', size: 3000 });
    expect(verifySeal(crypto, encodeSeal(manifest, signature)).sha256).toEqual(sha256(IMAGE));
  });

  it("signImage's signature is one openssl verifies with the demo public key; its seal verifies here", () => {
    const signed = signImage({ image: IMAGE, version: '2.0.0', security: 1, minVersion: '1.0.0', board: 'moddable_two', buildTime: 1, privateKeyPem: readFileSync(DEMO_KEY) });
    expect(signed.fields.keyId).toBe('xspos-demo-1');
    expect(opensslVerifies(signed.manifest, signed.signature, DEMO_PUB)).toBe(true);
    expect(verifySeal(crypto, signed.seal).version).toBe('2.0.0');
  });

  it('the public key in vendorKeys.ts is the demo private key\'s (openssl pkey -pubout)', () => {
    expect(vendorKeyFrom(readFileSync(DEMO_PUB), 'xspos-demo-1')).toEqual(VENDOR_KEYS[0]);
  });

  it('any one byte of the manifest changed: refused here and by openssl', () => {
    const { manifest, signature } = opensslSigned(IMAGE);
    expect(opensslVerifies(manifest, signature, DEMO_PUB)).toBe(true);
    const verdicts: string[] = [];
    for (let i = 0; i < manifest.length; i++) {
      const changed = manifest.slice();
      changed[i] ^= 1 << (i % 8);
      const ours = outcome(() => verifyManifest(crypto, changed, signature));
      const openssl = opensslVerifies(changed, signature, DEMO_PUB);
      if (ours === 'ok' || openssl) verdicts.push(`byte ${i}: ours ${ours}, openssl ${openssl}`);
      expect(['update-manifest', 'update-key', 'update-signature']).toContain(ours);
    }
    expect(verdicts).toEqual([]);
  });

  it('any one byte of the signature changed, or the signature cut: refused here and by openssl, the same verdict each time', () => {
    const { manifest, signature } = opensslSigned(IMAGE);
    const variants: Uint8Array[] = [signature];
    for (let i = 0; i < signature.length; i++) {
      const changed = signature.slice();
      changed[i] ^= 0x80 >> (i % 8);
      variants.push(changed);
    }
    variants.push(signature.subarray(0, signature.length - 1), Uint8Array.from([...signature, 0]));
    const ours = variants.map((s) => (s.length < 8 ? 'too short' : outcome(() => verifyManifest(crypto, manifest, s))));
    const openssl = variants.map((s) => opensslVerifies(manifest, s, DEMO_PUB));
    expect(ours.map((o) => o === 'ok')).toEqual(openssl);
    expect(openssl.filter(Boolean)).toHaveLength(1);
  });

  it("the signature's twin (r, n − s) is a valid ECDSA signature to openssl and to us alike", () => {
    const { manifest, signature } = opensslSigned(IMAGE);
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    // DER: 30 len 02 rlen r 02 slen s
    const rLength = signature[3];
    const r = signature.subarray(4, 4 + rLength);
    const s = BigInt(`0x${Buffer.from(signature.subarray(6 + rLength)).toString('hex')}`);
    let twin = (n - s).toString(16);
    if (twin.length % 2) twin = `0${twin}`;
    if (parseInt(twin.slice(0, 2), 16) >= 0x80) twin = `00${twin}`;
    const sBytes = Buffer.from(twin, 'hex');
    const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, sBytes.length]), sBytes]);
    const der = new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body]));
    expect(opensslVerifies(manifest, der, DEMO_PUB)).toBe(true);
    expect(outcome(() => verifyManifest(crypto, manifest, der))).toBe('ok');
  });

  it('a key the firmware does not trust is refused: update-key for its own id, update-signature under the demo id', () => {
    const other = opensslKey('untrusted');
    const own = opensslSigned(IMAGE, other, { keyId: 'acme-2027-1' });
    expect(opensslVerifies(own.manifest, own.signature, publicPem(other))).toBe(true);
    expect(outcome(() => verifyManifest(crypto, own.manifest, own.signature))).toBe('update-key');
    // Trusted explicitly (as `image verify --pub` does), the same seal verifies.
    expect(outcome(() => verifyManifest(crypto, own.manifest, own.signature, [vendorKeyFrom(readFileSync(publicPem(other)), 'acme-2027-1')]))).toBe('ok');
    const posing = opensslSigned(IMAGE, other);
    expect(outcome(() => verifySeal(crypto, encodeSeal(posing.manifest, posing.signature)))).toBe('update-signature');
    // signImage will not put the demo key's id on another key, nor sign with an untrusted key without an id.
    const pem = readFileSync(other);
    expect(outcome(() => signImage({ image: IMAGE, version: '1.0.0', security: 0, minVersion: '1.0.0', board: 'b', privateKeyPem: pem, keyId: 'xspos-demo-1' }))).toBe('update-key');
    expect(outcome(() => signImage({ image: IMAGE, version: '1.0.0', security: 0, minVersion: '1.0.0', board: 'b', privateKeyPem: pem }))).toBe('update-key');
  });

  it('an unusable trusted key (not SPKI) is update-key, not a crash', () => {
    const { manifest, signature } = opensslSigned(IMAGE);
    expect(outcome(() => verifyManifest(crypto, manifest, signature, [{ keyId: 'xspos-demo-1', spki: '3000' }]))).toBe('update-key');
  });
});

describe('the image against its manifest', () => {
  it('every byte of a small image changed: update-hash (node:crypto SHA-256 of the changed image)', () => {
    const image = imageBytes(700, 3);
    const { manifest, signature } = opensslSigned(image);
    const fields = verifyManifest(crypto, manifest, signature);
    expect(outcome(() => checkImage(fields, image.length, sha256(image)))).toBe('ok');
    const accepted: number[] = [];
    for (let i = 0; i < image.length; i++) {
      const changed = image.slice();
      changed[i] ^= 0xff;
      if (outcome(() => checkImage(fields, changed.length, sha256(changed))) !== 'update-hash') accepted.push(i);
    }
    expect(accepted).toEqual([]);
  });

  it('a 64 KB image changed at its first, last and a spread of bytes, or a byte longer or shorter, is refused; sha256Of reads it as node:crypto hashes it', () => {
    const image = imageBytes(65536 + 17, 5);
    const { manifest, signature } = opensslSigned(image);
    const fields = verifyManifest(crypto, manifest, signature);
    const read = (bytes: Uint8Array) => (offset: number, length: number) => bytes.subarray(offset, offset + length);
    expect(sha256Of(crypto, read(image), image.length)).toEqual(sha256(image));
    expect(outcome(() => checkImageAgainst(fields, { size: image.length, sha256: sha256Of(crypto, read(image), image.length) }))).toBe('ok');
    for (const at of [0, 1, 4095, 4096, 30000, 65535, 65536, image.length - 1]) {
      const changed = image.slice();
      changed[at] ^= 0x01;
      expect({ at, outcome: outcome(() => checkImageAgainst(fields, { size: changed.length, sha256: sha256Of(crypto, read(changed), changed.length) })) }).toEqual({ at, outcome: 'update-hash' });
    }
    const longer = Uint8Array.from([...image, 0]);
    expect(outcome(() => checkImageAgainst(fields, { size: longer.length, sha256: sha256(longer) }))).toBe('update-size');
    expect(outcome(() => checkImageAgainst(fields, { size: image.length - 1, sha256: sha256(image.subarray(1)) }))).toBe('update-size');
  });
});
