/**
 * The host's field 44/63 text names the merchant's or the terminal's standing only on an answer
 * about the merchant or the terminal (terminal-invalid, merchant-restricted): a customer's card
 * declined with "restricted card" says nothing about the merchant's account.
 */
import { diagnose } from '../../firmware/core/diagnosis/diagnose';
import { gatherEvidence } from '../../firmware/core/diagnosis/gather';
import { answer, HOUR, report, T0 } from './modelFixtures';

const NOW = { wallMs: T0 + 60_000, uptimeMs: 660_000 };
const hostText = (codes: readonly string[]) => codes.filter((c) => c.startsWith('hosttext.'));

describe("the host's text", () => {
  it.each([
    ['declined', '05', 'restricted card'],
    ['card-problem', '62', 'Restricted card'],
    ['card-problem', '62', '受限制的卡'],
    ['declined', '57', '持卡人账户冻结'],
    ['retry', '91', 'issuer blocked, try later'],
    ['host-problem', '96', 'system disabled for maintenance'],
    ['re-sign-on', 'A0', 'keys deactivated'],
    ['approved', '00', 'card not restricted'],
  ])('on a %s answer (%s) is no evidence: %j', (category, code, text) => {
    const evidence = gatherEvidence({ events: [answer('sale', code, category, T0 - HOUR, { hostText: text })], history: [], now: NOW });
    expect(hostText(evidence.map((e) => e.code))).toEqual([]);
  });

  it.each([
    ['terminal-invalid', '83', 'Merchant restricted', 'hosttext.account-restricted'],
    ['merchant-restricted', '03', '商户受限', 'hosttext.account-restricted'],
    ['terminal-invalid', '83', '终端已停用', 'hosttext.terminal-disabled'],
  ])('on a %s answer (%s) is read: %j', (category, code, text, expected) => {
    const evidence = gatherEvidence({ events: [answer('sale', code, category, T0 - HOUR, { hostText: text })], history: [], now: NOW });
    expect(hostText(evidence.map((e) => e.code))).toEqual([expected]);
  });

  it('a declined "restricted card" before an 83 does not make the account restricted', () => {
    const events = [answer('sale', '62', 'card-problem', T0 - HOUR, { hostText: 'restricted card' }), answer('sale', '83', 'terminal-invalid', T0)];
    const d = diagnose(gatherEvidence({ report: report(), events, history: [], now: NOW }), [], NOW);
    expect(d.evidence.map((e) => e.code).filter((c) => c.startsWith('hosttext.'))).toEqual([]);
    expect(d.causes.filter((c) => c.status !== 'ruled-out').map((c) => c.id)).not.toContain('acct.restricted');
    expect(d.top?.id).toBe('auth.host-not-registered');
  });
});
