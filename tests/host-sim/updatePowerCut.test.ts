/**
 * The power-cut sweep of issue 10 (acceptance): a full update of a small image (72 KB, 4 KB
 * seal; the running one 16 KB) cut at EVERY flash op of the update slots in turn — each erase and write of the
 * download, the seal's sector, the switch's otadata write, the bootloader's pending-verify
 * write at the trial boot, the trial's markValid — and once more right after markValid (before
 * the terminal's durable record of it). After every cut the board powers on and runs to the end.
 *
 * At every boot, independently of the firmware's code: the slot the bootloader chose holds an
 * image whose appended SHA-256 is right (node:crypto) and whose seal's ECDSA P-256 signature
 * verifies under the demo vendor public key (node:crypto over the manifest bytes), with the
 * manifest's sha256 equal to the image file's. At the end the update is installed and confirmed,
 * and a cut that came after the switch left a fact that explains it (update.interrupted).
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'cbor-x';
import { runScenario, type OutsideCommand, type ScenarioOutcome } from '../../host-sim/scenario/driver';
import { parseScenario } from '../../host-sim/scenario/schema';
import { resolveReferences } from '../../host-sim/scenario/load';
import { startWorld, type NodeWorld } from '../../host-sim/world';
import { SEAL_BYTES } from '../../host-sim/update/otaSlots';

const SCENARIOS = join(__dirname, '../../host-sim/scenarios');
const DEMO_PUBLIC = createPublicKey(readFileSync(join(__dirname, '../../host-sim/update/demo-vendor-key.pem')));

const scenario = (steps: unknown[]) =>
  parseScenario(
    resolveReferences(
      {
        name: 'update-power-cut',
        seed: 120,
        lang: 'en',
        firmware: { version: '1.0.0', built: '2026-11-20T08:00:00Z', imageBytes: 16 * 1024 },
        terminal: { tid: '10240001', mid: '898440154110001', profile: 'profiles/demo-acquirer.json' },
        // 72 KB: past one 64 KB durable record of the download, so a cut after it resumes from there.
        update: { server: { images: [{ version: '1.1.0', security: 1, bytes: 72 * 1024 }] } },
        steps,
      },
      SCENARIOS,
    ),
  );

/** What one boot's slot holds, checked with node:crypto only: the appended hash, the seal's signature and its manifest's sha256/size. */
function independentlyValid(world: NodeWorld): string | undefined {
  const booted = world.slots.booted;
  if (!booted) return 'nothing booted';
  const slot = world.slots.slotImage(booted.slot);
  const size = booted.header.size;
  const file = slot.subarray(0, size);
  const appended = file.subarray(size - 32);
  if (!createHash('sha256').update(file.subarray(0, size - 32)).digest().equals(appended)) return `slot ${booted.slot}: appended SHA-256 wrong`;
  const seal = Buffer.from(slot.subarray(slot.length - SEAL_BYTES));
  if (seal.subarray(0, 4).toString('latin1') !== 'XSPS' || seal[4] !== 1) return `slot ${booted.slot}: no seal`;
  const mLength = seal.readUInt16BE(5);
  const manifest = seal.subarray(7, 7 + mLength);
  const sLength = seal.readUInt16BE(7 + mLength);
  const signature = seal.subarray(9 + mLength, 9 + mLength + sLength);
  if (!verify('sha256', manifest, { key: DEMO_PUBLIC, dsaEncoding: 'der' }, signature)) return `slot ${booted.slot}: seal signature does not verify`;
  const fields = decode(manifest) as { sha256: Uint8Array; size: number; version: string };
  if (fields.size !== size || !createHash('sha256').update(file).digest().equals(Buffer.from(fields.sha256))) return `slot ${booted.slot}: manifest does not match the image`;
  if (fields.version !== booted.header.version) return `slot ${booted.slot}: manifest names ${fields.version}, image ${booted.header.version}`;
  return undefined;
}

/** Runs `steps` in a fresh world, checking every boot independently; `tap` may change the world first. */
async function run(steps: unknown[], tap?: (world: NodeWorld) => void): Promise<{ outcome: ScenarioOutcome; world: NodeWorld; boots: string[] }> {
  const world = await startWorld(scenario(steps));
  const boots: string[] = [];
  const outside = world.outside;
  world.outside = (command: OutsideCommand) => {
    // The driver asks what booted at every boot: check that slot there and then.
    if (command.do === 'image') boots.push(independentlyValid(world) ?? 'ok');
    return outside(command);
  };
  tap?.(world);
  try {
    return { outcome: await runScenario(scenario(steps), world), world, boots };
  } finally {
    await world.close();
  }
}

const facts = (outcome: ScenarioOutcome) => outcome.report.recentEvents.flatMap((e) => ((e as { kind: string }).kind === 'fact' ? [(e as unknown as { code: string }).code] : []));

describe('a power cut at every stage of an update', () => {
  let opsOfUpdate = 0;
  let switchOp = 0;

  it('a clean update: counts the slot ops it takes (download, seal, switch, trial boot, markValid)', async () => {
    let activateAt = -1;
    const { outcome, world, boots } = await run([{ do: 'boot' }, { do: 'update-check', expect: { kind: 'installed' } }], (w) => {
      const activate = w.ports.update!.activate;
      w.ports.update!.activate = () => {
        activateAt = w.slots.opCount;
        activate();
      };
    });
    expect(outcome.report.update).toMatchObject({ running: '1.1.0', phase: 'idle', last: { code: 'update.ok' } });
    expect(boots.every((b) => b === 'ok')).toBe(true);
    opsOfUpdate = world.slots.opCount;
    switchOp = activateAt;
    // an erase and a write per 4 KB sector of 72 KB, the seal sector's, the switch, pending-verify, valid
    expect(opsOfUpdate).toBeGreaterThanOrEqual(18 * 2 + 2 + 3);
    expect(switchOp).toBeGreaterThan(0);
  });

  it('cut at each op in turn: every boot is a valid signed image, the update completes, a cut after the switch is explained', async () => {
    expect(opsOfUpdate).toBeGreaterThan(0);
    const failures: string[] = [];
    /** Where each cut landed: the first check cut, or finished with an outcome (the cut came later, at the trial boot). */
    const landed: string[] = [];
    for (let op = 0; op < opsOfUpdate; op++) {
      const { outcome, boots, world } = await run([
        { do: 'boot' },
        { do: 'power-cut', afterOps: op },
        { do: 'update-check' },
        { do: 'reboot' },
        { do: 'update-check' },
        { do: 'update-check' },
      ]);
      const status = outcome.report.update!;
      const first = outcome.report.updates!.find((u) => u.do === 'update-check')!;
      landed.push(first.powerCut ? 'check' : first.outcome!.kind);
      if (world.slots.cutArmed) failures.push(`op ${op}: the cut never happened`);
      if (boots.some((b) => b !== 'ok')) failures.push(`op ${op}: ${boots.join(', ')}`);
      if (status.running !== '1.1.0' || status.last?.code !== 'update.ok') failures.push(`op ${op}: ended ${JSON.stringify(status)}`);
      if (op >= switchOp && !facts(outcome).includes('update.interrupted'))
        failures.push(`op ${op}: cut after the switch, nothing explains it (facts ${facts(outcome).join(', ')})`);
    }
    expect(failures).toEqual([]);
    // Most cuts land in the check (download, seal, switch); the last ones in the trial boot after it.
    expect(landed.filter((l) => l === 'check').length).toBeGreaterThan(opsOfUpdate / 2);
    expect(landed.slice(-2)).toEqual(['installed', 'installed']);
  });

  it('cut right after markValid, before the durable record: the confirmed image stays and the update finishes as confirmed', async () => {
    const { outcome, boots } = await run(
      [{ do: 'boot' }, { do: 'update-check', expect: { kind: 'installed' } }, { do: 'reboot' }, { do: 'update', expect: { running: '1.1.0', phase: 'idle', last: 'update.ok' } }],
      (w) => {
        const markValid = w.ports.update!.markValid;
        w.ports.update!.markValid = () => {
          const trial = w.slots.runningState() === 'pending-verify';
          markValid();
          if (trial) w.cutPower();
        };
      },
    );
    expect(boots.every((b) => b === 'ok')).toBe(true);
    expect(outcome.report.update).toMatchObject({ running: '1.1.0', floor: 1 });
  });
});
