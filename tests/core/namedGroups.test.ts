/**
 * XS (SDK 8.2.3, xsRegExp.c fx_RegExp_prototype_exec) crashes when a RegExp made while a module
 * is preloaded matches with named groups: it reads the groups through capture data such a
 * RegExp never had (mcsim: SIGSEGV on the zh report page). Every core module is preloaded, so no
 * core file may hold a RegExp literal with named groups; such patterns are compiled at run time.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CORE = join(__dirname, '../../firmware/core');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

it('no RegExp literal with named groups in firmware/core', () => {
  const offenders = files(CORE).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (/(^|[=(,:!&|?{};\s])\/[^/*\n][^\n]*\(\?<[A-Za-z]/.test(line.replace(/\/\/.*$/, '')) ? [`${file}:${i + 1}`] : [])),
  );
  expect(offenders).toEqual([]);
});

it('the check finds one', () => {
  expect(/(^|[=(,:!&|?{};\s])\/[^/*\n][^\n]*\(\?<[A-Za-z]/.test("const r = /^(?<a>x)$/;")).toBe(true);
});
