/**
 * Activation on the terminal against its neighbours (runtime/activationDuties.ts): it waits for
 * a self-test under way, no periodic self-test starts while it runs, it is refused while a
 * diagnosis action runs and on a terminal already activated unless the operator confirms, and a
 * board that will not store the key (a 'volatile' key store: encryption off, no devKeys=1) gives
 * a 'device-refused' result on the screen and in the evidence, with nothing stored.
 */
import { SETTINGS_DOMAIN } from '../../firmware/core/config/terminalConfig';
import { createTerminal, SELF_TEST_INTERVAL_MS } from '../../firmware/core/runtime/terminal';
import { REFUSAL_TEXTS } from '../../firmware/core/ui/activationTexts';
import { join } from 'node:path';
import { drive } from '../../host-sim/scenario/hostSteps';
import { loadScenario, SCENARIO_DIR } from '../../host-sim/scenario/load';
import { runInWorld, startWorld, type NodeWorld } from '../../host-sim/world';
import { shownWords } from '../ui/diagnosisFixtures';
import { PROFILE, scenarioWith } from '../runtime/world';

const CODE = '20261202';
const TID = '10240001';
const MID = '898440154110001';

const opened: NodeWorld[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
});

async function factoryTerminal(device: Record<string, unknown> = {}, faults: unknown[] = []) {
  const world = await startWorld(
    scenarioWith({
      lang: 'en',
      terminal: { profile: PROFILE },
      keys: { masterKey: null, workingKeys: null },
      device,
      acquirer: { terminals: [{ tid: TID, mid: MID, status: 'registered', activation: { code: CODE } }], faults },
    }),
  );
  opened.push(world);
  const terminal = createTerminal(world.ports);
  await drive(world, terminal.boot());
  return { world, terminal };
}

/** Index of the first trace line containing `text` (-1: none). */
const traced = (world: NodeWorld, text: string) => world.traceLines.findIndex((line) => line.includes(text));

describe('activation beside the rest of the terminal', () => {
  it('waits for a self-test under way: the request goes out only after its report', async () => {
    const { world, terminal } = await factoryTerminal();
    const selfTest = terminal.selfTest('demand');
    const activation = terminal.activate(CODE);
    expect(terminal.state).toBe('selftest');
    expect(terminal.view).not.toBe('activating');
    await drive(world, selfTest);
    expect(await drive(world, activation)).toEqual({ kind: 'activated', tid: TID, mid: MID });
    const ended = world.traceLines.findIndex((line) => /state selftest → \w+ \(selftest-/.test(line));
    expect(ended).toBeGreaterThanOrEqual(0);
    expect(traced(world, 'activation: request STAN')).toBeGreaterThan(ended);
  });

  it('starts no periodic self-test while an activation waits for its host', async () => {
    // The host takes the request and never answers: the activation waits out its timeouts and resends.
    const { world, terminal } = await factoryTerminal({}, [{ kind: 'hang', mti: '0800', times: 10 }]);
    const reports = terminal.reports().length;
    await world.clock.advance(SELF_TEST_INTERVAL_MS - 5_000);
    const outcome = await drive(world, terminal.activate(CODE));
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'unreachable' });
    // The period ended during the activation (its timeouts are 30 s a try): that self-test was left out.
    expect(world.clock.uptimeMs()).toBeGreaterThan(SELF_TEST_INTERVAL_MS + 30_000);
    expect(terminal.reports().length).toBe(reports);
    expect(traced(world, 'selftest-periodic')).toBe(-1);
  });

  it('is refused while a diagnosis action runs', async () => {
    const { world, terminal } = await factoryTerminal();
    const action = terminal.runAction('network-test');
    await expect(terminal.activate(CODE)).rejects.toMatchObject({ name: 'ActivationRequestError', code: 'activation-busy' });
    await drive(world, action);
    expect(world.settings.get(SETTINGS_DOMAIN, 'tid')).toBeUndefined();
  });

  it('refuses to activate an activated terminal again unless the operator confirms', async () => {
    const { world, terminal } = await factoryTerminal();
    expect(await drive(world, terminal.activate(CODE))).toMatchObject({ kind: 'activated' });
    const requests = () => world.acquirer!.log.filter((e) => e.direction === 'in' && e.mti === '0800').length;
    const before = requests();
    await expect(terminal.activate(CODE)).rejects.toMatchObject({ code: 'activation-already-activated' });
    expect(requests()).toBe(before);
    // Confirmed: the host binds the same board again with a new master key.
    expect(await drive(world, terminal.activate(CODE, { reactivate: true }))).toEqual({ kind: 'activated', tid: TID, mid: MID });
    expect(requests()).toBeGreaterThan(before);
  });

  it('a board that refuses to store the key: device-refused on the screen and in the evidence, nothing stored', async () => {
    const { world, terminal } = await factoryTerminal({ keyProtection: 'volatile' });
    const outcome = await drive(world, terminal.activate(CODE));
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'device-refused', detail: expect.stringMatching(/storing the master key: .*this build stores no keys/) });
    expect(terminal.view).toBe('activation-result');
    expect(shownWords(world.display.current!)).toContain(REFUSAL_TEXTS.en['device-refused'].message.replace(/\s+/g, ''));
    expect(terminal.diagnose().evidence).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'activation.device-refused', status: 'fail' })]));
    expect(world.ports.crypto.provisionedKey('tmk')).toBeUndefined();
    expect(world.settings.get(SETTINGS_DOMAIN, 'tid')).toBeUndefined();
    expect(terminal.lastReport!.results.find((r) => r.id === 'auth.master-key')).toMatchObject({ code: 'keys.not-activated' });
  });

  it.each(['zh', 'en'] as const)('the shipped scenario activation-board-refuses-key (%s): the refusal on its screen', async (lang) => {
    const { outcome } = await runInWorld(loadScenario(join(SCENARIO_DIR, 'activation-board-refuses-key.json'), { lang }));
    const refused = outcome.screens.find((s) => s.name === 'refused')!;
    expect(shownWords(refused.list)).toContain(REFUSAL_TEXTS[lang]['device-refused'].message.replace(/\s+/g, ''));
  });
});
