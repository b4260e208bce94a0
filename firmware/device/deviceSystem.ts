/**
 * The system port: what the running firmware is (buildInfo.ts), the board's serial number, why
 * the board last reset and where its image is (the board), and how much XS heap is left (heap.ts: the machine's own
 * counters after a collection, in any build; the totals are the manifest's "creation" sizes,
 * fixed on the device because their "incremental" is 0).
 */
import type { ResetReason, SystemPort } from '../core/ports';
import type { Board } from './board';
import type { BuildInfo } from './buildInfo';
import { heapCounts } from './heap';

export function createSystemPort(build: BuildInfo, board: Board): SystemPort {
  const resetReason: ResetReason = board.resetReason;
  return {
    firmwareVersion: build.firmwareVersion,
    serialNumber: board.serialNumber,
    buildTime: build.buildTime,
    resetReason: () => resetReason,
    memory() {
      const heap = heapCounts();
      return {
        chunkFree: heap.chunkTotal - heap.chunkUsed,
        chunkTotal: heap.chunkTotal,
        slotsFree: heap.slotsTotal - heap.slotsUsed,
        slotsTotal: heap.slotsTotal,
      };
    },
    image: board.image,
  };
}
