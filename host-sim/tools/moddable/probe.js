#!/usr/bin/env node
/**
 * Heap probes for a measured run (host-sim/tools/moddable/README.md, docs/memory.md): inserts
 * extra heap-watch samples into a fast-export.js export, never into the repository.
 *
 *   node host-sim/tools/moddable/probe.js <export-dir> <file.js> <line-pattern> <label> [after|before|replace:<js>]
 *
 * <file.js> is relative to the export (e.g. firmware/core/runtime/cardDuties.js); <line-pattern>
 * a substring of exactly one line of it. The line gets `globalThis.__xsposProbe?.("<label>");`
 * after it (default) or before it; with `replace:<js>` the line is replaced by <js> (an
 * experiment: "what if this object were dropped here?"), no sample added. The first probe also
 * makes the export's device/heapWatch.js publish its sampler as globalThis.__xsposProbe, so each
 * probe is one more sample (a full collection, then slots and chunks free), traced with the phase's
 * samples (`heap <phase> #n <label>: …`) and counted in its lowest like a port call.
 *
 * Why: the watch samples port calls only; the moments between them (a frame just returned, an
 * object about to be dropped) are read with probes like this one. A probe is a statement of
 * its own: put it where a statement may stand (not inside an expression, not after a return).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const HOOK = 'globalThis.__xsposProbe = (at) => this.sample(at);';

function main(args) {
  const [dir, file, pattern, label, where = 'after'] = args;
  if (!dir || !file || !pattern || !label) {
    console.error('usage: probe.js <export-dir> <file.js> <line-pattern> <label> [after|before|replace:<js>]');
    return 2;
  }
  if (!fs.existsSync(path.join(dir, '.fast-export'))) {
    console.error(`probe: ${dir} is not a fast-export.js export (probes never go into the repository)`);
    return 2;
  }
  const watch = path.join(dir, 'firmware', 'device', 'heapWatch.js');
  let watchJs = fs.readFileSync(watch, 'utf8');
  if (!watchJs.includes(HOOK)) {
    const at = watchJs.indexOf('this.#measure = measure;');
    if (at < 0) throw new Error(`${watch}: no constructor line to hook`);
    watchJs = watchJs.slice(0, at) + HOOK + ' ' + watchJs.slice(at);
    fs.writeFileSync(watch, watchJs);
  }
  const target = path.join(dir, file);
  const lines = fs.readFileSync(target, 'utf8').split('\n');
  const hits = lines.flatMap((line, i) => (line.includes(pattern) ? [i] : []));
  if (hits.length !== 1) {
    console.error(`probe: "${pattern}" is on ${hits.length} lines of ${file} (${hits.map((i) => i + 1).join(', ')}); need exactly one`);
    return 1;
  }
  const i = hits[0];
  const probe = `globalThis.__xsposProbe?.(${JSON.stringify(label)});`;
  if (where === 'after') lines.splice(i + 1, 0, probe);
  else if (where === 'before') lines.splice(i, 0, probe);
  else if (where.startsWith('replace:')) lines[i] = where.slice('replace:'.length);
  else {
    console.error(`probe: where must be after, before or replace:<js>, not ${where}`);
    return 2;
  }
  fs.writeFileSync(target, lines.join('\n'));
  console.log(`probe: ${file}:${i + 1} ${where.startsWith('replace:') ? 'replaced' : `${where}: ${label}`}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
