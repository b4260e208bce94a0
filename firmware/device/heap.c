/*
 * The XS machine's own heap counters, in any build. The SDK's Instrumentation module reports
 * them only in instrumented (-d, -i) builds and returns undefined in release builds, which is
 * what ships; these fields of the machine exist in every build.
 *
 * Returns [chunkUsed, chunkTotal, slotsUsed, slotsTotal] (bytes, bytes, slots, slots),
 * measured right after a garbage collection, so "used" counts live data, not garbage.
 * (XS collects only when an allocation finds the heap full, so a high-water mark would just
 * read "full" and says nothing about headroom.)
 */

#include "xsAll.h"
#include "xs.h"

void xs_xspos_heap_counts(xsMachine *the)
{
	xsCollectGarbage();
	xsResult = xsNewArray(4);
	xsSetIndex(xsResult, 0, xsInteger((xsIntegerValue)the->currentChunksSize));
	xsSetIndex(xsResult, 1, xsInteger((xsIntegerValue)the->maximumChunksSize));
	xsSetIndex(xsResult, 2, xsInteger((xsIntegerValue)the->currentHeapCount));
	xsSetIndex(xsResult, 3, xsInteger((xsIntegerValue)the->maximumHeapCount));
}
