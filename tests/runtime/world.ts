/** A simulated terminal for runtime tests: a scenario (healthy unless changed) and its world. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, type Scenario } from '../../host-sim/scenario/schema';
import { resolveReferences, SCENARIO_DIR } from '../../host-sim/scenario/load';
import { buildWorld, type NodeWorld } from '../../host-sim/world';

export const PROFILE = JSON.parse(readFileSync(join(__dirname, '../../host-sim/scenarios/profiles/demo-acquirer.json'), 'utf8'));

/** A healthy terminal's scenario, with `changes` merged in at the top level. */
export function scenarioWith(changes: Record<string, unknown> = {}): Scenario {
  return parseScenario(
    resolveReferences(
      {
        name: 'test',
        terminal: { tid: '10240001', mid: '898440154110001', profile: PROFILE },
        steps: [{ do: 'boot' }],
        ...changes,
      },
      SCENARIO_DIR,
    ),
  );
}

export function worldWith(changes: Record<string, unknown> = {}) {
  return buildWorld(scenarioWith(changes));
}

/** Every text run on the screen, top to bottom, joined. */
export function screenText(world: ReturnType<typeof buildWorld>): string {
  const list = world.display.current;
  if (!list) return '';
  return list.ops.flatMap((op) => (op.op === 'text' ? [op.text] : [])).join(' | ');
}

/** Moves the virtual clock timer by timer, the network settled at each, until `done` holds (a key press's work has no promise to drive). */
export async function driveUntil(world: NodeWorld, done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) {
    await world.clock.settle();
    if (done() || !(await world.clock.advanceToNextTimer())) break;
  }
  await world.clock.settle();
  expect(done()).toBe(true);
}
