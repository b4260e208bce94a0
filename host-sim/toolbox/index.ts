/**
 * The integrator's toolbox: the firmware's own key, MAC, PIN-block, certificate and CA-key code
 * on the command line, for key ceremonies and certification. `xspos-tool --help` (or
 * `npm run -s tool -- --help`) lists the commands; every command has its own `--help`.
 */
import { parseArgs, readInput, shown, UsageError, wantsHelp, type ReadInput } from './args';
import { helpText, PROGRAM, type Command, type ToolResult } from './command';
import { apduReplay } from './apdu';
import { panCommand, qrCommand, tlvDecode, track2Command } from './cards';
import { capkCheck, certCheck } from './checks';
import { diagDecode } from './diag';
import { imageInspect, imageSign, imageVerify } from './image';
import { decode8583, encode8583 } from './iso8583';
import { kcv, mac, pinblock } from './keys';

export { InputError, UsageError } from './args';
export type { ToolResult } from './command';

const COMMANDS: readonly Command[] = [kcv, mac, pinblock, certCheck, capkCheck, decode8583, encode8583, diagDecode, tlvDecode, track2Command, panCommand, qrCommand, apduReplay, imageSign, imageVerify, imageInspect];

function overview(): string {
  return [
    `${PROGRAM}: the firmware's key, MAC, PIN-block, certificate, CA-key and signed-image code on the command line.`,
    'Clear keys go in (better from a file or standard input: --key-file FILE, - for stdin); only check values, MACs and PIN blocks come out.',
    '',
    `usage: ${PROGRAM} COMMAND [options] [--json]`,
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    `${PROGRAM} COMMAND --help describes a command's options.`,
    'Exit status: 0 done (check passed), 1 the check ran and failed, 2 bad usage or bad input.',
  ].join('\n');
}

const help = (text: string): ToolResult => ({ ok: true, value: { help: text }, text });

/** The command the first words name, and the words after them. @throws UsageError */
function findCommand(argv: readonly string[]): [Command, readonly string[]] {
  const [first, second] = argv;
  const single = COMMANDS.find((c) => c.name === first);
  if (single) return [single, argv.slice(1)];
  const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
  if (group.length === 0) {
    if (first.startsWith('-')) throw new UsageError(`the command comes first, not ${shown(first)}: ${COMMANDS.map((c) => c.name).join(', ')}`);
    throw new UsageError(`unknown command ${shown(first)}: the commands are ${COMMANDS.map((c) => c.name).join(', ')}`);
  }
  const sub = group.find((c) => c.name === `${first} ${second}`);
  if (sub) return [sub, argv.slice(2)];
  // `cert --help` describes the one sub-command there is.
  if (wantsHelp(argv.slice(1, 2)) && group.length === 1) return [group[0], argv.slice(1)];
  const names = group.map((c) => c.name.split(' ')[1]).join(', ');
  throw new UsageError(second === undefined ? `${first} needs a sub-command: ${names}` : `${first} has no sub-command ${shown(second)}: ${names}`);
}

/**
 * Runs one toolbox command that answers at once (every command but apdu). `read` reads files
 * and standard input (`-`).
 * @throws UsageError (also for a command that waits: run it with startTool), InputError, and the core's typed errors for bad input (all exit 2)
 */
export function runTool(argv: readonly string[], read: ReadInput = readInput): ToolResult {
  const result = startTool(argv, read);
  if (result instanceof Promise) {
    result.catch(() => undefined);
    throw new UsageError(`${argv[0]} waits for its answer: run it with startTool`);
  }
  return result;
}

/**
 * Runs one toolbox command: its result, or a promise of it for a command that waits (apdu: a
 * card's answers).
 * @throws UsageError, InputError, and the core's typed errors for bad input (all exit 2)
 */
export function startTool(argv: readonly string[], read: ReadInput = readInput): ToolResult | Promise<ToolResult> {
  if (argv.length === 0) throw new UsageError(`${PROGRAM} needs a command: ${COMMANDS.map((c) => c.name).join(', ')} (${PROGRAM} --help)`);
  if (argv[0] === '--help' || argv[0] === '-h') return help(overview());
  if (argv[0] === 'help') {
    if (argv.length === 1) return help(overview());
    const [command, rest] = findCommand(argv.slice(1));
    if (rest.length) throw new UsageError(`help takes a command, not ${shown(rest[0])}`);
    return help(helpText(command));
  }
  const [command, rest] = findCommand(argv);
  if (wantsHelp(rest)) return help(helpText(command));
  return command.run(parseArgs(command.name, rest, command.options, read));
}
