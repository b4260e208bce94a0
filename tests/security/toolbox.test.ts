/** The integrator's toolbox: same core code, checked against openssl, JSON output, exit codes. */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runTool, UsageError } from '../../host-sim/toolbox';

const ROOT = join(__dirname, '../..');
const CERTS = join(ROOT, 'host-sim/scenarios/certs');
const KEY = '0123456789abcdeffedcba9876543210';

describe('toolbox', () => {
  it('kcv: the 3DES check value openssl computes', () => {
    const reference = execFileSync('openssl', ['enc', '-des-ede-ecb', '-K', KEY, '-nopad'], { input: Buffer.alloc(8) }).subarray(0, 3).toString('hex').toUpperCase();
    expect(runTool(['kcv', '--algorithm', 'tdes2', '--key', KEY]).value).toEqual({ algorithm: 'tdes2', kcv: reference });
  });

  it('kcv: a single-length DES key, against the legacy DES of openssl', () => {
    const reference = execFileSync('openssl', ['enc', '-des-ecb', '-K', '0123456789abcdef', '-nopad', '-provider', 'legacy', '-provider', 'default'], { input: Buffer.alloc(8) });
    expect(runTool(['kcv', '--algorithm', 'des', '--key', '0123456789abcdef']).value).toEqual({ algorithm: 'des', kcv: reference.subarray(0, 3).toString('hex').toUpperCase() });
  });

  it('mac and pinblock give values and check values, never the key', () => {
    const mac = runTool(['mac', '--algorithm', 'x9.19', '--padding', '1', '--key', KEY, '--data', Buffer.from('Now is the time for all ').toString('hex')]);
    expect(mac.value).toMatchObject({ mac: 'A1C72E74EA3FA9B6' }); // the ANSI X9.19 example
    const pin = runTool(['pinblock', '--format', '0', '--key', KEY, '--pin', '1234', '--pan', '4111111111111111']);
    expect(pin.value).toMatchObject({ format: 0, pan: '411111******1111' });
    for (const r of [mac, pin]) expect(JSON.stringify(r.value) + r.text).not.toMatch(new RegExp(KEY, 'i'));
  });

  it('cert check: passes the demo chain, says why another fails', () => {
    const ok = runTool(['cert', 'check', '--cert', join(CERTS, 'terminal.pem'), '--chain', join(CERTS, 'terminal-ca.pem'), '--root', join(CERTS, 'root.pem'), '--tid', '10240001', '--at', '2026-11-26T09:00:00Z']);
    expect(ok).toMatchObject({ ok: true, value: { code: 'cert.ok' } });
    const expired = runTool(['cert', 'check', '--cert', join(CERTS, 'terminal-expired.pem'), '--chain', join(CERTS, 'terminal-ca.pem'), '--root', join(CERTS, 'root.pem'), '--tid', '10240001', '--at', '2026-11-26T09:00:00Z']);
    expect(expired).toMatchObject({ ok: false, value: { code: 'cert.expired' } });
  });

  it('capk check: refuses the corrupted copies in the published table', () => {
    const r = runTool(['capk', 'check', join(ROOT, '../shared/testdata/emv-capk/capk.json')]);
    expect(r.value).toMatchObject({ keys: 86, refused: 8 });
    expect(r.ok).toBe(false);
  });

  it('refuses bad usage with a UsageError', () => {
    expect(() => runTool(['kcv', '--algorithm', 'tdes2', '--key', '0123'])).toThrow(UsageError);
    expect(() => runTool(['kcv', '--algorithm', 'rc4', '--key', KEY])).toThrow(UsageError);
    expect(() => runTool(['frobnicate'])).toThrow(UsageError);
  });

  it('runs from the command line: --json, exit 0 on success, 2 on bad usage', () => {
    const tsNode = require.resolve('ts-node/dist/bin.js');
    const run = (args: string[]) => spawnSync(process.execPath, [tsNode, '--transpile-only', join(ROOT, 'host-sim/toolbox.ts'), ...args], { cwd: ROOT });
    const good = run(['kcv', '--algorithm', 'aes128', '--key', '000102030405060708090a0b0c0d0e0f', '--json']);
    expect(good.status).toBe(0);
    expect(JSON.parse(good.stdout.toString())).toMatchObject({ algorithm: 'aes128', kcv: expect.stringMatching(/^[0-9A-F]{10}$/) });
    const bad = run(['kcv', '--algorithm', 'tdes2', '--json']);
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stdout.toString())).toMatchObject({ error: 'UsageError' });
  });
});
