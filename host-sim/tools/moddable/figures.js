#!/usr/bin/env node
/**
 * The figures rows of docs/memory.md from a measured run (run.sh's <export>/out/moddable/trace.log):
 *
 *   node host-sim/tools/moddable/figures.js <export-dir> ["<scenario>=<phase>" …]
 *
 * Reads the heap watch's summary lines (`xspos: memory: <phase>: lowest free … slots S/T at <call>,
 * chunks C/T B at <call>`) and prints one markdown row per phase: scenario, chunks used / free
 * (the board's 78,848: the simulator's chunk heap also holds the 16,384-byte RAM record log, so
 * free bytes compare directly and used = 78,848 − free), slots used / free (of the 4,927 XS
 * counts usable), % free (chunks, slots), the goal (≥ 23,655 B and ≥ 1,479 slots), the commit
 * (the export's .fast-export). Without pairs, every phase of the run.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'manifest.json'), 'utf8'));
const BOARD_CHUNKS = manifest.creation.chunk.initial;
const BOARD_SLOTS = manifest.creation.heap.initial;
const GOAL_CHUNKS = Math.ceil(BOARD_CHUNKS * 0.3);
const GOAL_SLOTS = Math.ceil(BOARD_SLOTS * 0.3);
const fmt = (n) => n.toLocaleString('en-US');
const pct = (n, of) => (Math.round((1000 * n) / of) / 10).toFixed(1);

function main(args) {
  const [dir, ...pairs] = args;
  if (!dir) {
    console.error('usage: figures.js <export-dir> ["<scenario>=<phase>" …]');
    return 2;
  }
  const trace = fs.readFileSync(path.join(dir, 'out', 'moddable', 'trace.log'), 'utf8');
  const note = fs.readFileSync(path.join(dir, '.fast-export'), 'utf8');
  const commit = (/^commit ([0-9a-f]{7})/m.exec(note) ?? [])[1] ?? '?';
  const overlay = /working-tree files/.test(note) ? ' + working tree' : '';
  const phases = new Map();
  for (const m of trace.matchAll(/^xspos: memory: (.+?): lowest free after a collection over (\d+) port calls: slots (\d+)\/(\d+) at (.+?), chunks (\d+)\/(\d+) B at (.+)$/gm))
    phases.set(m[1], { calls: +m[2], slots: +m[3], slotsTotal: +m[4], slotsAt: m[5], chunks: +m[6], chunksAt: m[8] });
  const wanted = pairs.length ? pairs.map((p) => p.split('=')) : [...phases.keys()].map((k) => [k, k]);
  for (const [scenario, phase] of wanted) {
    const p = phases.get(phase);
    if (!p) {
      console.log(`| ${scenario} | — / — | — / — | — | ${commit}${overlay} | not measured (no phase "${phase}") |`);
      continue;
    }
    const met = p.chunks >= GOAL_CHUNKS && p.slots >= GOAL_SLOTS;
    const by = Math.min(p.chunks - GOAL_CHUNKS, p.slots - GOAL_SLOTS);
    console.log(
      `| ${scenario} | ${fmt(BOARD_CHUNKS - p.chunks)} / ${fmt(p.chunks)} | ${fmt(p.slotsTotal - p.slots)} / ${fmt(p.slots)} | ${pct(p.chunks, BOARD_CHUNKS)} %, ${pct(p.slots, BOARD_SLOTS)} % | ${commit}${overlay} | ` +
        `${met ? `met (+${fmt(p.slots - GOAL_SLOTS)} slots)` : `missed by ${fmt(-by)} ${p.slots < GOAL_SLOTS ? 'slots' : 'B'}`}; lowest at ${p.slotsAt} (${p.calls} calls) |`,
    );
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
