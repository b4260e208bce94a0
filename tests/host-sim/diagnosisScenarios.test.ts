/**
 * The shipped code-83 diagnosis scenarios (issue 8 item 9): every host-sim/scenarios/diag-*.json
 * run in zh and in en. Each file names its expected top cause and first step (its description
 * and its first `diagnosis` step's expect); the run must give them, the pages must say them in
 * both languages in the texts a technician reads, the support page's QR, read back from the PNG
 * by jsQR (an independent decoder), must put that cause first, and docs/diagnosis.md's scenario
 * table must say the same as the files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { causeById } from '../../firmware/core/diagnosis/causes';
import { evidenceNumber } from '../../firmware/core/diagnosis/evidence';
import { decodeSummary } from '../../firmware/core/diagnosis/summary';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { causeName, remedyText } from '../../firmware/core/ui/diagnosisTexts';
import { parseFont } from '../../firmware/core/ui/font';
import { encodePng } from '../../host-sim/render/png';
import { rasterize } from '../../host-sim/render/raster';
import { loadScenario, SCENARIO_DIR } from '../../host-sim/scenario/load';
import type { ScenarioOutcome } from '../../host-sim/scenario/driver';
import { loadFont, runInWorld } from '../../host-sim/world';
import { readImage } from '../qr/qrRead';

const LANGS = ['zh', 'en'] as const;
/** What the host's own words must have added, where the situation is the host's text (field 44). */
const HOST_TEXT: Readonly<Record<string, string>> = { 'diag-account-frozen': 'hosttext.account-restricted', 'diag-tid-disabled': 'hosttext.terminal-disabled' };
type Lang = (typeof LANGS)[number];
const DOC = join(__dirname, '../../docs/diagnosis.md');
const FILES = readdirSync(SCENARIO_DIR).filter((f) => /^diag-.*\.json$/.test(f)).sort();

interface Expected {
  name: string;
  description: string;
  /** The first diagnosis step with an expectation: its capture name, top cause and first step. */
  step: string;
  top: string | null;
  firstRemedy: string;
}

function expected(file: string): Expected {
  const raw = JSON.parse(readFileSync(join(SCENARIO_DIR, file), 'utf8'));
  const step = raw.steps.find((s: { do: string; expect?: unknown }) => s.do === 'diagnosis' && s.expect);
  if (!step) throw new Error(`${file} has no diagnosis step with an expectation`);
  return { name: raw.name, description: raw.description, step: step.name, top: step.expect.top, firstRemedy: step.expect.firstRemedy };
}

const font = loadFont();
const parsedFont = parseFont(font);
const runs = new Map<string, Promise<ScenarioOutcome>>();
/** Each scenario runs once per language, shared by the tests that read it. */
function run(file: string, lang: Lang): Promise<ScenarioOutcome> {
  const key = `${file}:${lang}`;
  if (!runs.has(key)) runs.set(key, runInWorld(loadScenario(join(SCENARIO_DIR, file), { lang }), font).then((r) => r.outcome));
  return runs.get(key)!;
}

/** The words on a screen, whitespace dropped (lines wrap where the layout likes). */
const squash = (text: string) => text.replace(/\s+/g, '');
const words = (list: DisplayList) => squash(list.ops.map((o) => (o.op === 'text' ? o.text : '')).join(''));

/** The QR of a screen as a shop's phone would read it: rendered to PNG, the PNG decoded by pngjs, the pixels by jsQR. */
function qrFromPng(list: DisplayList): Uint8Array | undefined {
  const png = PNG.sync.read(Buffer.from(encodePng(rasterize(list, parsedFont))));
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) rgb.set(png.data.subarray(i, i + 3), j);
  const found = readImage({ width: png.width, height: png.height, rgb });
  return found ? Uint8Array.from(found.binaryData) : undefined;
}

/** The scenario table of docs/diagnosis.md: scenario → [top cause, first remedy, final state]. */
function docTable(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    const m = /^\|\s*`(diag-[a-z0-9-]+)`\s*\|/.exec(line);
    if (!m) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, ''));
    rows.set(m[1], [cells[2], cells[3], cells[4]]);
  }
  return rows;
}

describe('the diagnosis scenarios', () => {
  it('there are at least 16, each naming its expected top cause and first step in its description', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(16);
    for (const file of FILES) {
      const e = expected(file);
      expect(`${file}: ${e.name}`).toBe(`${file}: ${file.replace(/\.json$/, '')}`);
      expect(e.description).toContain(e.top ?? 'no cause');
      expect(e.description).toContain(e.firstRemedy);
    }
  });

  it('docs/diagnosis.md lists every one with the same top cause and first step, and the final state the run ends in', async () => {
    const table = docTable();
    expect([...table.keys()].sort()).toEqual(FILES.map((f) => f.replace(/\.json$/, '')));
    for (const file of FILES) {
      const e = expected(file);
      const outcome = await run(file, 'en');
      expect([e.name, ...table.get(e.name)!]).toEqual([e.name, e.top ?? 'none', e.firstRemedy, outcome.report.finalState]);
    }
  }, 60_000);

  for (const file of FILES)
    it(`${file.replace(/\.json$/, '')}: its top cause and first step in zh and en, said on the pages, first in the QR`, async () => {
      const e = expected(file);
      const [zh, en] = await Promise.all(LANGS.map((lang) => run(file, lang)));
      // The same terminal in either language: the same diagnoses, the same end.
      expect(zh.report.diagnoses).toEqual(en.report.diagnoses);
      expect(zh.report.finalState).toBe(en.report.finalState);
      const record = en.report.diagnoses.find((d) => d.name === e.step)!;
      expect({ top: record.top, first: record.steps[0], last: record.steps.at(-1) }).toEqual({ top: e.top, first: e.firstRemedy, last: 'call-support' });
      for (const lang of LANGS) {
        const outcome = lang === 'zh' ? zh : en;
        const pages = outcome.screens.filter((s) => s.name.startsWith(`${e.step}-${lang}-`));
        expect(pages.length).toBeGreaterThanOrEqual(4);
        // The summary names the top cause, and the steps page the first step, in this language
        // (the summary shows the next step not yet tried, which after a failed try is another).
        if (e.top) expect(words(pages[0].list)).toContain(squash(causeName(lang, e.top)));
        const first = squash(`1.${remedyText(lang, e.firstRemedy).title}`);
        expect(pages.some((p) => words(p.list).includes(first))).toBe(true);
        // The support page (the last) holds the QR: its summary ranks the top cause first.
        const payload = qrFromPng(pages[pages.length - 1].list);
        expect(payload).toBeDefined();
        const decoded = decodeSummary(payload!);
        expect(decoded.causes[0]).toBe(e.top ? causeById(e.top).number : undefined);
        if (HOST_TEXT[e.name]) expect(decoded.evidence).toContain(evidenceNumber(HOST_TEXT[e.name]));
      }
    }, 60_000);
});

describe('the situations the issue singles out', () => {
  const triggers = (o: ScenarioOutcome) => o.report.selfTests.map((r) => `${r.trigger}:${r.verdict}`);

  it('primary refused, backup fine: no diagnosis of its own and the terminal stays in service; asked for, a warning (likely) only', async () => {
    const o = await run('diag-primary-down.json', 'en');
    expect(triggers(o)).toEqual(['boot:pass', 'demand:warn']);
    expect(o.report.finalState).toBe('ready');
    expect(words(o.screens.find((s) => s.name === 'ready-after-self-test')!.list)).not.toContain(squash(causeName('en', 'net.primary-down')));
    expect(o.report.diagnoses[0].causes.filter((c) => !c.endsWith(':ruled-out'))).toEqual(['net.primary-down:likely', 'net.unstable:likely']);
  });

  it('factory state: the self-test passes only after the activation typed on the PIN pad, and a sale is approved', async () => {
    const o = await run('diag-factory-activation.json', 'en');
    expect(triggers(o)).toEqual(['boot:fail', 'demand:pass']);
    expect(o.report.transactions.map((t) => t.code)).toEqual(['00']);
    // Never activated explains the missing IDs and the certificate's TID: listed after it, their steps after activation's.
    expect(o.report.diagnoses[0].causes.filter((c) => !c.endsWith(':ruled-out'))).toEqual(['auth.not-activated:confirmed', 'sys.config:confirmed', 'auth.tid-mismatch:confirmed']);
    expect(o.report.diagnoses[0].steps.slice(0, 2)).toEqual(['activate', 'new-activation-code']);
  });

  it('a step run from the keypad is recorded as tried and the diagnosis computed again', async () => {
    const tried = async (file: string) => (await run(file, 'en')).report.diagnoses.map((d) => d.tried);
    expect(await tried('diag-dns-failure.json')).toEqual([[], ['network-test:failed']]);
    expect(await tried('diag-clock-1970.json')).toEqual([[], ['set-clock:failed']]);
    expect(await tried('diag-stale-keys.json')).toEqual([[], ['sign-on:done']]);
    expect(await tried('diag-unstable-link.json')).toEqual([[], ['network-test:done']]);
    expect(await tried('diag-kcv-mismatch.json')).toEqual([[], ['sign-on:done']]);
    // After a sign-on that worked, the self-test (a second hold) passes: back in service.
    expect(triggers(await run('diag-kcv-mismatch.json', 'en'))).toEqual(['boot:fail', 'demand:fail', 'demand:pass']);
  });
});
