/** A simulated terminal for runtime tests: a scenario (healthy unless changed) and its world. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, type Scenario } from '../../host-sim/scenario/schema';
import { resolveReferences, SCENARIO_DIR } from '../../host-sim/scenario/load';
import { buildWorld, startWorld, type NodeWorld } from '../../host-sim/world';
import { drive } from '../../host-sim/scenario/hostSteps';
import { createTerminal } from '../../firmware/core/runtime/terminal';

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

/**
 * A whole terminal booted in a started world (English, the shipped certificate fixtures, the
 * terminal's own `terminalCert`, default certs/terminal.pem); the world is pushed on `opened`
 * for the test to close. `result(id)` is the boot self-test's result of that probe.
 */
export async function bootTerminal(opened: NodeWorld[], options: { rtc: string; network: Record<string, unknown>; terminalCert?: string }) {
  const world = await startWorld(
    scenarioWith({
      lang: 'en',
      rtc: options.rtc,
      network: options.network,
      certificates: { terminal: options.terminalCert ?? 'certs/terminal.pem', chain: ['certs/terminal-ca.pem'], root: 'certs/root.pem' },
    }),
  );
  opened.push(world);
  const terminal = createTerminal(world.ports);
  await drive(world, terminal.boot());
  const result = (id: string) => terminal.lastReport!.results.find((r) => r.id === id)!;
  return { world, terminal, result };
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
