/** What a toolbox command is: its options (the parser refuses any other), its help, its work. */
import { NodeCrypto } from '../ports/nodeCrypto';
import { GLOBAL_OPTIONS, type Args, type OptionSpec } from './args';

export const PROGRAM = 'xspos-tool';

export interface ToolResult {
  /** False only when a check ran and failed (exit 1). */
  ok: boolean;
  /** What `--json` prints. */
  value: Record<string, unknown>;
  /** What a person reads. */
  text: string;
}

export interface Command {
  /** As typed: 'kcv', 'cert check'. */
  name: string;
  summary: string;
  synopsis: string;
  options: readonly OptionSpec[];
  /** Paragraphs after the options: defaults, exit status, examples. */
  notes: readonly string[];
  /** Synchronous, or a promise for a command that waits (apdu: a card's answers). */
  run(args: Args): ToolResult | Promise<ToolResult>;
}

/** The toolbox's crypto: random bytes (format 4's fill) from node:crypto, never seeded (issue 6, item 7). */
export function toolCrypto(): NodeCrypto {
  return NodeCrypto.secure();
}

const EXIT_STATUS = 'Exit status: 0 done (check passed), 1 the check ran and failed, 2 bad usage or bad input.';

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

const COLUMN = 28;

/** The `--help` text of one command (lines of at most 100 characters, examples excepted). */
export function helpText(command: Command): string {
  const rows = [...command.options, ...GLOBAL_OPTIONS].map((o) => {
    const left = `  --${o.name}${o.value ? ` ${o.value}` : ''}`.padEnd(COLUMN - 1);
    const file = o.file === 'text' ? ` Or --${o.name}-file FILE: the value in a file (- reads standard input).` : o.file === 'bytes' ? ` Or --${o.name}-file FILE: the file's bytes as they are, not hex (- reads standard input).` : '';
    return `${left} ${wrap(o.help + file, 100 - COLUMN).join(`\n${' '.repeat(COLUMN)}`)}`;
  });
  const usage = wrap(`usage: ${PROGRAM} ${command.name} ${command.synopsis}`, 100).join('\n         ');
  return [`${PROGRAM} ${command.name}: ${command.summary}`, '', usage, '', 'options:', ...rows, '', ...command.notes.flatMap((n) => [n, '']), EXIT_STATUS].join('\n');
}
