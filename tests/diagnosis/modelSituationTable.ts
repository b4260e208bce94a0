/**
 * The field situations of issue 8 §9 as the sources a terminal in each would give the diagnosis
 * (self-test report, event log, session, activation), with the expected top cause, its standing
 * and the first step. modelSituations.test.ts checks them on Node, modelXsParity.test.ts on XS.
 */
import type { EvidenceSources } from '../../firmware/core/diagnosis/gather';
import { answer, boot, HOUR, report, T0 } from './modelFixtures';

/** The host answers 83 (terminal-invalid at this acquirer) to a sale and the account probe says so. */
export const refusedSale = [answer('sale', '83', 'terminal-invalid', T0 - 120_000)];
export const accountRefused = ['fail', 'account.terminal-invalid', 'host answered 83 (Invalid terminal | 无效终端) to 0210 from the primary at 2026-12-02T08:58:00Z'] as const;

/** A terminal as it leaves the factory: no master key, never signed on, never answered by a host. */
const FACTORY = {
  'auth.master-key': ['fail', 'keys.not-activated', 'no master key and no activation record'],
  'auth.working-keys': ['warn', 'keys.missing', 'never signed on'],
  'auth.mac': ['skip', 'mac.no-key', 'no MAC key in use'],
  'account.host': ['skip', 'account.no-answer', 'the host has not answered since boot'],
} as const;

export interface Situation {
  name: string;
  sources: Partial<EvidenceSources>;
  top: string;
  status: 'confirmed' | 'likely';
  firstStep: string;
}

export const SITUATIONS: Situation[] = [
  {
    name: 'DNS failure: the names do not resolve, so no host is reached',
    sources: {
      report: report({
        'network.resolve': ['fail', 'resolve.failed', 'no address for pos.acquirer.test, pos2.acquirer.test'],
        'network.primary': ['warn', 'connect.failed', 'primary pos.acquirer.test:5000: resolve: no address'],
        'network.backup': ['fail', 'connect.failed', 'backup pos2.acquirer.test:5000: resolve: no address'],
        'network.echo': ['skip', 'echo.not-tried', 'not tried: neither host accepted a connection'],
        'account.host': ['skip', 'account.no-answer', 'the host has not answered since boot'],
      }, 'demand'),
    },
    top: 'net.dns', status: 'confirmed', firstStep: 'check-dns',
  },
  {
    name: 'primary refused, backup fine: a warning only, nothing confirmed',
    sources: {
      report: report({
        'network.primary': ['warn', 'connect.failed', 'primary pos.acquirer.test:5000: connect: refused'],
        'network.echo': ['pass', 'echo.ok', 'round trip 130 ms to the backup, answer 00'],
      }, 'periodic'),
    },
    top: 'net.primary-down', status: 'likely', firstStep: 'check-network',
  },
  {
    name: 'factory state: never activated',
    sources: {
      report: report(FACTORY, 'boot'),
      activation: { factory: true, activated: false },
    },
    top: 'auth.not-activated', status: 'confirmed', firstStep: 'activate',
  },
  {
    name: 'master key lost on a terminal that was activated and signed on before',
    sources: {
      report: report({
        'auth.master-key': ['fail', 'master-key.missing', 'no key in slot "tmk"'],
        'auth.working-keys': ['fail', 'keys.lost', 'generation 3 was installed; no working keys are stored now'],
        'auth.mac': ['skip', 'mac.no-key', 'no MAC key in use'],
      }, 'boot'),
      activation: { factory: false, activated: true },
    },
    top: 'auth.master-key', status: 'confirmed', firstStep: 'activate',
  },
  {
    name: 'response MACs failing with stale working keys: the reversal waits with reason A0',
    sources: {
      report: report({ 'system.reversal': ['warn', 'reversal.pending', 'STAN 000124, reason A0, sent 1 of 3 times'] }, 'demand'),
      session: { pendingReversal: true, reversalReason: 'A0' },
    },
    top: 'auth.working-keys', status: 'confirmed', firstStep: 'sign-on-again',
  },
  {
    name: 'expired certificate with a good clock',
    sources: {
      report: report({
        'auth.certificate': ['fail', 'cert.expired', '10240001 expired 2026-11-30, 2 day(s) ago'],
        'account.host': accountRefused,
      }),
      events: refusedSale,
    },
    top: 'auth.certificate', status: 'confirmed', firstStep: 'replace-certificate',
  },
  {
    name: 'clock at 1970: the certificate dates cannot be judged',
    sources: {
      report: report({
        'system.rtc': ['fail', 'rtc.before-build', 'clock 1970-01-01T00:10:00Z, built 2026-11-20'],
        'system.capk': ['skip', 'capk.undecided', '6 keys pass their checksum; expiry not judged'],
        'auth.certificate': ['skip', 'cert.cannot-decide', 'validity not judged: the clock is not trusted (terminal cert 2025-01-01 – 2028-01-01)'],
      }, 'boot', 600_000),
    },
    top: 'sys.clock', status: 'confirmed', firstStep: 'set-clock',
  },
  {
    name: 'keypad stuck',
    sources: { report: report({ 'device.keypad': ['fail', 'keypad.stuck', 'held: 5'] }, 'boot') },
    top: 'dev.keypad', status: 'confirmed', firstStep: 'service-keypad',
  },
  {
    name: 'every local check passes and the host answers 83 to everything',
    sources: {
      report: report({
        'network.echo': ['pass', 'echo.ok', 'round trip 110 ms to the primary, answer 83'],
        'account.host': ['fail', 'account.terminal-invalid', 'host answered 83 (Invalid terminal | 无效终端) to 0810 from the primary at 2026-12-02T08:59:00Z'],
        'auth.working-keys': ['warn', 'keys.missing', 'never signed on'],
        'auth.mac': ['skip', 'mac.no-key', 'no MAC key in use'],
      }),
      events: [answer('sign-on', '83', 'terminal-invalid', T0 - 2 * HOUR), answer('sign-on', '83', 'terminal-invalid', T0 - 60_000)],
    },
    top: 'auth.host-not-registered', status: 'confirmed', firstStep: 'call-support',
  },
  {
    name: "merchant account frozen: the host's category",
    sources: {
      report: report({ 'account.host': ['fail', 'account.merchant-restricted', 'host answered 03 (Invalid merchant | 无效商户) to 0810 from the primary at 2026-12-02T08:59:00Z'] }),
      events: [answer('sign-on', '03', 'merchant-restricted', T0 - 60_000, { hostText: '商户已冻结' })],
    },
    top: 'acct.restricted', status: 'confirmed', firstStep: 'call-acquirer-account',
  },
  {
    name: "merchant account frozen: only the host's text says so, under an 83",
    sources: {
      report: report({ 'account.host': accountRefused }),
      events: [answer('sale', '83', 'terminal-invalid', T0 - 120_000, { hostText: 'MERCHANT ACCOUNT FROZEN' })],
    },
    top: 'acct.restricted', status: 'confirmed', firstStep: 'call-acquirer-account',
  },
  {
    name: 'unstable link with a reversal pending',
    sources: {
      report: report({
        'network.echo': ['warn', 'echo.slow', 'round trip 16000 ms to the backup, answer 00; response timeout 30000 ms'],
        'system.reversal': ['warn', 'reversal.pending', 'STAN 000311, reason 98, sent 2 of 3 times'],
      }, 'periodic'),
      session: { pendingReversal: true, reversalReason: '98', timeouts: 3, failovers: 1 },
    },
    top: 'net.unstable', status: 'likely', firstStep: 'check-network',
  },
  {
    name: "configured TID differs from the certificate's subject",
    sources: {
      report: report({ 'auth.certificate': ['fail', 'cert.wrong-terminal', 'certificate is for 10240009, terminal is 10240001'], 'account.host': accountRefused }),
      events: refusedSale,
    },
    top: 'auth.tid-mismatch', status: 'confirmed', firstStep: 'fix-tid',
  },
  {
    name: 'key check value mismatch at the last sign-on',
    sources: {
      report: report({ 'auth.working-keys': ['fail', 'keys.kcv-mismatch', 'last key block refused: pin key check value 9F3A21, expected 1A2B3C; still using generation 2'] }),
      events: [answer('sign-on', '00', 'approved', T0 - 60_000)],
    },
    top: 'auth.kcv-mismatch', status: 'confirmed', firstStep: 'sign-on-again',
  },
  {
    name: 'flash CRC errors with the configuration lost',
    sources: {
      report: report({
        'system.flash': ['fail', 'flash.corrupt', '4 sectors, 180 records, 3 corrupt records in 1 sector'],
        'system.config': ['fail', 'config.profile-missing', 'no acquirer profile stored'],
        'network.resolve': ['skip', 'host.not-configured', 'not configured: no acquirer profile'],
        'network.primary': ['skip', 'host.not-configured', 'not configured: no acquirer profile'],
        'network.backup': ['skip', 'host.not-configured', 'not configured: no acquirer profile'],
        'network.echo': ['skip', 'echo.not-tried', 'not tried: neither host accepted a connection'],
        'account.host': ['skip', 'host.not-configured', 'not configured: no host session'],
      }, 'boot'),
      events: [boot('power-on', T0 - 10_000, { records: 3, sectors: 1 })],
    },
    top: 'sys.storage', status: 'confirmed', firstStep: 'service-storage',
  },
  {
    name: 'TID disabled mid-day: signed on this morning, refused this afternoon',
    sources: {
      report: report({ 'account.host': accountRefused }),
      events: [answer('sign-on', '00', 'approved', T0 - 5 * HOUR), answer('sale', '83', 'terminal-invalid', T0 - 120_000)],
    },
    top: 'auth.tid-disabled', status: 'confirmed', firstStep: 'call-acquirer-terminal',
  },
  {
    name: 'activation code wrong',
    sources: {
      report: report(FACTORY, 'boot'),
      activation: { factory: true, activated: false, last: { outcome: { kind: 'refused', reason: 'code-wrong', detail: 'D5=01' }, wallMs: T0 - 30_000, uptimeMs: 630_000 } },
    },
    top: 'auth.activation-code', status: 'confirmed', firstStep: 'new-activation-code',
  },
  {
    name: 'a panic reset before the refusal: the crash is reported, first step restart',
    sources: { report: report({}, 'boot'), events: [boot('panic', T0 - 20_000)] },
    top: 'sys.crash', status: 'confirmed', firstStep: 'restart',
  },
];
