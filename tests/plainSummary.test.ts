/** The plain summary line counts what jest really did: a real jest run over a throwaway suite. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('plain summary line', () => {
  it('counts passed, failed (an unrunnable file as one), and skipped with todo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xspos-summary-'));
    writeFileSync(join(dir, 'a.test.js'), "it('p1', () => {}); it('p2', () => {}); it.skip('s', () => {}); it.todo('t'); it('f', () => { throw new Error('x'); });\n");
    writeFileSync(join(dir, 'b.test.js'), 'this is not javascript (\n');
    const config = JSON.stringify({ rootDir: dir, testMatch: ['**/*.test.js'], reporters: [join(__dirname, 'plainSummary.js')] });
    let out = '';
    try {
      execFileSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', config, '--ci'], { cwd: dir, stdio: 'pipe' });
    } catch (error) {
      out = String((error as { stdout: Buffer }).stdout);
    }
    expect(out.split('\n').filter((line) => line.startsWith('jest:'))).toEqual(['jest: 2 passed, 2 failed, 2 skipped']);
  });
});
