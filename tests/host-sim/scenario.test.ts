/** Scenario files and the CLI, as a firmware engineer uses them. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { DEFAULT_SCENARIO, runFile, shippedScenarios } from '../../host-sim/cli';
import { loadScenario } from '../../host-sim/scenario/load';
import { parseScenario, ScenarioError } from '../../host-sim/scenario/schema';
import { buildWorld } from '../../host-sim/world';
import { PROFILE } from '../runtime/world';

const ROOT = join(__dirname, '../..');

describe('scenario files', () => {
  it('every shipped scenario is valid', () => {
    const names = shippedScenarios().map((f) => loadScenario(f).name);
    expect(names).toEqual(expect.arrayContaining(['healthy', 'corrupt-image', 'clock-1970', 'stuck-key', 'flash-rotating', 'corrupt-sector']));
  });

  it.each([
    [{ name: 'x', steps: [] }, 'steps'],
    [{ name: 'Bad Name', steps: [{ do: 'boot' }] }, 'name'],
    [{ name: 'x', steps: [{ do: 'boot' }, { do: 'fly' }] }, 'steps[1].do'],
    [{ name: 'x', steps: [{ do: 'press', key: 'F13' }] }, 'steps[0].key'],
    [{ name: 'x', steps: [{ do: 'advance' }] }, 'steps[0]'],
    [{ name: 'x', rtc: '2026-13-40T00:00:00Z', steps: [{ do: 'boot' }] }, 'rtc'],
    [{ name: 'x', flash: { sectors: 1 }, steps: [{ do: 'boot' }] }, 'flash.sectors'],
    [{ name: 'x', flash: { sectors: 4, damage: [{ sector: 9, offset: 0, xor: 1 }] }, steps: [{ do: 'boot' }] }, 'flash.damage[0].sector'],
    [{ name: 'x', device: { memory: { chunkFree: -1 } }, steps: [{ do: 'boot' }] }, 'device.memory.chunkFree'],
    [{ name: 'x', firmware: { corruptAt: [999999999] }, steps: [{ do: 'boot' }] }, 'firmware.corruptAt[0]'],
    [{ name: 'x', colour: 'red', steps: [{ do: 'boot' }] }, 'colour'],
    [[1, 2], '(scenario)'],
    [{ name: 'x', acquirer: { terminals: [{ tid: '1024', mid: '898440154110001', masterKey: '00'.repeat(16) }] }, steps: [{ do: 'boot' }] }, 'acquirer.terminals[0].tid'],
    [{ name: 'x', acquirer: { faults: [{ kind: 'flood' }] }, steps: [{ do: 'boot' }] }, 'acquirer.faults[0].kind'],
    [{ name: 'x', acquirer: { faults: [{ kind: 'code' }] }, steps: [{ do: 'boot' }] }, 'acquirer.faults[0].code'],
    [{ name: 'x', acquirer: { colour: 1 }, steps: [{ do: 'boot' }] }, 'acquirer.colour'],
    [{ name: 'x', network: { dns: { 'pos.acquirer.test': '10.0.0.256' } }, steps: [{ do: 'boot' }] }, 'network.dns.pos.acquirer.test'],
    [{ name: 'x', network: { unreachable: ['a b'] }, steps: [{ do: 'boot' }] }, 'network.unreachable[0]'],
    [{ name: 'x', steps: [{ do: 'boot' }, { do: 'sale' }] }, 'steps[1].amountMinor'],
    [{ name: 'x', steps: [{ do: 'boot' }, { do: 'sale', amountMinor: 5, card: 'visa-gold' }] }, 'steps[1].card'],
    [{ name: 'x', steps: [{ do: 'boot' }, { do: 'sale', amountMinor: 5, card: { entry: 'manual', pan: '12ab' } }] }, 'steps[1].card.pan'],
    [{ name: 'x', steps: [{ do: 'boot' }, { do: 'sign-on', expect: { kind: 'maybe' } }] }, 'steps[1].expect.kind'],
    [{ name: 'x', steps: [{ do: 'boot' }, { do: 'link' }] }, 'steps[1].up'],
    [{ name: 'x', steps: [{ do: 'boot' }, { do: 'power-cut', when: 'later' }] }, 'steps[1].when'],
    [{ name: 'x', steps: [{ do: 'boot' }, { do: 'acquirer', faults: [{ kind: 'delay', delayMs: -1 }] }] }, 'steps[1].faults[0].delayMs'],
  ])('refuses %j naming the field %s', (input, field) => {
    let error: unknown;
    try {
      parseScenario(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).field).toBe(field);
    expect((error as ScenarioError).message.startsWith(`${field}:`)).toBe(true);
  });

  const capkKey = { rid: 'F000000001', index: '01', modulus: 'C1'.repeat(128), exponent: '03', checksum: '00'.repeat(20) };
  it.each([
    { why: 'not a list', capk: { bad: 1 }, field: 'capk' },
    { why: 'an entry that is not an object', capk: [capkKey, 'F000000001'], field: 'capk[1]' },
    { why: 'a RID of 4 bytes', capk: [{ ...capkKey, rid: 'F0000000' }], field: 'capk[0].rid' },
    { why: 'a RID that is not hex', capk: [{ ...capkKey, rid: 'F00000000X' }], field: 'capk[0].rid' },
    { why: 'an index of two bytes', capk: [{ ...capkKey, index: '0101' }], field: 'capk[0].index' },
    { why: 'a modulus that is not hex', capk: [{ ...capkKey, modulus: 'ZZ'.repeat(128) }], field: 'capk[0].modulus' },
    { why: 'a modulus of odd length', capk: [{ ...capkKey, modulus: 'C'.repeat(255) }], field: 'capk[0].modulus' },
    { why: 'exponent 5', capk: [{ ...capkKey, exponent: '05' }], field: 'capk[0].exponent' },
    { why: 'a short checksum', capk: [{ ...capkKey, checksum: '00' }], field: 'capk[0].checksum' },
    { why: '30 February', capk: [capkKey, { ...capkKey, expiry: '2027-02-30' }], field: 'capk[1].expiry' },
    { why: 'an expiry that is not a date', capk: [{ ...capkKey, expiry: 'soon' }], field: 'capk[0].expiry' },
    { why: 'a label that is not text', capk: [{ ...capkKey, label: { en: 'x' } }], field: 'capk[0].label' },
  ])('refuses a CA key table with $why at load, naming $field', ({ capk, field }) => {
    let error: unknown;
    try {
      parseScenario({ name: 'x', capk, steps: [{ do: 'boot' }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).field).toBe(field);
  });

  it('accepts a CA key table whose checksum is wrong (the probe judges it), and refuses a table file without a list', () => {
    expect(parseScenario({ name: 'x', capk: [capkKey], steps: [{ do: 'boot' }] }).capk).toEqual([capkKey]);
    const dir = mkdtempSync(join(tmpdir(), 'xspos-'));
    writeFileSync(join(dir, 'table.json'), JSON.stringify({ cases: [capkKey] }));
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify({ name: 'x', capk: 'table.json', steps: [{ do: 'boot' }] }));
    expect(() => loadScenario(join(dir, 'scenario.json'))).toThrow(expect.objectContaining({ name: 'ScenarioError', field: 'capk', message: expect.stringContaining('table.json') }));
    writeFileSync(join(dir, 'table.json'), JSON.stringify({ keys: [{ ...capkKey, modulus: 'C1' }] }));
    expect(() => loadScenario(join(dir, 'scenario.json'))).toThrow(expect.objectContaining({ name: 'ScenarioError', field: 'capk[0].modulus' }));
  });

  it('loads a profile whose response-code category is not text (the configuration probe judges it) and builds its world', () => {
    const profile = { ...PROFILE, responseCodes: { '00': ['approved', '成功', 'Approved'], '83': [JSON.parse('{"toString": 1}'), '无效终端', 'Invalid terminal'] } };
    const scenario = parseScenario({ name: 'x', terminal: { tid: '10240001', mid: '898440154110001', profile }, steps: [{ do: 'boot' }] });
    expect(scenario.terminal.profile).toBe(profile);
    expect(() => buildWorld(scenario)).not.toThrow();
  });

  it('says which file and why when the JSON itself is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xspos-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"name": "x", ');
    expect(() => loadScenario(file)).toThrow(/broken\.json/);
  });
});

describe('CLI', () => {
  it('writes the self-test screens as PNG and a report for the default scenario', async () => {
    const out = mkdtempSync(join(tmpdir(), 'xspos-out-'));
    const { dir, outcome } = await runFile(DEFAULT_SCENARIO, out, 'en');
    const files = readdirSync(dir).sort();
    expect(files).toEqual(expect.arrayContaining(['report.json', 'trace.log', 'ready.png', 'selftest-01.png', 'selftest-14.png']));
    const png = PNG.sync.read(readFileSync(join(dir, 'selftest-01.png')));
    expect([png.width, png.height]).toEqual([240, 320]);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ scenario: 'healthy', lang: 'en', finalState: 'ready' });
    expect(report.selfTests.map((r: { trigger: string }) => r.trigger)).toEqual(['boot', ...Array(7).fill('periodic'), 'demand']);
    expect(outcome.screens.length).toBe(files.filter((f) => f.endsWith('.png')).length);
  });

  it('runs from the command line and fails with the field named for a bad scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xspos-cli-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'bad', steps: [{ do: 'press', key: 'F13' }] }));
    const tsNode = require.resolve('ts-node/dist/bin.js');
    let stderr = '';
    try {
      execFileSync(process.execPath, [tsNode, '--transpile-only', join(ROOT, 'host-sim/cli.ts'), bad], { cwd: ROOT, stdio: 'pipe' });
    } catch (error) {
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(stderr).toContain('ScenarioError: steps[0].key');
  });
});

describe('README screens', () => {
  it('docs/screens holds exactly what the shipped scenarios draw now', async () => {
    const { renderDocScreens, DOC_SCREENS_DIR } = await import('../../host-sim/tools/doc-screens');
    const screens = await renderDocScreens();
    expect(screens.size).toBe(64);
    for (const [path, png] of screens)
      expect({ path, same: Buffer.from(png).equals(readFileSync(join(DOC_SCREENS_DIR, path))) }).toEqual({ path, same: true });
  });
});
