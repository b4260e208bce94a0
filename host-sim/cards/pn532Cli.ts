/**
 * The virtual PN532 on a real serial line, for host tools that speak to a PN532 over UART
 * (libnfc's pn532_uart driver: nfc-list, nfc-scan-device):
 *
 *   npm run pn532 -- --pty [--link PATH] [--card FILE]   a pseudo-terminal made by socat
 *   npm run pn532 -- --tcp PORT [--card FILE]            127.0.0.1:PORT, one host at a time
 *
 * Prints the pty path (or the address) on its first line and runs until killed. Real time:
 * the chip answers as soon as a frame is complete. The card comes from a card file
 * (host-sim/cards/cardFile.ts: a recorded trace or a card profile), or a bare `{ "uid": "hex" }`
 * that answers 6D00 to every APDU; without --card the field is empty.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { cardFromFile } from './virtualCard';
import { VirtualPn532, type Pn532Card } from './virtualPn532';

interface CliOptions {
  mode: 'pty' | 'tcp';
  link?: string;
  port?: number;
  cardFile?: string;
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run pn532 -- --pty [--link PATH] [--card FILE] | --tcp PORT [--card FILE]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): CliOptions {
  let mode: CliOptions['mode'] | undefined;
  const options: Partial<CliOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--pty') mode = 'pty';
    else if (arg === '--tcp') {
      mode = 'tcp';
      const port = Number(argv[++i]);
      if (!Number.isInteger(port) || port < 1 || port > 65535) usage('--tcp needs a port number');
      options.port = port;
    } else if (arg === '--link') options.link = argv[++i] ?? usage('--link needs a path');
    else if (arg === '--card') options.cardFile = argv[++i] ?? usage('--card needs a file');
    else usage(`unknown argument ${arg}`);
  }
  if (!mode) usage('say --pty or --tcp');
  return { ...options, mode };
}

/** A card that is only a UID, `{ "uid": "hex" }`: enough for nfc-list; every APDU gets 6D00. */
export function minimalCard(json: unknown): Pn532Card {
  const uidHex = typeof json === 'object' && json !== null ? (json as { uid?: unknown }).uid : undefined;
  if (typeof uidHex !== 'string' || !/^([0-9a-fA-F]{2}){4,10}$/.test(uidHex)) throw new Error('card file: "uid" must be 4 to 10 bytes of hex');
  const uid = Uint8Array.from(Buffer.from(uidHex, 'hex'));
  return { interface: 'contactless', uid, answer: () => Uint8Array.of(0x6d, 0x00) };
}

function loadCard(file: string): Pn532Card {
  const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const keys = typeof json === 'object' && json !== null ? Object.keys(json) : [];
  return keys.length === 1 && keys[0] === 'uid' ? minimalCard(json) : cardFromFile(json);
}

function runPty(chip: VirtualPn532, link: string | undefined): void {
  const address = `PTY,raw,echo=0${link ? `,link=${link}` : ''}`;
  const socat = spawn('socat', ['-d', '-d', address, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let announced = false;
  let stderr = '';
  socat.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    // socat -d -d names the pty it made: "N PTY is /dev/pts/7".
    const match = /PTY is (\S+)/.exec(stderr);
    if (match && !announced) {
      announced = true;
      process.stdout.write(`${link ?? match[1]}\n`);
    }
  });
  socat.stdout.on('data', (chunk: Buffer) => {
    for (const part of chip.receiveParts(new Uint8Array(chunk))) socat.stdin.write(part);
  });
  socat.on('error', (error) => {
    process.stderr.write(`pn532: cannot start socat (${error.message}); apt-get install socat\n`);
    process.exit(1);
  });
  socat.on('exit', (code) => {
    if (!announced) process.stderr.write(stderr);
    process.exit(code ?? 1);
  });
  const stop = (): void => {
    socat.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function runTcp(chip: VirtualPn532, port: number): void {
  let current: Socket | undefined;
  const server = createServer((socket) => {
    // One host at a time, as on a UART.
    if (current) {
      socket.destroy();
      return;
    }
    current = socket;
    socket.on('data', (chunk) => {
      for (const part of chip.receiveParts(new Uint8Array(chunk))) socket.write(part);
    });
    socket.on('close', () => {
      current = undefined;
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write(`127.0.0.1:${port}\n`));
  const stop = (): void => {
    current?.destroy();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const chip = new VirtualPn532();
  if (options.cardFile) chip.place(loadCard(options.cardFile));
  if (options.mode === 'pty') runPty(chip, options.link);
  else runTcp(chip, options.port as number);
}

if (require.main === module) main();
