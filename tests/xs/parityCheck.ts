/** One scenario on the real XS engine and on Node: everything observable must be the same bytes. */
import type { ScenarioOutcome } from '../../host-sim/scenario/driver';
import { loadScenario } from '../../host-sim/scenario/load';
import type { Scenario } from '../../host-sim/scenario/schema';
import { runInWorld } from '../../host-sim/world';
import { runOnXs } from '../../host-sim/xs/xsLane';

/** Shipped scenarios too long to share a test file's time with the others. */
export const LONG_SCENARIOS: readonly string[] = ['year-of-service'];

/** Runs `file` on both lanes, expects identical reports, screens, traces and flash images and a whole self-test of `plan`; returns Node's outcome. */
export async function expectParity(file: string, plan: readonly string[]): Promise<ScenarioOutcome> {
  const node = await expectSameOnBothLanes(loadScenario(file));
  // What both lanes agree on is a whole self-test: the newest report has every probe of the plan.
  expect(node.report.selfTests.at(-1)?.results.map((r) => r.id)).toEqual(plan);
  return node;
}

/** Runs `scenario` on both lanes, expects identical reports, screens, traces and flash images; returns Node's outcome. */
export async function expectSameOnBothLanes(scenario: Scenario): Promise<ScenarioOutcome> {
  const xs = await runOnXs(scenario);
  const { outcome: node, world: nodeWorld } = await runInWorld(scenario);

  expect(JSON.stringify(xs.value.report)).toBe(JSON.stringify(node.report));
  expect(xs.value.screens.map((s) => s.name)).toEqual(node.screens.map((s) => s.name));
  for (let i = 0; i < node.screens.length; i++) expect(JSON.stringify(xs.value.screens[i].list)).toBe(JSON.stringify(node.screens[i].list));
  expect(xs.world.traceLines).toEqual(nodeWorld.traceLines);
  expect(Buffer.from(xs.world.flash.bytes).equals(Buffer.from(nodeWorld.flash.bytes))).toBe(true);
  // The update slots and their otadata too (what an update wrote, which slot boots).
  expect(Buffer.from(xs.world.slots.flash.bytes).equals(Buffer.from(nodeWorld.slots.flash.bytes))).toBe(true);
  // The run really happened on XS: it was metered.
  expect(xs.computrons).toBeGreaterThan(1_000_000);
  return node;
}
