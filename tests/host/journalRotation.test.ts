/**
 * The journal across ring rotation: a sale's completion must outlive the ring records that
 * follow it. An approved sale leaves the journal naming it as "pending" until the next journal
 * put; if events rotate the ring far enough before that put, a completion kept only as a ring
 * record ages out and the reboot would reverse a sale the terminal reported approved.
 */
import { CupHost, InProcessLink, bootTerminal, newFlash } from './sessionHarness';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { DurableKey, RecordLog, RecordType } from '../../firmware/core/store/recordLog';

const TRACK2 = '6222021234567890123=25121011234567';
const swiped = { amountMinor: 4321, entry: 'magstripe' as const, track2: TRACK2 };
const cbor = createCborCodec();

/** Seqs of every record in flash: ring records and every version of every durable key. */
const seqsInFlash = (log: RecordLog): number[] => [
  ...[...log.records()].map((r) => r.seq),
  ...Object.values(DurableKey).flatMap((key) => [...log.versions(key)].map((v) => v.seq)),
];

/** Appends 200-byte events until no record written up to `seq` is left in flash (carried copies have later seqs). */
function rotatePast(log: RecordLog, seq: number): number {
  let events = 0;
  while (seqsInFlash(log).some((s) => s <= seq)) {
    log.append(RecordType.event, new Uint8Array(200).fill(events & 0xff));
    events++;
  }
  return events;
}

describe('the journal across ring rotation', () => {
  it('an approved sale whose ring records aged out is not reversed at boot, and stays counted', async () => {
    const host = new CupHost();
    const flash = newFlash();
    const t = bootTerminal(flash, new InProcessLink(host));
    await t.session.signOn();
    const outcome = await t.session.sale(swiped);
    expect(outcome).toMatchObject({ kind: 'answered', stan: '000002', answer: { code: '00' } });
    // The journal still names the sale as pending: no journal put follows an answered sale.
    expect(cbor.decode(t.log.get(DurableKey.journal)!.payload)).toMatchObject({ p: { s: '000002' } });
    const events = rotatePast(t.log, t.log.nextSeq - 1);
    expect(events).toBeGreaterThan(40);
    expect(t.log.rotations).toBeGreaterThan(0);

    const rebooted = bootTerminal(flash, new InProcessLink(host));
    expect(rebooted.session.status().pendingReversal).toBeUndefined();
    expect(rebooted.session.journal.totals).toEqual({ count: 1, amountMinor: 4321 });
    // The next sale: no reversal goes out first (STANs after a reboot start past the reserved block).
    const second = await rebooted.session.sale({ ...swiped, amountMinor: 10 });
    expect(second).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    expect(host.count('0400')).toBe(0);
    expect([...host.approved]).toEqual([['000002', 4321], [second.stan, 10]]);
    expect(rebooted.session.journal.totals).toEqual({ count: 2, amountMinor: 4331 });
  });

  it('a declined sale whose records aged out is neither reversed nor counted', async () => {
    const host = new CupHost();
    const flash = newFlash();
    const t = bootTerminal(flash, new InProcessLink(host));
    await t.session.signOn();
    host.faults.set('0200', [{ code: '51' }]);
    expect(await t.session.sale(swiped)).toMatchObject({ kind: 'answered', answer: { code: '51' } });
    rotatePast(t.log, t.log.nextSeq - 1);
    const rebooted = bootTerminal(flash, new InProcessLink(host));
    expect(rebooted.session.status().pendingReversal).toBeUndefined();
    expect(rebooted.session.journal.totals).toEqual({ count: 0, amountMinor: 0 });
  });

  it('batch upload reads every version of the completion in flash: sales across a rotation, each once', async () => {
    const host = new CupHost();
    const flash = newFlash();
    const t = bootTerminal(flash, new InProcessLink(host));
    await t.session.signOn();
    for (const amountMinor of [101, 102, 103]) {
      expect(await t.session.sale({ ...swiped, amountMinor })).toMatchObject({ kind: 'answered', answer: { code: '00' } });
      for (let i = 0; i < 14; i++) t.log.append(RecordType.event, new Uint8Array(200));
    }
    expect(t.log.rotations).toBe(0);
    expect(uploaded(await settleUnbalanced(host, flash))).toEqual([['000002', 101], ['000003', 102], ['000004', 103]]);
  });

  it('batch upload after the ring rotated past a sale: its completion, carried forward, is uploaded once', async () => {
    const host = new CupHost();
    const flash = newFlash();
    const t = bootTerminal(flash, new InProcessLink(host));
    await t.session.signOn();
    await t.session.sale({ ...swiped, amountMinor: 201 });
    rotatePast(t.log, t.log.nextSeq - 1);
    await t.session.sale({ ...swiped, amountMinor: 202 });
    expect(uploaded(await settleUnbalanced(host, flash))).toEqual([['000002', 201], ['000003', 202]]);
  });
});

async function settleUnbalanced(host: CupHost, flash: ReturnType<typeof newFlash>): Promise<CupHost> {
  const rebooted = bootTerminal(flash, new InProcessLink(host));
  host.reconciliation = '2';
  expect(await rebooted.session.settle()).toMatchObject({ kind: 'answered' });
  return host;
}

/** The sales of the host's batch-upload messages (0320 / 201): n2 count, then per sale organisation n2 ‖ STAN n6 ‖ PAN n20 ‖ amount n12. */
function uploaded(host: CupHost): [string, number][] {
  const out: [string, number][] = [];
  for (const r of host.requests) {
    const f48 = r.fields.get(48) as string;
    if (r.mti !== '0320' || (r.fields.get(60) as string).slice(8) !== '201') continue;
    const records = f48.slice(2).match(/.{40}/g) ?? [];
    expect(records.length).toBe(Number(f48.slice(0, 2)));
    for (const rec of records) out.push([rec.slice(2, 8), Number(rec.slice(28))]);
  }
  return out;
}
