/**
 * Runs the toolbox as integrators do: a real process (bin/xspos-tool.js, the package's `bin`),
 * never an in-process call. Asynchronous, so a table of cases can run side by side.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');
export const LAUNCHER = join(ROOT, 'bin/xspos-tool.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `command args` in the project root, `input` on standard input. */
export function spawnRun(command: string, args: readonly string[], input?: Uint8Array | string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => undefined); // a tool that exits before reading its input
    child.stdin.end(input ?? '');
  });
}

/** `xspos-tool args…` through the launcher. */
export function tool(args: readonly string[], input?: Uint8Array | string): Promise<Run> {
  return spawnRun(process.execPath, [LAUNCHER, ...args], input);
}

/** Runs `tool` on every case at once (2–3 processes per core keep a table's wall time short). */
export function tools(cases: readonly (readonly string[])[]): Promise<Run[]> {
  return Promise.all(cases.map((c) => tool(c)));
}

/** openssl with `input` on standard input; its standard output as bytes. */
export function openssl(args: readonly string[], input: Uint8Array): Buffer {
  return execFileSync('openssl', args, { input, maxBuffer: 64 << 20 });
}

/** openssl's block cipher on whole blocks, no padding. */
export function opensslCipher(cipher: string, keyHex: string, data: Uint8Array, ivHex?: string, decrypt = false): Buffer {
  return openssl(['enc', `-${cipher}`, ...(decrypt ? ['-d'] : []), '-K', keyHex, ...(ivHex ? ['-iv', ivHex] : []), '-nopad'], data);
}
