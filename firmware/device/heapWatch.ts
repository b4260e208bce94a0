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
 *
 * Phases (boot, sign-on, sale) keep their own lowest beside the whole run's, and a phase can
 * trace every sample with its call (the sale's MAC is `crypto.cbcMac`, its journal writes
 * `flash.write`), so the heap at those moments is read off the trace, not guessed.
 */
import type { Ports, ReaderLinkPort, SystemPort } from '../core/ports';

type Memory = ReturnType<SystemPort['memory']>;

interface Lowest {
  memory: Memory;
  at: string;
}

interface Phase {
  name: string;
  samples: number;
  slots?: Lowest;
  chunks?: Lowest;
  /** Receives one line per sample of this phase, when given. */
  each?: (line: string) => void;
  /** The first sample whose call starts with `when` opens phase `name` (same `each`) and counts there. */
  then?: { when: string; name: string };
}

export class HeapWatch {
  readonly #measure: () => Memory;
  /** The whole run, as one phase. */
  readonly #all: Phase = { name: 'run', samples: 0 };
  readonly #phases: Phase[] = [];
  #phase: Phase | undefined;
  /** Each watched port's name, by the adapter object. */
  readonly #names = new Map<object, string>();
  /** One handler for every port, so watching costs a Proxy per port and little else. */
  readonly #handler: ProxyHandler<object> = {
    get: (object, key) => {
      // The target as receiver: adapters keep their state in private fields.
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        // A display list is alive only while it is drawn: sampled on the way in too (a page's own peak).
        if (key === 'draw') this.#sample(`${this.#names.get(object)}.draw (list held)`);
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
    // An optional port the board lacks (update on a board without slots) stays undefined, unwatched.
    const entries = Object.entries(ports).map(([name, port]) => [name, name === 'trace' || typeof port !== 'object' || port === null ? port : this.#proxy(name, port as object)]);
    return Object.fromEntries(entries) as Ports;
  }

  /**
   * Samples from now on also count toward phase `name` (until the next phase starts); with
   * `each`, every one of them is handed over as a line (call, slots and chunk bytes free).
   */
  phase(name: string, each?: (line: string) => void, then?: { when: string; name: string }): void {
    this.#phase = { name, samples: 0, each, then };
    this.#phases.push(this.#phase);
  }

  /**
   * The reader's byte link (not a port of its own: the reader port's adapter drives it), with a
   * sample after each write and after each chunk of bytes it delivers, named `readerLink.*`.
   */
  watchLink(link: ReaderLinkPort): ReaderLinkPort {
    return new WatchedLink(link, this);
  }

  /** A sample from outside the watched ports (WatchedLink). */
  sample(at: string): void {
    this.#sample(at);
  }

  /** One line for the trace: the lowest free slots and chunk bytes, and where each was seen. */
  summary(): string {
    return lowestLine('memory', this.#all);
  }

  /** One line per phase, in the order they started, like summary() but for that phase's samples. */
  phaseSummaries(): string[] {
    return this.#phases.map((p) => lowestLine(`memory: ${p.name}`, p));
  }

  #sample(at: string) {
    const memory = this.#measure();
    note(this.#all, memory, at);
    let phase = this.#phase;
    if (!phase) return;
    if (phase.then && at.startsWith(phase.then.when)) {
      this.phase(phase.then.name, phase.each);
      phase = this.#phase as Phase;
    }
    note(phase, memory, at);
    phase.each?.(`heap ${phase.name} #${phase.samples} ${at}: slots ${memory.slotsFree}/${memory.slotsTotal}, chunks ${memory.chunkFree}/${memory.chunkTotal} B`);
  }

  /** The watch's own live slots count against the figures it reports (the README gives the difference). */
  #proxy<T extends object>(port: string, target: T): T {
    this.#names.set(target, port);
    return new Proxy(target, this.#handler as ProxyHandler<T>);
  }
}

/** SIMULATOR ONLY (the watch is): the reader link, sampled. */
class WatchedLink implements ReaderLinkPort {
  readonly #link: ReaderLinkPort;
  readonly #watch: HeapWatch;

  constructor(link: ReaderLinkPort, watch: HeapWatch) {
    this.#link = link;
    this.#watch = watch;
  }

  get kind(): ReaderLinkPort['kind'] {
    return this.#link.kind;
  }

  open(onBytes: (bytes: Uint8Array) => void): void {
    const watch = this.#watch;
    try {
      this.#link.open((bytes) => {
        onBytes(bytes);
        watch.sample('readerLink.read');
      });
    } finally {
      watch.sample('readerLink.open');
    }
  }

  write(bytes: Uint8Array): void {
    try {
      this.#link.write(bytes);
    } finally {
      this.#watch.sample('readerLink.write');
    }
  }

  close(): void {
    this.#link.close();
  }
}

function note(phase: Phase, memory: Memory, at: string) {
  phase.samples += 1;
  if (!phase.slots || memory.slotsFree < phase.slots.memory.slotsFree) phase.slots = { memory, at };
  if (!phase.chunks || memory.chunkFree < phase.chunks.memory.chunkFree) phase.chunks = { memory, at };
}

function lowestLine(label: string, { samples, slots, chunks }: Phase): string {
  if (!slots || !chunks) return `${label}: no port calls sampled`;
  return (
    `${label}: lowest free after a collection over ${samples} port calls: ` +
    `slots ${slots.memory.slotsFree}/${slots.memory.slotsTotal} at ${slots.at}, ` +
    `chunks ${chunks.memory.chunkFree}/${chunks.memory.chunkTotal} B at ${chunks.at}`
  );
}
