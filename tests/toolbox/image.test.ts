/**
 * `xspos-tool image sign | verify | inspect` as an integrator runs it (real processes through
 * bin/xspos-tool.js), judged by openssl: what `image sign` writes, `openssl dgst -sha256 -verify`
 * accepts; `image verify` gives openssl's verdict on good and bad signatures (its own, openssl's,
 * another key's, a byte changed); a one-byte change of the manifest (every byte) or of the image
 * (every byte of a small one) is refused; the key is read from a file or standard input and never
 * printed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '../../host-sim/toolbox/index';
import { encodeSeal } from '../../firmware/core/update/seal';
import { ROOT, tool, tools, type Run } from './cli';
import { DEMO_KEY, DEMO_PUB, dir, imageBytes, opensslKey, opensslSign, opensslSigned, opensslVerifies, publicPem, sha256 } from '../update/verifyFixtures';

const IMAGE = imageBytes(20_000, 1);
const imagePath = join(dir, 'tool-image.bin');
writeFileSync(imagePath, IMAGE);
const SIGN = ['image', 'sign', '--image', imagePath, '--version', '1.4.0', '--security', '12', '--min-version', '1.0.0', '--board', 'moddable_two', '--build-time', '2026-12-01T09:00:00Z'];
const demoPem = readFileSync(DEMO_KEY, 'latin1');
const keyBody = demoPem.split('\n')[1];

function noSecret(r: Run) {
  for (const text of [r.stdout, r.stderr]) {
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(keyBody);
  }
}

/** runTool with files from memory: `files[path]` (the tool's own reading, no process). */
const inMemory = (files: Record<string, Uint8Array>) => (path: string) => {
  if (!(path in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  return files[path];
};

describe('xspos-tool image', () => {
  let prefix = '';
  beforeAll(async () => {
    prefix = join(dir, 'signed');
    const r = await tool([...SIGN, '--key', '-', '--out', prefix], demoPem);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    noSecret(r);
    expect(r.stdout).toContain('version     1.4.0');
    expect(r.stdout).toContain(`sha256      ${Buffer.from(sha256(IMAGE)).toString('hex')}`);
  });

  it('sign (key on standard input) writes a manifest and a DER signature openssl verifies, and a seal of both', () => {
    const manifest = readFileSync(`${prefix}.manifest`);
    const sig = readFileSync(`${prefix}.sig`);
    expect(opensslVerifies(manifest, sig, DEMO_PUB)).toBe(true);
    const seal = readFileSync(`${prefix}.seal`);
    expect(seal.equals(Buffer.from(encodeSeal(manifest, sig)))).toBe(true);
  });

  it('sign reads the key from a file too, and refuses a key pasted in place of the file name without echoing it', async () => {
    const [fromFile, pasted, missing] = await tools([
      [...SIGN, '--key', DEMO_KEY, '--out', join(dir, 'from-file')],
      [...SIGN, '--key', demoPem, '--out', join(dir, 'pasted')],
      [...SIGN, '--key', keyBody, '--out', join(dir, 'pasted')],
    ]);
    expect(fromFile.status).toBe(0);
    expect(opensslVerifies(readFileSync(join(dir, 'from-file.manifest')), readFileSync(join(dir, 'from-file.sig')), DEMO_PUB)).toBe(true);
    // The PEM starts with dashes: the parser takes it for a missing value; its base64 body is refused as a key.
    expect(pasted.stderr).toContain('--key needs a value (FILE)');
    expect(missing.stderr).toContain('--key takes the key\'s FILE name');
    for (const r of [pasted, missing]) {
      expect(r.status).toBe(2);
      noSecret(r);
    }
  });

  it('verify and openssl give the same verdict on good and bad signatures', async () => {
    const manifest = new Uint8Array(readFileSync(`${prefix}.manifest`));
    const good = new Uint8Array(readFileSync(`${prefix}.sig`));
    const other = opensslKey('tool-other');
    const flippedSig = good.slice();
    flippedSig[good.length - 3] ^= 0x10;
    const flippedManifest = manifest.slice();
    flippedManifest[20] ^= 0x01;
    const cases: [string, Uint8Array, Uint8Array, string][] = [
      ['its own signature', manifest, good, DEMO_PUB],
      ["openssl's signature", manifest, opensslSign(manifest, DEMO_KEY), DEMO_PUB],
      ['a signature byte changed', manifest, flippedSig, DEMO_PUB],
      ['a manifest byte changed', flippedManifest, good, DEMO_PUB],
      ["another key's signature", manifest, opensslSign(manifest, other), DEMO_PUB],
      ["another key's signature, that key given", manifest, opensslSign(manifest, other), publicPem(other)],
      ['the demo signature, another key given', manifest, good, publicPem(other)],
    ];
    const files = cases.map(([, m, s], i) => {
      writeFileSync(join(dir, `case${i}.manifest`), m);
      writeFileSync(join(dir, `case${i}.sig`), s);
      return [join(dir, `case${i}.manifest`), join(dir, `case${i}.sig`)];
    });
    const runs = await tools(cases.map(([, , , pub], i) => ['image', 'verify', '--manifest', files[i][0], '--sig', files[i][1], '--pub', pub, '--image', imagePath]));
    const verdicts = cases.map(([name, m, s, pub], i) => ({ name, openssl: opensslVerifies(m, s, pub), tool: runs[i].status === 0 }));
    expect(verdicts.map((v) => v.tool)).toEqual(verdicts.map((v) => v.openssl));
    expect(verdicts.map((v) => v.openssl)).toEqual([true, true, false, false, false, true, false]);
    expect(runs[0].stdout).toMatch(/\nOK signature, size and SHA-256/);
    expect(runs[2].stdout).toContain('REFUSED update-signature');
    expect(runs[2].status).toBe(1);
  });

  it('verify with the trusted keys: the seal passes; a key not in the list exits 1 with update-key; a malformed seal exits 2 with update-seal', async () => {
    const other = opensslKey('tool-untrusted');
    const { manifest, signature } = opensslSigned(IMAGE, other, { keyId: 'acme-2027-1' });
    writeFileSync(join(dir, 'untrusted.seal'), encodeSeal(manifest, signature));
    writeFileSync(join(dir, 'junk.seal'), Buffer.from('XSPS\x01\x00'));
    const [good, untrusted, junk, json] = await tools([
      ['image', 'verify', '--image', imagePath, '--seal', `${prefix}.seal`],
      ['image', 'verify', '--image', imagePath, '--seal', join(dir, 'untrusted.seal')],
      ['image', 'verify', '--image', imagePath, '--seal', join(dir, 'junk.seal')],
      ['image', 'verify', '--image', imagePath, '--seal', join(dir, 'untrusted.seal'), '--json'],
    ]);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('OK signature, size and SHA-256 (key "xspos-demo-1"');
    expect(untrusted.status).toBe(1);
    expect(untrusted.stdout).toContain('REFUSED update-key');
    expect(junk.status).toBe(2);
    expect(junk.stderr).toMatch(/^xspos-tool: UpdateError update-seal: /);
    expect(JSON.parse(json.stdout)).toMatchObject({ verified: false, code: 'update-key', keyId: 'acme-2027-1', version: '1.2.3' });
  });

  it('verify refuses every one-byte change of the manifest, as openssl does', () => {
    const manifest = new Uint8Array(readFileSync(`${prefix}.manifest`));
    const sig = new Uint8Array(readFileSync(`${prefix}.sig`));
    const disagreements: string[] = [];
    for (let i = 0; i < manifest.length; i++) {
      const changed = manifest.slice();
      changed[i] ^= 0x04;
      const read = inMemory({ m: changed, s: sig, p: readFileSync(DEMO_PUB) });
      let ours: string;
      try {
        ours = runTool(['image', 'verify', '--manifest', 'm', '--sig', 's', '--pub', 'p'], read).ok ? 'ok' : 'refused';
      } catch (error) {
        ours = `error ${(error as { code?: string }).code}`;
      }
      const openssl = opensslVerifies(changed, sig, DEMO_PUB);
      if (ours === 'ok' || openssl) disagreements.push(`byte ${i}: tool ${ours}, openssl ${openssl}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('verify refuses every one-byte change of a small image (update-hash) and a byte more or less (update-size)', () => {
    const image = imageBytes(400, 2);
    const { manifest, signature } = opensslSigned(image);
    const seal = encodeSeal(manifest, signature);
    const verdict = (bytes: Uint8Array) => {
      const r = runTool(['image', 'verify', '--image', 'i', '--seal', 's', '--json'], inMemory({ i: bytes, s: seal }));
      return r.ok ? 'ok' : String(r.value.code);
    };
    expect(verdict(image)).toBe('ok');
    const accepted: number[] = [];
    for (let i = 0; i < image.length; i++) {
      const changed = image.slice();
      changed[i] = (changed[i] + 1 + (i % 255)) & 0xff;
      if (verdict(changed) !== 'update-hash') accepted.push(i);
    }
    expect(accepted).toEqual([]);
    expect(verdict(image.subarray(1))).toBe('update-size');
    expect(verdict(Uint8Array.from([...image, 0xff]))).toBe('update-size');
  });

  it('inspect shows the manifest without checking it; help for each command', async () => {
    const other = opensslKey('tool-inspect');
    const { manifest, signature } = opensslSigned(IMAGE, other, { keyId: 'acme-2027-1' });
    writeFileSync(join(dir, 'inspect.seal'), encodeSeal(manifest, signature));
    writeFileSync(join(dir, 'inspect.manifest'), manifest);
    const [seal, bare, help, helpVerify, helpInspect, overview] = await tools([
      ['image', 'inspect', '--seal', join(dir, 'inspect.seal')],
      ['image', 'inspect', '--manifest', join(dir, 'inspect.manifest'), '--json'],
      ['image', 'sign', '--help'],
      ['help', 'image', 'verify'],
      ['image', 'inspect', '-h'],
      ['--help'],
    ]);
    expect(seal.status).toBe(0);
    expect(seal.stdout).toContain('keyId       acme-2027-1');
    expect(seal.stdout).toContain(`signature   ${signature.length} bytes DER ${Buffer.from(signature).toString('hex')}`);
    expect(seal.stdout).toContain('is NOT in the firmware');
    expect(JSON.parse(bare.stdout)).toMatchObject({ version: '1.2.3', board: 'xspos-sim', size: IMAGE.length, sha256: Buffer.from(sha256(IMAGE)).toString('hex'), knownKeyId: false });
    for (const [r, names] of [
      [help, ['--image', '--key', '--version', '--security', '--min-version', '--board', '--build-time', '--key-id', '--out', 'openssl dgst']],
      [helpVerify, ['--seal', '--manifest', '--sig', '--pub', '--image', 'update-signature']],
      [helpInspect, ['--seal', '--manifest']],
      [overview, ['image sign', 'image verify', 'image inspect']],
    ] as const) {
      expect(r.status).toBe(0);
      for (const name of names) expect(r.stdout).toContain(name);
    }
  });

  it.each<[string, string[], string]>([
    ['a version that is not major.minor.patch', ['--version', '1.4'], '--version must be a version'],
    ['a security counter past 2^31', ['--security', '2147483649'], '--security must be'],
    ['a build time that is not a UTC time', ['--build-time', '2026-02-30'], '--build-time must be'],
    ['a board of 33 characters', ['--board', 'b'.repeat(33)], 'update-manifest'],
  ])('sign refuses %s (exit 2)', async (_, change, message) => {
    const args = [...SIGN];
    const at = args.indexOf(change[0]);
    args.splice(at, 2, ...change);
    const r = await tool([...args, '--key', DEMO_KEY, '--out', join(dir, 'refused')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    noSecret(r);
  });

  it('sign refuses an image larger than the moddable_two OTA slot less its seal sector (exit 2), and takes one that just fits', async () => {
    // The slot as ESP-IDF reads the table (firmware/device/esp32/partitions.csv, hex sizes), parsed here on its own.
    const rows = readFileSync(join(ROOT, 'firmware/device/esp32/partitions.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#'))
      .map((l) => l.split(',').map((f) => f.trim()));
    const slot = Math.min(...rows.filter(([, type, sub]) => type === 'app' && sub.startsWith('ota_')).map((r) => parseInt(r[4], 16)));
    expect(slot).toBe(0x1e0000);
    const room = slot - 4096; // the seal's sector (update/seal.ts SEAL_SECTOR_BYTES), the slot's last
    writeFileSync(join(dir, 'fits.bin'), imageBytes(room, 7));
    writeFileSync(join(dir, 'too-big.bin'), imageBytes(room + 1, 7));
    const signArgs = (image: string, board: string, out: string) => ['image', 'sign', '--image', join(dir, image), ...SIGN.slice(4, -4), '--board', board, ...SIGN.slice(-2), '--key', DEMO_KEY, '--out', join(dir, out)];
    const [fits, tooBig, otherBoard] = await tools([
      signArgs('fits.bin', 'moddable_two', 'fits'),
      signArgs('too-big.bin', 'moddable_two', 'too-big'),
      // host-sim's board has a slot per scenario: the toolbox does not judge it.
      signArgs('too-big.bin', 'xspos-sim', 'too-big-sim'),
    ]);
    expect({ status: fits.status, stderr: fits.stderr }).toEqual({ status: 0, stderr: '' });
    expect(fits.stdout).toContain(`size        ${room} bytes`);
    expect(tooBig.status).toBe(2);
    expect(tooBig.stderr).toContain(`UpdateError update-size: --image '${join(dir, 'too-big.bin')}' is ${room + 1} bytes; a moddable_two slot takes at most ${room}`);
    expect(existsSync(join(dir, 'too-big.seal'))).toBe(false);
    expect(otherBoard.status).toBe(0);
    noSecret(tooBig);
  });
});
