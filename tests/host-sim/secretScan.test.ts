/**
 * A scan of every output of every scenario for key material and clear PANs (issue 8,
 * acceptance: "a scan of every output of every scenario finds no key and no clear PAN").
 *
 * Outputs: the report (self-tests, recent events, transactions, the acquirer's log), the trace,
 * each screen's display list (every text it draws; its PNG is these pixels, written without
 * text chunks, so the PNG bytes are not searched: encoding them cost 7 of the run's seconds),
 * the toolbox's `diag decode` of any support code a screen writes as text and of any QR code it
 * shows (read back from the rasterized screen with jsQR), with the support code of that QR's
 * diagnosis (the support page draws its code as pixels); and the flash (every
 * event and record as stored) for keys only: the host journal stores the PANs a reversal and
 * the batch upload resend.
 *
 * Keys: every key the scenario's world holds: the scenario's master and working keys, the
 * acquirer registry's master keys, and the keys made while it runs, caught where they are made:
 * working keys the acquirer issues at sign-on (TerminalBook.setKeys), master keys it binds at
 * activation (TerminalBook.bind), and the keys the terminal unwraps (NodeCrypto.unwrapKey: the
 * wrapped block deciphered under each master key the world knows, a wrong one included, since a
 * terminal with the wrong master key still holds what it unwrapped). Each is searched as upper-
 * and lower-case hex and as raw bytes, whole and by 8-byte halves. PANs: every PAN the
 * scenario's cards carry, as digits; masked forms (first six, last four) are what is allowed.
 */
import { createDecipheriv } from 'node:crypto';
import jsQR from 'jsqr';
import { shippedScenarios } from '../../host-sim/cli';
import { TerminalBook } from '../../host-sim/acquirer/terminalBook';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { rasterize, type RgbImage } from '../../host-sim/render/raster';
import { loadScenario } from '../../host-sim/scenario/load';
import type { Scenario } from '../../host-sim/scenario/schema';
import { runTool } from '../../host-sim/toolbox';
import { loadFont, runInWorld } from '../../host-sim/world';
import { parseFont } from '../../firmware/core/ui/font';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { decodeSummary, encodeSummary } from '../../firmware/core/diagnosis/summary';
import { encodeSupportCode, hourStamp, supportCode } from '../../firmware/core/diagnosis/supportCode';
import { encodeQr } from '../../firmware/core/qr/encode';
import { qrOps } from '../../firmware/core/qr/qrOps';
import { cause, diagnosis, evidence } from '../diagnosis/supportFixtures';
import { luhnValid } from '../../firmware/core/card/pan';

interface Output {
  name: string;
  bytes: Uint8Array;
  /** Stored data, not output: searched for keys only (see the flash below). */
  keysOnly?: boolean;
}

interface Secrets {
  /** Keys as hex. */
  keys: Set<string>;
  /** PANs as digits. */
  pans: Set<string>;
}

/** Where each secret shows in `output`: hex in either case or raw bytes (a key, or one of its 8-byte halves); digits (a PAN). */
function findSecrets(output: Output, secrets: Secrets): string[] {
  const raw = Buffer.from(output.bytes);
  const text = raw.toString('latin1').toLowerCase();
  const found: string[] = [];
  for (const key of secrets.keys) {
    const bytes = Buffer.from(key, 'hex');
    const parts = [bytes, ...[...Array(Math.floor(bytes.length / 8)).keys()].map((i) => bytes.subarray(i * 8, i * 8 + 8))];
    if (parts.some((p) => text.includes(p.toString('hex')) || raw.includes(p))) found.push(`key ${key.slice(0, 4)}… in ${output.name}`);
  }
  if (!output.keysOnly) for (const pan of secrets.pans) if (text.includes(pan)) found.push(`PAN ${pan.slice(0, 6)}…${pan.slice(-4)} in ${output.name}`);
  return found;
}

const isHexKey = (v: unknown): v is string => typeof v === 'string' && /^(?:[0-9A-Fa-f]{16}){1,3}$/.test(v);

/** Every value under one of `names` anywhere in `value` (scenario steps, acquirer registry). */
function valuesNamed(value: unknown, names: readonly string[], out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => valuesNamed(v, names, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (names.includes(k)) out.push(v);
      valuesNamed(v, names, out);
    }
  return out;
}

/** PANs a card file holds: 5A values, and the digits before the separator of 57 (as [tag, hex] pairs of a profile, or TLV in a trace's answers). */
function cardFilePans(cards: Record<string, unknown>): string[] {
  const out: string[] = [];
  const text = JSON.stringify(cards);
  for (const m of text.matchAll(/"5A",\s*"(\d{12,19})F?"/gi)) out.push(m[1]);
  for (const m of text.matchAll(/"57",\s*"(\d{12,19})D/gi)) out.push(m[1]);
  // Recorded traces: 5A ‖ length ‖ BCD PAN inside the R-APDUs.
  for (const m of text.matchAll(/5A0[6-9A]((?:\d\d){6,10})/gi)) if (luhnValid(m[1].replace(/F$/i, ''))) out.push(m[1].replace(/F$/i, ''));
  return out;
}

/** The keys and PANs a scenario file names. */
function declaredSecrets(scenario: Scenario): Secrets {
  const keys = new Set<string>();
  for (const v of valuesNamed({ keys: scenario.keys, acquirer: scenario.acquirer }, ['masterKey', 'masterKeyReplacedBy', 'pin', 'mac', 'data'])) if (isHexKey(v)) keys.add(v.toLowerCase());
  const pans = new Set<string>();
  for (const v of valuesNamed(scenario.steps, ['pan', 'track2'])) if (typeof v === 'string') pans.add(v.split(/[=D]/)[0]);
  // Card sales (issue 9): swiped tracks, scanned payment codes, and the PAN (5A) and track 2 equivalent (57) of every card file presented.
  for (const v of valuesNamed(scenario.steps, ['swipe'])) if (typeof v === 'string') pans.add(v.replace(/^;/, '').split('=')[0]);
  for (const v of valuesNamed(scenario.steps, ['scan'])) if (typeof v === 'string' && /^\d{16,24}$/.test(v)) pans.add(v);
  for (const pan of cardFilePans(scenario.cards)) pans.add(pan);
  return { keys, pans };
}

/**
 * `wrapped` deciphered (ECB, no padding) under `master`, as unwrapKey does. The master key's
 * algorithm is not known here, so a double-length key is read both as 2-key 3DES and as
 * AES-128: the wrong reading is noise nobody writes.
 */
function decipher(master: string, wrapped: Uint8Array): string[] {
  const key = Buffer.from(master, 'hex');
  const ciphers = key.length === 16 ? ['des-ede-ecb', ...(wrapped.length % 16 === 0 ? ['aes-128-ecb'] : [])] : key.length === 24 ? ['des-ede3-ecb'] : [];
  if (wrapped.length === 0 || wrapped.length % 8 !== 0) return [];
  return ciphers.map((name) => {
    const d = createDecipheriv(name, key, null).setAutoPadding(false);
    return Buffer.concat([d.update(wrapped), d.final()]).toString('hex');
  });
}

/** Catches the keys a run makes: issued, bound, unwrapped. */
function watchKeys() {
  const made: string[] = [];
  const wrapped: Uint8Array[] = [];
  const { setKeys, bind } = TerminalBook.prototype;
  const { unwrapKey } = NodeCrypto.prototype;
  const spies = [
    jest.spyOn(TerminalBook.prototype, 'setKeys').mockImplementation(function (this: TerminalBook, ...args: Parameters<TerminalBook['setKeys']>) {
      for (const k of [args[1].pin, args[1].mac, args[1].data]) if (k) made.push(Buffer.from(k).toString('hex'));
      return setKeys.apply(this, args);
    }),
    jest.spyOn(TerminalBook.prototype, 'bind').mockImplementation(function (this: TerminalBook, ...args: Parameters<TerminalBook['bind']>) {
      made.push(args[2].toLowerCase());
      return bind.apply(this, args);
    }),
    jest.spyOn(NodeCrypto.prototype, 'unwrapKey').mockImplementation(function (this: NodeCrypto, ...args: Parameters<NodeCrypto['unwrapKey']>) {
      wrapped.push(Uint8Array.from(args[2]));
      return unwrapKey.apply(this, args);
    }),
  ];
  return {
    /** The keys made since the last call, given the master keys the world knows. */
    take(masters: Iterable<string>): string[] {
      const all = [...made];
      for (const block of wrapped) for (const m of masters) all.push(...decipher(m, block));
      made.length = 0;
      wrapped.length = 0;
      return all;
    },
    restore() {
      for (const s of spies) s.mockRestore();
    },
  };
}

const font = loadFont();
const parsedFont = parseFont(font);

/** The QR payload a screen shows, read back from its pixels. */
function qrPayload(image: RgbImage): Uint8Array | undefined {
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0, j = 0; i < image.rgb.length; i += 3, j += 4) {
    rgba[j] = image.rgb[i];
    rgba[j + 1] = image.rgb[i + 1];
    rgba[j + 2] = image.rgb[i + 2];
    rgba[j + 3] = 255;
  }
  const found = jsQR(rgba, image.width, image.height);
  return found ? Uint8Array.from(found.binaryData) : undefined;
}

const SUPPORT_CODE = /\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]\b/g;

/** `diag decode` (text and --json) of what a screen hands to support. */
function toolboxOutputs(name: string, list: DisplayList, image: RgbImage): Output[] {
  const outputs: Output[] = [];
  const words = list.ops.flatMap((op) => (op.op === 'text' ? [op.text] : [])).join('\n');
  const runs: string[][] = [...new Set(words.match(SUPPORT_CODE) ?? [])].map((code) => ['diag', 'decode', code]);
  const payload = list.ops.some((op) => op.op === 'bits') ? qrPayload(image) : undefined;
  if (payload) {
    runs.push(['diag', 'decode', '--qr-hex', Buffer.from(payload).toString('hex')]);
    // The support page draws its code as pixels ('bits'), not text: the code of the QR's diagnosis stands in.
    const summary = decodeSummary(payload);
    runs.push(['diag', 'decode', encodeSupportCode({ version: 1, causes: summary.causes.slice(0, 3), hourStamp: hourStamp(summary.wallSeconds * 1000) })]);
  }
  for (const argv of runs)
    for (const json of [false, true]) {
      const result = runTool(json ? [...argv, '--json'] : argv);
      outputs.push({ name: `${name}: ${argv.slice(0, 3).join(' ')}`, bytes: Buffer.from(json ? JSON.stringify(result.value) : result.text) });
    }
  return outputs;
}

/** Every output of one scenario run, and the keys the run made. */
async function runOutputs(file: string, watch: ReturnType<typeof watchKeys>) {
  const scenario = loadScenario(file);
  const { outcome, world } = await runInWorld(scenario, font);
  const declared = declaredSecrets(scenario);
  const made = watch.take(declared.keys);
  const outputs: Output[] = [
    { name: 'report.json', bytes: Buffer.from(JSON.stringify(outcome.report, null, 2)) },
    { name: 'trace.log', bytes: Buffer.from(world.traceLines.join('\n')) },
    // The host journal keeps the PAN and track 2 of a pending sale and of the batch (journal.ts:
    // the reversal and the batch upload resend field 2), so the flash is searched for keys only;
    // on a production board flash encryption covers it (README, issue 8 item 7).
    { name: 'flash', bytes: world.flash.bytes, keysOnly: true },
  ];
  for (const screen of outcome.screens) {
    const image = rasterize(screen.list, parsedFont);
    outputs.push({ name: `${screen.name} (text)`, bytes: Buffer.from(JSON.stringify(screen.list, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))) });
    outputs.push(...toolboxOutputs(screen.name, screen.list, image));
  }
  return { scenario, outputs, secrets: { keys: new Set([...declared.keys, ...made]), pans: declared.pans }, made: made.length };
}

describe('secret scan of every scenario output', () => {
  it('finds a key planted in any form, and a clear PAN, but not a masked PAN', () => {
    const key = '0123456789abcdeffedcba9876543210';
    const secrets: Secrets = { keys: new Set([key]), pans: new Set(['6214830000000017']) };
    const plant = (name: string, bytes: Uint8Array) => findSecrets({ name, bytes }, secrets);
    expect(plant('upper', Buffer.from(`{"kcv":"D5D44F","key":"${key.toUpperCase()}"}`))).toEqual(['key 0123… in upper']);
    expect(plant('lower', Buffer.from(`trace: key=${key}`))).toEqual(['key 0123… in lower']);
    expect(plant('raw', Buffer.concat([Buffer.from([0xa1, 0x61]), Buffer.from(key, 'hex')]))).toEqual(['key 0123… in raw']);
    expect(plant('half', Buffer.concat([Buffer.from([0x48]), Buffer.from(key, 'hex').subarray(8)]))).toEqual(['key 0123… in half']);
    expect(plant('pan', Buffer.from('{"pan":"6214830000000017"}'))).toEqual(['PAN 621483…0017 in pan']);
    expect(plant('masked', Buffer.from('{"pan":"621483******0017","kcv":"D5D44F"}'))).toEqual([]);
    expect(findSecrets({ name: 'flash', bytes: Buffer.from(`p${'6214830000000017'}`), keysOnly: true }, secrets)).toEqual([]);
  });

  it("reads a support page's QR back from its pixels and scans diag decode's output of it and of its code", () => {
    const summary = encodeSummary(diagnosis([cause('auth.tid-disabled', 42, 'confirmed')], [evidence('hosttext.terminal-disabled', 'fail', 'authentication')]), { terminalId: '10240001', firmwareVersion: '1.4.0' });
    const list: DisplayList = { width: 240, height: 320, background: 0xffffff, ops: qrOps(encodeQr(summary), 40, 60, 3) };
    const outputs = toolboxOutputs('support', list, rasterize(list, parsedFont));
    expect(outputs.map((o) => o.name)).toEqual([...Array(2).fill('support: diag decode --qr-hex'), ...Array(2).fill(`support: diag decode ${supportCode(diagnosis([cause('auth.tid-disabled', 42, 'confirmed')]))}`)]);
    expect(JSON.parse(Buffer.from(outputs[1].bytes).toString())).toMatchObject({ terminalId: '10240001', causes: [{ id: 'auth.tid-disabled' }] });
  });

  it("knows the PANs of the card scenarios: each card file's, each swipe's and each scanned code's", () => {
    const pansOf = (name: string) => declaredSecrets(loadScenario(shippedScenarios().find((f) => f.endsWith(`${name}.json`))!)).pans;
    expect([...pansOf('card-contactless-arqc')]).toEqual(['6212345678901232']);
    expect([...pansOf('card-contact-pin')]).toEqual(['4761739001010010']);
    expect(pansOf('card-swipe-chip')).toEqual(new Set(['6212345678901232', '6223456789012343']));
    expect(pansOf('card-qr-codes')).toEqual(new Set(['134567890123456789', '281234567890123456', '6212345678901234567']));
  });

  it('catches the keys a run makes: the working keys of a sign-on, as issued and as unwrapped', async () => {
    const watch = watchKeys();
    try {
      const { secrets, made, outputs } = await runOutputs(shippedScenarios().find((f) => f.endsWith('host-healthy-day.json'))!, watch);
      expect(made).toBeGreaterThanOrEqual(4); // PIN and MAC keys issued, and the same two unwrapped
      // A synthetic output holding one of them is caught.
      const issued = [...secrets.keys].find((k) => !['0123456789abcdeffedcba9876543210'].includes(k))!;
      expect(findSecrets({ name: 'planted', bytes: Buffer.concat([outputs[0].bytes, Buffer.from(issued, 'hex')]) }, secrets)).toHaveLength(1);
    } finally {
      watch.restore();
    }
  });

  it('no scenario output holds a key or a clear PAN', async () => {
    const watch = watchKeys();
    const leaks: string[] = [];
    let outputs = 0;
    let toolbox = 0;
    try {
      for (const file of shippedScenarios()) {
        const run = await runOutputs(file, watch);
        expect(run.secrets.keys.size).toBeGreaterThan(0);
        for (const output of run.outputs) leaks.push(...findSecrets(output, run.secrets).map((l) => `${run.scenario.name}: ${l}`));
        outputs += run.outputs.length;
        toolbox += run.outputs.filter((o) => o.name.includes('diag decode')).length;
      }
    } finally {
      watch.restore();
    }
    expect(leaks).toEqual([]);
    expect(outputs).toBeGreaterThan(shippedScenarios().length * 4);
    // Each QR read back gives four toolbox outputs (summary and code, text and JSON).
    expect(toolbox % 4).toBe(0);
  });
});
