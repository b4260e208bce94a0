/**
 * XS side of `npm run bench`. Commands (JSON):
 *   {"what":"appends","n":N}              N record-log appends, the flash emulated inside XS (the
 *                                          computrons are the log's and cbor-x's, not the bridge's)
 *   {"what":"mac","n":N,"algorithm":A}    N MACs over a 200-byte message (crypto over the bridge)
 *   {"what":"kcv","n":N}                  N check-value verifications (crypto over the bridge)
 *   {"what":"chain","n":N,"certs":[hex]}  N parses + chain checks of [terminal, CA, root]
 *   {"what":"rotation-setup","durable":K} a log whose next append rotates into the sector holding K
 *                                          durable records (a 180-byte key set, then 16-byte counters)
 *   {"what":"rotation"}                    that one append: carry-forward, erase intent, erase, format
 * Replies with a short result text; the computrons come from xsnap's metering of the command.
 */
import { createCborCodec } from '../../firmware/core/store/cbor';
import { RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { fromHex } from '../../firmware/core/bytes';
import { checkValue } from '../../firmware/core/security/checkValue';
import { constantTimeEqual } from '../../firmware/core/security/blocks';
import { checkChain } from '../../firmware/core/security/certificateChain';
import { computeMac, type MacAlgorithm } from '../../firmware/core/security/mac';
import { parseCertificate } from '../../firmware/core/security/x509';
import { NorFlash } from '../ports/norFlash';
import { parseScenario } from '../scenario/schema';
import { makeCaller } from './bridge';
import { bridgedWorld } from './xsPorts';

declare const globalThis: Record<string, unknown>;
declare const issueCommand: (request: ArrayBuffer) => ArrayBuffer;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };
const cbor = createCborCodec();
const call = makeCaller(cbor, (request) => new Uint8Array(issueCommand(request.slice().buffer)));
let crypto: ReturnType<typeof bridgedWorld>['ports']['crypto'] | undefined;
const bridgedCrypto = () => (crypto ??= bridgedWorld(call, parseScenario({ name: 'bench', steps: [{ do: 'boot' }] })).ports.crypto);

const benchEvent = (i: number) => cbor.encode({ kind: 'transition', from: 'ready', to: 'selftest', cause: 'selftest-periodic', uptimeMs: i * 1000, wallMs: 1795000000000 + i });
let rotating: RecordLog | undefined;

/** A log whose next append erases sector 0, which holds `durable` live durable records. */
function rotationSetup(durable: number): string {
  const fresh = () => {
    const log = RecordLog.open(new NorFlash({ sectors: 16, sectorSize: 4096 }));
    for (let k = 1; k <= durable; k++) log.put(k, RecordType.keySet, new Uint8Array(k === 1 ? 180 : 16).fill(k));
    return log;
  };
  // How many appends it takes until one reuses a sector, then the same log one append short of it.
  const probe = fresh();
  let appends = 0;
  while (probe.rotations === 0) probe.append(RecordType.event, benchEvent(appends++));
  rotating = fresh();
  for (let i = 0; i < appends - 1; i++) rotating.append(RecordType.event, benchEvent(i));
  return String(appends - 1);
}

function run(command: { what: string; n: number; algorithm?: MacAlgorithm; certs?: string[]; durable?: number }): string {
  const { what, n } = command;
  if (what === 'rotation-setup') return rotationSetup(command.durable ?? 0);
  if (what === 'rotation') {
    const log = rotating!;
    const before = log.rotations;
    log.append(RecordType.event, benchEvent(0));
    return `${log.rotations - before} rotation, ${log.durableKeys().length} durable`;
  }
  if (what === 'appends') {
    const log = RecordLog.open(new NorFlash({ sectors: 16, sectorSize: 4096 }));
    for (let i = 0; i < n; i++) log.append(RecordType.event, benchEvent(i));
    let read = 0;
    for (const _ of log.records()) read++;
    return String(read);
  }
  const c = bridgedCrypto();
  const key = c.importKey('tdes2', fromHex('0123456789abcdeffedcba9876543210'));
  if (what === 'mac') {
    const message = new Uint8Array(200).map((_, i) => i);
    let last: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < n; i++) last = computeMac(c, key, { algorithm: command.algorithm ?? 'cup-ecb', padding: 1 }, message);
    return String(last.length);
  }
  if (what === 'kcv') {
    const expected = checkValue(c, key, 4);
    let ok = 0;
    for (let i = 0; i < n; i++) if (constantTimeEqual(checkValue(c, key, 4), expected)) ok++;
    return String(ok);
  }
  if (what === 'chain') {
    const ders = (command.certs ?? []).map(fromHex);
    let status = '';
    for (let i = 0; i < n; i++) {
      const [terminal, ca, root] = ders.map(parseCertificate);
      status = checkChain((s, k, d, sig) => c.verifySignature(s, k, d, sig), { terminal, intermediates: [ca], root, terminalId: '10240001', nowMs: Date.UTC(2026, 10, 26), clockTrusted: true }).code;
    }
    return status;
  }
  throw new Error(`unknown bench command ${what}`);
}

globalThis.handleCommand = (message: ArrayBuffer) => text.encode(run(JSON.parse(text.decode(new Uint8Array(message))))).slice().buffer;
