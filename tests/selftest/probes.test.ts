/** Each probe's findings for the cases a technician meets, through a real boot of a simulated terminal. */
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { PROFILE, worldWith } from '../runtime/world';

async function resultOf(probe: string, changes: Record<string, unknown>, tweak?: (w: ReturnType<typeof worldWith>) => void) {
  const world = worldWith(changes);
  tweak?.(world);
  const terminal = createTerminal(world.ports);
  await terminal.boot();
  return terminal.lastReport!.results.find((r) => r.id === probe)!;
}

const terminal = (t: Record<string, unknown>) => ({ terminal: { tid: '10240001', mid: '898440154110001', profile: PROFILE, ...t } });

describe('system probes', () => {
  // The image probe's cases: tests/selftest/imageProbe.test.ts.

  it.each([
    ['after the build', '2026-11-26T09:00:00Z', 'pass', 'rtc.ok'],
    ['at 1970', '1970-01-01T00:00:05Z', 'fail', 'rtc.before-build'],
    ['a minute before the build', '2026-11-20T07:59:00Z', 'fail', 'rtc.before-build'],
    ['in 2060', '2060-01-01T00:00:00Z', 'fail', 'rtc.implausible'],
  ])('rtc: %s', async (_, rtc, status, code) => {
    expect(await resultOf('system.rtc', { rtc })).toMatchObject({ status, code });
  });

  it.each([
    ['plenty', { chunkFree: 40000, slotsFree: 2000 }, 'pass', 'memory.ok'],
    ['tight heap', { chunkFree: 20000, slotsFree: 2000 }, 'warn', 'memory.tight'],
    ['low heap', { chunkFree: 9000, slotsFree: 2000 }, 'fail', 'memory.low'],
    ['low slots', { chunkFree: 40000, slotsFree: 100 }, 'fail', 'memory.low'],
  ])('memory: %s', async (_, memory, status, code) => {
    expect(await resultOf('system.memory', { device: { memory } })).toMatchObject({ status, code });
  });

  it.each([
    ['complete', {}, 'config.ok', ''],
    ['7-character terminal ID', { tid: '1024001' }, 'config.tid-invalid', 'tid'],
    ['no terminal ID', { tid: undefined }, 'config.tid-invalid', 'tid'],
    ['16-character merchant ID', { mid: '8984401541100012' }, 'config.mid-invalid', 'mid'],
    ['no profile', { profile: undefined }, 'config.profile-missing', 'profile'],
    ['profile with a bad TPDU', { profile: { ...PROFILE, tpdu: '60000300' } }, 'config.profile-invalid', 'profile.tpdu'],
    ['profile with an unknown category', { profile: { ...PROFILE, responseCodes: { '00': ['approved', '成功', 'Approved'], '83': ['nonsense', '无效终端', 'Invalid terminal'] } } }, 'config.profile-invalid', 'profile.responseCodes.83.category'],
    ['profile with three hosts', { profile: { ...PROFILE, hosts: [PROFILE.hosts[0], PROFILE.hosts[0], PROFILE.hosts[0]] } }, 'config.profile-invalid', 'profile.hosts'],
  ])('config: %s', async (_, t, code, field) => {
    const r = await resultOf('system.config', terminal(t));
    expect(r.code).toBe(code);
    expect(r.status).toBe(code === 'config.ok' ? 'pass' : 'fail');
    if (field) expect(r.detail.startsWith(`${field}:`)).toBe(true);
  });

  it('config: a stored profile that is not CBOR is refused, not crashed on', async () => {
    const r = await resultOf('system.config', {}, (w) => w.settings.set('terminal', 'profile', Uint8Array.of(0xff, 0xff, 0x1f)));
    expect(r).toMatchObject({ status: 'fail', code: 'config.profile-invalid' });
  });
});

describe('device probes', () => {
  it.each([
    ['answers', {}, 'pass', 'display.ok'],
    ['does not answer', { displayReady: false }, 'fail', 'display.no-answer'],
    ['wrong panel', { displayWidth: 320, displayHeight: 240 }, 'fail', 'display.wrong-size'],
  ])('display: %s', async (_, device, status, code) => {
    expect(await resultOf('device.display', { device })).toMatchObject({ status, code });
  });

  it('keypad: two keys held at boot are both named', async () => {
    expect(await resultOf('device.keypad', { device: { keysHeld: ['5', 'enter'] } })).toMatchObject({ status: 'fail', code: 'keypad.stuck', detail: 'held: 5 enter' });
  });
});

describe('authentication probes across MAC schemes', () => {
  // The MAC self-check under each scheme, against MACs openssl computes: tests/security/macSelfCheck.test.ts.

  it('config: refuses a padding method ISO 9797-1 does not have', async () => {
    const r = await resultOf('system.config', terminal({ profile: { ...PROFILE, macPadding: 3 } }));
    expect(r).toMatchObject({ status: 'fail', code: 'config.profile-invalid', detail: expect.stringMatching(/^profile\.macPadding:/) });
  });
});
