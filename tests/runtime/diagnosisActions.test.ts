/**
 * What follows a step the terminal runs itself (issue 8, Deliver 3 and 4), as a technician meets
 * it: a step that takes away every confirmed cause of a terminal out of service is followed by a
 * self-test, and when that passes the terminal serves again and the summary says so with what was
 * tried; a step whose cause is gone while another stands stays listed as tried on the steps page;
 * an activation the terminal will not start from the keypad (already activated) shows its result.
 */
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { label, remedyText } from '../../firmware/core/ui/diagnosisTexts';
import { diagnosisPage } from '../../firmware/core/ui/diagnosisScreens';
import { drive } from '../../host-sim/scenario/hostSteps';
import { startWorld, type NodeWorld } from '../../host-sim/world';
import { shownWords } from '../ui/diagnosisFixtures';
import { driveUntil, PROFILE, scenarioWith, screenText } from './world';

/**
 * SNTP servers that answer from 1 s of the world's time line on: silent for the boot's own round
 * (the clock keeper's, issue 10), so the clock is still the terminal's cause when the step runs.
 */
const NTP = { dns: { 'cn.pool.ntp.org': '203.0.113.123', 'pool.ntp.org': '198.51.100.123' }, sntp: { time: '2026-12-02T08:00:00Z', answers: true, answersFromMs: 1_000 } };

const opened: NodeWorld[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
});

/** A PIN-pad terminal booted with its RTC at 1970 (out of service on the clock), SNTP answering 1 s later; `device` adds faults. */
async function clockAt1970(device: Record<string, unknown> = {}) {
  const world = await startWorld(scenarioWith({ lang: 'en', rtc: '1970-01-01T00:00:00Z', network: NTP, device: { keypad: 'pin-pad', ...device } }));
  opened.push(world);
  const terminal = createTerminal(world.ports);
  await drive(world, terminal.boot());
  await world.clock.advance(1_000);
  expect(terminal.state).toBe('fault');
  return { world, terminal };
}

/** ENTER opens the diagnosis, ▼ to its (first) steps page, ENTER runs the first step not tried (set-clock); returns once the diagnosis holds its outcome. */
async function runFirstStepFromKeypad(world: NodeWorld, terminal: ReturnType<typeof createTerminal>) {
  world.keypad.press('enter');
  const before = terminal.diagnosis!;
  expect(before.steps.find((s) => s.action)?.id).toBe('set-clock');
  let page = 0;
  while (diagnosisPage(before, page).kind !== 'steps') page++;
  for (let n = 0; n < page; n++) world.keypad.press('down');
  world.keypad.press('enter');
  await driveUntil(world, () => terminal.diagnosis !== undefined && terminal.diagnosis !== before && terminal.diagnosis.tried.length > 0 && terminal.state !== 'selftest');
}

describe('after a step that clears the cause', () => {
  it('runs the self-test by itself: it passes, the terminal is back in service and the summary says so with what was tried', async () => {
    const { world, terminal } = await clockAt1970();
    const reports = terminal.reports().length;
    await runFirstStepFromKeypad(world, terminal);
    expect(terminal.state).toBe('ready');
    expect(terminal.reports().length).toBe(reports + 1);
    expect(terminal.lastReport).toMatchObject({ trigger: 'demand', verdict: expect.stringMatching(/^(pass|warn)$/) });
    const d = terminal.diagnosis!;
    expect(d.tried.map((t) => `${t.action} ${t.result}`)).toEqual(['set-clock done', 'self-test done']);
    expect(terminal.view).toBe('diagnosis');
    const text = screenText(world);
    expect(text).toContain(label('en', 'diag.cleared'));
    expect(text).toContain(remedyText('en', 'set-clock').title);
    expect(text).toContain(remedyText('en', 'rerun-self-test').title);
    // Not the "no cause found, call support" of a terminal still out of service.
    expect(text).not.toContain(label('en', 'diag.noCause'));
    // The closing diagnosis is done with at the next self-test: one from the menu key starts afresh.
    world.keypad.press('cancel');
    world.keypad.press('menu');
    await driveUntil(world, () => terminal.state === 'ready' && terminal.reports().length === reports + 2);
    expect(terminal.diagnosis).toBeUndefined();
  });

  it('runs no self-test while another cause stands confirmed: the step done stays listed as tried on the steps page', async () => {
    // A stuck key besides the clock: setting the clock leaves dev.keypad confirmed.
    const { world, terminal } = await clockAt1970({ keysHeld: ['5'] });
    const reports = terminal.reports().length;
    await runFirstStepFromKeypad(world, terminal);
    expect(terminal.state).toBe('fault');
    expect(terminal.reports().length).toBe(reports);
    const d = terminal.diagnosis!;
    expect(d.top?.id).toBe('dev.keypad');
    expect(d.tried.map((t) => `${t.action} ${t.result}`)).toEqual(['set-clock done']);
    // Its cause is gone, so no step names it any more; the steps page still shows it under "Tried".
    expect(d.steps.some((s) => s.action === 'set-clock')).toBe(false);
    expect(terminal.view).toBe('diagnosis');
    const text = screenText(world);
    expect(text).toContain(label('en', 'diag.steps'));
    expect(text).toContain(label('en', 'diag.tried'));
    expect(text).toContain(remedyText('en', 'set-clock').title);
    expect(text).toContain(label('en', 'step.done'));
  });
});

describe('a step run on a terminal in service', () => {
  it('runs no self-test and shows the steps page with the result, not a closing summary', async () => {
    const world = await startWorld(scenarioWith({ lang: 'en', device: { keypad: 'pin-pad' } }));
    opened.push(world);
    const terminal = createTerminal(world.ports);
    await drive(world, terminal.boot());
    await driveUntil(world, () => terminal.state === 'ready');
    const reports = terminal.reports().length;
    world.keypad.press('enter');
    expect(terminal.view).toBe('diagnosis');
    expect(await drive(world, terminal.runAction('network-test'))).toMatchObject({ result: 'done' });
    expect(terminal.reports().length).toBe(reports);
    expect(terminal.diagnosis!.tried.map((t) => t.action)).toEqual(['network-test']);
    const text = screenText(world);
    expect(text).toContain(label('en', 'diag.steps'));
    expect(text).not.toContain(label('en', 'diag.cleared'));
  });
});

describe('activation from the keypad on a terminal already activated', () => {
  it('is not started: the result screen says so (no request sent), and a key leads on', async () => {
    const CODE = '20261202';
    const world = await startWorld(
      scenarioWith({
        lang: 'en',
        device: { keypad: 'pin-pad' },
        terminal: { profile: PROFILE },
        keys: { masterKey: null, workingKeys: null },
        acquirer: { terminals: [{ tid: '10240001', mid: '898440154110001', status: 'registered', activation: { code: CODE } }] },
      }),
    );
    opened.push(world);
    const terminal = createTerminal(world.ports);
    await drive(world, terminal.boot());
    expect(await drive(world, terminal.activate(CODE))).toMatchObject({ kind: 'activated' });
    await driveUntil(world, () => terminal.state === 'ready');
    const requests = () => world.acquirer!.log.filter((e) => e.direction === 'in' && e.mti === '0800').length;
    const before = requests();
    // The activate step opens the code entry; the operator types the code and presses ENTER.
    await drive(world, terminal.runAction('activate'));
    expect(terminal.view).toBe('code-entry');
    for (const digit of CODE) world.keypad.press(digit as '0');
    world.keypad.press('enter');
    await driveUntil(world, () => terminal.view !== 'code-entry');
    expect(terminal.view).toBe('activation-result');
    const words = shownWords(world.display.current!);
    expect(words).toContain(label('en', 'act.activation-already-activated').replace(/\s+/g, ''));
    expect(words).toContain(label('en', 'act.activation-already-activated.remedy').replace(/\s+/g, ''));
    expect(requests()).toBe(before);
    world.keypad.press('down');
    expect(terminal.view).not.toBe('activation-result');
  });
});
