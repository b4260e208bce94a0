/**
 * The code-83 diagnosis on the terminal, as a technician meets it: the host answers the sign-on
 * with 83, the host's words stay on the screen a while, the host-83 self-test runs, and the
 * diagnosis takes the screen with nobody pressing a key; ▼/▲ page through it; a step's action
 * runs and the diagnosis is judged again; what it saw is still there after a reboot.
 */
import { decode as cborDecode } from 'cbor-x';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { HOST_REFUSAL_SCREEN_MS } from '../../firmware/core/runtime/hostDuties';
import { DurableKey, RecordLog } from '../../firmware/core/store/recordLog';
import { causeName, label, remedyText } from '../../firmware/core/ui/diagnosisTexts';
import { diagnosisPage, diagnosisPageCount } from '../../firmware/core/ui/diagnosisScreens';
import { drive, driveIdle } from '../../host-sim/scenario/hostSteps';
import { startWorld, type NodeWorld } from '../../host-sim/world';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { PROFILE, driveUntil, scenarioWith, screenText } from './world';

const opened: NodeWorld[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
});

/** A terminal signed on at boot whose acquirer then answers every sign-on with 83 (its registry no longer knows the terminal). */
async function refusedTerminal(changes: Record<string, unknown> = {}) {
  const world = await startWorld(scenarioWith({ lang: 'en', ...changes }));
  opened.push(world);
  const terminal = createTerminal(world.ports);
  await drive(world, terminal.boot());
  await driveIdle(world, terminal);
  expect(terminal.state).toBe('ready');
  world.outside({ do: 'faults', faults: [{ kind: 'code', code: '83', mti: '0800', times: 100 }] });
  return { world, terminal };
}

/** The 83 to a sign-on, the refusal's time on the screen, and the host-83 self-test after it: no key pressed. */
async function after83(world: NodeWorld, terminal: ReturnType<typeof createTerminal>) {
  const answer = await drive(world, terminal.signOn());
  expect(answer).toMatchObject({ kind: 'answered', answer: { code: '83', category: 'terminal-invalid' } });
  const refusal = screenText(world);
  await world.clock.advance(HOST_REFUSAL_SCREEN_MS);
  await driveIdle(world, terminal);
  return refusal;
}

describe('after a terminal-invalid answer', () => {
  it('shows the diagnosis summary with the top cause and the first step, no key pressed', async () => {
    const { world, terminal } = await refusedTerminal();
    const refusal = await after83(world, terminal);
    expect(refusal).toMatch(/83/);
    expect(terminal.lastReport).toMatchObject({ trigger: 'host-83', verdict: 'fail' });
    expect(terminal.view).toBe('diagnosis');
    const d = terminal.diagnosis!;
    expect(d.evidence.map((e) => e.code)).toContain('host.terminal-invalid');
    // Every local check holds and the host accepted this terminal at boot: it disabled the TID since.
    expect(d.top?.id).toBe('auth.tid-disabled');
    const text = screenText(world);
    expect(text).toContain(causeName('en', d.top!.id));
    expect(text).toContain(remedyText('en', d.steps[0].id).title);
  });

  it('pages summary → causes → steps → support with ▼, back with ▲, home past the last page', async () => {
    const { world, terminal } = await refusedTerminal();
    await after83(world, terminal);
    const d = terminal.diagnosis!;
    const pages = diagnosisPageCount(d);
    const seen = [screenText(world)];
    for (let n = 1; n < pages; n++) {
      world.keypad.press('down');
      seen.push(screenText(world));
    }
    expect(new Set(seen).size).toBe(pages);
    // The support page carries the summary's QR (a bits op) and nothing else does.
    expect(world.display.current!.ops.some((op) => op.op === 'bits')).toBe(true);
    world.keypad.press('up');
    expect(screenText(world)).toBe(seen[pages - 2]);
    world.keypad.press('down');
    world.keypad.press('down');
    expect(terminal.view).toBe('home');
    expect(terminal.state).toBe('fault');
  });

  it('opens on ENTER, runs a step from the keypad: progress, result, recorded as tried and judged again', async () => {
    // The RTC lost its battery: the boot self-test fails on the clock; a technician with a PIN pad asks for the diagnosis.
    const world = await startWorld(scenarioWith({ lang: 'en', rtc: '1970-01-01T00:00:00Z', device: { keypad: 'pin-pad' } }));
    opened.push(world);
    const terminal = createTerminal(world.ports);
    await drive(world, terminal.boot());
    expect(terminal.state).toBe('fault');
    expect(terminal.view).toBe('home');
    world.keypad.press('enter');
    expect(terminal.view).toBe('diagnosis');
    const before = terminal.diagnosis!;
    expect(before.top?.id).toBe('sys.clock');
    expect(screenText(world)).toContain(causeName('en', 'sys.clock'));
    const first = before.steps.findIndex((s) => s.action);
    expect(first).toBeGreaterThanOrEqual(0);
    const action = before.steps[first].action!;
    // ENTER on the steps page runs the first step not yet tried.
    let page = 0;
    while (diagnosisPage(before, page).kind !== 'steps') page++;
    for (let n = 0; n < page; n++) world.keypad.press('down');
    world.keypad.press('enter');
    expect(screenText(world)).toContain(label('en', 'step.running'));
    await driveUntil(world, () => terminal.diagnosis !== before && terminal.diagnosis!.tried.length > 0);
    const after = terminal.diagnosis!;
    expect(after).not.toBe(before);
    expect(after.tried.map((t) => t.action)).toEqual([action]);
    expect(after.evidence.map((e) => e.code)).toContain(`action.${action}.${after.tried[0].result}`);
    expect(terminal.view).toBe('diagnosis');
  });

  it('a primary that never answers: its timeouts, the resends and the failover are evidence, and "unstable link" stands on them', async () => {
    const world = await startWorld(scenarioWith({ lang: 'en' }));
    opened.push(world);
    const terminal = createTerminal(world.ports);
    await drive(world, terminal.boot());
    await driveIdle(world, terminal);
    // The primary reads each sign-on and never answers; the backup answers 83 (its registry no longer knows the terminal).
    world.outside({ do: 'faults', faults: [{ kind: 'hang', host: 0, mti: '0800', times: 100 }, { kind: 'code', code: '83', host: 1, mti: '0800', times: 100 }] });
    await after83(world, terminal);
    expect(terminal.view).toBe('diagnosis');
    const d = terminal.diagnosis!;
    // Profile demo-acquirer: 2 retries a host, so three sends to the primary (each timing out) and one to the backup: every send after the first is a resend.
    const link = d.evidence.filter((e) => e.source === 'link').map((e) => `${e.code} ${e.detail}`).sort();
    expect(link).toEqual(['link.failover count=1', 'link.timeout count=3 resends=3']);
    const unstable = d.causes.find((c) => c.id === 'net.unstable')!;
    expect(unstable.status).toBe('likely');
    expect(unstable.for.map((e) => e.code).sort()).toEqual(expect.arrayContaining(['link.failover', 'link.timeout']));
    // Its own page says so, in the words of the evidence (a line too long for the page is cut, or wrapped).
    const page = d.causes.filter((c) => c.status !== 'ruled-out').indexOf(unstable) + 1;
    for (let n = 0; n < page; n++) world.keypad.press('down');
    const text = screenText(world);
    expect(text).toContain(causeName('en', 'net.unstable'));
    expect(text).toContain('The host did not answer');
    expect(text).toContain('Switched to the backup');
  });

  it('a step past number five: its progress is shown on the second steps page, where it is listed', async () => {
    // Everything at once: names that do not resolve, a stuck key, the clock at 1970, a panic reset: nine steps, the restart the sixth.
    const restarts: number[] = [];
    const world = await startWorld(
      scenarioWith({
        lang: 'en',
        rtc: '1970-01-01T00:00:00Z',
        device: { keypad: 'pin-pad', keysHeld: ['5'], resetReason: 'panic' },
        network: { dns: {} },
        terminal: { tid: '10240001', mid: '898440154110001', profile: { ...PROFILE, hosts: [{ host: 'pos.acquirer.test', port: 5683 }, { host: 'pos2.acquirer.test', port: 5684 }] } },
      }),
    );
    opened.push(world);
    const terminal = createTerminal(world.ports, { restart: () => restarts.push(world.clock.uptimeMs()) });
    await drive(world, terminal.boot());
    world.keypad.press('enter');
    const d = terminal.diagnosis!;
    const sixth = d.steps[5];
    expect(sixth.action).toBe('restart');
    const drawn: DisplayList[] = [];
    const draw = world.ports.display.draw.bind(world.ports.display);
    world.ports.display.draw = (list) => {
      drawn.push(list);
      draw(list);
    };
    let page = 0;
    while (diagnosisPage(d, page).kind !== 'steps') page++;
    for (let n = 0; n < page; n++) world.keypad.press('down');
    // The first steps page lists 1–5; the digit 6 runs the sixth step from it all the same.
    expect(screenText(world)).not.toContain(remedyText('en', sixth.id).title);
    drawn.length = 0;
    world.keypad.press('6');
    await driveUntil(world, () => restarts.length > 0);
    const running = drawn.find((list) => list.ops.some((op) => op.op === 'text' && op.text === label('en', 'step.running')));
    expect(running).toBeDefined();
    const text = running!.ops.flatMap((op) => (op.op === 'text' ? [op.text] : [])).join(' | ');
    expect(text).toContain(remedyText('en', sixth.id).title);
    expect(text).toContain(`6–${d.steps.length}/${d.steps.length}`);
  });

  it('runAction records the outcome and recomputes; the evidence history survives a reboot', async () => {
    const { world, terminal } = await refusedTerminal();
    await after83(world, terminal);
    const outcome = await drive(world, terminal.runAction('network-test'));
    expect(outcome).toMatchObject({ action: 'network-test', result: 'done' });
    expect(terminal.diagnosis!.tried).toEqual([outcome]);
    // The durable record, read by an independent CBOR decoder: [format 1, base seconds, packed, age, …].
    const record = RecordLog.open(world.flash).get(DurableKey.evidence)!;
    const flat = cborDecode(Buffer.from(record.payload)) as number[];
    expect(flat[0]).toBe(1);
    expect(flat[1]).toBe(Math.floor(world.clock.wallMs() / 1000));
    expect(flat.length).toBeGreaterThan(2);
    terminal.stop();
    world.clock.reboot();
    world.powerOn();
    const again = createTerminal(world.ports);
    await drive(world, again.boot());
    const d = again.diagnose();
    expect(d.evidence.filter((e) => e.uptimeMs === 0 && e.code === 'host.terminal-invalid')).not.toHaveLength(0);
    again.stop();
  });
});
