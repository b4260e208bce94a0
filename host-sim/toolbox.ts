/**
 * The integrator's toolbox: the firmware's own key, MAC, PIN-block, certificate and CA-key code
 * on the command line, for key ceremonies and certification. Clear keys go in; only check
 * values, MACs and PIN blocks come out (never a key).
 *
 *   npm run tool -- kcv --algorithm tdes2 --key HEX [--length 3|4] [--json]
 *   npm run tool -- mac --algorithm cup-ecb|x9.19 [--padding 1|2] --key HEX --data HEX [--json]
 *   npm run tool -- pinblock --format 0|4 [--algorithm tdes2|tdes3|aes128|…] --key HEX --pin DIGITS --pan DIGITS [--json]
 *   npm run tool -- cert check --cert FILE [--chain FILE]... --root FILE --tid TID [--at ISO-TIME] [--json]
 *   npm run tool -- capk check FILE [--at ISO-TIME] [--json]
 *
 * Exit status: 0 when the check passed (or the value was computed), 1 when it failed, 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import type { KeyAlgorithm } from '../firmware/core/ports';
import { fromHex, toHex } from '../firmware/core/bytes';
import { checkValue } from '../firmware/core/security/checkValue';
import { KEY_LENGTH } from '../firmware/core/security/blocks';
import { checkChain } from '../firmware/core/security/certificateChain';
import { judgeKeys, parseCapkTable } from '../firmware/core/security/caPublicKeys';
import { computeMac, type MacAlgorithm } from '../firmware/core/security/mac';
import { pinBlockFormat0, pinBlockFormat4 } from '../firmware/core/security/pinBlock';
import { parseCertificate, pemToDer } from '../firmware/core/security/x509';
import { NodeCrypto } from './ports/nodeCrypto';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}


interface Parsed {
  words: string[];
  options: Map<string, string[]>;
  json: boolean;
}

function parse(argv: string[]): Parsed {
  const words: string[] = [];
  const options = new Map<string, string[]>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg.startsWith('--')) {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      options.set(arg.slice(2), [...(options.get(arg.slice(2)) ?? []), value]);
    } else words.push(arg);
  }
  return { words, options, json };
}

function one(p: Parsed, name: string, fallback?: string): string {
  const values = p.options.get(name);
  if (!values && fallback !== undefined) return fallback;
  if (!values || values.length !== 1) throw new UsageError(`--${name} is needed once`);
  return values[0];
}

function hexOption(p: Parsed, name: string): Uint8Array {
  const text = one(p, name);
  if (!/^([0-9A-Fa-f]{2})*$/.test(text)) throw new UsageError(`--${name} must be hex digits, two per byte`);
  return fromHex(text);
}

function keyOption(p: Parsed, crypto: NodeCrypto, algorithm: KeyAlgorithm) {
  if (!(algorithm in KEY_LENGTH)) throw new UsageError(`--algorithm must be one of ${Object.keys(KEY_LENGTH).join(', ')}`);
  const key = hexOption(p, 'key');
  if (key.length !== KEY_LENGTH[algorithm]) throw new UsageError(`a ${algorithm} key is ${KEY_LENGTH[algorithm]} bytes, not ${key.length}`);
  const handle = crypto.importKey(algorithm, key);
  key.fill(0);
  return handle;
}

function instant(p: Parsed): number {
  const at = one(p, 'at', '');
  if (at === '') return Date.now();
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw new UsageError('--at must be an ISO 8601 time, e.g. 2026-11-26T09:00:00Z');
  return ms;
}

function readCertificateFiles(path: string) {
  const bytes = readFileSync(path);
  const text = bytes.toString('latin1');
  const ders = text.includes('-----BEGIN CERTIFICATE-----') ? pemToDer(text) : [new Uint8Array(bytes)];
  if (ders.length === 0) throw new UsageError(`${path} holds no certificate`);
  return ders.map(parseCertificate);
}

export interface ToolResult {
  ok: boolean;
  /** What `--json` prints. */
  value: Record<string, unknown>;
  /** What a person reads. */
  text: string;
}

/** Runs one toolbox command. @throws UsageError, and the core's typed errors for bad input */
export function runTool(argv: string[]): ToolResult {
  const p = parse(argv);
  const crypto = new NodeCrypto(Date.now());
  const [command, sub] = p.words;
  switch (command) {
    case 'kcv': {
      const algorithm = one(p, 'algorithm') as KeyAlgorithm;
      const key = keyOption(p, crypto, algorithm);
      const length = Number(one(p, 'length', algorithm.startsWith('aes') ? '5' : '3'));
      if (!Number.isInteger(length) || length < 1 || length > 16) throw new UsageError('--length must be 1–16');
      const kcv = toHex(checkValue(crypto, key, length)).toUpperCase();
      return { ok: true, value: { algorithm, kcv }, text: `KCV ${kcv}` };
    }
    case 'mac': {
      const algorithm = one(p, 'algorithm') as MacAlgorithm;
      if (algorithm !== 'cup-ecb' && algorithm !== 'x9.19') throw new UsageError('--algorithm must be cup-ecb or x9.19');
      const padding = Number(one(p, 'padding', '1'));
      if (padding !== 1 && padding !== 2) throw new UsageError('--padding must be 1 or 2');
      const key = keyOption(p, crypto, 'tdes2');
      const mac = computeMac(crypto, key, { algorithm, padding }, hexOption(p, 'data'));
      const kcv = toHex(checkValue(crypto, key, 4)).toUpperCase();
      return { ok: true, value: { algorithm, padding, mac: toHex(mac).toUpperCase(), keyKcv: kcv }, text: `MAC ${toHex(mac).toUpperCase()} (key KCV ${kcv})` };
    }
    case 'pinblock': {
      const format = one(p, 'format');
      const pin = one(p, 'pin');
      const pan = one(p, 'pan');
      if (format !== '0' && format !== '4') throw new UsageError('--format must be 0 or 4');
      const key = keyOption(p, crypto, one(p, 'algorithm', format === '4' ? 'aes128' : 'tdes2') as KeyAlgorithm);
      const block = format === '0' ? pinBlockFormat0(crypto, key, pin, pan) : pinBlockFormat4(crypto, key, pin, pan);
      const masked = `${pan.slice(0, 6)}${'*'.repeat(Math.max(0, pan.length - 10))}${pan.slice(-4)}`;
      return { ok: true, value: { format: Number(format), pan: masked, pinBlock: toHex(block).toUpperCase() }, text: `PIN block ${toHex(block).toUpperCase()} (format ${format}, PAN ${masked})` };
    }
    case 'cert': {
      if (sub !== 'check') throw new UsageError('cert takes: check');
      const [terminal, ...rest] = readCertificateFiles(one(p, 'cert'));
      const intermediates = [...rest, ...(p.options.get('chain') ?? []).flatMap(readCertificateFiles)];
      const [root] = readCertificateFiles(one(p, 'root'));
      const finding = checkChain((s, k, d, sig) => crypto.verifySignature(s, k, d, sig), {
        terminal,
        intermediates,
        root,
        terminalId: one(p, 'tid'),
        nowMs: instant(p),
        clockTrusted: true,
      });
      return { ok: finding.status === 'pass' || finding.status === 'warn', value: { ...finding }, text: `${finding.status.toUpperCase()} ${finding.code}: ${finding.detail}` };
    }
    case 'capk': {
      if (sub !== 'check' || !p.words[2]) throw new UsageError('capk takes: check FILE');
      const keys = parseCapkTable(JSON.parse(readFileSync(p.words[2], 'utf8')));
      const findings = judgeKeys(crypto, keys, instant(p), true);
      const refused = findings.filter((f) => f.status !== 'valid');
      const lines = findings.map((f) => (f.status === 'valid' ? `valid    ${f.key} ${f.modulusBits} bits` : `${f.status.padEnd(8)} ${f.key} ${f.code}: ${f.detail}`));
      return {
        ok: refused.length === 0,
        value: { keys: findings.length, refused: refused.length, findings },
        text: `${lines.join('\n')}\n${findings.length} keys, ${refused.length} refused`,
      };
    }
    default:
      throw new UsageError('commands: kcv, mac, pinblock, cert check, capk check (see host-sim/toolbox.ts)');
  }
}

if (require.main === module) {
  const json = process.argv.includes('--json');
  try {
    const result = runTool(process.argv.slice(2));
    console.log(json ? JSON.stringify(result.value) : result.text);
    process.exit(result.ok ? 0 : 1);
  } catch (error) {
    const e = error as Error & { code?: string };
    if (json) console.log(JSON.stringify({ error: e.name, code: e.code, message: e.message }));
    else console.error(`${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
