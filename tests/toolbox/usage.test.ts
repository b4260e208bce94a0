/**
 * The toolbox's command line as an integrator meets it, every case a real process: help for
 * every command; bad usage (unknown or misspelt options, stray words, numbers that are not
 * plain decimals, algorithm names that are Object.prototype's) and bad input (missing, empty or
 * malformed files, bad hex, bad PINs) exit 2 with one line naming the problem and no stack
 * trace; no secret is ever echoed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool, tools, type Run } from './cli';

const KEY = '89abcdef0123456776543210fedcba98';
const PIN = '4321';
const PAN = '6212345678901234';
const dir = mkdtempSync(join(tmpdir(), 'xspos-usage-'));
const missing = join(dir, 'no-such-file');

/** Exit 2, one line on standard error naming `names`, nothing on standard output, no stack trace, no secret. */
function expectRefused(r: Run, ...names: string[]) {
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: '' });
  expect(r.stderr).toMatch(/^xspos-tool: [^\n]+\n$/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const name of names) expect(r.stderr).toContain(name);
  for (const secret of [KEY, KEY.toUpperCase(), PIN, PAN]) expect(r.stderr).not.toContain(secret);
}

/** Every case refused as `expectRefused` says, the failing case named by its arguments. */
async function expectAllRefused(cases: readonly (readonly [string[], string])[]) {
  const runs = await tools(cases.map(([args]) => args));
  cases.forEach(([args, name], i) => {
    expect({ args, status: runs[i].status, stderr: runs[i].stderr.includes(name) }).toEqual({ args, status: 2, stderr: true });
    expectRefused(runs[i], name);
  });
}

const kcv = ['kcv', '--algorithm', 'tdes2', '--key', KEY];
const mac = ['mac', '--algorithm', 'x9.19', '--key', KEY, '--data', '00112233'];
const pinblock = ['pinblock', '--format', '0', '--key', KEY, '--pin', PIN, '--pan', PAN];

describe('toolbox usage', () => {
  it('--help for the toolbox and for every command: exit 0, every option named', async () => {
    const cases: [string[], string[]][] = [
      [['--help'], ['kcv', 'mac', 'pinblock', 'cert check', 'capk check']],
      [['-h'], ['kcv', 'capk check']],
      [['help'], ['kcv', 'capk check']],
      [['help', 'mac'], ['--algorithm', '--padding', '--length', '--data-file']],
      [['kcv', '--help'], ['--algorithm', '--key-file', '--method', '--length', 'default 3 for zeros, 5 for cmac', '--json']],
      [['mac', '--algorithm', 'x9.19', '--help'], ['--padding', '--length', 'from 4 to 8', '--data-file']],
      [['pinblock', '-h'], ['--format', '--pin-file', '--pan-file', '--algorithm']],
      [['cert', '--help'], ['--cert', '--chain', '--root', '--tid', '--at']],
      [['cert', 'check', '--help'], ['--cert', '--root']],
      [['capk', 'check', '--help'], ['FILE', '--at']],
    ];
    const runs = await tools(cases.map(([args]) => args));
    cases.forEach(([args, names], i) => {
      expect({ args, status: runs[i].status, stderr: runs[i].stderr }).toEqual({ args, status: 0, stderr: '' });
      for (const name of names) expect(runs[i].stdout).toContain(name);
      expect(runs[i].stdout).toContain('Exit status: 0');
    });
    const asJson = await tool(['kcv', '--help', '--json']);
    expect(JSON.parse(asJson.stdout).help).toContain('--method');
  });

  it('unknown, misspelt and repeated options, stray words, unknown commands: exit 2 naming the word', async () => {
    const cases: [string[], string][] = [
      [[], 'needs a command'],
      [['frobnicate'], "unknown command 'frobnicate'"],
      [['--algorithm', 'tdes2', 'kcv'], "the command comes first, not '--algorithm'"],
      [['cert'], 'needs a sub-command: check'],
      [['cert', 'verify'], "no sub-command 'verify'"],
      [['help', 'kcv', 'extra'], "'extra'"],
      [[...kcv, '--algoritm', 'aes128'], "no option '--algoritm'"],
      [[...kcv, '--lenght=4'], "no option '--lenght'"],
      [[...kcv, '-l', '4'], "no option '-l'"],
      [[...kcv, 'extra'], "unexpected word 'extra'"],
      [[...kcv, '--', '--key'], "unexpected word '--key'"],
      [[...kcv, '--length', '3', '--length', '4'], '--length is given twice'],
      [[...kcv, '--json=yes'], '--json takes no value'],
      [['kcv', '--algorithm', 'tdes2', '--key'], '--key needs a value'],
      [['kcv', '--algorithm', 'tdes2', '--key', '--length', '4'], '--key needs a value'],
      [[...mac, '--padding'], '--padding needs a value'],
      [['capk', 'check'], 'needs FILE'],
      [['capk', 'check', 'a.json', 'b.json'], "unexpected word 'b.json'"],
      [['cert', 'check', '--cert', 'x.pem', '--root', 'r.pem', '--tid', '1', 'extra'], "unexpected word 'extra'"],
      [['kcv', '--key', KEY], 'needs --algorithm'],
      [['kcv', '--algorithm', 'tdes2'], 'needs --key or --key-file'],
      [[...kcv, '--key-file', missing], 'give --key or --key-file, not both'],
      [['mac', '--algorithm', 'x9.19', '--key', KEY], 'needs --data or --data-file'],
      [['mac', '--algorithm', 'cup-ecb', '--padding', '1', '--key', KEY, '--data', '00'], '--padding is for x9.19 only'],
      [['pinblock', '--format', '0', '--key-file', '-', '--pin-file', '-', '--pan', PAN], 'only one option can read standard input'],
      [['cert', 'check', '--root', 'r.pem', '--tid', '1'], 'needs --cert'],
    ];
    await expectAllRefused(cases);
  });

  it('a secret typed in the wrong place is not echoed back', async () => {
    const runs = await tools([
      [...kcv.slice(0, 3), KEY],
      ['kcv', '--algorithm', 'tdes2', `--${KEY}`],
      ['kcv', '--algorithm', 'tdes2', `--kee=${KEY}`],
      ['pinblock', '--format', '0', '--key', KEY, '--pin-file', dir, PIN, '--pan', PAN],
      [KEY],
      ['kcv', '--algorithm', KEY, '--key', KEY],
      ['kcv', '--algorithm', 'tdes2', '--key-file', KEY],
      ['pinblock', '--format', '0', '--key', KEY, '--pin', PAN, '--pan', PAN],
    ]);
    for (const r of runs) expectRefused(r);
    expect(runs[0].stderr).toContain('unexpected word (32 characters, not shown');
    expect(runs[2].stderr).toContain("no option '--kee'");
  });

  it('numbers are plain decimal integers in range', async () => {
    const bad = ['1e1', '0x4', '4.0', ' 4', '4 ', '-4', '+4', '', '٤', '3', '9', '99999999999999999999'];
    const runs = await tools([...bad.map((n) => [...mac, '--length', n]), ...bad.slice(0, 4).map((n) => [...kcv, '--length', n]), [...kcv, '--length', '9'], [...mac, '--padding', '3'], [...pinblock.slice(0, 1), '--format', '1', ...pinblock.slice(3)], [...mac, '--padding', '01x']]);
    runs.forEach((r) => expectRefused(r, 'must be'));
    const good = await tools([
      [...mac, '--length', '4', '--json'],
      [...mac, '--length', '8', '--json'],
      [...kcv, '--length', '1', '--json'],
      [...kcv, '--length', '8', '--json'],
    ]);
    expect(good.map((r) => [r.status, JSON.parse(r.stdout).mac?.length ?? JSON.parse(r.stdout).kcv.length])).toEqual([[0, 8], [0, 16], [0, 2], [0, 16]]);
  });

  it("algorithm names are matched, never looked up in an object: Object.prototype's names are unknown", async () => {
    const names = ['__proto__', 'toString', 'constructor', 'hasOwnProperty'];
    const runs = await tools([
      ...names.flatMap((n) => [
        ['kcv', '--algorithm', n, '--key', KEY],
        ['mac', '--algorithm', n, '--key', KEY, '--data', '00'],
        ['pinblock', '--format', '0', '--algorithm', n, '--key', KEY, '--pin', PIN, '--pan', PAN],
        [...kcv, '--method', n],
      ]),
      ['kcv', '--algorithm', 'TDES2', '--key', KEY],
      ['mac', '--algorithm', 'x9.19 ', '--key', KEY, '--data', '00'],
    ]);
    runs.forEach((r) => expectRefused(r, 'must be one of'));
  });

  it('bad input: missing, unreadable, empty or malformed files, bad hex, wrong key lengths, bad PIN or PAN', async () => {
    writeFileSync(join(dir, 'odd.hex'), `${KEY}0\n`);
    writeFileSync(join(dir, 'huge.hex'), 'A'.repeat(10000));
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(join(dir, 'garbage.pem'), 'not a certificate\n');
    writeFileSync(join(dir, 'garbage.der'), Buffer.from('3082ffff0102', 'hex'));
    writeFileSync(join(dir, 'table.json'), '{"keys": [');
    writeFileSync(join(dir, 'shape.json'), '{"keys": [{"rid": "A0000000"}]}');
    const cases: [string[], string][] = [
      [['kcv', '--algorithm', 'tdes2', '--key-file', missing], `cannot read --key-file '${missing}': no such file`],
      [['kcv', '--algorithm', 'tdes2', '--key-file', dir], 'it is a directory'],
      [['kcv', '--algorithm', 'tdes2', '--key-file', join(dir, 'odd.hex')], '--key must be hex digits'],
      [['kcv', '--algorithm', 'tdes2', '--key-file', join(dir, 'huge.hex')], 'a key file holds one value'],
      [['kcv', '--algorithm', 'tdes2', '--key-file', join(dir, 'empty')], 'a tdes2 key is 16 bytes, not 0'],
      [['kcv', '--algorithm', 'tdes2', '--key', '0123zz'], '--key must be hex digits'],
      [['kcv', '--algorithm', 'aes256', '--key', KEY], 'a aes256 key is 32 bytes, not 16'],
      [['mac', '--algorithm', 'x9.19', '--key', KEY, '--data', '001'], '--data must be hex digits'],
      [['mac', '--algorithm', 'x9.19', '--key', KEY, '--data-file', missing], 'cannot read --data-file'],
      [['pinblock', '--format', '0', '--key', KEY, '--pin', '12', '--pan', PAN], 'PIN must be 4–12 digits'],
      [['pinblock', '--format', '0', '--key', KEY, '--pin', '12a4', '--pan', PAN], 'PIN must be 4–12 digits'],
      [['pinblock', '--format', '0', '--key', KEY, '--pin', PIN, '--pan', '41111111111'], 'PAN must be 12–19 digits'],
      [['pinblock', '--format', '0', '--key', KEY, '--pin-file', missing, '--pan', PAN], 'cannot read --pin-file'],
      [['pinblock', '--format', '4', '--algorithm', 'tdes2', '--key', KEY, '--pin', PIN, '--pan', PAN], 'format 4 needs an AES PIN key'],
      [['cert', 'check', '--cert', missing, '--root', missing, '--tid', '10240001'], 'cannot read --cert'],
      [['cert', 'check', '--cert', join(dir, 'garbage.pem'), '--root', missing, '--tid', '10240001'], 'CertificateError'],
      [['cert', 'check', '--cert', join(dir, 'garbage.der'), '--root', missing, '--tid', '10240001'], 'x509-malformed'],
      [['cert', 'check', '--cert', join(dir, 'empty'), '--root', missing, '--tid', '10240001'], 'x509-malformed'],
      [['capk', 'check', missing], `cannot read file '${missing}': no such file`],
      [['capk', 'check', join(dir, 'table.json')], 'is not JSON'],
      [['capk', 'check', join(dir, 'shape.json')], 'CapkError'],
      [['capk', 'check', join(dir, 'empty')], 'is not JSON'],
      [['capk', 'check', join(dir, 'shape.json'), '--at', '2026-02-30'], '--at must be a UTC date or time'],
      [['capk', 'check', join(dir, 'shape.json'), '--at', '2026-11-26T09:00:00'], '--at must be a UTC date or time'],
      [['capk', 'check', join(dir, 'shape.json'), '--at', 'Nov 26 2026'], '--at must be a UTC date or time'],
    ];
    await expectAllRefused(cases);
  });

  it('--json: errors are JSON on standard output too, with the one line on standard error', async () => {
    const [usage, input] = await tools([
      [...kcv, '--lenght', '4', '--json'],
      ['kcv', '--algorithm', 'tdes2', '--key-file', missing, '--json'],
    ]);
    expect(JSON.parse(usage.stdout)).toEqual({ error: 'UsageError', code: 'usage', message: "kcv has no option '--lenght'" });
    expect(JSON.parse(input.stdout)).toMatchObject({ error: 'InputError', code: 'input-missing' });
    for (const r of [usage, input]) {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^xspos-tool: [^\n]+\n$/);
    }
  });
});
