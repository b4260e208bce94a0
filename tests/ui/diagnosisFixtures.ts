/**
 * Diagnoses built by hand for the screen tests, from the issue-8 contract's cause and remedy
 * catalogue (§1, §2), so the screens are tested on the shapes a field technician meets whatever
 * the ranking rules decide: a DNS failure, the host refusing a terminal whose every local check
 * passes, nothing found, and a worst case with every cause and every step at once.
 */
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { textOps } from './screenChecks';
import type { ActionId, Actor, ActionOutcome, CauseFamily, Diagnosis, Evidence, EvidenceSource, EvidenceStatus, RankedCause, Remedy } from '../../firmware/core/diagnosis/types';

export const T = Date.UTC(2026, 11, 2, 7, 40);

/** Contract §1: id → [number, family]. */
export const CONTRACT_CAUSES: Readonly<Record<string, readonly [number, CauseFamily]>> = {
  'net.link-down': [1, 'network'], 'net.dns': [2, 'network'], 'net.host-unreachable': [3, 'network'], 'net.primary-down': [4, 'network'],
  'net.unstable': [5, 'network'], 'net.tls': [6, 'network'],
  'dev.display': [10, 'device'], 'dev.keypad': [11, 'device'], 'dev.reader': [12, 'device'], 'dev.power': [13, 'device'],
  'sys.clock': [20, 'system'], 'sys.config': [21, 'system'], 'sys.storage': [22, 'system'], 'sys.image': [23, 'system'], 'sys.crash': [24, 'system'], 'sys.memory': [25, 'system'], 'sys.key-storage': [26, 'system'], 'sys.update': [27, 'system'],
  'acct.restricted': [30, 'account'],
  'auth.not-activated': [40, 'authentication'], 'auth.activation-code': [41, 'authentication'], 'auth.tid-disabled': [42, 'authentication'],
  'auth.bound-elsewhere': [43, 'authentication'], 'auth.master-key': [44, 'authentication'], 'auth.kcv-mismatch': [45, 'authentication'],
  'auth.working-keys': [46, 'authentication'], 'auth.certificate': [47, 'authentication'], 'auth.tid-mismatch': [48, 'authentication'],
  'auth.host-not-registered': [49, 'authentication'],
};

/** Contract §2: id → family, action or actor. */
export const CONTRACT_REMEDIES: Readonly<Record<string, Remedy>> = Object.fromEntries(
  ([
    ['check-network', 'network', 'network-test'], ['check-link', 'network', undefined, 'merchant'], ['check-dns', 'network', undefined, 'technician'],
    ['check-host-address', 'network', undefined, 'technician'], ['renew-tls-anchor', 'network', undefined, 'technician'],
    ['service-display', 'device', undefined, 'technician'], ['service-keypad', 'device', undefined, 'technician'], ['service-reader', 'device', undefined, 'technician'], ['check-power', 'device', undefined, 'merchant'],
    ['set-clock', 'system', 'set-clock'], ['restart', 'system', 'restart'], ['rerun-self-test', 'system', 'self-test'],
    ['reprovision-config', 'system', undefined, 'technician'], ['service-storage', 'system', undefined, 'technician'], ['reflash-firmware', 'system', undefined, 'technician'], ['secure-build', 'system', undefined, 'technician'], ['update-firmware', 'system', undefined, 'technician'],
    ['call-acquirer-account', 'account', undefined, 'merchant'],
    ['sign-on-again', 'authentication', 'sign-on'], ['activate', 'authentication', 'activate'], ['new-activation-code', 'authentication', undefined, 'acquirer'],
    ['reinject-master-key', 'authentication', undefined, 'technician'], ['replace-certificate', 'authentication', undefined, 'technician'], ['fix-tid', 'authentication', undefined, 'technician'], ['call-acquirer-terminal', 'authentication', undefined, 'merchant'],
    ['call-support', 'support', undefined, 'support'],
  ] as [string, Remedy['family'], ActionId | undefined, Actor | undefined][]).map(([id, family, action, actor]) => [
    id,
    { id, family, ...(action ? { action } : {}), ...(actor ? { actor } : {}) },
  ]),
);

export function ev(code: string, status: EvidenceStatus, family: CauseFamily, source: EvidenceSource = 'selftest', detail?: string): Evidence {
  return { code, family, source, status, wallMs: T, uptimeMs: 5000, ...(detail !== undefined ? { detail } : {}) };
}

export function cause(id: string, status: RankedCause['status'], forE: Evidence[], against: Evidence[], remedies: string[]): RankedCause {
  const [number, family] = CONTRACT_CAUSES[id];
  return { id, number, family, status, for: forE, against, remedies: remedies.map((r) => CONTRACT_REMEDIES[r]) };
}

export function diagnosis(causes: RankedCause[], tried: ActionOutcome[] = [], extra: Evidence[] = []): Diagnosis {
  const steps: Remedy[] = [];
  for (const c of causes) if (c.status !== 'ruled-out') for (const r of c.remedies) if (!steps.some((s) => s.id === r.id) && r.id !== 'call-support') steps.push(r);
  steps.push(CONTRACT_REMEDIES['call-support']);
  const evidence = [...extra];
  for (const c of causes) for (const e of [...c.for, ...c.against]) if (!evidence.includes(e)) evidence.push(e);
  return { wallMs: T, uptimeMs: 60_000, causes, top: causes.find((c) => c.status !== 'ruled-out'), steps, tried, evidence };
}

const linkOk = ev('link.ok', 'pass', 'network', 'selftest', 'address 192.168.1.20');
const resolveFailed = ev('resolve.failed', 'fail', 'network', 'selftest', 'no address for pos.acquirer.example');
const rtcOk = ev('rtc.ok', 'pass', 'system', 'selftest', 'rtc 2026-12-02T07:40:00Z, build 2026-11-20T08:00:00Z');
const host83 = ev('host.terminal-invalid', 'fail', 'authentication', 'host', 'code=83 mti=0810 host=0 nibble=3 text=TERMINAL 10240001 NOT ACTIVATED');

export const DNS_FAILURE = diagnosis([
  cause('net.dns', 'confirmed', [resolveFailed], [linkOk], ['check-network', 'check-dns', 'call-support']),
  cause('net.host-unreachable', 'likely', [ev('echo.not-tried', 'warn', 'network', 'selftest', 'not tried: neither host accepted a connection')], [], ['check-network', 'check-host-address', 'call-support']),
  cause('net.link-down', 'ruled-out', [], [linkOk], ['check-link']),
  cause('sys.clock', 'ruled-out', [], [rtcOk], ['set-clock']),
]);

export const HOST_NOT_REGISTERED = diagnosis(
  [
    cause('auth.host-not-registered', 'likely', [host83, ev('keys.ok', 'pass', 'authentication', 'selftest', 'generation 2: pin KCV 1A2B3C, mac KCV 4D5E6F')], [], ['sign-on-again', 'call-support']),
    cause('net.link-down', 'ruled-out', [], [linkOk], ['check-link']),
    cause('sys.clock', 'ruled-out', [], [rtcOk], ['set-clock']),
    cause('auth.not-activated', 'ruled-out', [], [ev('master-key.ok', 'pass', 'authentication')], ['activate']),
  ],
  [{ action: 'sign-on', result: 'failed', wallMs: T }],
);

export const NOTHING_FOUND = diagnosis(
  [cause('net.link-down', 'ruled-out', [], [linkOk], ['check-link']), cause('sys.clock', 'ruled-out', [], [rtcOk], ['set-clock'])],
  [],
  [ev('keypad.ok', 'pass', 'device'), ev('flash.torn-record', 'warn', 'system')],
);

/** Every cause at once, each with long evidence for and against, every remedy a step, some tried. */
export function worstCase(): Diagnosis {
  const long = (i: number) => ev(i % 2 ? 'host.terminal-invalid' : 'cert.expired', 'fail', 'authentication', i % 2 ? 'host' : 'selftest',
    i % 2 ? `code=83 mti=0810 host=1 nibble=3 text=${'A VERY LONG HOST MESSAGE '.repeat(4)}` : 'CN=Terminal 10240001 expired 2026-01-01, 335 day(s) ago');
  const causes = Object.keys(CONTRACT_CAUSES).map((id, i) =>
    cause(id, i % 3 === 0 ? 'confirmed' : i % 3 === 1 ? 'likely' : 'ruled-out', [long(i), long(i + 1), ev('#9999', 'warn', 'system', 'history'), long(i + 2), long(i + 3)], [long(i + 1), ev('link.ok', 'pass', 'network')], Object.keys(CONTRACT_REMEDIES)),
  );
  const tried: ActionOutcome[] = [
    { action: 'network-test', result: 'done', wallMs: T },
    { action: 'set-clock', result: 'failed', wallMs: T },
    { action: 'restart', result: 'refused', wallMs: T },
  ];
  return diagnosis(causes, tried);
}

/** The words a screen shows, in drawing order, a bold run's twin (1 px right) and white space left out. */
export function shownWords(list: DisplayList): string {
  const ops = textOps(list);
  let out = '';
  ops.forEach((op, i) => {
    const before = ops[i - 1];
    if (!(before && before.text === op.text && before.y === op.y && op.x === before.x + 1)) out += op.text;
  });
  return out.replace(/\s+/g, '');
}
