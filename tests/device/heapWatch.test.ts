/**
 * The simulator's heap watch (firmware/device/heapWatch.ts): the watched ports behave as the
 * ports do (results, errors, getters, private state), and the summary names the lowest free
 * slots and chunk bytes with the port call after which each was measured.
 */
import { HeapWatch } from '../../firmware/device/heapWatch';
import type { Ports } from '../../firmware/core/ports';

type Memory = { chunkFree: number; chunkTotal: number; slotsFree: number; slotsTotal: number };

class Counter {
  #count = 0;
  readonly width = 240;
  bump(by: number) {
    this.#count += by;
    return this.#count;
  }
  fail(): never {
    throw new Error('flash-io');
  }
}

function setUp(readings: Memory[]) {
  let next = 0;
  const watch = new HeapWatch(() => readings[next++]);
  const traced: string[] = [];
  const ports = { display: new Counter(), flash: new Counter(), trace: (line: string) => traced.push(line) } as unknown as Ports;
  const watched = watch.watch(ports) as unknown as { display: Counter; flash: Counter; trace: (line: string) => void };
  return { watch, watched, traced, taken: () => next };
}

const memory = (slotsFree: number, chunkFree: number): Memory => ({ slotsFree, slotsTotal: 4928, chunkFree, chunkTotal: 95232 });

describe('heap watch', () => {
  it('passes calls, results, getters and errors through, and samples after each call', () => {
    const { watched, taken } = setUp([memory(1, 1), memory(1, 1), memory(1, 1)]);
    expect(watched.display.bump(2)).toBe(2);
    expect(watched.display.bump(3)).toBe(5);
    expect(watched.display.width).toBe(240);
    expect(() => watched.flash.fail()).toThrow('flash-io');
    expect(taken()).toBe(3);
  });

  it('does not sample trace lines', () => {
    const { watched, traced, taken } = setUp([]);
    watched.trace('xspos: starting');
    expect(traced).toEqual(['xspos: starting']);
    expect(taken()).toBe(0);
  });

  it('reports the lowest slots and the lowest chunks, each where it was seen', () => {
    const { watch, watched } = setUp([memory(2000, 30000), memory(1200, 41000), memory(1500, 25000), memory(1900, 39000)]);
    expect(watch.summary()).toBe('memory: no port calls sampled');
    watched.flash.bump(1);
    watched.display.bump(1);
    watched.flash.bump(1);
    watched.display.bump(1);
    expect(watch.summary()).toBe('memory: lowest free after a collection over 4 port calls: slots 1200/4928 at display.bump, chunks 25000/95232 B at flash.bump');
  });

  it('keeps each phase its own lowest beside the whole run, and traces every sample of a phase that asks', () => {
    const { watch, watched } = setUp([memory(3000, 50000), memory(1400, 44000), memory(2500, 30000), memory(2600, 31000), memory(2700, 32000)]);
    const lines: string[] = [];
    watch.phase('boot');
    watched.display.bump(1);
    watched.flash.bump(1);
    watch.phase('sale', (line) => lines.push(line));
    watched.flash.bump(1);
    watched.display.bump(1);
    watch.phase('idle');
    watched.display.bump(1);
    expect(lines).toEqual(['heap sale #1 flash.bump: slots 2500/4928, chunks 30000/95232 B', 'heap sale #2 display.bump: slots 2600/4928, chunks 31000/95232 B']);
    expect(watch.summary()).toBe('memory: lowest free after a collection over 5 port calls: slots 1400/4928 at flash.bump, chunks 30000/95232 B at flash.bump');
    expect(watch.phaseSummaries()).toEqual([
      'memory: boot: lowest free after a collection over 2 port calls: slots 1400/4928 at flash.bump, chunks 44000/95232 B at flash.bump',
      'memory: sale: lowest free after a collection over 2 port calls: slots 2500/4928 at flash.bump, chunks 30000/95232 B at flash.bump',
      'memory: idle: lowest free after a collection over 1 port calls: slots 2700/4928 at display.bump, chunks 32000/95232 B at display.bump',
    ]);
  });

  it('names a phase without samples', () => {
    const { watch } = setUp([]);
    watch.phase('sign-on');
    expect(watch.phaseSummaries()).toEqual(['memory: sign-on: no port calls sampled']);
  });
});
