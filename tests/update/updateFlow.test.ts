/**
 * The update flow end to end (firmware/core/runtime/updateDuties.ts + update/updateFlow.ts): a
 * terminal in a simulated world (host-sim: the OTA slots and their bootloader, the update
 * server on loopback HTTP serving images signed by the toolbox's code with the demo vendor key),
 * driven by scenario steps. What the slots hold is checked independently: the image bytes by
 * node:crypto's SHA-256 against the image the server was given, the seal's signature by
 * `openssl dgst -sha256 -verify` with the demo key's public half.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseScenario, type Scenario } from '../../host-sim/scenario/schema';
import { resolveReferences, SCENARIO_DIR } from '../../host-sim/scenario/load';
import { runScenario } from '../../host-sim/scenario/driver';
import { runInWorld, startWorld, type NodeWorld } from '../../host-sim/world';
import { otadataCrc } from '../../host-sim/update/otaSlots';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { RecordLog } from '../../firmware/core/store/recordLog';
import { putUpdateState, type UpdateState } from '../../firmware/core/update/updateState';
import type { ResetReason } from '../../firmware/core/ports';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { DEMO_VENDOR_KEY_PATH, makeImage } from '../../host-sim/update/makeImage';
import type { ScenarioReport } from '../../host-sim/scenario/driver';
import type { TerminalEvent } from '../../firmware/core/runtime/events';

const BUILT = Date.parse('2026-11-20T08:00:00Z');
const DAY = 24 * 3600 * 1000;

function scenario(update: object, steps: object[], extra: object = {}) {
  return parseScenario({ name: 'update-flow', acquirer: null, lang: 'en', firmware: { version: '1.0.0', imageBytes: 96 * 1024 }, update, steps: [{ do: 'boot' }, ...steps], ...extra });
}

const facts = (report: ScenarioReport) =>
  report.recentEvents.filter((e): e is Extract<TerminalEvent, { kind: 'fact' }> => e.kind === 'fact' && e.code.startsWith('update.')).map((e) => `${e.code} ${e.status}`);

const dir = mkdtempSync(join(tmpdir(), 'xspos-upd-flow-'));
const demoPub = join(dir, 'demo.pub');
beforeAll(() => {
  execFileSync('openssl', ['pkey', '-in', DEMO_VENDOR_KEY_PATH, '-pubout', '-out', demoPub], { stdio: 'pipe' });
});

/** openssl's verdict on the seal in a slot's last sector (the manifest and signature cut out of the envelope). */
function opensslVerifies(sector: Uint8Array): boolean {
  const m = (sector[5] << 8) | sector[6];
  const manifest = sector.subarray(7, 7 + m);
  const s = (sector[7 + m] << 8) | sector[8 + m];
  const signature = sector.subarray(9 + m, 9 + m + s);
  writeFileSync(join(dir, 'm'), manifest);
  writeFileSync(join(dir, 's'), signature);
  try {
    execFileSync('openssl', ['dgst', '-sha256', '-verify', demoPub, '-signature', join(dir, 's'), join(dir, 'm')], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('a healthy update', () => {
  it('downloads, verifies, switches, restarts into 1.1.0, whose self-test confirms it: valid, floor raised, update.ok', async () => {
    const s = scenario({ server: { images: [{ version: '1.1.0', security: 3, bytes: 150 * 1024 }] } }, [
      { do: 'update', expect: { phase: 'idle', running: '1.0.0', last: null } },
      { do: 'update-check', expect: { kind: 'installed', version: '1.1.0' } },
      { do: 'update', expect: { phase: 'idle', running: '1.1.0', last: 'update.ok' } },
      { do: 'update-check', expect: { kind: 'none' } },
    ]);
    const { outcome, world } = await runInWorld(s);
    const { report } = outcome;
    expect(report.update).toMatchObject({ phase: 'idle', running: '1.1.0', floor: 3, trial: false, last: { code: 'update.ok', version: '1.1.0' } });
    expect(facts(report)).toEqual(['update.ok pass']);
    // The slots, read independently: slot 1 holds the served image and its seal, confirmed valid.
    const served = makeImage({ version: '1.1.0', buildTime: BUILT + DAY, bytes: 150 * 1024, security: 3, seed: s.seed });
    const slot1 = world.slots.slotImage(1);
    expect(sha(slot1.subarray(0, served.image.length))).toBe(sha(served.image));
    expect(slot1.subarray(served.image.length, world.slots.slotBytes - 4096).every((b) => b === 0xff)).toBe(true);
    expect(opensslVerifies(slot1.subarray(world.slots.slotBytes - 4096))).toBe(true);
    expect(world.slots.entries().map((e) => e.state)).toContain('valid');
    expect(world.slots.booted?.slot).toBe(1);
    // One seal GET, one image GET from 0, then the second check's seal.
    expect(world.updateServer!.log.map((r) => `${r.path} ${r.range ?? ''} ${r.status}`)).toEqual([
      '/fw/xspos-sim/latest.seal  200',
      '/fw/xspos-sim/1.1.0.bin  200',
      '/fw/xspos-sim/latest.seal  200',
    ]);
  });
});

describe('a download cut short', () => {
  it('fails as update-truncated keeping 64 KB, and the next check resumes with Range from there', async () => {
    const s = scenario({ server: { images: [{ version: '1.1.0', bytes: 200 * 1024 }], faults: [{ kind: 'truncate', afterBytes: 100_000, times: 1 }] } }, [
      { do: 'update-check', expect: { kind: 'failed', code: 'update-truncated' } },
      { do: 'update', expect: { phase: 'downloading', target: '1.1.0', last: 'update.download-failed' } },
      { do: 'update-check', expect: { kind: 'installed', version: '1.1.0' } },
      { do: 'update', expect: { phase: 'idle', running: '1.1.0', last: 'update.ok' } },
    ]);
    const { outcome, world } = await runInWorld(s);
    expect(facts(outcome.report)).toEqual(['update.download-failed info', 'update.ok pass']);
    const images = world.updateServer!.log.filter((r) => r.path.endsWith('.bin'));
    expect(images.map((r) => [r.range, r.status, r.bytes])).toEqual([
      [undefined, 200, 100_000],
      ['bytes=65536-', 206, 200 * 1024 - 65536],
    ]);
    const served = makeImage({ version: '1.1.0', buildTime: BUILT + DAY, bytes: 200 * 1024, seed: s.seed });
    expect(sha(world.slots.slotImage(1).subarray(0, served.image.length))).toBe(sha(served.image));
  });
});

describe('offers refused before anything is switched', () => {
  const cases: { why: string; update: object; code: string; imageGets: number }[] = [
    { why: 'a served image with a byte flipped', update: { server: { images: [{ version: '1.1.0' }], faults: [{ kind: 'wrong-hash', offset: 5000 }] } }, code: 'update-hash', imageGets: 1 },
    { why: 'a seal whose signature byte is flipped', update: { server: { images: [{ version: '1.1.0' }], faults: [{ kind: 'bad-signature' }] } }, code: 'update-signature', imageGets: 0 },
    { why: 'an image for another board', update: { server: { images: [{ version: '1.1.0', board: 'moddable_two' }] } }, code: 'update-board', imageGets: 0 },
    { why: 'an older version', update: { server: { images: [{ version: '0.9.0' }] } }, code: 'update-downgrade', imageGets: 0 },
    { why: 'an image that needs a newer running version', update: { server: { images: [{ version: '1.1.0', minVersion: '1.0.5' }] } }, code: 'update-min-version', imageGets: 0 },
    { why: 'an unsigned offer', update: { server: { images: [{ version: '1.1.0', sealed: false }] } }, code: 'update-seal', imageGets: 0 },
  ];
  it.each(cases)('$why: refused $code, update.refused, idle, 1.0.0 still running', async ({ update, code, imageGets }) => {
    const s = scenario(update, [
      { do: 'update-check', expect: { kind: 'refused', code } },
      { do: 'update', expect: { phase: 'idle', running: '1.0.0', last: 'update.refused' } },
    ]);
    const { outcome, world } = await runInWorld(s);
    expect(facts(outcome.report)).toEqual(['update.refused warn']);
    expect(outcome.report.update?.last?.detail).toMatch(new RegExp(`^${code}: `));
    expect(world.updateServer!.log.filter((r) => r.path.endsWith('.bin'))).toHaveLength(imageGets);
    expect(world.slots.booted?.slot).toBe(0);
    expect(world.slots.entries().every((e) => !e.valid)).toBe(true);
  });

  it('a wrong hash is not resumed: once the server is right again, the image comes again from byte 0', async () => {
    const s = scenario({ server: { images: [{ version: '1.1.0', bytes: 150 * 1024 }], faults: [{ kind: 'wrong-hash', offset: 70_000 }] } }, [
      { do: 'update-check', expect: { kind: 'refused', code: 'update-hash' } },
      { do: 'update-server', faults: [] },
      { do: 'update-check', expect: { kind: 'installed', version: '1.1.0' } },
    ]);
    const { world } = await runInWorld(s);
    expect(world.updateServer!.log.filter((r) => r.path.endsWith('.bin')).map((r) => r.range ?? 'whole')).toEqual(['whole', 'whole']);
  });
});

describe('the new image fails its gate', () => {
  it('its self-test fails: update.failed recorded, rolled back; the old image shows why and refuses that version again', async () => {
    const s = scenario({ server: { images: [{ version: '1.1.0', behaviour: 'selftest-fails' }] } }, [
      { do: 'update-check', expect: { kind: 'installed', version: '1.1.0' } },
      { do: 'update', expect: { phase: 'idle', running: '1.0.0', last: 'update.failed' } },
      { do: 'snapshot', name: 'failed' },
      { do: 'diagnosis', name: 'why' },
      { do: 'update-check', expect: { kind: 'refused', code: 'update-known-bad' } },
    ]);
    const { outcome, world } = await runInWorld(s);
    // Recorded by the trial before it rolled back, and said again by the old image at its boot.
    expect(facts(outcome.report)).toEqual(['update.failed fail', 'update.failed fail', 'update.refused warn']);
    expect(outcome.report.diagnoses[0].causes).toContain('sys.update:confirmed');
    expect(texts(outcome.screens.find((x) => x.name === 'failed')!.list)).toMatch(/Update to 1\.1\.0 failed.*Its self-test failed: .*system\.memory.*Rolled back to 1\.0\.0/);
    expect(world.slots.booted?.slot).toBe(0);
    expect(world.slots.entries().map((e) => e.state)).toContain('invalid');
    const failed = outcome.report.recentEvents.find((e) => e.kind === 'fact' && e.code === 'update.failed');
    expect(failed).toMatchObject({ detail: expect.stringMatching(/^1\.1\.0: self-test: .*system\.memory/) as unknown as string });
  });
});

const texts = (list: DisplayList) => list.ops.flatMap((op) => (op.op === 'text' ? [op.text] : [])).join(' | ');

/**
 * A world whose record log already holds `state` (what an earlier boot put), powered on with
 * `reason`; then the scenario's steps.
 */
async function withRecord(s: Scenario, state: UpdateState, reason: ResetReason, prepare?: (world: NodeWorld) => void) {
  const world = await startWorld(s);
  try {
    putUpdateState(RecordLog.open(world.flash), createCborCodec(), state);
    prepare?.(world);
    world.outside({ do: 'reset', reason });
    world.clock.reboot();
    world.powerOn();
    return { outcome: await runScenario(s, world), world };
  } finally {
    await world.close();
  }
}

const TARGET = { version: '1.1.0', security: 2, size: 64 * 1024, sha256: new Uint8Array(32).fill(7), buildTime: BUILT + DAY };

describe('the new image crashes', () => {
  it('at boot, before confirming: the bootloader returns to 1.0.0, which records update.crashed and refuses 1.1.0 again', async () => {
    const s = scenario({ server: { images: [{ version: '1.1.0', behaviour: 'crash-at-boot' }] } }, [
      { do: 'update-check', expect: { kind: 'installed', version: '1.1.0' } },
      { do: 'update', expect: { phase: 'idle', running: '1.0.0', last: 'update.crashed' } },
      { do: 'diagnosis', name: 'why' },
      { do: 'update-check', expect: { kind: 'refused', code: 'update-known-bad' } },
    ]);
    const { outcome, world } = await runInWorld(s);
    expect(facts(outcome.report)).toEqual(['update.crashed fail', 'update.refused warn']);
    expect(outcome.report.diagnoses[0].causes).toContain('sys.update:confirmed');
    expect(outcome.report.update?.last).toMatchObject({ code: 'update.crashed', version: '1.1.0', detail: 'panic reset before it confirmed itself' });
    expect(world.slots.booted?.slot).toBe(0);
    expect(world.slots.entries().map((e) => e.state)).toContain('aborted');
  });
});

describe('what the old image finds at boot', () => {
  it.each(['panic', 'watchdog'] as const)('switched to 1.1.0, but 1.0.0 runs after a %s reset: update.crashed, that version not offered again', async (reason) => {
    const s = scenario({ server: { images: [{ version: '1.1.0' }] } }, [
      { do: 'snapshot', name: 'found' },
      { do: 'update', expect: { phase: 'idle', running: '1.0.0', last: 'update.crashed' } },
      { do: 'update-check', expect: { kind: 'refused', code: 'update-known-bad' } },
    ]);
    const { outcome } = await withRecord(s, { phase: 'switched', target: TARGET, written: TARGET.size, floor: 1, baseline: [] }, reason);
    expect(facts(outcome.report)).toEqual(['update.crashed fail', 'update.refused warn']);
    expect(outcome.report.update).toMatchObject({ floor: 1, last: { code: 'update.crashed', version: '1.1.0', detail: `${reason} reset before it confirmed itself` } });
    // The result waits on the screen after the boot self-test: crashed, rolled back to 1.0.0.
    expect(texts(outcome.screens.find((x) => x.name === 'found')!.list)).toMatch(new RegExp(`1\\.1\\.0 crashed at start.*It restarted \\(${reason}\\).*Rolled back to 1\\.0\\.0`));
  });

  it('a power-on during the trial: update.interrupted, and the next check switches again without downloading', async () => {
    const made = makeImage({ version: '1.1.0', buildTime: BUILT + DAY, bytes: 64 * 1024, seed: 1 });
    const s = scenario({ server: { images: [{ version: '1.1.0', bytes: 64 * 1024 }] } }, [
      { do: 'update', expect: { phase: 'downloading', running: '1.0.0', last: 'update.interrupted', target: '1.1.0' } },
      { do: 'update-check', expect: { kind: 'installed', version: '1.1.0' } },
      { do: 'update', expect: { phase: 'idle', running: '1.1.0', last: 'update.ok' } },
    ], { seed: 1 });
    const target = { ...TARGET, size: made.image.length, sha256: new Uint8Array(createHash('sha256').update(made.image).digest()) };
    const { outcome, world } = await withRecord(s, { phase: 'trial', target, written: target.size, floor: 0, baseline: [] }, 'power-on', (w) => w.slots.install(1, made.image, made.seal));
    expect(facts(outcome.report)).toEqual(['update.interrupted warn', 'update.ok pass']);
    expect(world.updateServer!.log.map((r) => r.path)).toEqual(['/fw/xspos-sim/latest.seal']);
  });

  it('an update.failed the trial recorded stays as it is (said again as this boot\'s evidence), and the update is over', async () => {
    const s = scenario({ server: null }, [{ do: 'update', expect: { phase: 'idle', running: '1.0.0', last: 'update.failed' } }]);
    const last = { code: 'update.failed', version: '1.1.0', detail: 'self-test: system.memory', wallMs: BUILT };
    const { outcome } = await withRecord(s, { phase: 'trial', target: TARGET, written: TARGET.size, floor: 0, baseline: [], last, badVersion: '1.1.0' }, 'software');
    expect(facts(outcome.report)).toEqual(['update.failed fail']);
    expect(outcome.report.update?.last).toEqual(last);
  });

  it('the trial image already confirmed (valid) when its record still says trial: finished as update.ok, floor raised', async () => {
    const s = scenario({ server: null }, [{ do: 'update', expect: { phase: 'idle', running: '1.0.0', last: 'update.ok' } }]);
    const { outcome } = await withRecord(s, { phase: 'trial', target: { ...TARGET, version: '1.0.0', security: 4 }, written: TARGET.size, floor: 1, baseline: [] }, 'power-on', (w) => {
      // otadata entry 0: seq 1 (slot 0), state valid, as markValid leaves it (ESP-IDF esp_ota_select_entry_t).
      const entry = new Uint8Array(32).fill(0xff);
      new DataView(entry.buffer).setUint32(0, 1, true);
      new DataView(entry.buffer).setUint32(24, 2, true);
      new DataView(entry.buffer).setUint32(28, otadataCrc(entry.subarray(0, 4)), true);
      w.slots.flash.bytes.set(entry, 0);
    });
    expect(facts(outcome.report)).toEqual(['update.ok pass']);
    expect(outcome.report.update).toMatchObject({ floor: 4, trial: false });
  });

  it('an offer below the anti-rollback floor is refused, however new its version', async () => {
    const s = scenario({ server: { images: [{ version: '2.0.0', security: 3 }] } }, [{ do: 'update-check', expect: { kind: 'refused', code: 'update-downgrade' } }]);
    const { outcome } = await withRecord(s, { phase: 'idle', written: 0, floor: 9, baseline: [] }, 'power-on');
    expect(outcome.report.update?.last?.detail).toBe('update-downgrade: security 3 is below the floor 9');
  });
});

describe('never while busy', () => {
  it('a reversal pending: the check does not start (nothing asked of the server, nothing written); once the reversal is done it downloads and installs', async () => {
    const raw = JSON.parse(readFileSync(join(SCENARIO_DIR, 'host-hang-reversal.json'), 'utf8')) as Record<string, unknown>;
    const s = parseScenario(resolveReferences({
      ...raw,
      firmware: { version: '1.0.0', imageBytes: 96 * 1024 },
      update: { server: { images: [{ version: '1.1.0' }] } },
      steps: [
        { do: 'boot' },
        { do: 'acquirer', faults: [{ kind: 'hang', mti: '0200' }] },
        { do: 'sale', amountMinor: 8800, expect: { kind: 'no-answer' } },
        { do: 'update-check', expect: { kind: 'deferred' } },
        { do: 'update', expect: { phase: 'idle', running: '1.0.0' } },
        { do: 'advance', minutes: 5 },
        { do: 'sale', amountMinor: 8800, expect: { kind: 'answered', code: '00' } },
        { do: 'update-check', expect: { kind: 'installed', version: '1.1.0' } },
        { do: 'update', expect: { phase: 'idle', running: '1.1.0', last: 'update.ok' } },
      ],
    }, SCENARIO_DIR));
    const { outcome, world } = await runInWorld(s);
    const deferred = outcome.report.updates?.find((u) => u.outcome?.kind === 'deferred');
    expect(deferred?.outcome).toEqual({ kind: 'deferred', reason: 'reversal pending' });
    // The deferred check asked nothing: one offer and one image, both from the check after the reversal.
    expect(world.updateServer!.log.filter((r) => r.path.endsWith('.seal'))).toHaveLength(1);
    expect(world.updateServer!.log.filter((r) => r.path.endsWith('.bin'))).toHaveLength(1);
  });
});
