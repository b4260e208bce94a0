/**
 * Finds how little XS heap is left at the busiest moments of a run: every call the core makes
 * into a port is followed by a measurement after a garbage collection (system.memory, heap.c),
 * and the lowest free slots and chunk bytes are kept with the call that saw them.
 *
 * Why port calls: the memory probe measures once, while only itself is running. The heaviest
 * moments are inside other probes (a certificate chain parsed and its signature being checked,
 * a screen's display list being drawn), and those are exactly when the core calls a port
 * (crypto, display, flash). XS collects only when an allocation finds the heap full, so a
 * high-water mark would read "full" and say nothing; free-after-collection at these points is
 * the headroom the board really has.
 *
 * Each sample is a full collection, which slows the run and moves probe durations: the manifest
 * turns it on for the simulator only (config.heapWatch), never for the board.
 */
import type { Ports, SystemPort } from '../core/ports';

type Memory = ReturnType<SystemPort['memory']>;

interface Lowest {
  memory: Memory;
  at: string;
}

export class HeapWatch {
  readonly #measure: () => Memory;
  #samples = 0;
  #slots: Lowest | undefined;
  #chunks: Lowest | undefined;
  /** Each watched port's name, by the adapter object. */
  readonly #names = new Map<object, string>();
  /** One handler for every port, so watching costs a Proxy per port and little else. */
  readonly #handler: ProxyHandler<object> = {
    get: (object, key) => {
      // The target as receiver: adapters keep their state in private fields.
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          return value.apply(object, args);
        } finally {
          this.#sample(`${this.#names.get(object)}.${String(key)}`);
        }
      };
    },
  };

  /** `measure` must not go through watched ports (the unwatched system.memory). */
  constructor(measure: () => Memory) {
    this.#measure = measure;
  }

  /** The same ports; every method call on them is followed by a sample. The trace is not watched. */
  watch(ports: Ports): Ports {
    const entries = Object.entries(ports).map(([name, port]) => [name, name === 'trace' ? port : this.#proxy(name, port as object)]);
    return Object.fromEntries(entries) as Ports;
  }

  /** One line for the trace: the lowest free slots and chunk bytes, and where each was seen. */
  summary(): string {
    const slots = this.#slots;
    const chunks = this.#chunks;
    if (!slots || !chunks) return 'memory: no port calls sampled';
    return (
      `memory: lowest free after a collection over ${this.#samples} port calls: ` +
      `slots ${slots.memory.slotsFree}/${slots.memory.slotsTotal} at ${slots.at}, ` +
      `chunks ${chunks.memory.chunkFree}/${chunks.memory.chunkTotal} B at ${chunks.at}`
    );
  }

  #sample(at: string) {
    const memory = this.#measure();
    this.#samples += 1;
    if (!this.#slots || memory.slotsFree < this.#slots.memory.slotsFree) this.#slots = { memory, at };
    if (!this.#chunks || memory.chunkFree < this.#chunks.memory.chunkFree) this.#chunks = { memory, at };
  }

  /** The watch's own live slots count against the figures it reports (the README gives the difference). */
  #proxy<T extends object>(port: string, target: T): T {
    this.#names.set(target, port);
    return new Proxy(target, this.#handler as ProxyHandler<T>);
  }
}
