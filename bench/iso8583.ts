/**
 * The codec rows of `npm run bench`: pack + unpack of a CUP 0200 with field 55 and of a 0810, by
 * our codec and by the iso_8583 npm package, on Node (ops/s) and on XS (computrons), as ratios.
 * The peer does not run on XS (see the XS rows): its dependency xmldom assigns `constructor` on
 * a prototype that inherits the frozen Object.prototype (load-time TypeError under the device's
 * frozen primordials), and with the primordials left unfrozen its pack and unpack need Node's
 * `Buffer`, which XS does not have.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PRELUDE, XsWorker, xsBundle } from '../host-sim/xs/xsLane';
import { ourRoundTrips, peerFormats, peerJson, peerRoundTrips, SALE_0200, SIGN_ON_0810 } from './iso8583Messages';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Peer = require('iso_8583');

type Row = (what: string, value: string, note?: string) => void;
const MESSAGES = [
  ['0200 sale with field 55 (257 B)', SALE_0200],
  ['0810 sign-on response (105 B)', SIGN_ON_0810],
] as const;

/** Round trips per second: the best of 5 runs of `n`. */
function opsPerSecond(n: number, work: (n: number) => unknown): number {
  let fastest = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    work(n);
    fastest = Math.min(fastest, performance.now() - t0);
  }
  return (n / fastest) * 1000;
}

export async function codecBench(row: Row, onQuery: ConstructorParameters<typeof XsWorker>[0]): Promise<void> {
  const formats = peerFormats();
  for (const [label, message] of MESSAGES) {
    const json = peerJson(message);
    const ours = opsPerSecond(20000, (n) => ourRoundTrips(message, n));
    const peer = opsPerSecond(2000, (n) => peerRoundTrips(Peer, json, formats, n));
    row(`Node ISO 8583 pack+unpack, ${label}`, `${Math.round(ours)} ops/s`, `iso_8583 2.6.7: ${Math.round(peer)} ops/s; ours ${(ours / peer).toFixed(1)}× faster`);
  }
  const worker = new XsWorker(onQuery);
  try {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle(join(__dirname, '../host-sim/xs/codecBenchEntry.ts')));
    const metered = async (what: string, mti: string, n: number) => {
      const run = await worker.command(Buffer.from(JSON.stringify({ what, mti, n })));
      return { computrons: run.computrons / n, reply: Buffer.from(run.value).toString() };
    };
    for (const [label, message] of MESSAGES) {
      const ours = await metered('ours', message.mti, 100);
      const peer = await metered('peer', message.mti, 10);
      const note = peer.reply.startsWith('error') ? `iso_8583 on XS: ${peer.reply}` : `iso_8583 ${Math.round(peer.computrons)}: ours ${(peer.computrons / ours.computrons).toFixed(1)}× fewer`;
      row(`XS ISO 8583 pack+unpack, ${label}`, `${Math.round(ours.computrons)} computrons`, note);
    }
  } finally {
    worker.close();
  }
}
