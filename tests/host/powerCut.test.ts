/**
 * Power cut at every byte of every flash write of a sale (NorFlash.cutPowerAfter(n) for n = 0, 1,
 * 2, … until a sale runs without reaching the cut), then a reboot (power on, the record log
 * recovered, a new key store and session restored as at boot), then the next transaction. The
 * host is the test's own (sessionHarness.ts) and keeps the ledger the assertions judge by:
 *
 * - no lost reversal: every sale the host approved is, in the end, either counted by the
 *   terminal as approved or reversed at the host;
 * - no duplicate reversal: the host never sees a reversal for a sale it approved and the
 *   terminal counted, and reverses each sale at most once;
 * - never reported approved unless the host approved that STAN;
 * - no STAN used by two different sales the host saw.
 *
 * The sale's "done" is the durable lastTransaction put (journal.ts), so a cut inside it is a cut
 * inside a durable record: recovery keeps the previous version, and the boot reverses the sale.
 *
 * Run twice: on a fresh log, and on a log filled so that the sale's writes cross a sector
 * rotation (carry-forward, erase intent, erase, format). The counts of cut points are in
 * the final assertions (and in the report to the lead).
 */
import { CupHost, InProcessLink, bootTerminal, newFlash } from './sessionHarness';
import type { NorFlash } from '../../host-sim/ports/norFlash';
import type { HostOutcome } from '../../firmware/core/host/session';
import { RecordLog, RecordType } from '../../firmware/core/store/recordLog';

const sale = { amountMinor: 4321, entry: 'magstripe' as const, track2: '6222021234567890123=25121011234567' };
const next = { ...sale, amountMinor: 10 };

/** A signed-on terminal with one completed sale, its flash image, and the host. */
async function prepared(fill: number): Promise<{ image: Uint8Array; host: CupHost }> {
  const host = new CupHost();
  const flash = newFlash();
  if (fill > 0) {
    const log = RecordLog.open(flash);
    for (let i = 0; i < fill; i++) log.append(RecordType.event, new Uint8Array(200).fill(i & 0xff));
  }
  const t = bootTerminal(flash, new InProcessLink(host));
  await t.session.signOn();
  await t.session.sale(next);
  return { image: flash.bytes.slice(), host };
}

function cloneHost(host: CupHost): CupHost {
  const copy = new CupHost();
  copy.mak = host.mak;
  copy.pik = host.pik;
  copy.batch = host.batch;
  host.approved.forEach((v, k) => copy.approved.set(k, v));
  copy.requests.push(...host.requests);
  return copy;
}

interface Sweep {
  cuts: number;
  /** Bytes the sale programs and erases when nothing cuts it (each one a cut point). */
  saleBytes: number;
  reversalsSent: number;
  approvedReported: number;
}

async function sweep(fill: number): Promise<Sweep> {
  const base = await prepared(fill);
  const result: Sweep = { cuts: 0, saleBytes: 0, reversalsSent: 0, approvedReported: 0 };
  for (let n = 0; ; n++) {
    const host = cloneHost(base.host);
    const { NorFlash } = await import('../../host-sim/ports/norFlash');
    const flash: NorFlash = new NorFlash({ sectors: 4, sectorSize: 4096 }, base.image);
    const before = bootTerminal(flash, new InProcessLink(host));
    const cutAt = flash.stats.bytesWritten + n;
    const erasesBefore = flash.stats.erases;
    flash.cutPowerAfter(n);
    const outcome: HostOutcome & { stan?: string } = await before.session.sale(sale);
    const reached = !flash.powered;
    if (!reached) {
      expect(flash.stats.bytesWritten).toBeLessThanOrEqual(cutAt);
      expect(outcome).toMatchObject({ kind: 'answered', answer: { code: '00' } });
      result.saleBytes = flash.stats.bytesWritten - (cutAt - n) + (flash.stats.erases - erasesBefore) * 4096;
      return result;
    }
    result.cuts++;
    const saleStan = host.requests.filter((r) => r.mti === '0200').map((r) => r.fields.get(11) as string);
    const cutStan = host.requests.length > base.host.requests.length ? (host.requests[host.requests.length - 1].fields.get(11) as string) : undefined;
    if (outcome.kind === 'answered' && outcome.answer.category === 'approved') {
      result.approvedReported++;
      expect(host.approved.has(outcome.stan!)).toBe(true);
    }

    // Reboot, then the next transaction.
    flash.powerOn();
    const after = bootTerminal(flash, new InProcessLink(host));
    if (after.session.status().needsSignOn) await after.session.signOn();
    const reversalsBefore = host.count('0400');
    const second = await after.session.sale(next);
    expect(second).toMatchObject({ kind: 'answered', answer: { code: '00' } });
    result.reversalsSent += host.count('0400') - reversalsBefore;

    // No lost reversal: the cut sale, if the host approved it, is counted or reversed.
    const counted = after.session.journal.totals;
    const baseTotals = { count: 1, amountMinor: next.amountMinor };
    if (cutStan !== undefined && host.requests.some((r) => r.mti === '0200' && r.fields.get(11) === cutStan)) {
      const reversed = host.reversals.includes(cutStan);
      const countedIt = counted.count === baseTotals.count + 2 && counted.amountMinor === baseTotals.amountMinor + sale.amountMinor + next.amountMinor;
      expect([n, reversed !== countedIt]).toEqual([n, true]);
    } else {
      // The 0200 never left: no reversal, the totals hold the two good sales only.
      expect([n, host.count('0400') - reversalsBefore]).toEqual([n, 0]);
      expect(counted).toEqual({ count: 2, amountMinor: 2 * next.amountMinor });
    }
    // No duplicate reversal: each STAN reversed at most once, and only sales the host approved.
    expect(new Set(host.reversals).size).toBe(host.reversals.length);
    expect(host.requests.filter((r) => r.mti === '0400' && r.fields.get(39) !== undefined).every((r) => saleStan.includes(r.fields.get(11) as string))).toBe(true);
    // No STAN reused by another sale.
    const stans = host.requests.filter((r) => r.mti === '0200').map((r) => r.fields.get(11));
    expect(new Set(stans).size).toBe(stans.length);
    // The host's ledger and the terminal agree: what is approved at the host is what the terminal counted.
    const hostSum = [...host.approved.values()].reduce((a, b) => a + b, 0);
    expect([n, hostSum]).toEqual([n, counted.amountMinor]);
  }
}

/** The number of 200-byte events after which the sale's own writes rotate the log (erase a sector). */
async function rotatingFill(): Promise<number> {
  const { NorFlash } = await import('../../host-sim/ports/norFlash');
  for (let fill = 1; fill < 200; fill++) {
    const { image, host } = await prepared(fill);
    const flash = new NorFlash({ sectors: 4, sectorSize: 4096 }, image);
    const t = bootTerminal(flash, new InProcessLink(host));
    const erases = flash.stats.erases;
    await t.session.sale(sale);
    if (flash.stats.erases > erases) return fill;
  }
  throw new Error('no fill level makes the sale rotate the log');
}

describe('power cut at every byte of a sale', () => {
  it('on a fresh log', async () => {
    const r = await sweep(0);
    process.stdout.write(`power cut, fresh log: ${JSON.stringify(r)}\n`);
    expect(r.cuts).toBe(r.saleBytes);
    expect(r.cuts).toBeGreaterThan(150);
    expect(r.approvedReported).toBe(0);
    expect(r.reversalsSent).toBeGreaterThan(0);
  }, 120_000);

  it('on a log whose sale writes cross a rotation', async () => {
    const fill = await rotatingFill();
    const r = await sweep(fill);
    process.stdout.write(`power cut, across a rotation (fill ${fill} events): ${JSON.stringify(r)}\n`);
    expect(r.cuts).toBe(r.saleBytes);
    expect(r.approvedReported).toBe(0);
    expect(r.cuts).toBeGreaterThan(4096);
  }, 300_000);
});

