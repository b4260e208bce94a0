/**
 * Issue 6, deliver 2 and 4: a power cut at every byte of every write and every erase of a scenario
 * whose rotations carry durable records forward (erase model seed 1), then a reboot; and from a
 * sample of those reboots, a second cut at every byte of the reopen and first append (every 32nd
 * byte of an erase). Other erase seeds: durableEraseSeeds.test.ts.
 */
import { sweep, summary } from './powerCutSweep';
import { capScenario, geometry, options, scenario } from './durableScenario';

const OPS = 110;

it('keeps every durable whose put returned, once, at its latest version; no removed key returns; ring records intact; appends go on', () => {
  const result = sweep({
    geometry,
    options,
    seed: 1,
    ops: scenario(OPS),
    // Second sweeps from: every 64th byte of an erase, every 8th cut of a rotating operation's writes, every 60th other cut.
    secondCut: (first, step, budget) =>
      (first.step.what === 'erase' ? first.offset % 64 === 1 : first.count % (first.rotates ? 8 : 60) === 0) &&
      (step.what !== 'erase' || (budget - step.from) % 32 === 1),
  });
  console.log(`durable power cuts, seed 1, ${OPS} operations: ${summary(result)}`);
  expect({ problems: Object.fromEntries(result.problemKinds), examples: result.problems.slice(0, 6) }).toEqual({ problems: {}, examples: [] });
  expect(result.carryForwards).toBeGreaterThan(5);
  expect(result.firstCuts.get('erase')).toBeGreaterThan(geometry.sectorSize * 15);
  expect(result.firstCuts.get('carry-forward')).toBeGreaterThan(300);
  expect(result.firstCuts.get('erase intent')).toBeGreaterThan(300);
  expect(result.secondCuts.get('abandon torn slot')).toBeGreaterThan(100);
});

it('carries the whole durable set at its cap forward through cuts at every byte, twice round the ring', () => {
  const result = sweep({
    geometry,
    options,
    seed: 5,
    ops: capScenario(),
    secondCut: (first, step, budget) =>
      (first.step.what === 'erase' ? first.offset % 128 === 1 : /carry|intent|header/.test(first.step.what) && first.count % 8 === 0) && (step.what !== 'erase' || (budget - step.from) % 32 === 1),
  });
  console.log(`durable power cuts, durable set at its cap: ${summary(result)}`);
  expect({ problems: Object.fromEntries(result.problemKinds), examples: result.problems.slice(0, 6) }).toEqual({ problems: {}, examples: [] });
  // Each time round the ring the durable set (four records) moves on.
  expect(result.carryForwards).toBeGreaterThanOrEqual(5);
  expect(result.carried).toBeGreaterThanOrEqual(15);
});
