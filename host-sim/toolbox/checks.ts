/**
 * The check commands: a terminal certificate chain and an EMV CA public key table, judged by the
 * firmware's own code. They exit 1 when the check ran and failed, 2 when the input could not be
 * read or parsed.
 */
import { checkChain } from '../../firmware/core/security/certificateChain';
import { judgeKeys, parseCapkTable } from '../../firmware/core/security/caPublicKeys';
import { parseCertificate, pemToDer } from '../../firmware/core/security/x509';
import { InputError, shownPath, UsageError, type Args } from './args';
import { toolCrypto, type Command } from './command';

const AT_OPTION = { name: 'at', value: 'TIME', help: 'judge dates at this UTC time: 2026-11-26 or 2026-11-26T09:00:00Z (default: now).' };

/** `--at`: a real UTC date or date-time (Date.parse would take "2026-02-30" and local times). */
export function instant(args: Args): number {
  const at = args.optional('at');
  if (at === undefined) return Date.now();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})Z)?$/.exec(at);
  const parts = m ? m.slice(1).map((p) => Number(p ?? 0)) : [];
  const ms = m ? Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5]) : NaN;
  const back = new Date(ms);
  const same = m && [back.getUTCFullYear(), back.getUTCMonth() + 1, back.getUTCDate(), back.getUTCHours(), back.getUTCMinutes(), back.getUTCSeconds()].every((v, i) => v === parts[i]);
  if (!same) throw new UsageError('--at must be a UTC date or time, e.g. 2026-11-26 or 2026-11-26T09:00:00Z');
  return ms;
}

/** Every certificate in a PEM file (in order), or the one certificate of a DER file. */
function readCertificates(args: Args, option: string, path: string) {
  const bytes = Buffer.from(args.file(option, path));
  const text = bytes.toString('latin1');
  const ders = text.includes('-----BEGIN CERTIFICATE-----') ? pemToDer(text) : [new Uint8Array(bytes)];
  if (ders.length === 0) throw new InputError('input-malformed', `--${option} ${shownPath(path)} holds no certificate`);
  return ders.map(parseCertificate);
}

export const certCheck: Command = {
  name: 'cert check',
  summary: "checks a terminal certificate's chain to the acquirer root, its dates and its terminal ID",
  synopsis: '--cert FILE --root FILE --tid TID [--chain FILE]... [--at TIME] [--json]',
  options: [
    { name: 'cert', value: 'FILE', help: 'the terminal certificate, PEM or DER (more certificates after it in a PEM file count as intermediates).' },
    { name: 'chain', value: 'FILE', repeat: true, help: 'intermediate CA certificates, PEM or DER; may be repeated.' },
    { name: 'root', value: 'FILE', help: "the acquirer's root certificate (the trust anchor), PEM or DER." },
    { name: 'tid', value: 'TID', help: "the terminal ID the certificate's subject must name." },
    AT_OPTION,
  ],
  notes: ['Example: xspos-tool cert check --cert terminal.pem --chain ca.pem --root root.pem --tid 10240001 --at 2026-11-26T09:00:00Z'],
  run(args) {
    args.positionals([]);
    const [terminal, ...rest] = readCertificates(args, 'cert', args.required('cert'));
    const intermediates = [...rest, ...args.list('chain').flatMap((path) => readCertificates(args, 'chain', path))];
    const [root] = readCertificates(args, 'root', args.required('root'));
    const terminalId = args.required('tid');
    const nowMs = instant(args);
    const crypto = toolCrypto();
    const result = checkChain((s, k, d, sig) => crypto.verifySignature(s, k, d, sig), { terminal, intermediates, root, terminalId, nowMs, clockTrusted: true });
    // Every finding, one a line: a wrong terminal ID does not hide an expiry.
    const lines = result.findings.map((f) => `${f.status.toUpperCase()} ${f.code}: ${f.detail}`);
    return { ok: result.status === 'pass' || result.status === 'warn', value: { ...result }, text: lines.join('\n') };
  },
};

export const capkCheck: Command = {
  name: 'capk check',
  summary: 'checks every key of an EMV CA public key table: SHA-1 checksum, form, expiry',
  synopsis: 'FILE [--at TIME] [--json]',
  options: [AT_OPTION],
  notes: ['FILE is a JSON table: a list of {rid, index, modulus, exponent, checksum, expiry?, label?} (hex strings; expiry YYYY-MM-DD), or an object with that list in "keys".', 'Example: xspos-tool capk check capk.json --at 2026-11-26'],
  run(args) {
    const [file] = args.positionals(['FILE']);
    const nowMs = instant(args);
    const text = Buffer.from(args.file('FILE', file)).toString('utf8');
    let table: unknown;
    try {
      table = JSON.parse(text);
    } catch (error) {
      throw new InputError('input-malformed', `${shownPath(file)} is not JSON: ${(error as Error).message}`);
    }
    const findings = judgeKeys(toolCrypto(), parseCapkTable(table), nowMs, true);
    const refused = findings.filter((f) => f.status !== 'valid');
    const lines = findings.map((f) => (f.status === 'valid' ? `valid    ${f.key} ${f.modulusBits} bits` : `${f.status.padEnd(8)} ${f.key} ${f.code}: ${f.detail}`));
    return { ok: refused.length === 0, value: { keys: findings.length, refused: refused.length, findings }, text: `${lines.join('\n')}\n${findings.length} keys, ${refused.length} refused` };
  },
};
