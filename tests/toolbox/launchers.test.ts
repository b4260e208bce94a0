/**
 * The toolbox run the ways the README shows: the package's `bin` (xspos-tool, through npx and
 * as the executable file itself) and `npm run -s tool --`. Standard output is the JSON alone,
 * and the exit status gets through npm unchanged (0, 1, 2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, spawnRun } from './cli';

const KEY = '0123456789abcdeffedcba9876543210';
const KCV = ['kcv', '--algorithm', 'tdes2', '--key-file', '-', '--json'];
const CERTS = join(ROOT, 'host-sim/scenarios/certs');
const EXPIRED = ['cert', 'check', '--cert', join(CERTS, 'terminal-expired.pem'), '--chain', join(CERTS, 'terminal-ca.pem'), '--root', join(CERTS, 'root.pem'), '--tid', '10240001', '--at', '2026-11-26', '--json'];

describe('toolbox launchers', () => {
  it('the bin file, npx xspos-tool and npm run -s tool print pure JSON and pass the exit status on', async () => {
    const bin = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['xspos-tool'];
    const expected = { algorithm: 'tdes2', method: 'zeros', kcv: '08D7B4' };
    const ways: [string, string[]][] = [
      [join(ROOT, bin), []],
      ['npx', ['xspos-tool']],
      ['npm', ['run', '-s', 'tool', '--']],
    ];
    for (const [command, prefix] of ways) {
      const [ok, failed, bad] = await Promise.all([
        spawnRun(command, [...prefix, ...KCV], `${KEY}\n`),
        spawnRun(command, [...prefix, ...EXPIRED]),
        spawnRun(command, [...prefix, ...KCV, '--lenght', '3']),
      ]);
      expect({ command, status: ok.status, stderr: ok.stderr, json: JSON.parse(ok.stdout) }).toEqual({ command, status: 0, stderr: '', json: expected });
      expect({ command, status: failed.status, code: JSON.parse(failed.stdout).code }).toEqual({ command, status: 1, code: 'cert.expired' });
      expect({ command, status: bad.status, json: JSON.parse(bad.stdout) }).toEqual({ command, status: 2, json: { error: 'UsageError', code: 'usage', message: "kcv has no option '--lenght'" } });
    }
  });
});
