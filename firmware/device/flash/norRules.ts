/**
 * The rules every flash region adapter enforces the same way, so the simulator's RAM region
 * refuses exactly what the board's partition would: offsets inside the region, whole sectors,
 * and NOR programming (a write may only clear bits; setting one needs an erase first).
 */
import { PortError } from '../../core/ports';

/** @throws PortError 'flash-bounds' unless [offset, offset + length) lies inside the region */
export function checkRange(byteLength: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > byteLength)
    throw new PortError('flash-bounds', `${offset}+${length} is outside 0..${byteLength}`);
}

/** @throws PortError 'flash-bounds' unless `sector` is one of the region's sectors */
export function checkSector(byteLength: number, sectorSize: number, sector: number): void {
  if (!Number.isInteger(sector) || sector < 0 || (sector + 1) * sectorSize > byteLength)
    throw new PortError('flash-bounds', `no sector ${sector} in ${byteLength / sectorSize}`);
}

/**
 * `current` is what flash holds at `offset` now; `bytes` what the caller wants there.
 * @throws PortError 'flash-program' when a byte would need a 0 bit set back to 1
 */
export function checkProgram(current: Uint8Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < bytes.length; i++)
    if ((current[i] & bytes[i]) !== bytes[i])
      throw new PortError('flash-program', `write at ${offset + i} would set bits (0x${current[i].toString(16)} → 0x${bytes[i].toString(16)})`);
}
