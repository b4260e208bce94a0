/**
 * Lane parity of the diagnosis model: every field situation diagnosed on the real XS engine (the
 * lane's device-strict worker: frozen built-ins, as Moddable's preload leaves them) gives the same
 * diagnosis and the same history bytes as on Node.
 */
import { join } from 'node:path';
import { PRELUDE, XsWorker, xsBundle } from '../../host-sim/xs/xsLane';
import { T0 } from './modelFixtures';
import { SITUATIONS } from './modelSituationTable';
import { modelRun, type ModelCommand } from './modelXsEntry';

const NOW = { wallMs: T0 + 60_000, uptimeMs: 660_000 };

describe('the diagnosis model on XS', () => {
  let worker: XsWorker;
  beforeAll(async () => {
    worker = new XsWorker(() => {
      throw new Error('the model asks Node nothing');
    });
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle(join(__dirname, 'modelXsEntry.ts')));
  }, 60_000);
  afterAll(() => worker.close());

  it.each(SITUATIONS.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const command: ModelCommand = JSON.parse(JSON.stringify({
      sources: { events: [], history: [], now: NOW, ...s.sources },
      tried: [{ action: 'network-test', result: 'done', wallMs: T0 }],
      now: NOW,
    }));
    const xs = await worker.command(Buffer.from(JSON.stringify(command)));
    const reply = Buffer.from(xs.value).toString('utf8');
    expect(reply).toBe(modelRun(command));
    expect(JSON.parse(reply).d.top.id).toBe(s.top);
    expect(xs.computrons).toBeGreaterThan(0);
  });
});
