/**
 * The sale bench (issue 7, item 11): a whole sale on XS in computrons, beside its parts and the
 * budget. A sale is: build and pack the 0200, MAC it, the journal's two writes (pending before
 * the 0200 leaves, the durable "done" after the answer), decode and unpack the 0210, verify its
 * MAC. Run without TCP: the link is a responder in the same XS engine answering with a correct
 * MAC, its answers built before the metering (host-sim/xs/saleBenchEntry.ts).
 *
 * Budget: 70 k computrons a sale, about 5 % of 500 ms on an ESP32 (the figure issue 7 works to).
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { PRELUDE, XsWorker, serveWorld, xsBundle } from '../host-sim/xs/xsLane';
import { buildWorld } from '../host-sim/world';
import { loadScenario } from '../host-sim/scenario/load';
import { DEFAULT_SCENARIO } from '../host-sim/cli';

type Row = (what: string, value: string, note?: string) => void;
type OnQuery = ConstructorParameters<typeof XsWorker>[0];

const BUDGET = 70_000;
const SALES = 50;
const PARTS = 100;
const APPENDS = 1000;
const k = (c: number) => `${(c / 1e3).toFixed(1)} k`;

async function withWorker<T>(onQuery: OnQuery, entry: string, work: (send: (command: object) => Promise<{ computrons: number; reply: string }>) => Promise<T>): Promise<T> {
  const worker = new XsWorker(onQuery);
  try {
    await worker.evaluate(PRELUDE);
    await worker.evaluate(xsBundle(join(__dirname, '../host-sim/xs', entry)));
    return await work(async (command) => {
      const run = await worker.command(Buffer.from(JSON.stringify(command)));
      const reply = Buffer.from(run.value).toString();
      if (reply.startsWith('error')) throw new Error(`XS ${JSON.stringify(command).slice(0, 40)}: ${reply}`);
      return { computrons: run.computrons, reply };
    });
  } finally {
    worker.close();
  }
}

/** Computrons of one record-log append of a CBOR event (the append bench's figure), measured now. */
export const xsAppend = (onQuery: OnQuery): Promise<number> =>
  withWorker(onQuery, 'benchEntry.ts', async (send) => (await send({ what: 'appends', n: APPENDS })).computrons / APPENDS);

/** Rows for the whole sale and its parts; `append` is one record-log append measured in the same run. */
export async function saleBench(row: Row, onQuery: OnQuery, append: number): Promise<void> {
  const profile = JSON.parse(readFileSync(join(__dirname, '../host-sim/scenarios/profiles/cup-style.json'), 'utf8'));
  const figures = await withWorker(onQuery, 'saleBenchEntry.ts', async (send) => {
    const setup = await send({ what: 'setup', n: SALES + 2, profile });
    // One sale first, unmetered: the first call of each function is not what a terminal pays all day.
    await send({ what: 'sale', n: 1 });
    const sale = await send({ what: 'sale', n: SALES });
    await send({ what: 'deviceSale', n: 1 });
    const deviceSale = await send({ what: 'deviceSale', n: SALES });
    const part = async (what: string) => (await send({ what, n: PARTS })).computrons / PARTS;
    return { setup: setup.reply, sale: sale.computrons / SALES, reply: sale.reply, device: deviceSale.computrons / SALES, deviceReply: deviceSale.reply, pack: await part('pack'), mac: await part('mac'), journal: await part('journal'), deviceJournal: await part('deviceJournal'), flash: await part('flash'), unpack: await part('unpack') };
  });
  const share = (c: number) => `${((c / figures.sale) * 100).toFixed(0)} % of the sale`;
  row(
    `XS whole sale (HostSession.sale; no TCP: responder in the same engine, correct MAC)`,
    `${k(figures.sale)} computrons`,
    `budget ${k(BUDGET)} (≈ 5 % of 500 ms on an ESP32): ${((figures.sale / BUDGET) * 100).toFixed(0)} % of it; ${(figures.sale / append).toFixed(1)}× one log append; ${figures.reply}; ${figures.setup}`,
  );
  row('XS sale part: build + pack + frame the 0200 (IC, PIN, field 55)', `${k(figures.pack)} computrons`, share(figures.pack));
  row('XS sale part: request MAC (cup-ecb)', `${k(figures.mac)} computrons`, `${share(figures.mac)}; 3DES through the bridge`);
  row('XS sale part: journal writes (pending put + done put)', `${k(figures.journal)} computrons`, `${share(figures.journal)}; ${(figures.journal / append).toFixed(1)}× one log append; of it ${k(figures.flash)} is the NOR emulation's write loops; ${k(figures.deviceJournal)} on the native flash port`);
  row('XS sale part: decode + unpack the 0210, verify its MAC', `${k(figures.unpack)} computrons`, share(figures.unpack));
  row('XS one record-log append (same run)', `${k(append)} computrons`, 'CBOR event + CRC + NOR write, flash emulated in XS');
  row(
    'XS whole sale, flash port native (as on the device)',
    `${k(figures.device)} computrons`,
    `the same sales on a log whose flash reads, writes and erases are native copies, as the device's driver is (not XS): ${((figures.device / BUDGET) * 100).toFixed(0)} % of the ${k(BUDGET)} budget; ${figures.deviceReply}`,
  );
}

/** `npx ts-node --transpile-only bench/sale.ts`: the sale rows alone. */
if (require.main === module) {
  // No acquirer: the sale bench's link is a responder inside the XS engine.
  const onQuery = serveWorld(buildWorld({ ...loadScenario(DEFAULT_SCENARIO), acquirer: null }));
  xsAppend(onQuery)
    .then((append) => saleBench((what, value, note = '') => console.log(`${what} | ${value} | ${note}`), onQuery, append))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
