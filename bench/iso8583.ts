/**
 * The codec rows of `npm run bench`: pack + unpack of a CUP 0200 with field 55 and of a 0810, by
 * our codec and by the iso_8583 npm package, on Node (ops/s) and on XS (computrons), as ratios.
 * Before anything is timed, each codec must decode every field to the value it was given, on
 * each engine (bench/iso8583Agreement.ts), so the ratios compare equal work.
 *
 * On XS our codec runs in the lane's device-strict worker (frozen built-ins) and the peer in a
 * worker of its own, built-ins not frozen (see host-sim/xs/peerBenchEntry.ts for why), bundled
 * with esbuild with Node's `Buffer` injected from the `buffer` package (6.0.3): the peer's XS
 * figure includes that polyfill, which is what the peer costs on any engine but Node. (Frozen or
 * not, our codec's computrons are the same to the unit: measured both ways.)
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PRELUDE, XsWorker, xsBundle } from '../host-sim/xs/xsLane';
import { checkOurs, checkPeer } from './iso8583Agreement';
import { ourRoundTrips, peerFormats, peerJson, peerRoundTrips, SALE_0200, SIGN_ON_0810 } from './iso8583Messages';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Peer = require('iso_8583');

type Row = (what: string, value: string, note?: string) => void;
const MESSAGES = [
  ['0200 sale with field 55 (257 B)', SALE_0200],
  ['0810 sign-on response (105 B)', SIGN_ON_0810],
] as const;

/**
 * Round trips per second of each `[n, work]`: the best of 9 runs, the codecs taking turns within
 * each round so that both meet the same load on a shared machine.
 */
function opsPerSecond(...runs: [number, () => unknown][]): number[] {
  const fastest = runs.map(() => Infinity);
  for (let r = 0; r < 9; r++) {
    runs.forEach(([, work], i) => {
      const t0 = performance.now();
      work();
      fastest[i] = Math.min(fastest[i], performance.now() - t0);
    });
  }
  return runs.map(([n], i) => (n / fastest[i]) * 1000);
}

/** A worker running `bundle` after `prelude`, metered per round trip; the checks must pass first. */
async function xsCodec(onQuery: ConstructorParameters<typeof XsWorker>[0], prelude: string | undefined, bundle: string, what: string, n: number) {
  const worker = new XsWorker(onQuery);
  try {
    if (prelude) await worker.evaluate(prelude);
    await worker.evaluate(bundle);
    const send = async (command: object) => {
      const run = await worker.command(Buffer.from(JSON.stringify(command)));
      const reply = Buffer.from(run.value).toString();
      if (reply.startsWith('error')) throw new Error(`XS ${what}: ${reply}`);
      return run.computrons;
    };
    const perRoundTrip: Record<string, number> = {};
    for (const [, message] of MESSAGES) {
      await send({ what: 'check', mti: message.mti });
      perRoundTrip[message.mti] = (await send({ what, mti: message.mti, n })) / n;
    }
    return perRoundTrip;
  } finally {
    worker.close();
  }
}

export async function codecBench(row: Row, onQuery: ConstructorParameters<typeof XsWorker>[0]): Promise<void> {
  const formats = peerFormats();
  for (const [label, message] of MESSAGES) {
    checkOurs(message);
    checkPeer(Peer, message);
    const json = peerJson(message);
    const [ours, peer] = opsPerSecond([20000, () => ourRoundTrips(message, 20000)], [2000, () => peerRoundTrips(Peer, json, formats, 2000)]);
    row(`Node ISO 8583 pack+unpack, ${label}`, `${Math.round(ours)} ops/s`, `iso_8583 2.6.7: ${Math.round(peer)} ops/s; ours ${(ours / peer).toFixed(1)}× more ops/s (goal ≥ 3×); fields checked equal`);
  }
  const xsDir = join(__dirname, '../host-sim/xs');
  const ours = await xsCodec(onQuery, PRELUDE, xsBundle(join(xsDir, 'codecBenchEntry.ts')), 'ours', 100);
  const peerCode = xsBundle(join(xsDir, 'peerBenchEntry.ts'), [join(xsDir, 'peerBuffer.ts')]);
  const noQueries = () => {
    throw new Error('the iso_8583 worker queried Node');
  };
  const peer = await xsCodec(noQueries, undefined, peerCode, 'peer', 10);
  for (const [label, message] of MESSAGES) {
    const [o, p] = [ours[message.mti], peer[message.mti]];
    row(`XS ISO 8583 pack+unpack, ${label}`, `${Math.round(o)} computrons`, `iso_8583 2.6.7 (Buffer polyfilled): ${Math.round(p)}; ours ${(p / o).toFixed(1)}× fewer (goal ≥ 3×); fields checked equal`);
  }
}

/** `npx ts-node --transpile-only bench/iso8583.ts`: the codec rows alone. */
if (require.main === module) {
  const noQueries = () => {
    throw new Error('the codec bench queried Node');
  };
  codecBench((what, value, note = '') => console.log(`${what} | ${value} | ${note}`), noQueries).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
