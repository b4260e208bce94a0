/**
 * The diagnosis duties' bookkeeping, on a real record log over simulated NOR flash:
 * - the boot event stays however many host answers follow it (the ring keeps answers only);
 * - the durable history holds one boot: read at boot and taken out of flash, then written with
 *   what this boot saw (never the history read back), so nothing outlives the next boot;
 * - a diagnosis with nothing new to store writes nothing (ENTER on a PIN pad diagnoses at every
 *   press: the flash must not wear for it).
 */
import { decode as cborDecode } from 'cbor-x';
import { evidenceNumber } from '../../firmware/core/diagnosis/evidence';
import { createDiagnosisDuties, RECENT_EVENTS, type DiagnosisDeps } from '../../firmware/core/runtime/diagnosisDuties';
import type { TerminalEvent } from '../../firmware/core/runtime/events';
import type { Ports } from '../../firmware/core/ports';
import { createCborCodec } from '../../firmware/core/store/cbor';
import { DurableKey, RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { NorFlash } from '../../host-sim/ports/norFlash';
import { drive, driveIdle } from '../../host-sim/scenario/hostSteps';
import { startWorld } from '../../host-sim/world';
import { scenarioWith } from './world';
import { answer, boot, HOUR, report, T0 } from '../diagnosis/modelFixtures';

const cbor = createCborCodec();

/** A board: its flash, its clocks, and the evidence puts counted as they reach the log. */
function board() {
  const flash = new NorFlash({ sectors: 8, sectorSize: 4096 });
  const clock = { wall: T0, up: 600_000 };
  const ports = { clock: { wallMs: () => clock.wall, uptimeMs: () => clock.up }, trace: () => undefined } as unknown as Ports;
  let log = RecordLog.open(flash);
  const puts: Uint8Array[] = [];
  const counted = (l: RecordLog) => {
    const put = l.put.bind(l);
    l.put = (key, type, payload) => {
      if (type === RecordType.evidence) puts.push(payload);
      return put(key, type, payload);
    };
    return l;
  };
  counted(log);
  const duties = (deps: Partial<DiagnosisDeps> = {}) =>
    createDiagnosisDuties({ ports, cbor, log: () => log, report: () => report(), session: () => undefined, activation: () => undefined, ...deps });
  /** Power cycle: the log opened again from flash; a new boot's duties. */
  const reboot = (deps: Partial<DiagnosisDeps> = {}) => {
    log = counted(RecordLog.open(flash));
    clock.up = 1000;
    const d = duties(deps);
    d.restore();
    return d;
  };
  return { clock, puts, duties, reboot, record: () => log.get(DurableKey.evidence) };
}

const stored = (payload: Uint8Array | undefined) => (payload ? (cborDecode(Buffer.from(payload)) as number[]) : undefined);
const has = (d: { evidence: readonly { code: string }[] }, code: string) => d.evidence.some((e) => e.code === code);

describe('the events a diagnosis reads', () => {
  it(`keep the boot event after more than ${RECENT_EVENTS} host answers`, () => {
    const { duties } = board();
    const d = duties();
    d.noteEvent(boot('panic', T0 - HOUR));
    for (let i = 0; i < RECENT_EVENTS + 4; i++) d.noteEvent(answer('sale', '05', 'declined', T0 - HOUR + 1000 * (i + 1)));
    d.noteEvent(answer('sale', '83', 'terminal-invalid', T0 - 1000));
    const diagnosis = d.compute();
    expect(has(diagnosis, 'reset.panic')).toBe(true);
    expect(diagnosis.causes.find((c) => c.id === 'sys.crash')?.status).toBe('confirmed');
    // The answers are a ring of RECENT_EVENTS: the oldest declines went, the 83 is there.
    expect(diagnosis.evidence.find((e) => e.code === 'host.declined')?.detail).toMatch(new RegExp(`seen=${RECENT_EVENTS - 1}$`));
    expect(has(diagnosis, 'host.terminal-invalid')).toBe(true);
  });

  it('ignore transitions', () => {
    const { duties } = board();
    const d = duties();
    const transition: TerminalEvent = { kind: 'transition', from: 'ready', to: 'selftest', cause: 'selftest-demand', uptimeMs: 1, wallMs: T0 };
    for (let i = 0; i < 40; i++) d.noteEvent(transition);
    expect(d.compute().evidence.every((e) => e.source === 'selftest')).toBe(true);
  });
});

describe('the durable history', () => {
  it('is written once for the same evidence, again when there is something new to store', () => {
    const { duties, puts, clock } = board();
    const d = duties();
    d.noteEvent(answer('sale', '83', 'terminal-invalid', T0 - 1000));
    for (let i = 0; i < 5; i++) {
      d.compute();
      clock.wall += 2000;
      clock.up += 2000;
    }
    expect(puts).toHaveLength(1);
    d.noteEvent(answer('sale', '03', 'merchant-restricted', clock.wall));
    d.compute();
    d.compute();
    expect(puts).toHaveLength(2);
    d.noteAction({ action: 'sign-on', result: 'failed', wallMs: clock.wall });
    d.compute();
    expect(puts).toHaveLength(3);
    // The same failures seen again an hour later: their time is refreshed, once.
    clock.wall += HOUR;
    d.noteEvent(answer('sale', '83', 'terminal-invalid', clock.wall));
    d.noteEvent(answer('sale', '03', 'merchant-restricted', clock.wall));
    d.noteAction({ action: 'sign-on', result: 'failed', wallMs: clock.wall });
    d.compute();
    d.compute();
    expect(puts).toHaveLength(4);
    expect(stored(puts[3])![1]).toBe(Math.floor(clock.wall / 1000));
  });

  it('nothing to store and no record: nothing written', () => {
    const { duties, puts } = board();
    duties({ report: () => undefined }).compute();
    expect(puts).toHaveLength(0);
  });

  it('holds one boot: read back at the next, gone at the one after when nothing was seen since', () => {
    const { duties, reboot, record } = board();
    const first = duties();
    first.noteEvent(answer('sale', '83', 'terminal-invalid', T0 - 1000));
    first.compute();
    expect(record()).toBeDefined();
    // The next boot reads it (likely at most: an earlier boot's word) and takes it out of flash.
    const second = reboot();
    expect(record()).toBeUndefined();
    const seen = second.compute();
    expect(seen.evidence.filter((e) => e.code === 'host.terminal-invalid').map((e) => e.fromHistory)).toEqual([true]);
    expect(seen.causes.find((c) => c.id === 'auth.host-not-registered')?.status).toBe('likely');
    // Not written back (this boot's own findings are): the boot after that has no 83 left.
    const packed = stored(record()!.payload)!.filter((_, i) => i >= 2 && i % 2 === 0);
    expect(packed.length).toBeGreaterThan(0);
    expect(packed).not.toContain(evidenceNumber('host.terminal-invalid')! * 4);
    const third = reboot();
    expect(has(third.compute(), 'host.terminal-invalid')).toBe(false);
  });

  it('keeps one boot even when a boot in between never diagnosed', () => {
    const { duties, reboot } = board();
    const first = duties();
    first.noteEvent(answer('sale', '83', 'terminal-invalid', T0 - 1000));
    first.compute();
    reboot(); // booted, nothing diagnosed
    expect(has(reboot().compute(), 'host.terminal-invalid')).toBe(false);
  });
});

describe('ENTER on a PIN pad', () => {
  it('diagnoses at every press and writes the history once', async () => {
    const world = await startWorld(scenarioWith({ lang: 'en', device: { keypad: 'pin-pad' } }));
    try {
      const terminal = createTerminal(world.ports);
      await drive(world, terminal.boot());
      await driveIdle(world, terminal);
      const versions = () => [...RecordLog.open(world.flash).versions(DurableKey.evidence)].length;
      const before = versions();
      const diagnoses = new Set();
      for (let i = 0; i < 5; i++) {
        world.keypad.press('enter');
        await driveIdle(world, terminal);
        expect(terminal.view).toBe('diagnosis');
        diagnoses.add(terminal.diagnosis);
        world.keypad.press('cancel');
        await driveIdle(world, terminal);
        await world.clock.advance(3000);
      }
      expect(diagnoses.size).toBe(5);
      expect(versions() - before).toBe(1);
      terminal.stop();
    } finally {
      await world.close();
    }
  });
});
