/**
 * Lane parity: the diagnosis and activation screens drawn on the real XS engine (xsnap, the
 * device's frozen built-ins, no TextEncoder) are the display lists Node draws, byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRELUDE, XsWorker, xsBundle } from '../../host-sim/xs/xsLane';
import { diagnosisScreenSet } from './diagnosisScreenSet';
import { FONT_ASSET } from './uiFont';

let worker: XsWorker;

beforeAll(async () => {
  worker = new XsWorker(() => new Uint8Array(0));
  await worker.evaluate(PRELUDE);
  await worker.evaluate(xsBundle(join(__dirname, 'diagnosisXsEntry.ts')));
});

afterAll(() => worker.close());

test('every diagnosis and activation screen: the same display list on XS as on Node', async () => {
  const font = new Uint8Array(readFileSync(FONT_ASSET));
  const reply = (await worker.command(font)).value;
  const points = new Uint32Array(reply.buffer.slice(reply.byteOffset, reply.byteOffset + reply.byteLength));
  let xs = '';
  for (const point of points) xs += String.fromCodePoint(point);
  const node = diagnosisScreenSet(font);
  expect(xs.length).toBe(node.length);
  expect(xs === node).toBe(true);
  expect(JSON.parse(node).length).toBeGreaterThan(100);
});
