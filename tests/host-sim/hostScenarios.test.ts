/**
 * The shipped scenarios of the acquirer link (issue 7 item 8), each run in zh and in en over
 * real loopback TCP. The acquirer's own log and books are the independent witness: what it
 * received, in what order, the reason field 39 of each reversal carried, what it booked and
 * undone. The screens are checked for the words a shop would read, written out here.
 */
import { join } from 'node:path';
import { loadScenario } from '../../host-sim/scenario/load';
import { runScenario, type ScenarioOutcome } from '../../host-sim/scenario/driver';
import { FAULT_KINDS } from '../../host-sim/scenario/hostSchema';
import { runInWorld, startWorld, type NodeWorld } from '../../host-sim/world';
import { CERTS_DOMAIN } from '../../firmware/core/security/provisionedData';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { causeName } from '../../firmware/core/ui/diagnosisTexts';

const DIR = join(__dirname, '../../host-sim/scenarios');
const TID = '10240001';
const LANGS = ['zh', 'en'] as const;
type Lang = (typeof LANGS)[number];
const SCENARIOS = [
  'host-healthy-day',
  'host-backup',
  'host-hang-reversal',
  'host-mac-wrong',
  'host-power-cut',
  'host-83-sign-on',
  'host-83-sale',
  'host-97-cup',
  'host-merchant-restricted',
  'host-settle-upload',
  'host-faults-all',
  'host-tls',
];

interface Run {
  outcome: ScenarioOutcome;
  world: NodeWorld;
}
const runs = new Map<string, Promise<Run>>();
/** Each scenario runs once per language, shared by the tests that read it. */
function run(name: string, lang: Lang = 'en'): Promise<Run> {
  const key = `${name}:${lang}`;
  if (!runs.has(key)) runs.set(key, runInWorld(loadScenario(join(DIR, `${name}.json`), { lang })));
  return runs.get(key)!;
}

/** The words on a screen, whitespace dropped (lines wrap where the layout likes). */
const words = (list: DisplayList) => list.ops.map((o) => (o.op === 'text' ? o.text : '')).join('').replace(/\s+/g, '');
const squash = (text: string) => text.replace(/\s+/g, '');
function screen(r: Run, name: string): string {
  const found = r.outcome.screens.find((s) => s.name === name);
  if (!found) throw new Error(`no screen ${name} (there are ${r.outcome.screens.map((s) => s.name).join(', ')})`);
  return words(found.list);
}
/** Requests the acquirer read, as "host:MTI:STAN", in order. */
const requests = (r: Run) => r.world.acquirer!.log.filter((e) => e.direction === 'in').map((e) => `${e.host}:${e.mti}:${e.stan}`);
/** What the acquirer made of each reversal it answered: STAN → [reason (field 39), result]. */
function reversals(r: Run): [string, string, string][] {
  return r.world.acquirer!.log.flatMap((e) => {
    const m = e.direction === 'out' && e.mti === '0410' ? /^reversal \((\w+)\): ([\w-]+)/.exec(e.note ?? '') : null;
    return m ? [[e.stan!, m[1], m[2]] as [string, string, string]] : [];
  });
}
const sale = (r: Run, amountMinor: number) => r.outcome.report.transactions.find((t) => t.do === 'sale' && t.amountMinor === amountMinor)!;
const lastReport = (r: Run) => r.outcome.report.selfTests.at(-1)!;
const finding = (r: Run, id: string, report = lastReport(r)) => report.results.find((x) => x.id === id)!;
const before = (list: string[], a: string, b: string) => list.indexOf(a) >= 0 && list.indexOf(a) < list.indexOf(b);

describe('every host scenario in zh and en', () => {
  for (const name of SCENARIOS)
    it(`${name}: the same exchanges in both languages, and each screen in the language asked for`, async () => {
      const [zh, en] = await Promise.all(LANGS.map((lang) => run(name, lang)));
      expect(zh.outcome.report.lang).toBe('zh');
      expect(en.outcome.report.lang).toBe('en');
      expect(JSON.stringify(zh.outcome.report.transactions)).toBe(JSON.stringify(en.outcome.report.transactions));
      expect(JSON.stringify(zh.outcome.report.acquirer)).toBe(JSON.stringify(en.outcome.report.acquirer));
      expect(zh.outcome.report.finalState).toBe(en.outcome.report.finalState);
      expect(zh.outcome.screens.map((s) => s.name)).toEqual(en.outcome.screens.map((s) => s.name));
      expect(en.outcome.screens.length).toBeGreaterThan(0);
      for (let i = 0; i < en.outcome.screens.length; i++) {
        const [z, e] = [words(zh.outcome.screens[i].list), words(en.outcome.screens[i].list)];
        expect(z).not.toBe(e);
        // Chinese screens say it in Chinese (CJK ideographs); English ones have none outside the host's
        // answer quoted in both of the profile's texts, "(Approved | 承兑或交易成功)".
        expect(z).toMatch(/[\u4e00-\u9fff]/);
        expect(e.replace(/\([^()]*\|[^()]*\)/g, '')).not.toMatch(/[\u4e00-\u9fff]/);
      }
    }, 60_000);
});

describe('host-healthy-day', () => {
  it('signs on before the first sale, sells 20 times with STANs that never repeat, and settles balanced', async () => {
    const r = await run('host-healthy-day');
    const sales = r.outcome.report.transactions.filter((t) => t.do === 'sale');
    expect(sales).toHaveLength(20);
    expect(sales.every((t) => t.code === '00')).toBe(true);
    expect(new Set(sales.map((t) => t.stan)).size).toBe(20);
    const log = requests(r);
    expect(before(log, '0:0800:000002', `0:0200:${sales[0].stan}`)).toBe(true);
    expect(log.filter((l) => l.includes(':0200:'))).toHaveLength(20);
    const total = sales.reduce((sum, t) => sum + t.amountMinor!, 0);
    expect(r.world.acquirer!.batch(TID, '000001')).toMatchObject({ count: 20, amountMinor: total, reversals: 0, settlement: 'balanced' });
    expect(screen(r, 'settlement-balanced')).toMatch(/Totalsagree.*Batch(000001)+Sales(20)+Total/);
    expect(screen(r, 'settlement-balanced')).toContain(`¥${(total / 100).toFixed(2)}`);
    expect(screen(r, 'sale-approved')).toContain('✔Approved');
    expect(screen(r, 'sale-approved')).toContain('621483******0017');
    expect(screen(await run('host-healthy-day', 'zh'), 'settlement-balanced')).toContain('对账平');
    expect(r.outcome.report.finalState).toBe('ready');
  });
});

describe('host-backup', () => {
  it('sells on the backup while the primary refuses, and on the primary again after the failback time', async () => {
    const r = await run('host-backup');
    const log = requests(r);
    expect(log).toContain(`1:0200:${sale(r, 2000).stan}`);
    expect(log).toContain(`1:0200:${sale(r, 3000).stan}`);
    expect(log).toContain(`0:0200:${sale(r, 4000).stan}`);
    expect(log.filter((l) => l.startsWith('0:0200:')).map((l) => l.split(':')[2])).toEqual([sale(r, 1000).stan, sale(r, 4000).stan]);
    expect(r.world.acquirer!.batch(TID, '000001')).toMatchObject({ count: 4, amountMinor: 10000, settlement: 'balanced' });
  });
});

describe('host-hang-reversal', () => {
  it('says no answer after the timeout, flags the reversal, and sends it (reason 98) before the next sale', async () => {
    const r = await run('host-hang-reversal');
    const hung = sale(r, 8800);
    expect(hung).toMatchObject({ outcome: 'no-answer', stage: 'timeout', uptimeMs: 60_000 });
    const next = r.outcome.report.transactions.filter((t) => t.do === 'sale')[1];
    expect(before(requests(r), `0:0400:${hung.stan}`, `0:0200:${next.stan}`)).toBe(true);
    expect(reversals(r)).toEqual([[hung.stan, '98', 'undone']]);
    expect(r.world.acquirer!.batch(TID, '000001')).toMatchObject({ count: 1, amountMinor: 8800, reversals: 1, settlement: 'balanced' });
    expect(screen(r, 'sale-no-answer')).toContain(squash(`No answer from the host`));
    expect(screen(r, 'ready-reversal-pending')).toContain(squash(`Reversal pending ${hung.stan}`));
    expect(screen(r, 'ready-after-reversal')).not.toContain('Reversal');
    const zh = await run('host-hang-reversal', 'zh');
    expect(screen(zh, 'sale-no-answer')).toContain('主机无应答');
    expect(screen(zh, 'ready-reversal-pending')).toContain(squash(`待发冲正 凭证号 ${hung.stan}`));
  });
});

describe('host-mac-wrong', () => {
  it('reverses with A0, signs on again for new keys, sends the reversal under them, then sells', async () => {
    const r = await run('host-mac-wrong');
    const bad = sale(r, 6600);
    expect(bad).toMatchObject({ outcome: 'no-answer', stage: 'mac' });
    const good = r.outcome.report.transactions.filter((t) => t.do === 'sale')[2];
    const log = requests(r);
    const after = log.slice(log.indexOf(`0:0200:${bad.stan}`) + 1);
    expect(after.slice(0, 3).map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['0:0800', '0:0400', '0:0200']);
    expect(after[1]).toBe(`0:0400:${bad.stan}`);
    expect(after[2]).toBe(`0:0200:${good.stan}`);
    expect(reversals(r)).toEqual([[bad.stan, 'A0', 'undone']]);
    expect(screen(r, 'ready-reversal-pending')).toContain(squash(`Reversal pending ${bad.stan}`));
    expect(r.world.acquirer!.batch(TID, '000001')).toMatchObject({ count: 2, amountMinor: 9100, reversals: 1, settlement: 'balanced' });
  });
});

describe('host-power-cut', () => {
  it('reverses the sale whose 0200 left before the power died, after the reboot and before the next sale', async () => {
    const r = await run('host-power-cut');
    expect(sale(r, 5200)).toMatchObject({ outcome: 'power-cut' });
    const reported = new Set(r.outcome.report.transactions.map((t) => t.stan));
    const cut = r.world.acquirer!.log.filter((e) => e.direction === 'in' && e.mti === '0200' && !reported.has(e.stan)).map((e) => e.stan!);
    expect(cut).toHaveLength(1);
    const next = r.outcome.report.transactions.filter((t) => t.do === 'sale').at(-1)!;
    expect(next).toMatchObject({ outcome: 'answered', code: '00' });
    expect(before(requests(r), `0:0400:${cut[0]}`, `0:0200:${next.stan}`)).toBe(true);
    expect(reversals(r)).toEqual([[cut[0], '98', 'undone']]);
    // The boot after the cut finds the pending reversal: a warning, the terminal still in service.
    const afterReboot = r.outcome.report.selfTests.at(-1)!;
    expect(afterReboot).toMatchObject({ trigger: 'boot', verdict: 'warn' });
    expect(finding(r, 'system.reversal', afterReboot)).toMatchObject({ status: 'warn', code: 'reversal.pending' });
    expect(screen(r, 'sale-in-progress-at-power-cut')).toContain('Processing…');
    expect(screen(r, 'ready-reversal-pending')).toContain(squash(`Reversal pending ${cut[0]}`));
    // Nothing the host did not approve is reported approved: the batch holds the two sales the screens showed.
    expect(r.world.acquirer!.batch(TID, '000001')).toMatchObject({ count: 2, amountMinor: 7000, reversals: 1, settlement: 'balanced' });
  });
});

describe('terminal-invalid answers (83 at a Lakala-style acquirer, 97 at CUP)', () => {
  it('83 to the sign-on: evidence, the host-83 self-test whose account check fails on that code, out of service', async () => {
    const r = await run('host-83-sign-on');
    expect(r.outcome.report.transactions.find((t) => t.do === 'sign-on')).toMatchObject({ outcome: 'answered', code: '83', category: 'terminal-invalid' });
    expect(r.outcome.report.recentEvents).toContainEqual(expect.objectContaining({ kind: 'host-answer', operation: 'sign-on', code: '83', category: 'terminal-invalid', mti: '0810' }));
    expect(lastReport(r)).toMatchObject({ trigger: 'host-83', verdict: 'fail' });
    expect(finding(r, 'account.host')).toMatchObject({ status: 'fail', code: 'account.terminal-invalid' });
    expect(finding(r, 'account.host').detail).toMatch(/^host answered 83 .*无效终端.* to 0810/);
    expect(r.outcome.report.finalState).toBe('fault');
    expect(r.outcome.report.transactions.at(-1)).toMatchObject({ do: 'sale', outcome: 'refused', code: 'terminal.out-of-service' });
    // The diagnosis takes the screen after the host-83 self-test: the host accepted this TID at boot and refuses it now.
    expect(screen(r, 'fault')).toContain(squash(causeName('en', 'auth.tid-disabled')));
    expect(screen(r, 'selftest-01')).toContain(squash('Trigger: after "invalid terminal"'));
    expect(screen(r, 'selftest-03')).toContain(squash('host answered 83 (Invalid terminal'));
    expect(screen(await run('host-83-sign-on', 'zh'), 'selftest-03')).toContain('无效终端');
  });

  it('83 to a sale: nothing reversed (the host answered), the same self-test and fault; the batch still settles', async () => {
    const r = await run('host-83-sale');
    expect(sale(r, 4500)).toMatchObject({ outcome: 'answered', code: '83', category: 'terminal-invalid' });
    expect(requests(r).some((l) => l.includes(':0400:'))).toBe(false);
    expect(lastReport(r)).toMatchObject({ trigger: 'host-83', verdict: 'fail' });
    expect(finding(r, 'account.host').detail).toMatch(/^host answered 83 .* to 0210/);
    expect(r.world.acquirer!.batch(TID, '000001')).toMatchObject({ count: 1, amountMinor: 3000, settlement: 'balanced' });
    expect(r.outcome.report.finalState).toBe('fault');
  });

  it('97 for a TID the CUP-style registry does not know: the boot self-test fails on it and the terminal never signs on', async () => {
    const r = await run('host-97-cup');
    expect(r.outcome.report.selfTests.map((s) => [s.trigger, s.verdict])).toEqual([['boot', 'fail'], ['demand', 'fail']]);
    for (const report of r.outcome.report.selfTests) {
      expect(finding(r, 'account.host', report)).toMatchObject({ status: 'fail', code: 'account.terminal-invalid' });
      expect(finding(r, 'account.host', report).detail).toMatch(/^host answered 97 .*终端未登记/);
    }
    expect(r.world.acquirer!.log.filter((e) => e.direction === 'out').map((e) => `${e.mti}:${e.code}`)).toEqual(['0830:97', '0830:97']);
    expect(r.outcome.report.finalState).toBe('fault');
    // A demand self-test that fails opens the diagnosis: every local check holds, the host does not know the terminal.
    expect(screen(r, 'fault-after-menu-self-test')).toContain(squash(causeName('en', 'auth.host-not-registered')));
    expect(screen(await run('host-97-cup', 'zh'), 'selftest-03')).toContain('终端未登记');
  });
});

describe('host-merchant-restricted', () => {
  it('the 03 decline is evidence for the account family: the next self-test names the merchant', async () => {
    const r = await run('host-merchant-restricted');
    expect(sale(r, 12000)).toMatchObject({ outcome: 'answered', code: '03', category: 'merchant-restricted' });
    const [boot, demand] = r.outcome.report.selfTests;
    expect(finding(r, 'account.host', boot).status).not.toBe('fail');
    expect(demand.trigger).toBe('demand');
    expect(finding(r, 'account.host', demand)).toMatchObject({ status: 'fail', code: 'account.merchant-restricted' });
    expect(finding(r, 'account.host', demand).detail).toMatch(/^host answered 03 .*无效商户.* to 0210/);
    expect(requests(r).some((l) => l.includes(':0400:'))).toBe(false);
    expect(screen(r, 'sale-declined')).toMatch(/Declined.*Amount(¥120\.00)+Hostresponse(03InvalidMerchant)+$/i);
    expect(screen(await run('host-merchant-restricted', 'zh'), 'sale-declined')).toContain('03无效商户');
  });
});

describe('host-settle-upload', () => {
  it('the host\'s totals disagree: every sale of the batch is uploaded and the upload ended; the next batch balances', async () => {
    const r = await run('host-settle-upload');
    expect(r.world.acquirer!.batch(TID, '000001')).toMatchObject({ count: 2, settlement: 'unbalanced', uploaded: 4, uploadEnded: true });
    expect(r.world.acquirer!.batch(TID, '000002')).toMatchObject({ count: 1, amountMinor: 600, settlement: 'balanced', uploaded: 0 });
    const log = requests(r);
    const settle = log.indexOf('0:0500:000007');
    expect(log.slice(settle + 1, settle + 3).map((l) => l.split(':')[1])).toEqual(['0320', '0320']);
    expect(screen(r, 'settlement-uploaded')).toContain(squash('Totals differed: 4 sales uploaded'));
    expect(screen(r, 'settlement-uploaded')).toContain('¥120.00');
    expect(screen(await run('host-settle-upload', 'zh'), 'settlement-uploaded')).toContain(squash('对账不平，已上送 4 笔交易'));
  });
});

describe('host-faults-all', () => {
  it('meets every fault kind of the plan, reverses each sale it cannot trust before the next one, and balances', async () => {
    const r = await run('host-faults-all');
    const log = r.world.acquirer!.log;
    expect(new Set(log.map((e) => e.fault).filter(Boolean))).toEqual(new Set(FAULT_KINDS));
    const stan = (amountMinor: number) => sale(r, amountMinor).stan;
    // Another STAN and garbage are never taken as the answer: the sale times out (98); a cut frame is 06; a wrong MAC A0.
    expect(sale(r, 1004)).toMatchObject({ outcome: 'no-answer', stage: 'timeout' });
    expect(sale(r, 1005)).toMatchObject({ outcome: 'no-answer', stage: 'timeout' });
    expect(sale(r, 1006)).toMatchObject({ outcome: 'no-answer', stage: 'closed' });
    expect(sale(r, 1008)).toMatchObject({ outcome: 'no-answer', stage: 'mac' });
    // The reversal of the cut sale hung once and was resent: the host undid the sale once.
    expect(reversals(r)).toEqual([
      [stan(1004), '98', 'undone'],
      [stan(1005), '98', 'undone'],
      [stan(1006), '06', 'already-reversed'],
      [stan(1008), 'A0', 'undone'],
    ]);
    const requested = requests(r);
    expect(requested.filter((l) => l === `0:0400:${stan(1006)}`)).toHaveLength(2);
    for (const [bad, next] of [[1004, 1005], [1005, 1006], [1006, 1007], [1008, 1009]])
      expect(before(requested, `0:0400:${stan(bad)}`, `0:0200:${stan(next)}`)).toBe(true);
    // The duplicate answer was dropped: one sale, one booking. The held answer came 2 s later.
    expect(sale(r, 1002).uptimeMs - sale(r, 1001).uptimeMs).toBe(2000);
    // Asked to sign on again (processing request 3): the next sale goes after a new 0800.
    const signOns = requested.filter((l) => l.includes(':0800:'));
    expect(signOns).toHaveLength(3);
    expect(before(requested, `0:0200:${stan(1011)}`, signOns[2])).toBe(true);
    expect(before(requested, signOns[2], `0:0200:${stan(1012)}`)).toBe(true);
    // The primary refusing: the backup, then the primary again after failbackMs.
    expect(requested).toContain(`1:0200:${stan(1013)}`);
    expect(requested).toContain(`0:0200:${stan(1014)}`);
    expect(sale(r, 1010)).toMatchObject({ code: '51', category: 'declined' });
    expect(screen(r, 'sale-declined')).toContain(squash('51 Insufficient funds'));
    expect(screen(await run('host-faults-all', 'zh'), 'sale-declined')).toContain('51余额不足');
    const approved = r.outcome.report.transactions.filter((t) => t.do === 'sale' && t.code === '00');
    expect(r.world.acquirer!.batch(TID, '000001')).toMatchObject({
      count: approved.length,
      amountMinor: approved.reduce((sum, t) => sum + t.amountMinor!, 0),
      reversals: 4,
      settlement: 'balanced',
    });
  });
});

describe('host-tls', () => {
  it('talks TLS to both hosts with the acquirer\'s root provisioned as the terminal\'s host root', async () => {
    const r = await run('host-tls');
    expect(r.world.acquirerRoot).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(r.world.settings.get(CERTS_DOMAIN, 'host-root') as Uint8Array).equals(Buffer.from(r.world.acquirerRoot!))).toBe(true);
    const log = requests(r);
    expect(log).toContain('0:0200:000003');
    expect(log).toContain('1:0200:000004');
    expect(screen(r, 'selftest-04')).toContain(squash('primary 127.0.0.1:5683 (TLS) connected'));
    expect(screen(r, 'selftest-05')).toContain(squash('backup 127.0.0.1:5684 (TLS) connected'));
    expect(r.world.acquirer!.batch(TID, '000001')).toMatchObject({ count: 2, amountMinor: 6700, settlement: 'balanced' });
  });

  it('without the host root the terminal trusts only its own PKI root, and the acquirer\'s certificate fails', async () => {
    const scenario = loadScenario(join(DIR, 'host-tls.json'), { lang: 'en' });
    const world = await startWorld({ ...scenario, steps: [{ do: 'boot' }] });
    try {
      world.settings.delete(CERTS_DOMAIN, 'host-root');
      const outcome = await runScenario({ ...scenario, steps: [{ do: 'boot' }] }, world);
      const report = outcome.report.selfTests.at(-1)!;
      // The primary's probe cannot know yet whether the backup serves (a warning); the backup's says both are down.
      expect(report.verdict).toBe('fail');
      expect(report.results.find((x) => x.id === 'network.primary')).toMatchObject({ status: 'warn', code: 'connect.failed' });
      expect(report.results.find((x) => x.id === 'network.backup')).toMatchObject({ status: 'fail', code: 'connect.failed' });
      for (const id of ['network.primary', 'network.backup']) expect(report.results.find((x) => x.id === id)!.detail).toMatch(/\(TLS\): connect: socket: tls: UNABLE_TO_VERIFY_LEAF_SIGNATURE$/);
      expect(world.acquirer!.log.some((e) => e.direction === 'in')).toBe(false);
    } finally {
      await world.close();
    }
  });
});
