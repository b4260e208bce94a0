/**
 * Self-test reports as records (selftest/reportRecord.ts): every report fits the log's largest
 * ring record (RecordLog.capacity().maxPayload, 2,220 B on 4 KiB sectors under issue 10's
 * durable cap), its details cut longest first and marked when it must; every form earlier
 * firmware wrote still reads. The stored bytes are read with an independent CBOR decoder
 * (cbor-x), and the older forms are written exactly as the earlier encoders did (git history:
 * 9f743be wrote the report map as it is, 68f0a7e results as [id, family, status, code, detail,
 * durationMs] lists; before 913f1dd the 83 run's trigger was 'code83').
 */
import { readFileSync } from 'node:fs';
import { decode as cborX } from 'cbor-x';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { readReport } from '../../firmware/core/runtime/logReaders';
import { standardProbes } from '../../firmware/core/selftest/plan';
import { decodeReport, DETAIL_CUT_MARK, encodeReport, ReportRecordError } from '../../firmware/core/selftest/reportRecord';
import { DETAIL_LIMIT } from '../../firmware/core/selftest/runner';
import type { ProbeResult, SelfTestReport } from '../../firmware/core/selftest/types';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { detailText, ZH_DETAIL_FALLBACK } from '../../firmware/core/ui/detailTexts';
import { NorFlash } from '../../host-sim/ports/norFlash';
import { resolveReferences, SCENARIO_DIR } from '../../host-sim/scenario/load';
import { parseScenario } from '../../host-sim/scenario/schema';
import { buildWorld } from '../../host-sim/world';

const cbor = createCborCodec();
/** The board's log: 16 sectors of 4 KiB (the world's too). */
const GEOMETRY = { sectors: 16, sectorSize: 4096 };
const MAX_PAYLOAD = RecordLog.open(new NorFlash(GEOMETRY)).capacity().maxPayload;

/** The largest plan: a host link and every card part fitted (reader and antenna, contact, magstripe, scanner). */
function largestPlan() {
  const fitted = { fitted: true };
  return standardProbes({ log: 'none', cbor, keys: {} as never, host: () => ({}) as never, parts: { reader: fitted, contact: fitted, magstripe: fitted, scanner: fitted } as never });
}

function reportOf(results: ProbeResult[], trigger: SelfTestReport['trigger'] = 'boot'): SelfTestReport {
  return { seq: 123_456, trigger, startedUptimeMs: 4_000_000_000, startedWallMs: Date.UTC(2026, 11, 2, 15), durationMs: 300_000, results, verdict: 'fail' };
}

/** Every probe failed (the runner's code for a probe that threw), its detail at the runner's limit (ending with the runner's own cut mark). */
function worstReport(unit: string): SelfTestReport {
  return reportOf(largestPlan().map((p, i) => ({
    id: p.id, family: p.family, status: 'fail', code: 'probe.crashed', durationMs: 150_000 + i,
    detail: `${p.id} ${unit.repeat(DETAIL_LIMIT)}`.slice(0, DETAIL_LIMIT - 1) + '…',
  })));
}

/** Appends to a fresh log and reads back what the terminal's boot would: the newest report. */
function storeAndRead(payload: Uint8Array): { stored: Uint8Array; report: SelfTestReport } {
  const flash = new NorFlash(GEOMETRY);
  RecordLog.open(flash).append(RecordType.selfTestReport, payload);
  const stored = RecordLog.open(flash).latest(RecordType.selfTestReport)!.payload;
  const traces: string[] = [];
  const report = readReport(cbor, (l) => traces.push(l), stored);
  expect(traces).toEqual([]);
  return { stored, report: report! };
}

/** A stored result against the one reported: all but the detail equal; the detail whole, or a prefix of it with the mark. */
function expectKeptOrCut(back: ProbeResult, original: ProbeResult): 'whole' | 'cut' {
  expect({ ...back, detail: '' }).toEqual({ ...original, detail: '' });
  if (back.detail === original.detail) return 'whole';
  expect(back.detail.endsWith(DETAIL_CUT_MARK)).toBe(true);
  expect(original.detail.startsWith(back.detail.slice(0, -DETAIL_CUT_MARK.length))).toBe(true);
  return 'cut';
}

describe('a report always fits the log', () => {
  it('the largest plan (26 probes) with every detail at its limit, ASCII or CJK: fits, stored, read back, cut longest first', () => {
    expect(largestPlan().map((p) => p.id)).toEqual(expect.arrayContaining(['device.reader', 'device.antenna', 'device.contact', 'device.magstripe', 'device.scanner', 'network.echo', 'account.host']));
    expect(largestPlan()).toHaveLength(26);
    for (const unit of ['x', '卡']) {
      const report = worstReport(unit);
      expect(encodeReport(cbor, report).length).toBeGreaterThan(MAX_PAYLOAD * 2);
      const payload = encodeReport(cbor, report, MAX_PAYLOAD);
      expect(payload.length).toBeLessThanOrEqual(MAX_PAYLOAD);
      const { stored, report: back } = storeAndRead(payload);
      // An independent decoder reads the same report (families left to the ids' prefixes, but auth.crypto's).
      const plain = cborX(stored) as { results: unknown[][]; seq: number; verdict: string };
      expect([plain.seq, plain.verdict, plain.results.length]).toEqual([123_456, 'fail', 26]);
      expect(plain.results.find((r) => r[0] === 'auth.crypto')).toEqual(['auth.crypto', 'system', 'fail', 'probe.crashed', expect.any(String), expect.any(Number)]);
      expect(plain.results.find((r) => r[0] === 'device.scanner')).toHaveLength(5);
      expect({ ...back, results: [] }).toEqual({ ...report, results: [] });
      back.results.forEach((r, i) => expect(expectKeptOrCut(r, report.results[i])).toBe('cut'));
      // Cut to one length (longest first): every cut detail as long as the others, within one character (a surrogate).
      const lengths = new Set(back.results.map((r) => r.detail.length));
      expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      // Not wasteful: the budget is used to within one more character for each cut detail (26 × 3 B at most).
      expect(payload.length).toBeGreaterThan(MAX_PAYLOAD - 26 * (unit === 'x' ? 1 : 3) - 8);
      // 26 failed probes keep 37 ASCII characters of each detail (12 CJK).
      expect(Math.max(...lengths)).toBeGreaterThanOrEqual(unit === 'x' ? 35 : 11);
    }
  });

  it('cuts only the longest: short details stay whole', () => {
    const results = worstReport('x').results.map((r, i) => (i % 2 ? { ...r, detail: `short ${i}` } : r));
    const report = reportOf(results);
    const back = decodeReport(cbor, encodeReport(cbor, report, MAX_PAYLOAD));
    const kinds = back.results.map((r, i) => expectKeptOrCut(r, results[i]));
    // Every short detail whole, the long ones (13 of 160 characters, over the budget together) cut.
    expect(kinds).toEqual(results.map((r) => (r.detail.startsWith('short') ? 'whole' : 'cut')));
    expect(Math.min(...back.results.filter((r) => !r.detail.startsWith('short')).map((r) => r.detail.length))).toBeGreaterThan(60);
  });

  it('a report that fits is stored as it is, whatever the budget', () => {
    const report = reportOf([{ id: 'system.rtc', family: 'system', status: 'pass', code: 'rtc.ok', detail: 'rtc 2026-12-02T15:00:00Z, build 2026-11-20T08:00:00Z', durationMs: 0 }]);
    expect(encodeReport(cbor, report, 200)).toEqual(encodeReport(cbor, report));
    expect(decodeReport(cbor, encodeReport(cbor, report, 200))).toEqual(report);
  });

  it('never cuts half a surrogate pair', () => {
    const detail = '😀'.repeat(80);
    const report = reportOf(Array.from({ length: 20 }, (_, i) => ({ id: `device.p${i}`, family: 'device' as const, status: 'fail' as const, code: 'x', detail, durationMs: 1 })));
    const back = decodeReport(cbor, encodeReport(cbor, report, 1200));
    for (const r of back.results) expect(r.detail).toMatch(/^(?:\uD83D\uDE00)*…$/u);
  });

  it('a board with contact and magstripe (card-swipe-chip, 23 probes) keeps its boot report in the log', async () => {
    const json = JSON.parse(readFileSync(`${SCENARIO_DIR}/card-swipe-chip.json`, 'utf8'));
    const world = buildWorld(parseScenario(resolveReferences({ ...json, steps: [{ do: 'boot' }] }, SCENARIO_DIR)));
    const traces: string[] = [];
    const trace = world.ports.trace;
    (world.ports as { trace: (s: string) => void }).trace = (s) => {
      traces.push(s);
      trace(s);
    };
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    terminal.stop();
    const report = terminal.lastReport!;
    expect(report.results).toHaveLength(23);
    expect(traces.filter((t) => t.includes('append failed'))).toEqual([]);
    const stored = [...RecordLog.open(world.flash).records()].filter((r) => r.type === RecordType.selfTestReport);
    expect(stored).toHaveLength(1);
    const back = decodeReport(cbor, stored[0].payload);
    back.results.forEach((r, i) => expectKeptOrCut(r, report.results[i]));
    expect(back.results.map((r) => r.id)).toEqual(report.results.map((r) => r.id));
  });
});

describe('older records still read', () => {
  const results: ProbeResult[] = [
    { id: 'network.echo', family: 'network', status: 'pass', code: 'echo.ok', detail: 'round trip 12 ms to the primary, answer 00', durationMs: 12 },
    { id: 'auth.crypto', family: 'system', status: 'pass', code: 'crypto.ok', detail: 'sha256, hmac', durationMs: 3 },
    { id: 'auth.mac', family: 'authentication', status: 'fail', code: 'mac.mismatch', detail: 'mac differs', durationMs: 7 },
  ];
  const report = reportOf(results, 'host-83');
  /** 68f0a7e..this fix: results as six-item lists. */
  const SIX = ['id', 'family', 'status', 'code', 'detail', 'durationMs'] as const;

  it('results as six-item lists (issues 8 to 10)', () => {
    const old = cbor.encode({ ...report, results: report.results.map((r) => SIX.map((f) => r[f])) });
    expect(storeAndRead(old).report).toEqual(report);
  });

  it('results as maps (before results were lists), and the trigger code83 (before host-83)', () => {
    expect(storeAndRead(cbor.encode(report)).report).toEqual(report);
    expect(decodeReport(cbor, cbor.encode({ ...report, trigger: 'code83' }))).toEqual(report);
  });

  it('this firmware writes five-item lists, six where the family is not the prefix\'s; a prefix it does not know is refused', () => {
    const lists = (cborX(encodeReport(cbor, report)) as { results: unknown[][] }).results;
    expect(lists.map((l) => l.length)).toEqual([5, 6, 5]);
    expect(decodeReport(cbor, encodeReport(cbor, report))).toEqual(report);
    const unknown = cbor.encode({ ...report, results: [['sensor.temp', 'pass', 'ok', '', 1]] });
    expect(() => decodeReport(cbor, unknown)).toThrow(ReportRecordError);
    expect(() => decodeReport(cbor, cbor.encode({ ...report, results: [['a', 'b', 'c', 'd']] }))).toThrow(ReportRecordError);
  });
});

describe('the screens and a cut detail', () => {
  it('a cut detail shows through a form that still matches it (carrying the mark) or as the documented fallback', async () => {
    const json = JSON.parse(readFileSync(`${SCENARIO_DIR}/card-swipe-chip.json`, 'utf8'));
    const world = buildWorld(parseScenario(resolveReferences({ ...json, steps: [{ do: 'boot' }] }, SCENARIO_DIR)));
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    terminal.stop();
    const report = terminal.lastReport!;
    const whole = encodeReport(cbor, report).length;
    let cuts = 0;
    for (const budget of [whole - 100, whole - 400, whole - 800, 1000]) {
      const back = decodeReport(cbor, encodeReport(cbor, report, budget));
      back.results.forEach((r, i) => {
        if (expectKeptOrCut(r, report.results[i]) === 'whole') return;
        cuts++;
        const zh = detailText('zh', r.code, r.detail);
        expect(zh === ZH_DETAIL_FALLBACK || zh.includes(DETAIL_CUT_MARK)).toBe(true);
        expect(detailText('en', r.code, r.detail)).toBe(r.detail);
      });
    }
    expect(cuts).toBeGreaterThan(20);
  });
});
