/**
 * The evidence code table against the firmware it names: every finding a self-test probe can
 * report (read from the probe sources, certificate codes from the chain checker's code unions)
 * has its number, no self-test code is invented, and the numbers never move.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAUSES } from '../../firmware/core/diagnosis/causes';
import {
  EVIDENCE_CODES, evidenceCodeOf, evidenceNumber, factEvidence, familyOfNumber, MAX_EVIDENCE_NUMBER, numberedEvidence,
} from '../../firmware/core/diagnosis/evidence';
import { REMEDIES, remedyById } from '../../firmware/core/diagnosis/remedies';
import { matchesPattern } from '../../firmware/core/diagnosis/rules';
import type { Evidence } from '../../firmware/core/diagnosis/types';
import { CAUSE_FAMILIES } from '../../firmware/core/selftest/types';

const CORE = join(__dirname, '../../firmware/core');
const read = (path: string) => readFileSync(join(CORE, path), 'utf8');
const literals = (text: string) => [...text.matchAll(/'([a-z-]+\.[a-z-]+)'/g)].map((m) => m[1]);

/** Every finding code the probes, the runner and the certificate checker can give a report. */
function findingCodes(): Set<string> {
  const sources = [
    ...readdirSync(join(CORE, 'selftest/probes')).map((f) => read(`selftest/probes/${f}`)),
    read('selftest/runner.ts'),
    // The certificate probe reports the chain checker's codes, built from these unions.
    read('security/certificateChain.ts'),
    read('security/certificatePath.ts'),
  ];
  const all = new Set(sources.flatMap(literals));
  // Probe ids are quoted too: the plan's families name them.
  for (const code of all) if (/^(network|system|device|auth)\./.test(code) || code === 'account.host') all.delete(code);
  return all;
}

/** The table when it was made: append-only, so this list only ever grows at the end of a block. */
const NUMBERS = [
  'link.ok=1 link.down=2 link.no-address=3 resolve.ok=4 resolve.failed=5 resolve.not-needed=6 connect.ok=7',
  'connect.failed=8 connect.no-backup=9 echo.ok=10 echo.slow=11 echo.no-answer=12 echo.not-tried=13',
  'echo.refused=14 host.no-link=15 host.not-configured=16 tls.ok=17 tls.not-used=18 tls.no-anchor=19',
  'tls.anchor-malformed=20 tls.anchor-not-ca=21 tls.anchor-signature=22 tls.anchor-undecided=23',
  'tls.anchor-not-yet-valid=24 tls.anchor-expired=25 tls.anchor-expiring=26 host.retry=27 host.host-problem=28',
  'link.reversal-pending=29 link.failover=30 link.timeout=31 activation.unreachable=32',
  'action.network-test.done=33 action.network-test.failed=34 action.network-test.refused=35 display.ok=100',
  'display.no-answer=101 display.wrong-size=102 keypad.ok=103 keypad.stuck=104 keypad.not-judged=105 image.ok=200',
  'image.no-digest=201 image.read-error=202 image.digest-mismatch=203 rtc.ok=204 rtc.before-build=205',
  'rtc.implausible=206 flash.ok=207 flash.readback=208 flash.corrupt=209 flash.durable-full=210',
  'flash.torn-record=211 memory.ok=212 memory.tight=213 memory.low=214 config.ok=215 config.tid-invalid=216',
  'config.mid-invalid=217 config.profile-missing=218 config.profile-invalid=219 reversal.none=220',
  'reversal.pending=221 reversal.stuck=222 capk.ok=223 capk.empty=224 capk.refused=225 capk.undecided=226',
  'probe.timeout=227 probe.crashed=228 reset.panic=229 reset.watchdog=230 reset.brownout=231 storage.corrupt=232',
  'action.restart.done=233 action.restart.failed=234 action.restart.refused=235 action.set-clock.done=236',
  'action.set-clock.failed=237 action.set-clock.refused=238 action.self-test.done=239 action.self-test.failed=240',
  'action.self-test.refused=241 account.ok=300 account.no-answer=301 account.not-judged=302',
  'account.merchant-restricted=303 account.terminal-invalid=304 host.merchant-restricted=305 host.declined=306',
  'host.card-problem=307 hosttext.account-restricted=308 crypto.ok=400 crypto.kat-failed=401 master-key.ok=402',
  'master-key.missing=403 keys.not-activated=404 keys.ok=405 keys.missing=406 keys.wiped=407 keys.lost=408',
  'keys.kcv-mismatch=409 keys.restore-failed=410 keys.single-des=411 mac.ok=412 mac.no-key=413 mac.mismatch=414',
  'cert.ok=415 cert.expiring=416 cert.expired=417 cert.not-yet-valid=418 cert.cannot-decide=419',
  'cert.wrong-terminal=420 cert.chain-broken=421 cert.wrong-root=422 cert.bad-signature=423 cert.bad-key=424',
  'cert.not-ca=425 cert.critical-extension=426 cert.path-limit=427 cert.malformed=428 cert.missing=429',
  'host.approved=430 host.re-sign-on=431 host.terminal-invalid=432 host.refused-after-accept=433',
  'host.sign-on-requested=434 hosttext.terminal-disabled=435 host.answer-mac-bad=436 activation.done=437',
  'activation.not-activated=438 activation.code-wrong=439 activation.code-expired=440 activation.tid-disabled=441',
  'activation.bound-elsewhere=442 activation.kcv-mismatch=443 activation.malformed=444 action.sign-on.done=445',
  'action.sign-on.failed=446 action.sign-on.refused=447 action.activate.done=448 action.activate.failed=449',
  'action.activate.refused=450 keys.unprotected=451',
].join(' ');

describe('the evidence code table', () => {
  it('names every finding a probe can report, and no self-test code that no probe reports', () => {
    const findings = findingCodes();
    expect(findings.size).toBeGreaterThan(90);
    const selftest = EVIDENCE_CODES.filter(([, , source]) => source === 'selftest').map(([code]) => code);
    expect([...findings].filter((c) => !selftest.includes(c))).toEqual([]);
    expect(selftest.filter((c) => !findings.has(c))).toEqual([]);
  });

  it('keeps every number it ever gave (append-only)', () => {
    const given = Object.fromEntries(NUMBERS.split(' ').map((pair) => pair.split('=')).map(([code, n]) => [code, Number(n)]));
    for (const [code, n] of Object.entries(given)) expect({ code, n: evidenceNumber(code) }).toEqual({ code, n });
  });

  it('gives each code one number and each number one code, within its family block', () => {
    expect(new Set(EVIDENCE_CODES.map(([c]) => c)).size).toBe(EVIDENCE_CODES.length);
    expect(new Set(EVIDENCE_CODES.map(([, n]) => n)).size).toBe(EVIDENCE_CODES.length);
    for (const [code, n] of EVIDENCE_CODES) {
      expect(n).toBeLessThan(CAUSE_FAMILIES.length * 100);
      expect(evidenceCodeOf(n)).toBe(code);
    }
    expect(EVIDENCE_CODES.filter(([c]) => c.startsWith('action.network-test')).every(([, n]) => familyOfNumber(n) === 'network')).toBe(true);
    expect(EVIDENCE_CODES.filter(([c]) => /^action\.(sign-on|activate)\./.test(c)).every(([, n]) => familyOfNumber(n) === 'authentication')).toBe(true);
  });

  it('reads a number it does not know as "#n" and back', () => {
    expect(evidenceCodeOf(499)).toBe('#499');
    expect(evidenceNumber('#499')).toBe(499);
    expect(evidenceNumber('#0499')).toBe(499);
    expect(evidenceNumber(`#${MAX_EVIDENCE_NUMBER + 1}`)).toBeUndefined();
    expect(evidenceNumber('#4a')).toBeUndefined();
    expect(evidenceNumber('#')).toBeUndefined();
    expect(evidenceNumber('no.such-code')).toBeUndefined();
    expect(numberedEvidence(499, 'warn', 5000)).toEqual({ code: '#499', family: 'authentication', source: 'history', status: 'warn', wallMs: 5000, uptimeMs: 0 });
    expect(numberedEvidence(12, 'fail', 5000)).toMatchObject({ code: 'echo.no-answer', family: 'network', source: 'selftest' });
    expect(() => factEvidence('no.such-code', 'fail', 0, 0)).toThrow(RangeError);
  });
});

describe('the cause catalogue', () => {
  const e = (code: string, extra: Partial<Evidence> = {}): Evidence => ({ code, family: 'system', source: 'selftest', status: 'fail', wallMs: 0, uptimeMs: 0, ...extra });

  it('has the contract numbers in family blocks of ten, in family order then number', () => {
    expect(CAUSES.map((c) => `${c.number}:${c.id}`)).toEqual([
      '1:net.link-down', '2:net.dns', '3:net.host-unreachable', '4:net.primary-down', '5:net.unstable', '6:net.tls',
      '10:dev.display', '11:dev.keypad', '12:dev.reader', '13:dev.power',
      '20:sys.clock', '21:sys.config', '22:sys.storage', '23:sys.image', '24:sys.crash', '25:sys.memory', '26:sys.key-storage', '27:sys.update',
      '30:acct.restricted',
      '40:auth.not-activated', '41:auth.activation-code', '42:auth.tid-disabled', '43:auth.bound-elsewhere', '44:auth.master-key',
      '45:auth.kcv-mismatch', '46:auth.working-keys', '47:auth.certificate', '48:auth.tid-mismatch', '49:auth.host-not-registered',
    ]);
    for (const c of CAUSES) expect({ id: c.id, family: CAUSE_FAMILIES[Math.floor(c.number / 10)] }).toEqual({ id: c.id, family: c.family });
  });

  it('writes every rule with codes of the table (a typo would match nothing)', () => {
    const patterns = CAUSES.flatMap((c) => [...c.confirmedBy, ...c.likelyBy, ...c.ruledOutBy]);
    expect(patterns.length).toBeGreaterThan(80);
    for (const p of patterns) {
      const code = p.replace(/^[a-z.-]+:/, '').replace(/@[a-z]+$/, '');
      const probe = p.includes(':') ? p.slice(0, p.indexOf(':')) : undefined;
      const status = p.includes('@') ? (p.slice(p.indexOf('@') + 1) as Evidence['status']) : 'fail';
      const matched = EVIDENCE_CODES.filter(([c]) => matchesPattern(p, e(c, { probe, status })));
      expect({ p, matched: matched.length > 0 }).toEqual({ p, matched: true });
      expect(['fail', 'warn', 'pass', 'info']).toContain(status);
      if (!code.endsWith('*')) expect(evidenceNumber(code)).toBeDefined();
    }
    for (const c of CAUSES) for (const id of [...c.remedies]) expect(() => remedyById(id)).not.toThrow();
    for (const c of CAUSES) for (const id of c.explainedBy ?? []) expect(CAUSES.some((other) => other.id === id)).toBe(true);
  });

  it('reads patterns: exact, prefix, probe and status', () => {
    expect(matchesPattern('cert.expired', e('cert.expired'))).toBe(true);
    expect(matchesPattern('cert.expired', e('cert.expired-x'))).toBe(false);
    expect(matchesPattern('cert.expired', e('cert.expire'))).toBe(false);
    expect(matchesPattern('cert.*', e('cert.ok'))).toBe(true);
    expect(matchesPattern('cert.*', e('capk.ok'))).toBe(false);
    expect(matchesPattern('reset.*@warn', e('reset.brownout', { status: 'warn' }))).toBe(true);
    expect(matchesPattern('reset.*@warn', e('reset.panic'))).toBe(false);
    expect(matchesPattern('network.primary:connect.failed@warn', e('connect.failed', { probe: 'network.primary', status: 'warn' }))).toBe(true);
    expect(matchesPattern('network.primary:connect.failed@warn', e('connect.failed', { probe: 'network.backup', status: 'warn' }))).toBe(false);
    expect(matchesPattern('network.primary:connect.failed@warn', e('connect.failed', { status: 'warn' }))).toBe(false);
    expect(matchesPattern('network.primary:connect.failed@warn', e('connect.failed', { probe: 'network.primary', status: 'fail' }))).toBe(false);
    expect(matchesPattern('connect.failed@fail', e('connect.failed', { probe: 'network.backup' }))).toBe(true);
  });

  it('has the contract remedies in family order, call-support last, each with an action or an actor', () => {
    expect(REMEDIES.map((r) => r.id)).toEqual([
      'check-network', 'check-link', 'check-dns', 'check-host-address', 'renew-tls-anchor',
      'service-display', 'service-keypad', 'service-reader', 'check-power',
      'set-clock', 'restart', 'rerun-self-test', 'reprovision-config', 'service-storage', 'reflash-firmware', 'secure-build', 'update-firmware',
      'call-acquirer-account',
      'sign-on-again', 'activate', 'new-activation-code', 'reinject-master-key', 'replace-certificate', 'fix-tid', 'call-acquirer-terminal',
      'call-support',
    ]);
    for (const r of REMEDIES) expect(Boolean(r.action) !== Boolean(r.actor)).toBe(true);
    const order = REMEDIES.map((r) => (r.family === 'support' ? 5 : CAUSE_FAMILIES.indexOf(r.family)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
