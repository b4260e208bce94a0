/** XS heap use, measured after a garbage collection (heap.c reads the machine's own counters). */

export interface HeapCounts {
  chunkUsed: number;
  chunkTotal: number;
  slotsUsed: number;
  slotsTotal: number;
}

/** Body matches xsc's pattern, so the call compiles to the host function itself. */
function counts(this: unknown): number[] {
  return native('xs_xspos_heap_counts').call(this);
}

export function heapCounts(): HeapCounts {
  const [chunkUsed, chunkTotal, slotsUsed, slotsTotal] = counts();
  return { chunkUsed, chunkTotal, slotsUsed, slotsTotal };
}
