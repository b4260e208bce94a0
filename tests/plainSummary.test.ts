/** The plain summary line counts what jest really did: real jest runs over throwaway suites. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs jest over `files` with this reporter; its exit status and the lines it printed. */
function jestOver(files: Record<string, string>, ci: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'xspos-summary-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const config = JSON.stringify({ rootDir: dir, testMatch: ['**/*.test.js'], reporters: [join(__dirname, 'plainSummary.js')] });
  const { CI: _, ...env } = process.env;
  const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', config, `--ci=${ci}`], { cwd: dir, env, encoding: 'utf8' });
  return { status: run.status, lines: run.stdout.split('\n').filter((line) => line !== '') };
}

describe('plain summary line', () => {
  it('counts passed, failed (an unrunnable file as one), and skipped with todo', () => {
    const run = jestOver({
      'a.test.js': "it('p1', () => {}); it('p2', () => {}); it.skip('s', () => {}); it.todo('t'); it('f', () => { throw new Error('x'); });\n",
      'b.test.js': 'this is not javascript (\n',
    }, false);
    expect(run).toEqual({ status: 1, lines: ['jest: 2 passed, 2 failed, 2 skipped'] });
  });

  it('outside CI a skip is counted and the run still passes', () => {
    expect(jestOver({ 'a.test.js': "it('p', () => {}); it.skip('needs unifont', () => {});\n" }, false))
      .toEqual({ status: 0, lines: ['jest: 1 passed, 0 failed, 1 skipped'] });
  });

  it('in CI a skip fails the run, naming the test', () => {
    expect(jestOver({ 'a.test.js': "it('p', () => {}); describe('font', () => { it.skip('needs unifont', () => {}); });\n" }, true))
      .toEqual({ status: 1, lines: ['skipped, and nothing may skip in CI:', '  font needs unifont', 'jest: 1 passed, 0 failed, 1 skipped'] });
  });
});
