/**
 * The diagnosis of real self-test reports: a simulated terminal boots in the state of a shipped
 * scenario (host-sim/scenarios: clock-1970, stuck-key, corrupt-sector, corrupt-image, bad-config,
 * low-memory, master-key-replaced, and the certificate probe's own several-problems case), its
 * boot self-test runs the real probes, and the evidence of that report and the event log gives
 * the cause the scenario is about.
 */
import { diagnose } from '../../firmware/core/diagnosis/diagnose';
import { gatherEvidence } from '../../firmware/core/diagnosis/gather';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { worldWith } from '../runtime/world';

const CERTS = { terminal: 'certs/terminal.pem', chain: ['certs/terminal-ca.pem'], root: 'certs/root.pem' };
const TERMINAL = { tid: '10240001', mid: '898440154110001', profile: 'profiles/demo-acquirer.json' };

async function diagnosed(changes: Record<string, unknown>) {
  const world = worldWith(changes);
  const terminal = createTerminal(world.ports);
  await terminal.boot();
  const now = { wallMs: world.ports.clock.wallMs(), uptimeMs: world.ports.clock.uptimeMs() };
  const evidence = gatherEvidence({ report: terminal.lastReport, events: terminal.events(), history: [], now });
  terminal.stop();
  const d = diagnose(evidence, [], now);
  return { standing: d.causes.filter((c) => c.status !== 'ruled-out').map((c) => `${c.id}:${c.status}`), steps: d.steps.map((s) => s.id), d };
}

describe('diagnosis of a booted terminal', () => {
  it('healthy: no cause stands, every judged cause is ruled out, the only step is support', async () => {
    const { standing, steps, d } = await diagnosed({});
    expect(standing).toEqual([]);
    expect(d.top).toBeUndefined();
    expect(steps).toEqual(['call-support']);
    // Judged and ruled out by the passes of a healthy boot: network, device, system, account, authentication.
    expect(d.causes.length).toBeGreaterThanOrEqual(15);
  });

  it.each([
    // The certificate probe waits for a trusted clock and says so (cert.clock-untrusted): the clock, not the certificate.
    ['clock-1970', { rtc: '1970-01-01T00:00:05Z' }, ['sys.clock:confirmed'], 'set-clock'],
    ['stuck-key', { device: { keypad: 'pin-pad', keysHeld: ['5'] } }, ['dev.keypad:confirmed'], 'service-keypad'],
    ['corrupt-sector', { flash: { sectors: 16, sectorSize: 4096, prefillEvents: 200, damage: [{ sector: 0, offset: 200, xor: 16 }] } }, ['sys.storage:confirmed'], 'service-storage'],
    ['corrupt-image', { firmware: { version: '0.1.0', built: '2026-11-20T08:00:00Z', corruptAt: [4100] } }, ['sys.image:confirmed'], 'reflash-firmware'],
    ['bad-config', { terminal: { ...TERMINAL, tid: '1024001' } }, ['sys.config:confirmed', 'auth.tid-mismatch:confirmed'], 'reprovision-config'],
    ['low-memory', { device: { memory: { chunkFree: 9000, chunkTotal: 78848, slotsFree: 400, slotsTotal: 4928 } } }, ['sys.memory:confirmed'], 'restart'],
    ['master-key-replaced', { keys: { masterKeyReplacedBy: '00112233445566778899AABBCCDDEEFF' } }, ['auth.kcv-mismatch:confirmed'], 'sign-on-again'],
    [
      'wrong TID and an expired certificate: the expiry the probe lists after the worst finding counts too',
      { terminal: { ...TERMINAL, tid: '10240002' }, certificates: { ...CERTS, terminal: 'certs/terminal-expired.pem' } },
      ['auth.certificate:confirmed', 'auth.tid-mismatch:confirmed'],
      'replace-certificate',
    ],
  ])('%s', async (_name, changes, expected, first) => {
    const { standing, steps } = await diagnosed(changes);
    expect(standing).toEqual(expected);
    expect(steps[0]).toBe(first);
    expect(steps.at(-1)).toBe('call-support');
  });
});
