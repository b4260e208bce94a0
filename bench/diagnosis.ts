/**
 * The diagnosis bench (issue 8): what the code-83 diagnosis costs on XS, in computrons, each
 * figure beside a peer measured in the same worker in the same run — the evidence gathering and
 * ranking, each diagnosis page (the support page with its QR encode), the QR encoder at versions
 * 1, 4 and 10, the durable history record, and the activation messages without their crypto.
 * The XS side is bench/diagnosisBenchEntry.ts; each command runs once unmetered first (the first
 * call of a function is not what a terminal pays after boot).
 *
 * `npx ts-node --transpile-only bench/diagnosis.ts` runs it alone; `npm run bench` includes it.
 */
import { join } from 'node:path';
import { PRELUDE, XsWorker, xsBundle } from '../host-sim/xs/xsLane';
import { loadFont } from '../host-sim/world';
import { T0 } from '../tests/diagnosis/modelFixtures';
import { SITUATIONS } from '../tests/diagnosis/modelSituationTable';

type Row = (what: string, value: string, note?: string) => void;

const NOW = { wallMs: T0 + 60_000, uptimeMs: 660_000 };
/** The situations measured: a DNS failure, and every local check passing while the host answers 83. */
const MEASURED = [
  { label: 'DNS failure', name: 'DNS failure: the names do not resolve, so no host is reached' },
  { label: 'all local pass, host 83', name: 'every local check passes and the host answers 83 to everything' },
];
/** Byte payloads that fill versions 1, 4 and 10 at level M (14, 62 and 213 bytes). */
const QR_SIZES = [
  { version: 1, bytes: 14 },
  { version: 4, bytes: 62 },
  { version: 10, bytes: 213 },
];
const PAGES = ['summary', 'cause', 'steps', 'support'] as const;
const k = (c: number) => `${(c / 1e3).toFixed(1)} k`;
/**
 * The same figures at b749fef, before the speed work of issue 8 (font ASCII advances and block
 * index, wrapped widths carried, masks scored on packed words, one-pass rule matching), in k.
 */
const BEFORE: Readonly<Record<string, number>> = Object.freeze({
  diagnose0: 462.6, diagnose1: 492.1, 'boot-zh': 40.3, 'boot-en': 79.3,
  'summary0-zh': 265.5, 'cause0-zh': 240.7, 'steps0-zh': 198.2, 'support0-zh': 2439.9,
  'summary1-zh': 184.2, 'cause1-zh': 270.9, 'steps1-zh': 69.1, 'support1-zh': 2448.6,
  'summary0-en': 525.9, 'cause0-en': 463.4, 'steps0-en': 393.1, 'support0-en': 2460.8,
  'summary1-en': 443.0, 'cause1-en': 588.6, 'steps1-en': 119.1, 'support1-en': 2469.4,
  qr1: 1234.2, qr4: 2821.0, qr10: 8077.6,
});
const before = (name: string): string => (BEFORE[name] ? `; ${BEFORE[name].toFixed(1)} k before` : '');
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

export interface DiagnosisFigures {
  [name: string]: number;
}

/** Rows for the diagnosis's costs on XS; returns the figures by name (for the report's ratios). */
export async function diagnosisBench(row: Row): Promise<DiagnosisFigures> {
  const sources = MEASURED.map(({ name }) => {
    const s = SITUATIONS.find((x) => x.name === name);
    if (!s) throw new Error(`no situation "${name}"`);
    return JSON.parse(JSON.stringify({ events: [], history: [], now: NOW, ...s.sources }));
  });
  const worker = new XsWorker(() => {
    throw new Error('the diagnosis bench asks Node nothing');
  });
  const f: DiagnosisFigures = {};
  try {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle(join(__dirname, 'diagnosisBenchEntry.ts')));
    const send = async (command: object) => {
      const run = await worker.command(Buffer.from(JSON.stringify(command)));
      const reply = Buffer.from(run.value).toString();
      if (reply.startsWith('error')) throw new Error(`XS ${JSON.stringify(command).slice(0, 60)}: ${reply}`);
      return { computrons: run.computrons, reply };
    };
    /** Computrons of one `command`, averaged over `n` runs after one unmetered. */
    const each = async (command: object, n: number) => {
      await send({ ...command, n: 1 });
      const run = await send({ ...command, n });
      return { c: run.computrons / n, reply: run.reply };
    };
    const setup = await send({ what: 'setup', font: Buffer.from(loadFont()).toString('hex'), sources, now: NOW });

    f.append = (await each({ what: 'append' }, 200)).c;
    for (const [s, { label }] of MEASURED.entries()) {
      const d = await each({ what: 'diagnose', s }, 20);
      f[`diagnose${s}`] = d.c;
      row(`XS gatherEvidence + diagnose: ${label}`, `${k(d.c)} computrons`, `top ${d.reply}; ${ratio(d.c, f.append)} one log append (same run); no JSON${before(`diagnose${s}`)}`);
    }
    for (const lang of ['zh', 'en'] as const) {
      const boot = await each({ what: 'boot', lang }, 20);
      f[`boot-${lang}`] = boot.c;
      row(`XS boot screen (${lang}), the pages' peer`, `${k(boot.c)} computrons`, `${boot.reply}: header, two centred lines, footer${before(`boot-${lang}`)}`);
      for (const [s, { label }] of MEASURED.entries())
        for (const kind of PAGES) {
          const page = await each({ what: 'page', s, kind, lang }, kind === 'support' ? 3 : 10);
          f[`${kind}${s}-${lang}`] = page.c;
          row(`XS diagnosis ${kind} page (${lang}), ${label}`, `${k(page.c)} computrons`, `${ratio(page.c, boot.c)} the boot screen; ${page.reply}${kind === 'support' ? '; support code + CBOR summary + QR encode included' : ''}${before(`${kind}${s}-${lang}`)}`);
        }
    }
    for (const { version, bytes } of QR_SIZES) {
      const n = version === 10 ? 2 : 5;
      const ours = await each({ what: 'qr', bytes }, n);
      const words = await each({ what: 'codewords', bytes }, n);
      const peer = await each({ what: 'peerQr', bytes }, n);
      f[`qr${version}`] = ours.c;
      f[`peerQr${version}`] = peer.c;
      row(
        `XS QR encode, ${bytes} bytes (version ${version}-M)`,
        `${k(ours.c)} computrons`,
        `${ours.reply}; ${ratio(ours.c, words.c)} its codewords alone (segment + Reed–Solomon, ${k(words.c)}); ${(ours.c / peer.c).toFixed(2)}× qrcode-generator 2.0.4 on the same bytes (${k(peer.c)}, its own simplified penalty rules)${before(`qr${version}`)}`,
      );
    }
    for (const [s, { label }] of MEASURED.entries()) {
      const h = await each({ what: 'history', s }, 20);
      f[`history${s}`] = h.c;
      row(`XS history record encode + decode: ${label}`, `${k(h.c)} computrons`, `${h.reply}; ${ratio(h.c, f.append)} one log append`);
    }
    const request = await each({ what: 'activationRequest' }, 50);
    const signOn = await each({ what: 'signOnRequest' }, 50);
    f.activationRequest = request.c;
    row('XS activation request: build + pack the 0800 (no key generation)', `${k(request.c)} computrons`, `${request.reply}; ${ratio(request.c, signOn.c)} a sign-on 0800 of the same IDs packed (${k(signOn.c)})`);
    const answer = await each({ what: 'activationAnswer' }, 50);
    const unpack = await each({ what: 'unpackAnswer' }, 50);
    f.activationAnswer = answer.c;
    row('XS activation answer: unpack + parse a granted 0810 (no unwrap)', `${k(answer.c)} computrons`, `${answer.reply}; ${ratio(answer.c, unpack.c)} unpacking it alone (${k(unpack.c)})`);
    row('XS one record-log append (diagnosis bench run)', `${k(f.append)} computrons`, `the unit of the ratios above; ${setup.reply}`);
  } finally {
    worker.close();
  }
  return f;
}

if (require.main === module) {
  diagnosisBench((what, value, note = '') => console.log(`${what} | ${value} | ${note}`)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
