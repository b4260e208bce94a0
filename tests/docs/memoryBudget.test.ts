/**
 * The XS budget docs/memory.md documents is the one manifest.json creates (issue 10, item 7):
 * every number of the manifest's `creation` (and of a platform's override: the simulator's chunk
 * heap) has a row in docs/memory.md's "Budget" table naming its manifest path, with the same
 * value; the 30 % goal is computed from them; every figures row adds up (used + free = the
 * budget, % free as the figures give it, "met" only when both are at or above the goal); and
 * the other documents that state the board's heap state the same one.
 *
 * Both files are parsed here (no SDK, no network): a change to one without the other fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as Record<string, unknown>;
const memoryDoc = readFileSync(join(ROOT, 'docs/memory.md'), 'utf8');

/** "78,848" → 78848; undefined when `text` holds no number. */
function firstNumber(text: string): number | undefined {
  const m = /\d[\d,]*/.exec(text);
  return m ? Number(m[0].replace(/,/g, '')) : undefined;
}

/** Every number under `value`, by its dotted path below `prefix`. */
function numbers(value: unknown, prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  if (typeof value === 'number') out.set(prefix, value);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) numbers(v, `${prefix}.${k}`).forEach((n, p) => out.set(p, n));
  return out;
}

/** The creation numbers a manifest sets: the top level's and each platform's override. */
function manifestCreation(m: Record<string, unknown> = manifest): Map<string, number> {
  const out = numbers(m.creation, 'creation');
  const platforms = (m.platforms ?? {}) as Record<string, { creation?: unknown }>;
  for (const [name, platform] of Object.entries(platforms)) numbers(platform.creation, `platforms.${name}.creation`).forEach((n, p) => out.set(p, n));
  return out;
}

/** A markdown section's text: from its heading line to the next heading of the same or a higher level. */
function section(doc: string, heading: string): string {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '').startsWith(heading));
  if (start < 0) return '';
  const level = /^#+/.exec(lines[start])![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && /^#+/.exec(l)![0].length <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** A markdown table's body rows (cells trimmed), header and rule left out. */
function tableRows(text: string): string[][] {
  const rows = text.split('\n').filter((l) => l.trim().startsWith('|'));
  return rows
    .map((l) => l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim()))
    .filter((cells, i) => i > 0 && !cells.every((c) => /^:?-+:?$/.test(c)));
}

const budget = section(memoryDoc, 'Budget');

/** The budget table: manifest path (a `code` cell) → the number documented beside it. */
function documentedCreation(): Map<string, number> {
  const out = new Map<string, number>();
  for (const cells of tableRows(budget)) {
    const path = cells.map((c) => /^`((?:creation|platforms\.[a-z0-9]+\.creation)(?:\.[a-z]+)+)`$/.exec(c)?.[1]).find((p) => p !== undefined);
    if (!path) continue;
    const valueCell = cells[cells.findIndex((c) => c === `\`${path}\``) + 1] ?? '';
    const value = firstNumber(valueCell);
    if (value !== undefined) out.set(path, value);
  }
  return out;
}

const creation = manifestCreation();
const boardChunks = creation.get('creation.chunk.initial')!;
const boardSlots = creation.get('creation.heap.initial')!;
/** XS keeps one slot of a heap block as the link to the next (xsMemory.c fxGrowSlots): the usable count the machine reports. */
const usableSlots = boardSlots - 1;
const goalChunks = Math.ceil(boardChunks * 0.3);
const goalSlots = Math.ceil(boardSlots * 0.3);

describe('docs/memory.md budget against manifest.json creation', () => {
  it('the manifest creates the fixed heaps the budget is about', () => {
    expect(typeof boardChunks).toBe('number');
    expect(typeof boardSlots).toBe('number');
    // No growth: the simulator runs out where the board would.
    expect(creation.get('creation.chunk.incremental')).toBe(0);
    expect(creation.get('creation.heap.incremental')).toBe(0);
  });

  it('documents every creation number of the manifest, with its value, and nothing else', () => {
    expect(budget).not.toBe('');
    expect(Object.fromEntries(documentedCreation())).toEqual(Object.fromEntries(creation));
  });

  it("states the 30 % goal computed from the manifest's heaps", () => {
    const goal = /≥\s*([\d,]+)\s*chunk bytes[^\n]*?≥\s*([\d,]+)\s*slots/.exec(budget);
    expect(goal).not.toBeNull();
    expect([firstNumber(goal![1]), firstNumber(goal![2])]).toEqual([goalChunks, goalSlots]);
  });

  it("explains the simulator's larger chunk heap by the RAM record log the manifest configures", () => {
    const sim = creation.get('platforms.lin.creation.chunk.initial');
    if (sim === undefined) return expect(budget).not.toMatch(/RAM (record[- ])?log region/);
    const sectors = ((manifest.platforms as Record<string, { config?: { logSectors?: number } }>).lin.config?.logSectors ?? 0) as number;
    expect(sim - boardChunks).toBe(sectors * 4096);
    const row = tableRows(budget).find((cells) => cells.includes('`platforms.lin.creation.chunk.initial`'));
    expect(row?.join(' ')).toContain((sim - boardChunks).toLocaleString('en-US'));
  });

  it('every figures row adds up against the budget', () => {
    const figures = section(memoryDoc, 'Figures');
    const rows = tableRows(figures).filter((cells) => cells.length >= 5);
    expect(rows.length).toBeGreaterThan(0);
    for (const cells of rows) {
      const [scenario, chunks, slots, percent] = cells;
      const [chunkUsed, chunkFree] = chunks.split('/').map((c) => firstNumber(c));
      const [slotUsed, slotFree] = slots.split('/').map((c) => firstNumber(c));
      if (chunkFree === undefined || slotFree === undefined) continue; // a row with no measurement ("—", "aborted")
      expect({ scenario, chunks: chunkUsed! + chunkFree }).toEqual({ scenario, chunks: boardChunks });
      expect({ scenario, slots: slotUsed! + slotFree }).toEqual({ scenario, slots: usableSlots });
      const [chunkPct, slotPct] = (percent.match(/\d+(\.\d+)?/g) ?? []).map(Number);
      expect({ scenario, chunkPct, slotPct }).toEqual({
        scenario,
        chunkPct: Math.round((1000 * chunkFree) / boardChunks) / 10,
        slotPct: Math.round((1000 * slotFree) / boardSlots) / 10,
      });
      const met = chunkFree >= goalChunks && slotFree >= goalSlots;
      if (/\bmet\b/.test(cells.join(' ')) && !/missed/.test(cells.join(' '))) expect({ scenario, met }).toEqual({ scenario, met: true });
      if (!met) expect({ scenario, says: cells.join(' ') }).toEqual({ scenario, says: expect.stringMatching(/missed|miss/) });
    }
  });

  it("every other document stating the board's heap states the manifest's", () => {
    const files = ['README.md', 'docs/architecture.md', 'firmware/device/README.md'];
    const stated = files.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/([\d,]+) chunk bytes, ([\d,]+) (?:XS )?slots, no growth/g)].map((m) => ({
        file,
        chunks: firstNumber(m[1]),
        slots: firstNumber(m[2]),
      })),
    );
    expect(stated.length).toBeGreaterThan(0);
    for (const s of stated) expect(s).toEqual({ file: s.file, chunks: boardChunks, slots: boardSlots });
  });
});

describe('the check catches a manifest that moved', () => {
  // The same comparison over a copy of manifest.json with one creation number changed or added.
  const changed = (edit: (m: { creation: Record<string, unknown>; platforms: Record<string, { creation?: Record<string, unknown> }> }) => void) => {
    const m = JSON.parse(JSON.stringify(manifest));
    edit(m);
    return Object.fromEntries(manifestCreation(m));
  };
  const documented = Object.fromEntries(documentedCreation());

  it.each([
    ['a bigger stack', (m: Parameters<Parameters<typeof changed>[0]>[0]) => (m.creation.stack = 1024)],
    ['more slots', (m: Parameters<Parameters<typeof changed>[0]>[0]) => ((m.creation.heap as { initial: number }).initial = 6144)],
    ['chunk growth', (m: Parameters<Parameters<typeof changed>[0]>[0]) => ((m.creation.chunk as { incremental: number }).incremental = 1024)],
    ['a new creation key', (m: Parameters<Parameters<typeof changed>[0]>[0]) => (m.creation.keys = { initial: 64 })],
    ['an ESP32 override', (m: Parameters<Parameters<typeof changed>[0]>[0]) => (m.platforms.esp32.creation = { chunk: { initial: 98304 } })],
  ])('%s', (_name, edit) => {
    expect(changed(edit)).not.toEqual(documented);
  });
});

describe('the parsers this test relies on', () => {
  it('reads a budget row and a figures row', () => {
    const doc = '## Budget\n\n| what | manifest.json | value |\n|---|---|---|\n| slots | `creation.heap.initial` | 4,928 slots |\n\n## Next\n';
    expect(tableRows(section(doc, 'Budget'))).toEqual([['slots', '`creation.heap.initial`', '4,928 slots']]);
    expect(section(doc, 'Next')).toBe('## Next\n');
    expect(firstNumber('≥ 23,655 chunk bytes')).toBe(23655);
    expect([...numbers({ a: { b: 1, c: 'x' }, d: 2 }, 'creation')]).toEqual([['creation.a.b', 1], ['creation.d', 2]]);
  });
});
