/**
 * `cert check` and `capk check` as processes: exit 0 when the check passes, 1 when it ran and
 * failed (with every finding), on the demo certificates (PEM and DER) and on CA key tables made
 * here with node:crypto; the published EMV table when ../shared is beside the project.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl, ROOT, tools, type Run } from './cli';

const CERTS = join(ROOT, 'host-sim/scenarios/certs');
const PUBLISHED = join(ROOT, '../shared/testdata/emv-capk/capk.json');
const AT = ['--at', '2026-11-26T09:00:00Z'];
const dir = mkdtempSync(join(tmpdir(), 'xspos-checks-'));

const outcome = (r: Run) => ({ status: r.status, stderr: r.stderr, json: JSON.parse(r.stdout || 'null') });

/** A CA key as EMV tables publish it: checksum = SHA-1(RID ‖ index ‖ modulus ‖ exponent) (EMV Book 2, Annex A2). */
function caKey(rid: string, index: number, exponent: 3 | 65537, expiry?: string) {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent: exponent });
  const jwk = publicKey.export({ format: 'jwk' });
  const modulus = Buffer.from(jwk.n!, 'base64url').toString('hex').toUpperCase();
  const exp = exponent === 3 ? '03' : '010001';
  const checksum = createHash('sha1').update(Buffer.from(`${rid}${index.toString(16).padStart(2, '0')}${modulus}${exp}`, 'hex')).digest('hex').toUpperCase();
  return { rid, index: index.toString(16).padStart(2, '0').toUpperCase(), modulus, exponent: exp, checksum, ...(expiry ? { expiry } : {}) };
}

describe('toolbox checks', () => {
  it('cert check: the demo chain passes (PEM and DER); expiry, terminal ID and root failures exit 1 with every finding', async () => {
    const der = join(dir, 'terminal.der');
    writeFileSync(der, openssl(['x509', '-in', join(CERTS, 'terminal.pem'), '-outform', 'DER'], Buffer.alloc(0)));
    const check = (cert: string, tid: string, root = 'root.pem', chain = ['--chain', join(CERTS, 'terminal-ca.pem')]) => ['cert', 'check', '--cert', cert, ...chain, '--root', join(CERTS, root), '--tid', tid, ...AT];
    const [ok, fromDer, twoChains, expiredWrongTid, wrongRoot, text] = await tools([
      [...check(join(CERTS, 'terminal.pem'), '10240001'), '--json'],
      [...check(der, '10240001'), '--json'],
      [...check(join(CERTS, 'terminal.pem'), '10240001', 'root.pem', ['--chain', join(CERTS, 'other-terminal-ca.pem'), '--chain', join(CERTS, 'terminal-ca.pem')]), '--json'],
      [...check(join(CERTS, 'terminal-expired.pem'), '10240002'), '--json'],
      [...check(join(CERTS, 'terminal.pem'), '10240001', 'terminal-ca.pem', []), '--json'],
      check(join(CERTS, 'terminal-expired.pem'), '10240002'),
    ]);
    for (const r of [ok, fromDer, twoChains]) expect(outcome(r)).toMatchObject({ status: 0, stderr: '', json: { status: 'pass', code: 'cert.ok' } });
    expect(outcome(expiredWrongTid)).toMatchObject({ status: 1, stderr: '', json: { status: 'fail' } });
    expect(outcome(expiredWrongTid).json.findings.map((f: { code: string }) => f.code).sort()).toEqual(['cert.expired', 'cert.wrong-terminal']);
    expect(outcome(wrongRoot)).toMatchObject({ status: 1, json: { status: 'fail' } });
    expect(text.status).toBe(1);
    expect(text.stdout.split('\n').filter(Boolean).sort()).toEqual([expect.stringMatching(/^FAIL cert\.expired: /), expect.stringMatching(/^FAIL cert\.wrong-terminal: /)]);
  });

  it('capk check: a table made here passes; a bad checksum, a changed modulus or an expiry exit 1 naming the key', async () => {
    const good = [caKey('A000000003', 0x92, 3, '2030-12-31'), caKey('A000000004', 0xf1, 65537)];
    const badChecksum = [good[0], { ...good[1], checksum: `${good[1].checksum.slice(0, -2)}00`.replace(/00$/, good[1].checksum.endsWith('00') ? '01' : '00') }];
    const changedModulus = [{ ...good[0], modulus: `${good[0].modulus.slice(0, -2)}${good[0].modulus.endsWith('FF') ? 'FE' : 'FF'}` }, good[1]];
    const files = { good, badChecksum, changedModulus };
    for (const [name, keys] of Object.entries(files)) writeFileSync(join(dir, `${name}.json`), JSON.stringify({ keys }));
    const at = (name: string, when: string) => ['capk', 'check', join(dir, `${name}.json`), '--at', when, '--json'];
    const [pass, checksum, modulus, expired, text] = await tools([
      at('good', '2026-11-26'),
      at('badChecksum', '2026-11-26'),
      at('changedModulus', '2026-11-26'),
      at('good', '2031-01-01'),
      ['capk', 'check', join(dir, 'good.json'), '--at', '2026-11-26'],
    ]);
    expect(outcome(pass)).toEqual({ status: 0, stderr: '', json: { keys: 2, refused: 0, findings: [{ key: 'A000000003/92', status: 'valid', modulusBits: 1024 }, { key: 'A000000004/F1', status: 'valid', modulusBits: 1024 }] } });
    expect(outcome(checksum)).toMatchObject({ status: 1, json: { refused: 1, findings: [{ status: 'valid' }, { key: 'A000000004/F1', status: 'refused', code: 'capk.checksum' }] } });
    expect(outcome(modulus)).toMatchObject({ status: 1, json: { refused: 1, findings: [{ key: 'A000000003/92', code: 'capk.checksum' }, { status: 'valid' }] } });
    expect(outcome(expired)).toMatchObject({ status: 1, json: { refused: 1, findings: [{ key: 'A000000003/92', code: 'capk.expired' }, { status: 'valid' }] } });
    expect(text).toEqual({ status: 0, stderr: '', stdout: 'valid    A000000003/92 1024 bits\nvalid    A000000004/F1 1024 bits\n2 keys, 0 refused\n' });
  });

  (existsSync(PUBLISHED) ? it : it.skip)('capk check: refuses the corrupted copies in the published table (../shared/testdata)', async () => {
    const [r] = await tools([['capk', 'check', PUBLISHED, '--json']]);
    expect(outcome(r)).toMatchObject({ status: 1, stderr: '', json: { keys: 86, refused: 8 } });
  });
});
