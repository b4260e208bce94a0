/**
 * `npm run acquirer` as a child process for the tests: its standard output collected once, and
 * waits for a line of it (each wait checks the whole output so far, then every new chunk).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export class AcquirerCli {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout = '';
  #closed = false;
  #waiters = new Set<() => void>();

  constructor(registryPath: string) {
    this.proc = spawn(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', 'host-sim/acquirer/cli.ts', registryPath], { cwd: ROOT });
    this.proc.stdout.on('data', (d) => {
      this.stdout += d;
      this.#waiters.forEach((w) => w());
    });
    this.proc.on('close', () => {
      this.#closed = true;
      this.#waiters.forEach((w) => w());
    });
  }

  /** The first match of `pattern` in the output; rejects if the acquirer exits first. */
  seen(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((found, fail) => {
      const check = () => {
        const m = this.stdout.match(pattern);
        if (m || this.#closed) this.#waiters.delete(check);
        if (m) found(m);
        else if (this.#closed) fail(new Error(`acquirer exited: ${this.stdout}`));
      };
      this.#waiters.add(check);
      check();
    });
  }

  stop(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGTERM');
  }
}
