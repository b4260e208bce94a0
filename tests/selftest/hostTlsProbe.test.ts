/**
 * The TLS trust anchor probe, given roots openssl made (host-sim/tools/pki.ts runs `openssl ca`
 * with fixed dates) and judged by the openssl CLI too: what openssl says of each root at the
 * probe's clock (`verify -attime`, `-check_ss_sig`, a leaf under a non-CA) is the reference the
 * probe's verdict must agree with. Days left are counted from the end date openssl prints.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ports } from '../../firmware/core/ports';
import { HOST_ROOT_SETTING } from '../../firmware/core/runtime/acquirerLink';
import { CERTS_DOMAIN } from '../../firmware/core/security/provisionedData';
import { standardProbes } from '../../firmware/core/selftest/plan';
import type { HostSubjects } from '../../firmware/core/selftest/probes/hostSubjects';
import { hostTlsProbe } from '../../firmware/core/selftest/probes/hostTlsProbe';
import { DETAIL_LIMIT, runSelfTest } from '../../firmware/core/selftest/runner';
import type { Probe, ProbeResult } from '../../firmware/core/selftest/types';
import { createCborCodec } from '../../firmware/core/store/cbor';
import type { KeyStore } from '../../firmware/core/security/keyStore';
import { zhDetail } from '../../firmware/core/ui/detailTexts';
import { NodeCrypto } from '../../host-sim/ports/nodeCrypto';
import { SimSettings } from '../../host-sim/ports/simDevices';
import { VirtualClock } from '../../host-sim/ports/virtualClock';
import { TestPki, type Issued } from '../../host-sim/tools/pki';

const NOW = Date.UTC(2026, 10, 26, 9);
const DAY_MS = 86_400_000;
const TLS_PROFILE: HostSubjects['profile'] = { hosts: [{ host: '127.0.0.1', port: 5683, tls: true }, { host: '127.0.0.1', port: 5684, tls: true }], timeoutMs: 30_000 };

let pki: TestPki;
const roots: Record<string, Issued> = {};

beforeAll(() => {
  pki = new TestPki();
  const ca = (subject: string, from: string, to: string, key: 'ec' | 'rsa' = 'ec') => pki.issue({ subject, key, ca: true, from, to });
  roots.good = ca('/O=Demo Acquirer/CN=Good Root', '20250101000000Z', '20400101000000Z');
  roots.rsa = ca('/O=Terminal PKI/CN=Terminal Root', '20250101000000Z', '20350101000000Z', 'rsa');
  roots.expired = ca('/CN=Expired Root', '20200101000000Z', '20240101000000Z');
  roots.early = ca('/CN=Early Root', '20300101000000Z', '20400101000000Z');
  roots.expiring = ca('/CN=Expiring Root', '20250101000000Z', '20261210000000Z');
  roots.leaf = pki.issue({ subject: '/CN=Not A CA', key: 'ec', ca: false, from: '20250101000000Z', to: '20400101000000Z' });
  // A CA whose keyUsage (the later line of its extension section wins) does not allow certificate signing.
  roots.noCertSign = pki.issue({ subject: '/CN=Signing Only CA', key: 'ec', ca: true, from: '20250101000000Z', to: '20400101000000Z', extra: ['keyUsage = critical,digitalSignature'] });
  roots.underNoCertSign = pki.issue({ subject: '/CN=Under Signing Only', key: 'ec', issuer: roots.noCertSign, ca: false, from: '20250101000000Z', to: '20300101000000Z' });
  roots.underLeaf = pki.issue({ subject: '/CN=Under Not A CA', key: 'ec', issuer: roots.leaf, ca: false, from: '20250101000000Z', to: '20300101000000Z' });
  roots.intermediate = pki.issue({ subject: '/CN=Demo Intermediate', key: 'ec', issuer: roots.good, ca: true, from: '20250101000000Z', to: '20350101000000Z' });
  roots.edwards = pki.issue({ subject: '/CN=Edwards CA', key: 'ed25519', issuer: roots.good, ca: true, from: '20250101000000Z', to: '20350101000000Z' });
  // The good root with one bit of its signature's last byte flipped (still well-formed DER: the INTEGER s changes value).
  const tampered = Buffer.from(roots.good.der);
  tampered[tampered.length - 1] ^= 0x01;
  const tamperedPath = join(pki.dir, 'tampered.der');
  writeFileSync(tamperedPath, tampered);
  const pemPath = join(pki.dir, 'tampered.pem');
  execFileSync('openssl', ['x509', '-inform', 'DER', '-in', tamperedPath, '-out', pemPath]);
  roots.tampered = { ...roots.good, name: 'tampered', der: tampered, certPath: pemPath, pem: '' };
}, 60_000);

/** openssl's verdict: "OK", or its first "error N at D depth lookup: …" reason. */
function opensslVerify(args: string[]): string {
  try {
    execFileSync('openssl', ['verify', ...args], { stdio: 'pipe' });
    return 'OK';
  } catch (error) {
    const out = String((error as { stdout?: Buffer }).stdout ?? '') + String((error as { stderr?: Buffer }).stderr ?? '');
    return /error \d+ at \d+ depth lookup: (.+)/.exec(out)?.[1] ?? out;
  }
}
/** The root as its own trust anchor, self-signature checked, at the probe's clock. */
const opensslOnItsOwn = (root: Issued, atMs = NOW) => opensslVerify(['-check_ss_sig', '-attime', String(Math.floor(atMs / 1000)), '-CAfile', root.certPath, root.certPath]);
/** The subject as openssl prints it (-nameopt compat: /CN=…/O=…), in the probe's "CN=…, O=…" form. */
const opensslSubject = (root: Issued) => execFileSync('openssl', ['x509', '-in', root.certPath, '-noout', '-subject', '-nameopt', 'compat']).toString().trim().replace(/^subject=\//, '').split('/').join(', ');
/** Whole days from NOW to the end date openssl prints (notAfter=Jan  1 00:00:00 2040 GMT). */
function opensslDaysLeft(root: Issued): number {
  const end = execFileSync('openssl', ['x509', '-in', root.certPath, '-noout', '-enddate']).toString().trim().replace('notAfter=', '');
  return Math.floor((Date.parse(end) - NOW) / DAY_MS);
}

interface Given {
  profile?: HostSubjects['profile'];
  settings?: Record<string, Uint8Array | string>;
  rtc?: 'pass' | 'fail';
}

/** The probe through the real runner, after a stand-in for the RTC probe that reports `rtc`. */
async function probe({ profile = TLS_PROFILE, settings = {}, rtc = 'pass' }: Given = {}): Promise<ProbeResult> {
  const store = new SimSettings();
  for (const [key, value] of Object.entries(settings)) store.set(CERTS_DOMAIN, key, value);
  const ports = { clock: new VirtualClock(NOW), settings: store, crypto: NodeCrypto.secure(), trace: () => undefined } as unknown as Ports;
  const rtcProbe: Probe = { id: 'system.rtc', family: 'system', timeoutMs: 1_000, run: async () => ({ status: rtc, code: `rtc.${rtc}`, detail: '' }) };
  const report = await runSelfTest(ports, [rtcProbe, hostTlsProbe(() => ({ profile }))], 'demand', 1);
  const result = report.results[1];
  // Every detail is facts in English within the limit, and a Chinese screen has its form, carrying the numbers over.
  expect(result.detail.length).toBeLessThanOrEqual(DETAIL_LIMIT);
  const zh = zhDetail(result.code, result.detail);
  expect([result.detail, zh]).toEqual([result.detail, expect.any(String)]);
  // (A parser's reason is left in the English report: the form names its error code, like the certificate probe's.)
  const facts = result.detail.replace(/: (x509-[a-z]+: |key unusable ).*$/, '');
  for (const number of facts.match(/\d{4}-\d\d-\d\d|\b\d+\b/g) ?? []) expect(zh).toContain(number);
  return result;
}
const der = (root: Issued) => new Uint8Array(root.der);

describe('the TLS trust anchor probe', () => {
  it('passes a CA root within its dates, naming its subject and the days left openssl counts', async () => {
    expect(opensslOnItsOwn(roots.good)).toBe('OK');
    const r = await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.good) } });
    expect(r).toMatchObject({ id: 'network.tls', family: 'network', status: 'pass', code: 'tls.ok' });
    expect(opensslSubject(roots.good)).toBe('CN=Good Root, O=Demo Acquirer');
    expect(r.detail).toBe(`host-root expires 2040-01-01: ${opensslDaysLeft(roots.good)} days left; subject ${opensslSubject(roots.good)}`);
    expect(zhDetail(r.code, r.detail)).toBe(`主机根证书（host-root）于 2040-01-01 到期，还有 ${opensslDaysLeft(roots.good)} 天；使用者 ${opensslSubject(roots.good)}`);
  });

  it('falls back to the terminal PKI root (RSA here) when no host root is provisioned, as the link does', async () => {
    expect(opensslOnItsOwn(roots.rsa)).toBe('OK');
    const r = await probe({ settings: { root: der(roots.rsa) } });
    expect(r).toMatchObject({ status: 'pass', code: 'tls.ok', detail: `root expires 2035-01-01: ${opensslDaysLeft(roots.rsa)} days left; subject ${opensslSubject(roots.rsa)}` });
  });

  it('judges the host root, not the PKI root, when both are there', async () => {
    const r = await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.expired), root: der(roots.good) } });
    expect(r).toMatchObject({ status: 'fail', code: 'tls.anchor-expired', detail: expect.stringMatching(/^host-root Expired Root /) });
  });

  it('skips when no host of the profile uses TLS, and says so when there is no profile', async () => {
    const plain = { hosts: [{ host: '127.0.0.1', port: 5683 }], timeoutMs: 30_000 };
    expect(await probe({ profile: plain, settings: { [HOST_ROOT_SETTING]: der(roots.expired) } })).toMatchObject({ status: 'skip', code: 'tls.not-used', detail: 'no host of the profile uses TLS' });
    const none = await runSelfTest({ clock: new VirtualClock(NOW), settings: new SimSettings() } as unknown as Ports, [{ id: 'system.rtc', family: 'system', timeoutMs: 1, run: async () => ({ status: 'pass', code: 'rtc.ok', detail: '' }) }, hostTlsProbe(() => ({}))], 'demand', 1);
    expect(none.results[1]).toMatchObject({ status: 'skip', code: 'host.not-configured' });
  });

  it('fails when neither anchor is provisioned', async () => {
    expect(await probe()).toMatchObject({ status: 'fail', code: 'tls.no-anchor', detail: 'neither host-root nor root is provisioned' });
  });

  it('fails an anchor that does not parse, or is not bytes', async () => {
    const truncated = der(roots.good).slice(0, 100);
    expect(() => execFileSync('openssl', ['x509', '-inform', 'DER', '-noout'], { input: truncated, stdio: 'pipe' })).toThrow();
    expect(await probe({ settings: { [HOST_ROOT_SETTING]: truncated } })).toMatchObject({ status: 'fail', code: 'tls.anchor-malformed', detail: expect.stringMatching(/^host-root: x509-malformed: /) });
    expect(await probe({ settings: { [HOST_ROOT_SETTING]: roots.good.pem } })).toMatchObject({ status: 'fail', code: 'tls.anchor-malformed', detail: 'host-root: not-der: stored value is not bytes' });
  });

  it('fails a certificate whose basicConstraints does not say CA (openssl refuses it as an issuer too)', async () => {
    expect(execFileSync('openssl', ['x509', '-in', roots.leaf.certPath, '-noout', '-ext', 'basicConstraints']).toString()).toMatch(/CA:FALSE/);
    expect(opensslVerify(['-attime', String(NOW / 1000), '-CAfile', roots.leaf.certPath, roots.underLeaf.certPath])).toBe('invalid CA certificate');
    const r = await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.leaf) } });
    expect(r).toMatchObject({ status: 'fail', code: 'tls.anchor-not-ca', detail: 'host-root Not A CA: basicConstraints does not say CA' });
  });

  it('fails a CA whose keyUsage lacks keyCertSign (openssl refuses it as an issuer too)', async () => {
    const usage = execFileSync('openssl', ['x509', '-in', roots.noCertSign.certPath, '-noout', '-ext', 'basicConstraints,keyUsage']).toString();
    expect(usage).toMatch(/CA:TRUE/);
    expect(usage).not.toMatch(/Certificate Sign/);
    expect(opensslVerify(['-attime', String(NOW / 1000), '-CAfile', roots.noCertSign.certPath, roots.underNoCertSign.certPath])).toBe('invalid CA certificate');
    const r = await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.noCertSign) } });
    expect(r).toMatchObject({ status: 'fail', code: 'tls.anchor-not-ca', detail: 'host-root Signing Only CA: keyUsage lacks keyCertSign' });
  });

  it('fails a root whose self-signature does not verify, as openssl -check_ss_sig does', async () => {
    expect(opensslOnItsOwn(roots.tampered)).toBe('certificate signature failure');
    expect(await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.tampered) } })).toMatchObject({ status: 'fail', code: 'tls.anchor-signature', detail: 'host-root Good Root: self-signature does not verify' });
  });

  it('fails a CA that is not self-signed, and one whose key the terminal cannot use', async () => {
    expect(await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.intermediate) } })).toMatchObject({ status: 'fail', code: 'tls.anchor-signature', detail: 'host-root Demo Intermediate: self-signature does not verify' });
    expect(await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.edwards) } })).toMatchObject({ status: 'fail', code: 'tls.anchor-signature', detail: expect.stringMatching(/^host-root Edwards CA: key unusable \(.+\)$/) });
  });

  it('fails an expired and a not-yet-valid root against a trusted clock, as openssl -attime does', async () => {
    expect(opensslOnItsOwn(roots.expired)).toBe('certificate has expired');
    // Days since expiry, counted up (part of a day past the end is a day ago): minus openssl's days left counted down.
    expect(await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.expired) } })).toMatchObject({ status: 'fail', code: 'tls.anchor-expired', detail: `host-root Expired Root expired 2024-01-01, ${-opensslDaysLeft(roots.expired)} day(s) ago` });
    expect(opensslOnItsOwn(roots.early)).toBe('certificate is not yet valid');
    const r = await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.early) } });
    expect(r).toMatchObject({ status: 'fail', code: 'tls.anchor-not-yet-valid', detail: expect.stringMatching(/^host-root Early Root valid from 2030-01-01, in \d+ day\(s\); clock says 2026-11-26$/) });
    expect(zhDetail(r.code, r.detail)).toMatch(/^主机根证书（host-root） Early Root 自 2030-01-01 起生效（\d+ 天后）；时钟为 2026-11-26$/);
  });

  it('warns under 30 days before expiry', async () => {
    expect(opensslOnItsOwn(roots.expiring)).toBe('OK');
    const left = opensslDaysLeft(roots.expiring);
    expect(left).toBeLessThan(30);
    expect(await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.expiring) } })).toMatchObject({ status: 'warn', code: 'tls.anchor-expiring', detail: `host-root Expiring Root expires 2026-12-10: ${left} day(s) left` });
  });

  it('does not judge dates when the RTC probe did not pass: undecided, never expired', async () => {
    const r = await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.expired) }, rtc: 'fail' });
    expect(r).toMatchObject({ status: 'warn', code: 'tls.anchor-undecided', detail: 'host-root Expired Root valid 2020-01-01 – 2024-01-01; not judged: the clock is not trusted' });
    // The structural checks do not depend on the clock.
    expect(await probe({ settings: { [HOST_ROOT_SETTING]: der(roots.leaf) }, rtc: 'fail' })).toMatchObject({ code: 'tls.anchor-not-ca' });
  });

  it('runs with the network checks, after the RTC probe, in the standard plan', () => {
    const ids = standardProbes({ log: 'not opened', cbor: createCborCodec(), keys: {} as KeyStore, host: () => ({}) }).map((p) => p.id);
    expect(ids.indexOf('network.tls')).toBe(ids.indexOf('network.echo') + 1);
    expect(ids.slice(ids.indexOf('network.tls') + 1).some((id) => id.startsWith('network.'))).toBe(false);
    expect(hostTlsProbe(() => ({})).after).toEqual(['system.rtc']);
  });
});
