/**
 * The scenario the durable power-cut tests run: a small log (4 sectors of 512 bytes) holding a
 * few durable keys (put, put again, removed, put back) between ring appends, so that rotations
 * carry durables forward. Deterministic: the same operations on every run.
 */
import type { RecordLogOptions } from '../../firmware/core/store/recordLog';
import { footprintOf } from './layoutReader';
import type { Op } from './durableModel';

export const geometry = { sectors: 4, sectorSize: 512 };
/** A cap a 512-byte sector can carry: three or four small durables. */
export const options: RecordLogOptions = { durableCapBytes: 160, maxDurablePayload: 36 };
/** Keys across the range, the largest included. */
const KEYS = [1, 2, 3, 700, 0xffff];

export function scenario(count: number): Op[] {
  let state = 0x5eed;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const live = new Map<number, number>();
  const liveBytes = () => [...live.values()].reduce((sum, length) => sum + footprintOf(length), 0);
  const ops: Op[] = [];
  let version = 0;
  const put = (key: number) => {
    const length = 6 + next(24);
    const others = liveBytes() - (live.has(key) ? footprintOf(live.get(key)!) : 0);
    if (others + footprintOf(length) > options.durableCapBytes!) return false;
    version++;
    // Every version differs from every other: key, version and length are in its bytes.
    const payload = Uint8Array.from({ length }, (_, i) => (i === 0 ? key & 0xff : i === 1 ? version : (key * 31 + version * 17 + i) & 0xff));
    ops.push({ kind: 'put', key, type: 4 + (key % 3), payload });
    live.set(key, length);
    return true;
  };
  for (const key of [1, 2, 0xffff]) put(key);
  while (ops.length < count) {
    const r = next(100);
    if (r < 64 || !(r < 88 ? put(KEYS[next(KEYS.length)]) : remove())) {
      const length = 8 + next(96);
      ops.push({ kind: 'append', type: 1 + (ops.length % 2), payload: Uint8Array.from({ length }, (_, i) => (ops.length * 7 + i * 13) & 0xff) });
    }
  }
  return ops;

  function remove() {
    const keys = [...live.keys()];
    if (!keys.length) return false;
    const key = keys[next(keys.length)];
    ops.push({ kind: 'remove', key });
    live.delete(key);
    return true;
  }
}

/** The whole durable set at its cap (four 20-byte payloads, 40 bytes each) in one sector, then appends that carry it all forward, twice round the ring. */
export function capScenario(): Op[] {
  const ops: Op[] = [];
  for (let key = 1; key <= 4; key++) ops.push({ kind: 'put', key, type: 4, payload: new Uint8Array(20).fill(key) });
  for (let i = 0; i < 40; i++) {
    ops.push({ kind: 'append', type: 1, payload: new Uint8Array(60 + (i % 3) * 30).fill(0x40 + i) });
    if (i === 17) ops.push({ kind: 'put', key: 2, type: 4, payload: new Uint8Array(20).fill(0x22) });
  }
  return ops;
}
