#!/usr/bin/env node
/**
 * Fast export for a Moddable simulator build (host-sim/tools/moddable/README.md).
 *
 *   node host-sim/tools/moddable/fast-export.js <out-dir> [rev=HEAD] [--with <path>…]
 *
 * `git archive <rev>` into <out-dir> (emptied first), then every firmware .ts file is transpiled
 * on its own with esbuild to a .js beside it and the .ts (and the .d.ts type files) removed.
 *
 * Why: for a .ts module mcconfig (SDK tools/mcmanifest.js, TSConfigFile) writes one tsconfig per
 * file (module "preserve", the manifest's compilerOptions, target es2024 here) and its makefile
 * runs `tsc -p` once per module, a whole program each time: 20+ minutes per build on a 2-core
 * machine. mcconfig takes a .js module file as it is (xsc compiles it; the JavaScript type check
 * runs only with its typeCheck option), and the manifest names modules without extension, so a
 * .js in place of each .ts needs no manifest change. Type checking is `npm run typecheck`'s job.
 *
 * The transpile keeps what tsc emits for this code: ES modules as written, type-only imports
 * dropped, class fields native (useDefineForClassFields, as tsc does for target ≥ es2022), no
 * downlevelling (target es2024), no minifying or renaming. The firmware has no enum, namespace or
 * other construct whose emit needs the whole program, so file-by-file gives the same modules.
 *
 * <out-dir>/node_modules is a link to the repository's (the manifest takes cbor-x from there).
 *
 * `--with <path>…`: those files as they are in the working tree, over the commit's, before the
 * transpile (a fix measured before it is committed); .fast-export lists them.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..', '..');
/** What mcconfig's per-file tsconfig gives tsc, besides the manifest's own options. */
const COMPILER_OPTIONS = { target: 'es2024', useDefineForClassFields: true, verbatimModuleSyntax: false };

function main(args) {
  const at = args.indexOf('--with');
  const overlay = at < 0 ? [] : args.slice(at + 1);
  const [outArg, rev = 'HEAD'] = at < 0 ? args : args.slice(0, at);
  if (!outArg) {
    console.error('usage: node host-sim/tools/moddable/fast-export.js <out-dir> [rev=HEAD] [--with <path>…]');
    return 2;
  }
  const out = path.resolve(outArg);
  if (out === REPO || REPO.startsWith(out + path.sep)) {
    console.error(`fast-export: ${out} would hold the repository itself`);
    return 2;
  }
  const esbuild = require(path.join(REPO, 'node_modules', 'esbuild'));
  const commit = execFileSync('git', ['-C', REPO, 'rev-parse', '--verify', `${rev}^{commit}`], { encoding: 'utf8' }).trim();
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const tar = execFileSync('git', ['-C', REPO, 'archive', '--format=tar', commit], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', out], { input: tar });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(out, 'node_modules'));
  for (const file of overlay) {
    const relative = path.relative(REPO, path.resolve(REPO, file));
    if (relative.startsWith('..') || !fs.statSync(path.join(REPO, relative)).isFile()) throw new Error(`--with ${file}: not a file of the repository`);
    fs.mkdirSync(path.dirname(path.join(out, relative)), { recursive: true });
    fs.copyFileSync(path.join(REPO, relative), path.join(out, relative));
  }

  const started = Date.now();
  let count = 0;
  let removed = 0;
  for (const file of walk(path.join(out, 'firmware'))) {
    if (file.endsWith('.d.ts')) {
      fs.rmSync(file);
      removed++;
      continue;
    }
    if (!file.endsWith('.ts')) continue;
    const source = fs.readFileSync(file, 'utf8');
    const relative = path.relative(out, file);
    const result = esbuild.transformSync(source, {
      loader: 'ts',
      format: 'esm',
      target: 'es2024',
      sourcefile: relative,
      tsconfigRaw: { compilerOptions: COMPILER_OPTIONS },
      logLevel: 'silent',
    });
    for (const w of result.warnings) console.error(`fast-export: ${relative}: ${w.text}`);
    const js = file.slice(0, -3) + '.js';
    if (fs.existsSync(js)) throw new Error(`${relative}: a .js of that name is already there`);
    fs.writeFileSync(js, result.code);
    fs.rmSync(file);
    count++;
  }
  const withNote = overlay.length ? `working-tree files over it: ${overlay.join(' ')}\n` : '';
  const note = `commit ${commit}\n${withNote}esbuild ${esbuild.version}: ${count} .ts transpiled file by file, ${removed} .d.ts removed\n`;
  fs.writeFileSync(path.join(out, '.fast-export'), note);
  console.log(`fast-export: ${commit.slice(0, 7)}${overlay.length ? ` + ${overlay.length} working-tree files` : ''} in ${out}; ${count} .ts → .js (esbuild ${esbuild.version}, ${Date.now() - started} ms), ${removed} .d.ts removed`);
  return 0;
}

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

process.exitCode = main(process.argv.slice(2));
