/**
 * The simulator's command line.
 *
 *   npm start                                  default scenario (healthy terminal)
 *   npm run sim -- <scenario.json> [--lang zh|en] [--out DIR]
 *   npm run sim -- --all [--lang zh|en]        every shipped scenario
 *
 * Writes DIR/<scenario>/<screen>.png, report.json and trace.log (DIR defaults to out/). The
 * summary line says the firmware running at the end and the last update's result when the
 * scenario has updates, and whether the terminal ended in safe mode.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseFont } from '../firmware/core/ui/font';
import { encodePng } from './render/png';
import { rasterize } from './render/raster';
import { loadScenario, SCENARIO_DIR } from './scenario/load';
import { loadFont, runInWorld } from './world';

export const DEFAULT_SCENARIO = join(SCENARIO_DIR, 'healthy.json');

export function shippedScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(SCENARIO_DIR, f));
}

interface Options {
  files: string[];
  lang?: 'zh' | 'en';
  out: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { files: [], out: 'out' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--lang') {
      const lang = argv[++i];
      if (lang !== 'zh' && lang !== 'en') throw new Error('--lang takes zh or en');
      options.lang = lang;
    } else if (arg === '--out') {
      const out = argv[++i];
      if (!out) throw new Error('--out takes a folder');
      options.out = out;
    } else if (arg === '--all') options.files.push(...shippedScenarios());
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else options.files.push(arg);
  }
  if (options.files.length === 0) options.files.push(DEFAULT_SCENARIO);
  return options;
}

export async function runFile(file: string, out: string, lang?: 'zh' | 'en') {
  const scenario = loadScenario(file, { lang });
  const fontBytes = loadFont();
  const font = parseFont(fontBytes);
  const { outcome, world } = await runInWorld(scenario, fontBytes);
  const dir = join(out, scenario.name);
  mkdirSync(dir, { recursive: true });
  for (const screen of outcome.screens) {
    writeFileSync(join(dir, `${screen.name}.png`), encodePng(rasterize(screen.list, font)));
  }
  writeFileSync(join(dir, 'report.json'), JSON.stringify(outcome.report, null, 2) + '\n');
  writeFileSync(join(dir, 'trace.log'), world.traceLines.join('\n') + '\n');
  return { dir, outcome };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  for (const file of options.files) {
    const { dir, outcome } = await runFile(file, options.out, options.lang);
    const last = outcome.report.selfTests[outcome.report.selfTests.length - 1];
    const update = outcome.report.update;
    const failing = last ? last.results.filter((r) => r.status === 'fail' || r.status === 'warn').map((r) => `${r.status}:${r.code}`) : [];
    console.log(
      `${basename(file, '.json')}: ${outcome.report.finalState}, ${outcome.report.selfTests.length} self-test(s), ` +
        `verdict ${last?.verdict ?? '-'}${failing.length ? ` (${failing.join(', ')})` : ''}, ` +
        `${update ? `firmware ${update.running}${update.last ? ` (${update.last.code} ${update.last.version})` : ''}, ` : ''}${outcome.report.safeMode ? 'safe mode, ' : ''}` +
        `${outcome.screens.length} screen(s) → ${dir}`,
    );
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  });
}
