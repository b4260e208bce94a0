#!/usr/bin/env node
/**
 * xspos-tool, the integrator's toolbox (host-sim/toolbox/). The toolbox is TypeScript: this
 * launcher bundles it with esbuild (a devDependency: it works after `npm ci`, with no network)
 * and keeps the bundle in node_modules/.cache/xspos-tool, rebuilt when any source file it was
 * built from (or this launcher, or esbuild) changes. A run takes about 0.07 s from the cache,
 * 0.15 s with a build; ts-node takes close to a second.
 */
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');

const ROOT = join(__dirname, '..');
const ENTRY = join(ROOT, 'host-sim/toolbox/main.ts');
const CACHE = join(ROOT, 'node_modules/.cache/xspos-tool/toolbox.js');

/** What the bundle was built from: each input's size and modification time, and the builder's version. */
function stamp(inputs, version) {
  return JSON.stringify({ version, inputs: [__filename, ...inputs].map((f) => { const s = fs.statSync(f); return [f, s.size, s.mtimeMs]; }) });
}

/** The cached bundle when every input is as it was built from; undefined otherwise. */
function cached() {
  try {
    const text = fs.readFileSync(CACHE, 'utf8');
    const line = text.slice(0, text.indexOf('\n'));
    const { version, inputs } = JSON.parse(line.slice(3));
    return `// ${stamp(inputs.slice(1).map(([f]) => f), version)}` === line ? text : undefined;
  } catch {
    return undefined;
  }
}

function build() {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({ entryPoints: [ENTRY], absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(result.metafile.inputs).map((f) => join(ROOT, f));
  const text = `// ${stamp(inputs, esbuild.version)}\n${result.outputFiles[0].text}`;
  try {
    // Written whole, then renamed: a toolbox started meanwhile reads the old bundle or the new one.
    fs.mkdirSync(dirname(CACHE), { recursive: true });
    fs.writeFileSync(`${CACHE}.${process.pid}`, text);
    fs.renameSync(`${CACHE}.${process.pid}`, CACHE);
  } catch {
    // No cache (a read-only tree): every run builds.
  }
  return text;
}

const toolbox = new Module(ENTRY, module);
toolbox.filename = ENTRY;
toolbox.paths = Module._nodeModulePaths(dirname(ENTRY));
toolbox._compile(cached() ?? build(), ENTRY);
const status = toolbox.exports.main(process.argv.slice(2));
// A command that waits for something (apdu: a card's answers) returns a promise of its status.
if (typeof status === 'number') process.exitCode = status;
else status.then((code) => { process.exitCode = code; });
