/**
 * `npm run acquirer -- <registry.json>`: the simulated acquirer for a person to point a terminal
 * at, on the profile's ports (127.0.0.1), printing what it receives and answers. Key material
 * only ever comes from the registry file, never from the command line. Activations here draw
 * their master keys from node:crypto's random source (keySource 'system').
 *
 * Registry file (paths relative to it):
 *   { "profile": "../scenarios/profiles/lakala-style.json" | {…},
 *     "terminals": [{ "tid", "mid", "masterKey"? (hex), "masterKeyAlgorithm"?, "status", "merchantStatus"?,
 *                     "activation"?: { "code" (digits), "expires"? (ISO 8601), "algorithm"?, "boundSerial"? } }],
 *     "seed"?: 1, "ports"?: [5683, 5684] (default: the profile's), "tls"?: { "cert": "x.pem", "key": "x.key" } }
 *
 * Commands on standard input, one a line: `disable <TID>` (the host disables the TID now).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { AcquirerConfigError, checkRegistry, type AcquirerConfig } from './config';
import { startAcquirer, type Acquirer, type AcquirerLogEntry } from './server';

const USAGE = [
  'usage: npm run acquirer -- <registry.json>   (the registry file holds the profile, terminals, master keys and activation codes)',
  '  terminals[]: tid, mid, status (activated | registered | disabled), merchantStatus?, masterKey? (hex; a registered slot with activation data may leave it out),',
  '               activation? { code (8-12 digits), expires? (ISO 8601), algorithm? (tdes2 | tdes3 | aes128), boundSerial? }',
  '  while running, type `disable <TID>` to disable a TID (terminal-invalid with "TID disabled" from then on)',
].join('\n');

/** One log line: what came and went, never keys or PANs (the log entries hold neither). */
export function formatLogEntry(e: AcquirerLogEntry): string {
  const parts = [`#${e.seq}`, `host${e.host}`, e.connection ? `c${e.connection}` : '--', e.direction.padEnd(4)];
  if (e.mti) parts.push(e.mti);
  if (e.stan) parts.push(`stan ${e.stan}`);
  if (e.tid) parts.push(`tid ${e.tid}`);
  if (e.code) parts.push(`code ${e.code}`);
  if (e.fault) parts.push(`[fault ${e.fault}]`);
  if (e.note) parts.push(`— ${e.note}`);
  return parts.join(' ');
}

/** One line typed while the acquirer runs: `disable <TID>`. @returns what to print */
export function hostCommand(acquirer: Pick<Acquirer, 'addFaults'>, line: string): string {
  const words = line.trim().split(/\s+/);
  if (words[0] === '') return '';
  if (words[0] !== 'disable' || words.length !== 2) return 'acquirer: commands: disable <TID>';
  try {
    acquirer.addFaults([{ kind: 'disable-tid', tid: words[1] }]);
    return `acquirer: ${words[1]} disabled`;
  } catch (error) {
    return `acquirer: ${(error as Error).message}`;
  }
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AcquirerConfigError('acquirer-config', what, `cannot read ${path}: ${(error as Error).message}`);
  }
}

/** @throws AcquirerConfigError naming what is wrong in the registry file */
export function loadRegistry(path: string): AcquirerConfig {
  const file = readJson(path, 'registry') as Record<string, unknown>;
  if (typeof file !== 'object' || file === null) throw new AcquirerConfigError('acquirer-config', 'registry', 'must be an object');
  const here = dirname(path);
  const profileInput = typeof file.profile === 'string' ? readJson(resolve(here, file.profile), 'profile') : file.profile;
  const profile = parseAcquirerProfile(profileInput);
  if (!profile.ok) throw new AcquirerConfigError('acquirer-config', profile.error.field, profile.error.reason);
  const seed = file.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new AcquirerConfigError('acquirer-config', 'seed', 'must be a whole number');
  const ports = file.ports ?? profile.value.hosts.map((h) => h.port);
  if (!Array.isArray(ports) || ports.length < 1 || ports.length > 2 || !ports.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535))
    throw new AcquirerConfigError('acquirer-config', 'ports', 'must list one or two ports 0–65535');
  let tls: AcquirerConfig['tls'];
  if (file.tls !== undefined) {
    const t = file.tls as Record<string, unknown>;
    if (typeof t?.cert !== 'string' || typeof t.key !== 'string') throw new AcquirerConfigError('acquirer-config', 'tls', 'must name the cert and key PEM files');
    tls = { cert: readFileSync(resolve(here, t.cert), 'utf8'), key: readFileSync(resolve(here, t.key), 'utf8') };
  }
  return { profile: profile.value, terminals: checkRegistry(file.terminals), seed, ports: ports as number[], tls, keySource: 'system' };
}

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  let config: AcquirerConfig;
  try {
    config = loadRegistry(resolve(args[0]));
  } catch (error) {
    console.error(`acquirer: ${(error as Error).message}`);
    return 2;
  }
  const acquirer = await startAcquirer(config, { onLog: (e) => console.log(formatLogEntry(e)) });
  const scheme = config.tls ? 'TLS 1.2+' : 'TCP';
  acquirer.ports.forEach((port, i) => console.log(`acquirer ${config.profile.id}: ${i === 0 ? 'primary' : 'backup'} listening on 127.0.0.1:${port} (${scheme})`));
  console.log(`acquirer: ${config.terminals.length} terminal(s): ${config.terminals.map((t) => `${t.tid} ${t.status}${t.activation ? ' (activation code issued)' : ''}`).join(', ')}`);
  const commands = createInterface({ input: process.stdin, terminal: false });
  commands.on('line', (line) => console.log(hostCommand(acquirer, line)));
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  commands.close();
  await acquirer.close();
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`acquirer: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
