/**
 * Issue 6, deliver 2 and 4: power cut at every byte of every write and every erase of a scenario
 * whose rotations carry durable records forward (seed 1 of the erase model), then a reboot; and
 * from a sample of those reboots a second cut during the reopen and first append.
 */
import { sweep } from './powerCutSweep';
import { geometry, options, scenario } from './durableScenario';

const OPS = 110;

it('keeps every durable whose put returned, once, at its latest version; no removed key returns; ring records intact; appends go on', () => {
  const result = sweep({
    geometry,
    options,
    seed: 1,
    ops: scenario(OPS),
    // Second cuts: from every 7th first cut, at every byte of the writes and every 16th byte of an erase.
    secondCut: (first, step, budget) => first.count % 7 === 0 && (step.what !== 'erase' || (budget - step.from) % 16 === 0),
  });
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(
    `durable power cuts, seed 1: ${OPS} operations, ${result.rotations} rotations (${result.carryForwards} carrying ${result.carried} records forward);` +
      ` first cuts ${total(result.firstCuts)} ${JSON.stringify(Object.fromEntries(result.firstCuts))};` +
      ` second cuts ${total(result.secondCuts)} ${JSON.stringify(Object.fromEntries(result.secondCuts))}`,
  );
  expect(result.problems).toEqual([]);
  expect(result.carryForwards).toBeGreaterThan(3);
  expect(result.firstCuts.get('erase')).toBeGreaterThan(geometry.sectorSize * 3);
  expect(result.firstCuts.get('carry-forward')).toBeGreaterThan(100);
});
