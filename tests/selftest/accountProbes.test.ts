/**
 * The account probe judges the host's own answers (codes looked up in the shipped profiles'
 * tables, not written here), and the reversal probe the session's pending reversal. Both go
 * through the real runner; every detail has its Chinese form.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAcquirerProfile } from '../../firmware/core/config/acquirerProfile';
import { REVERSAL_SENDS } from '../../firmware/core/host/journal';
import type { Ports } from '../../firmware/core/ports';
import { accountProbe } from '../../firmware/core/selftest/probes/accountProbes';
import type { HostAnswerView, HostSubjects, SessionView } from '../../firmware/core/selftest/probes/hostSubjects';
import { reversalProbe } from '../../firmware/core/selftest/probes/reversalProbe';
import { networkProbes } from '../../firmware/core/selftest/plan';
import { runSelfTest } from '../../firmware/core/selftest/runner';
import type { Probe } from '../../firmware/core/selftest/types';
import { zhDetail } from '../../firmware/core/ui/detailTexts';
import { VirtualClock } from '../../host-sim/ports/virtualClock';

const table = (name: string) => {
  const result = parseAcquirerProfile(JSON.parse(readFileSync(join(__dirname, '../../host-sim/scenarios/profiles', `${name}.json`), 'utf8')));
  if (!result.ok) throw result.error;
  return result.value.responseCodes;
};
const WALL = Date.UTC(2026, 10, 26, 9, 30);

/** The host's answer `code` as the session builds it from the profile's table. */
function answer(profile: string, code: string, mti = '0210', host = 0): HostAnswerView {
  const entry = table(profile).lookup(code);
  return { code, category: entry.category, text: { zh: entry.zh, en: entry.en }, mti, host, wallMs: WALL };
}

const session = (status: ReturnType<SessionView['status']>): SessionView => ({ echo: async () => ({ kind: 'refused', code: 'x', detail: 'x' }), status: () => status });

async function resultOf(probe: (host: () => HostSubjects) => Probe, subjects: HostSubjects) {
  // The account probe runs after the echo: here the link is down, so no echo refreshes the evidence.
  const probes = probe === accountProbe ? [...networkProbes(() => subjects), probe(() => subjects)] : [probe(() => subjects)];
  const network = { link: () => ({ up: false }) };
  const report = await runSelfTest({ clock: new VirtualClock(WALL), network, trace: () => undefined } as unknown as Ports, probes, 'host-83', 1);
  const result = report.results[report.results.length - 1];
  expect([result.code, zhDetail(result.code, result.detail)]).toEqual([result.code, expect.any(String)]);
  return result;
}

describe('account probe', () => {
  it('CUP 03 (invalid merchant): fails with the host code, both texts, the message and when', async () => {
    const r = await resultOf(accountProbe, { session: session({ lastAnswer: answer('cup-style', '03') }) });
    expect(r).toMatchObject({ family: 'account', status: 'fail', code: 'account.merchant-restricted', detail: 'host answered 03 (Invalid merchant | 无效商户) to 0210 from the primary at 2026-11-26T09:30:00Z' });
    expect(zhDetail(r.code, r.detail)).toBe('主用主机于 2026-11-26T09:30:00Z 对 0210 应答 03（无效商户）');
  });

  it.each([
    ['lakala-style', '83', 'Invalid terminal'],
    ['cup-style', '97', 'Terminal not registered'],
  ])('%s %s: the terminal is not accepted', async (profile, code, en) => {
    const r = await resultOf(accountProbe, { session: session({ lastAnswer: answer(profile, code, '0810', 1) }) });
    expect(r).toMatchObject({ status: 'fail', code: 'account.terminal-invalid', detail: expect.stringMatching(new RegExp(`^host answered ${code} \\(${en} \\| .+\\) to 0810 from the backup at `)) });
  });

  it.each([
    ['approved', '00', 'pass', 'account.ok'],
    ['a declined card', '51', 'pass', 'account.ok'],
    ['sign on again', 'A0', 'pass', 'account.ok'],
    ['a system fault', '96', 'skip', 'account.not-judged'],
    ['no answer from the issuer', '98', 'skip', 'account.not-judged'],
    ['a code the table does not list', 'Q7', 'pass', 'account.ok'],
  ])('CUP answer %s', async (_, code, status, finding) => {
    expect(await resultOf(accountProbe, { session: session({ lastAnswer: answer('cup-style', code) }) })).toMatchObject({ status, code: finding });
  });

  it('the evidence the terminal kept wins over a later answer that did not judge the account', async () => {
    const r = await resultOf(accountProbe, { session: session({ lastAnswer: answer('cup-style', '96') }), accountAnswer: answer('cup-style', '03') });
    expect(r).toMatchObject({ status: 'fail', code: 'account.merchant-restricted' });
  });

  it('stays not checked until the host answers, or while there is no session', async () => {
    expect(await resultOf(accountProbe, { session: session({}) })).toMatchObject({ status: 'skip', code: 'account.no-answer' });
    expect(await resultOf(accountProbe, {})).toMatchObject({ status: 'skip', code: 'host.not-configured' });
  });
});

describe('reversal probe', () => {
  it.each([
    ['none pending', undefined, 'pass', 'reversal.none', 'no reversal pending'],
    ['pending, sent once', { stan: '000123', reason: '98', attempts: 1 }, 'warn', 'reversal.pending', `STAN 000123, reason 98, sent 1 of ${REVERSAL_SENDS} times`],
    ['sent the first time and 3 more', { stan: '000123', reason: 'A0', attempts: 4 }, 'fail', 'reversal.stuck', 'STAN 000123, reason A0, sent 4 of 4 times'],
  ])('%s', async (_, pendingReversal, status, code, detail) => {
    const r = await resultOf(reversalProbe, { session: session(pendingReversal ? { pendingReversal } : {}) });
    expect(r).toMatchObject({ family: 'system', status, code, detail });
  });

  it('the stuck reversal in Chinese', () => {
    expect(zhDetail('reversal.stuck', 'STAN 000123, reason A0, sent 4 of 4 times')).toBe('流水号 000123，冲正原因 A0，已发送 4/4 次');
    expect(REVERSAL_SENDS).toBe(4);
  });
});
