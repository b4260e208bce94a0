/**
 * Issue 6, deliver 4: interrupted erases as NOR leaves them, under more seeds of host-sim's erase
 * model. The first 80 operations of durablePowerCut.test.ts's scenario, cut at every byte of every erase (format
 * and rotation) with seeds 2, 3 and 4; from every 128th erase byte, a second cut at every byte of
 * the reopen (which finishes the erase) and first append, every 32nd byte of an erase.
 */
import { sweep, summary } from './powerCutSweep';
import { geometry, options, scenario } from './durableScenario';

it.each([2, 3, 4])('erase seed %i: a half-erased sector is a power cut, finished at reboot, and nothing outside it is lost', (seed) => {
  const result = sweep({
    geometry,
    options,
    seed,
    ops: scenario(80),
    firstCut: (step) => step.what === 'erase',
    secondCut: (first, step, budget) => first.offset % 128 === 1 && (step.what !== 'erase' || (budget - step.from) % 32 === 1),
  });
  console.log(`durable power cuts, erase seed ${seed}: ${summary(result)}`);
  expect({ problems: Object.fromEntries(result.problemKinds), examples: result.problems.slice(0, 6) }).toEqual({ problems: {}, examples: [] });
  expect(result.firstCuts.get('erase')).toBeGreaterThan(geometry.sectorSize * 12);
  expect(result.carryForwards).toBeGreaterThan(3);
});
