/**
 * A finding a later run cannot judge still counts: the demand self-test skips the keypad (the key
 * that started it is down), so the stuck key the boot found must still lead the diagnosis.
 */
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { drive } from '../../host-sim/scenario/hostSteps';
import { startWorld, type NodeWorld } from '../../host-sim/world';
import { scenarioWith } from './world';

const opened: NodeWorld[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
});

describe('findings a later run skips', () => {
  it('the stuck key found at boot stays the top cause after a demand self-test that could not judge the keypad', async () => {
    const world = await startWorld(scenarioWith({ lang: 'en', device: { keypad: 'pin-pad', keysHeld: ['5'] } }));
    opened.push(world);
    const terminal = createTerminal(world.ports);
    await drive(world, terminal.boot());
    expect(terminal.lastReport!.results.find((r) => r.id === 'device.keypad')).toMatchObject({ status: 'fail', code: 'keypad.stuck' });

    await drive(world, terminal.selfTest('demand'));
    // The demand run itself says nothing about the keypad…
    expect(terminal.lastReport!.results.find((r) => r.id === 'device.keypad')).toMatchObject({ status: 'skip', code: 'keypad.not-judged' });
    // …and the diagnosis still stands on the boot's finding.
    const d = terminal.diagnose();
    expect(d.top).toMatchObject({ id: 'dev.keypad', status: 'confirmed' });
    expect(d.top!.for.map((e) => e.code)).toContain('keypad.stuck');
    expect(d.steps[0].id).toBe('service-keypad');
  });
});
