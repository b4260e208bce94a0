/**
 * `diag decode` as support uses it, every case a real process: the code a merchant reads over
 * the phone (as typed, look-alikes and all), and the QR payload as hex, as a file of raw bytes
 * and on standard input, each giving the summary with cause and evidence names; a misread code
 * or bytes that are not a summary exit 2 with the error's code.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSummary } from '../../firmware/core/diagnosis/summary';
import { supportCode } from '../../firmware/core/diagnosis/supportCode';
import { cause, diagnosis, evidence } from '../diagnosis/supportFixtures';
import { tool, tools, type Run } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'xspos-diag-'));
const json = (r: Run) => JSON.parse(r.stdout);

/** A TID the host disabled, its clock before the build, DNS ruled out. */
const D = diagnosis(
  [cause('auth.tid-disabled', 42, 'confirmed'), cause('sys.clock', 20, 'likely'), cause('net.dns', 2, 'ruled-out')],
  [evidence('hosttext.terminal-disabled', 'fail', 'authentication'), evidence('rtc.before-build', 'warn', 'system'), evidence('resolve.ok', 'pass')],
);
const SUMMARY = encodeSummary(D, { terminalId: '10240001', firmwareVersion: '1.4.0', serialNumber: 'A4CF12345678' });
const SUMMARY_HEX = Buffer.from(SUMMARY).toString('hex');
const CODE = supportCode(D);

const EXPECTED_SUMMARY = {
  kind: 'summary',
  version: 1,
  terminalId: '10240001',
  serialNumber: 'A4CF12345678',
  firmwareVersion: '1.4.0',
  time: '2026-12-02T07:41:30.000Z',
  causes: [
    { number: 42, id: 'auth.tid-disabled', family: 'authentication' },
    { number: 20, id: 'sys.clock', family: 'system' },
  ],
  evidence: [
    { number: 435, code: 'hosttext.terminal-disabled' },
    { number: 205, code: 'rtc.before-build' },
  ],
};

describe('diag decode', () => {
  it('a support code, as typed over the phone, gives its causes and hour', async () => {
    const typed = CODE.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    const [asJson, text, words] = await tools([
      ['diag', 'decode', CODE, '--at', '2027-01-01', '--json'],
      ['diag', 'decode', typed, '--at', '2027-01-01'],
      ['diag', 'decode', ...CODE.split('-'), '--at', '2026-12-02T08:00:00Z', '--json'],
    ]);
    expect(asJson.status).toBe(0);
    expect(json(asJson)).toEqual({
      kind: 'support-code',
      code: CODE,
      version: 1,
      hour: '2026-12-02T07:00:00.000Z',
      causes: [
        { number: 42, id: 'auth.tid-disabled', family: 'authentication' },
        { number: 20, id: 'sys.clock', family: 'system' },
      ],
    });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`support code ${CODE}`);
    expect(text.stdout).toMatch(/1\.\s+42 auth\.tid-disabled \(authentication\)\n\s+2\.\s+20 sys\.clock \(system\)/);
    expect(json(words)).toEqual(json(asJson));
  });

  it('the QR payload as hex, as a raw file and on standard input gives the summary', async () => {
    const file = join(dir, 'qr.bin');
    writeFileSync(file, SUMMARY);
    const spaced = SUMMARY_HEX.toUpperCase().replace(/(.{8})/g, '$1 ');
    const [hex, raw, text] = await Promise.all([
      tool(['diag', 'decode', '--qr-hex', spaced, '--json']),
      tool(['diag', 'decode', '--qr-file', file, '--json']),
      tool(['diag', 'decode', '--qr-file', '-'], SUMMARY),
    ]);
    for (const r of [hex, raw]) {
      expect(r.status).toBe(0);
      expect(json(r)).toMatchObject(EXPECTED_SUMMARY);
    }
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('terminal 10240001');
    expect(text.stdout).toContain('435 hosttext.terminal-disabled');
    expect(text.stdout).toContain('2026-12-02T07:41:30.000Z');
  });

  it('numbers a newer firmware wrote are shown as numbers, not guessed', async () => {
    const newer = encodeSummary(diagnosis([cause('x.newer', 99, 'likely')], [evidence('#499', 'fail')]), { firmwareVersion: '9.0.0' });
    const r = await tool(['diag', 'decode', '--qr-hex', Buffer.from(newer).toString('hex'), '--json']);
    expect(json(r)).toMatchObject({ causes: [{ number: 99, id: null, family: null }], evidence: [{ number: 499, code: '#499' }] });
  });

  it('refuses, exit 2: a misread character, two swapped, a U, bytes that are not a summary, bad hex, no input, both inputs', async () => {
    const chars = CODE.replace(/-/g, '');
    const misread = `${chars.slice(0, 3)}${chars[3] === 'X' ? 'Y' : 'X'}${chars.slice(4)}`;
    const swapped = `${chars[1]}${chars[0]}${chars.slice(2)}`;
    const cases: [string[], string][] = [
      [['diag', 'decode', misread, '--json'], 'support-code-check'],
      [['diag', 'decode', `${CODE.slice(0, -1)}U`, '--json'], 'support-code-malformed'],
      [['diag', 'decode', '--qr-hex', 'a1006131', '--json'], 'summary-malformed'],
      [['diag', 'decode', '--qr-hex', SUMMARY_HEX.slice(0, -2), '--json'], 'summary-malformed'],
    ];
    if (chars[0] !== chars[1]) cases.push([['diag', 'decode', swapped, '--json'], 'support-code-check']);
    const runs = await tools(cases.map(([args]) => args));
    cases.forEach(([args, code], i) => {
      expect({ args, status: runs[i].status, code: json(runs[i]).code }).toEqual({ args, status: 2, code });
      expect(runs[i].stderr).toMatch(/^xspos-tool: DiagnosisError [a-z-]+: [^\n]+\n$/);
    });
    const usage = await tools([
      ['diag', 'decode'],
      ['diag', 'decode', '--qr-hex', 'abc'],
      ['diag', 'decode', '--qr-hex', '00', '--qr-file', '-'],
      ['diag', 'decode', CODE, '--qr-hex', SUMMARY_HEX],
      ['diag', 'decode', CODE, '--at', 'tomorrow'],
      ['diag', 'unpack'],
    ]);
    const says = ['needs a support code, --qr-hex or --qr-file', '--qr-hex must be hex digits', 'give --qr-hex or --qr-file, not both', 'unexpected word', '--at must be a UTC date', "no sub-command 'unpack'"];
    usage.forEach((r, i) => expect({ status: r.status, says: r.stderr.includes(says[i]), stdout: r.stdout }).toEqual({ status: 2, says: true, stdout: '' }));
  });

  it('--help names every option; the toolbox lists the command', async () => {
    const [help, overview] = await tools([['diag', 'decode', '--help'], ['--help']]);
    expect(help.status).toBe(0);
    for (const name of ['CODE', '--qr-hex', '--qr-file', '--at', '--json', 'Exit status: 0']) expect(help.stdout).toContain(name);
    expect(overview.stdout).toMatch(/diag decode\s+a support code/);
  });
});
