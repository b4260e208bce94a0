/**
 * The toolbox as a process (bin/xspos-tool.js runs it): the result on standard output, pure
 * JSON with `--json`; an error as one line on standard error (and, with `--json`, as a JSON
 * object on standard output), never a stack trace. Exit status 0 done, 1 the check ran and
 * failed, 2 bad usage or bad input (every error: a missing file, a bad PIN, a certificate that
 * does not parse).
 */
import { PROGRAM, type ToolResult } from './command';
import { startTool } from './index';

export interface Streams {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS: Streams = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/**
 * Runs the toolbox on `argv` (the words after the program name); returns the exit status, or a
 * promise of it for a command that waits (apdu).
 */
export function main(argv: readonly string[], streams: Streams = PROCESS): number | Promise<number> {
  const json = argv.includes('--json');
  const done = (result: ToolResult): number => {
    streams.out(`${json ? JSON.stringify(result.value) : result.text}\n`);
    return result.ok ? 0 : 1;
  };
  try {
    const result = startTool(argv);
    return result instanceof Promise ? result.then(done, (error: unknown) => failed(error, json, streams)) : done(result);
  } catch (error) {
    return failed(error, json, streams);
  }
}

/** An error as one line on standard error (and JSON on standard output with --json): exit 2. */
function failed(error: unknown, json: boolean, streams: Streams): number {
  const e = error instanceof Error ? error : new Error(String(error));
  const { code } = e as Error & { code?: unknown };
  const message = e.message.replace(/\s*\n\s*/g, ' ');
  const typed = typeof code === 'string' ? code : undefined;
  if (json) streams.out(`${JSON.stringify({ error: e.name, code: typed, message })}\n`);
  streams.err(`${PROGRAM}: ${e.name === 'UsageError' || e.name === 'InputError' ? '' : `${e.name}${typed ? ` ${typed}` : ''}: `}${message}\n`);
  return 2;
}
