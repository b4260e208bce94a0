/**
 * Field activation on the terminal, end to end against the simulated acquirer over loopback TCP:
 * a factory-state terminal (no master key, no TID or MID, only the acquirer profile) shows the
 * activation screen; the operator types the code on the PIN pad; the host binds TID and MID and
 * sends the master key; the terminal signs on and its self-test passes only then. A wrong code is
 * refused, and the diagnosis says what to do.
 */
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { ACTIVATION_RESULT_SCREEN_MS } from '../../firmware/core/runtime/diagnosisRuntime';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { SETTINGS_DOMAIN } from '../../firmware/core/config/terminalConfig';
import { activationLabel } from '../../firmware/core/ui/activationTexts';
import { causeName } from '../../firmware/core/ui/diagnosisTexts';
import type { KeyCode } from '../../firmware/core/ports';
import { drive } from '../../host-sim/scenario/hostSteps';
import { startWorld, type NodeWorld } from '../../host-sim/world';
import { shownWords } from '../ui/diagnosisFixtures';
import { PROFILE, driveUntil, scenarioWith, screenText } from './world';

const CODE = '20261202';
/** The slot's IDs: those the provisioned terminal certificate names. */
const TID = '10240001';
const MID = '898440154110001';

const opened: NodeWorld[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
});

/** A terminal fresh from the factory whose acquirer has a slot waiting for activation code CODE. */
async function factoryTerminal(ids: Record<string, string> = {}, keypad: 'pin-pad' | 'one-button' = 'pin-pad') {
  const world = await startWorld(
    scenarioWith({
      lang: 'en',
      terminal: { profile: PROFILE, ...ids },
      keys: { masterKey: null, workingKeys: null },
      device: { keypad },
      acquirer: { terminals: [{ tid: TID, mid: MID, status: 'registered', activation: { code: CODE } }] },
    }),
  );
  opened.push(world);
  const terminal = createTerminal(world.ports);
  await drive(world, terminal.boot());
  return { world, terminal };
}

const type = (world: NodeWorld, keys: string) => [...keys].forEach((k) => world.keypad.press(k as KeyCode));

describe('activation on the terminal', () => {
  it('factory state: the activation screen, the code on the PIN pad, activated, signed on, and only then the self-test passes', async () => {
    const { world, terminal } = await factoryTerminal();
    expect(terminal.state).toBe('fault');
    expect(terminal.lastReport!.results.find((r) => r.id === 'auth.master-key')).toMatchObject({ status: 'fail', code: 'keys.not-activated' });
    expect(screenText(world)).toContain(activationLabel('en', 'act.notActivated'));
    world.keypad.press('enter');
    expect(terminal.view).toBe('code-entry');
    type(world, '2026120X'.slice(0, 7) + '9');
    world.keypad.press('clear');
    type(world, '2');
    // The code itself is drawn large (as pixels); its count is text.
    expect(screenText(world)).toContain(activationLabel('en', 'act.entry.count', { count: 8, min: 8, max: 12 }));
    world.keypad.press('enter');
    expect(terminal.view).toBe('activating');
    await driveUntil(world, () => terminal.state === 'ready' && terminal.view !== 'activating');
    expect(world.settings.get(SETTINGS_DOMAIN, 'tid')).toBe(TID);
    expect(world.settings.get(SETTINGS_DOMAIN, 'mid')).toBe(MID);
    expect(terminal.host?.status().signedOn).toBe(true);
    const last = terminal.lastReport!;
    expect(last).toMatchObject({ trigger: 'demand' });
    expect(last.verdict).not.toBe('fail');
    expect(last.results.find((r) => r.id === 'auth.master-key')?.status).not.toBe('fail');
    // The acquirer bound the board and then answered its sign-on under the new master key.
    const out = world.acquirer!.log.filter((e) => e.direction === 'out').map((e) => `${e.mti}:${e.code}`);
    expect(out.slice(0, 2)).toEqual(['0810:00', '0810:00']);
  });

  it('the stages 申请 → 审核 → 发放 in turn, then the result stays on the screen a while before the self-test', async () => {
    const { world, terminal } = await factoryTerminal();
    const drawn: DisplayList[] = [];
    const draw = world.ports.display.draw.bind(world.ports.display);
    world.ports.display.draw = (list) => {
      drawn.push(list);
      draw(list);
    };
    const activation = terminal.activate(CODE);
    await driveUntil(world, () => terminal.view === 'activation-result');
    // The stage under way is the one marked ▶ (activationScreens.ts STAGE_MARKS).
    const stages = drawn.flatMap((list) => {
      const words = shownWords(list);
      return (['apply', 'review', 'issue'] as const).filter((stage) => words.includes(`▶${activationLabel('en', `act.stage.${stage}`).replace(/\s+/g, '')}`));
    });
    expect(stages).toEqual(['apply', 'review', 'issue']);
    const shownAt = world.clock.uptimeMs();
    const reports = terminal.reports().length;
    // The sign-on under the new master key goes on behind the result, which stays.
    await driveUntil(world, () => terminal.host?.status().signedOn === true);
    expect(terminal.view).toBe('activation-result');
    await driveUntil(world, () => terminal.reports().length > reports);
    expect(world.clock.uptimeMs() - shownAt).toBeGreaterThanOrEqual(ACTIVATION_RESULT_SCREEN_MS);
    await expect(drive(world, activation)).resolves.toMatchObject({ kind: 'activated', tid: TID });
    expect(terminal.lastReport!.verdict).not.toBe('fail');
  });

  it('one button: a hold opens the code entry, presses step to each digit, ⌫ deletes, ✓ activates', async () => {
    const { world, terminal } = await factoryTerminal({}, 'one-button');
    expect(screenText(world)).toContain(activationLabel('en', 'act.keys.one'));
    world.keypad.press('menu');
    expect(terminal.view).toBe('code-entry');
    expect(terminal.state).toBe('fault');
    /** Whether the screen says `text` (wrapped or not). */
    const says = (text: string) => shownWords(world.display.current!).includes(text.replace(/\s+/g, ''));
    /** A press moves one choice on (0–9, then ✓ once 8 digits are typed, then ⌫); each digit taken starts again at 0. */
    const enter = (digit: number) => {
      for (let i = 0; i < digit; i++) world.keypad.press('down');
      expect(says(activationLabel('en', 'act.choice.digit', { digit }))).toBe(true);
      world.keypad.press('menu');
    };
    const count = (n: number) => activationLabel('en', 'act.entry.count', { count: n, min: 8, max: 12 });
    [...'2026'].forEach((d) => enter(Number(d)));
    // A 7 typed by mistake, then ⌫ (after the ten digits; ✓ not offered below 8 digits), held twice: two digits gone.
    enter(7);
    for (let i = 0; i < 10; i++) world.keypad.press('down');
    expect(says(activationLabel('en', 'act.choice.delete'))).toBe(true);
    world.keypad.press('menu');
    world.keypad.press('menu');
    expect(says(count(3))).toBe(true);
    // ⌫ stays chosen after a delete; a press goes round to 0.
    world.keypad.press('down');
    [...'61202'].forEach((d) => enter(Number(d)));
    expect(says(count(8))).toBe(true);
    for (let i = 0; i < 10; i++) world.keypad.press('down');
    expect(says(activationLabel('en', 'act.choice.submit'))).toBe(true);
    world.keypad.press('menu');
    expect(terminal.view).toBe('activating');
    await driveUntil(world, () => terminal.state === 'ready' && terminal.view !== 'activating' && terminal.view !== 'activation-result');
    expect(world.settings.get(SETTINGS_DOMAIN, 'tid')).toBe(TID);
    expect(terminal.lastReport!.verdict).not.toBe('fail');
  });

  it('one button: ⌫ with nothing typed leaves the code entry; a hold elsewhere is still the self-test', async () => {
    const { world, terminal } = await factoryTerminal({}, 'one-button');
    world.keypad.press('menu');
    for (let i = 0; i < 10; i++) world.keypad.press('down');
    expect(screenText(world)).toContain(activationLabel('en', 'act.choice.back'));
    world.keypad.press('menu');
    expect(terminal.view).toBe('home');
    expect(screenText(world)).toContain(activationLabel('en', 'act.notActivated'));
    // A press shows the report; a hold there runs the self-test, not the code entry.
    world.keypad.press('down');
    expect(terminal.view).toBe('report');
    world.keypad.press('menu');
    expect(terminal.state).toBe('selftest');
    await driveUntil(world, () => terminal.state !== 'selftest');
  });

  it('a wrong code is refused: the result screen, then the diagnosis names the activation code', async () => {
    // Provisioned with its IDs at the factory, only the master key missing: the configuration is no cause here.
    const { world, terminal } = await factoryTerminal({ tid: TID, mid: MID });
    const outcome = await drive(world, terminal.activate('11112222'));
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'code-wrong' });
    expect(terminal.view).toBe('activation-result');
    expect(terminal.state).toBe('fault');
    const d = terminal.diagnosis!;
    expect(d.top?.id).toBe('auth.activation-code');
    expect(d.evidence.map((e) => e.code)).toContain('activation.code-wrong');
    // A key on the result: the diagnosis, its summary naming the cause; CANCEL: the activation screen again.
    world.keypad.press('down');
    expect(terminal.view).toBe('diagnosis');
    expect(screenText(world)).toContain(causeName('en', 'auth.activation-code'));
    world.keypad.press('cancel');
    expect(terminal.view).toBe('home');
    world.keypad.press('enter');
    expect(terminal.view).toBe('code-entry');
    world.keypad.press('cancel');
    expect(screenText(world)).toContain(activationLabel('en', 'act.notActivated'));
  });

  it('refuses an activation or an action before boot', async () => {
    const world = await startWorld(scenarioWith({ keys: { masterKey: null, workingKeys: null } }));
    opened.push(world);
    const terminal = createTerminal(world.ports);
    await expect(terminal.activate(CODE)).rejects.toMatchObject({ code: 'runtime-state' });
    await expect(terminal.runAction('network-test')).rejects.toMatchObject({ code: 'runtime-state' });
  });
});
