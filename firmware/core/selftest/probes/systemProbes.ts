/**
 * System-family probes: is the software what was built, is the clock believable, is the
 * storage sound, is there memory to work in, is the terminal configured.
 *
 * Each probe is a frozen module-level object whose work is a module-level function reading its
 * subjects from the run's context (ProbeTargets): on the device these modules are preloaded, and
 * XS copies into the heap the code of every function made at run time (about 8 KB for the
 * thirteen probes in mcsim) and gives each its closure's slots.
 */
import { readTerminalConfig } from '../../config/terminalConfig';
import type { CborCodec } from '../../store/cbor';
import { RecordType, type RecordLog } from '../../store/recordLog';
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { targetOf, withTargets } from '../runner';
import { fail, pass, warn } from './outcome';
import { deepFreeze } from '../../freeze';
import { errorText } from '../../errorText';


export { IMAGE_PROBE, imageProbe } from './imageProbe';

/** Later than this after the build, the RTC is taken to be wrong (a board is not shelved for 15 years). */
export const RTC_PLAUSIBLE_SPAN_MS = 15 * 365.25 * 24 * 3600 * 1000;

/** The RTC probe's finding for a wall clock of `now` and a build of `built` (the clock keeper's trust uses the same bounds). */
export function rtcFinding(now: number, built: number): 'rtc.ok' | 'rtc.before-build' | 'rtc.implausible' {
  if (!(now >= built)) return 'rtc.before-build';
  if (now - built > RTC_PLAUSIBLE_SPAN_MS) return 'rtc.implausible';
  return 'rtc.ok';
}

/**
 * Longest the RTC probe waits, when the RTC reads an implausible time, for the clock keeper's
 * SNTP round under way (runtime/clockKeeper.ts): the probe's timeout less 2 s for the rest.
 * A plausible RTC, or no round under way, is judged at once.
 */
export const RTC_SYNC_WAIT_MS = 10_000;

/**
 * The RTC can never be earlier than the build, nor implausibly later. Certificate checks rely on
 * it. With the clock keeper among the targets, the detail says where the time came from
 * ("…, source sntp cn.pool.ntp.org" or "…, source rtc").
 */
export const RTC_PROBE: Probe = deepFreeze({ id: 'system.rtc', family: 'system', timeoutMs: RTC_SYNC_WAIT_MS + 2_000, run: runRtc });
export const rtcProbe = (): Probe => RTC_PROBE;

async function runRtc({ ports, targets }: ProbeContext): Promise<ProbeOutcome> {
  const keeper = targets?.clock;
  if (keeper && rtcFinding(ports.clock.wallMs(), ports.system.buildTime) !== 'rtc.ok') await keeper.whenTrusted(RTC_SYNC_WAIT_MS);
  const now = ports.clock.wallMs();
  const built = ports.system.buildTime;
  const source = keeper?.source();
  const from = source === undefined ? '' : source.kind === 'sntp' ? `, source sntp ${source.server}` : ', source rtc';
  const facts = `rtc ${isoTime(now)}, build ${isoTime(built)}${from}`;
  const finding = rtcFinding(now, built);
  return finding === 'rtc.ok' ? pass(finding, facts) : fail(finding, facts);
}

/**
 * Whether a probe may judge dates by the wall clock (certificates, the TLS anchor, CA keys).
 * With the clock keeper among the targets: its word, after waiting up to `maxMs` for an SNTP
 * round under way (bounded under the probe's own timeout). Without it (a probe run alone): the
 * RTC probe's result, as before issue 10.
 */
export async function datesJudgeable(context: ProbeContext, maxMs: number): Promise<boolean> {
  const keeper = context.targets?.clock;
  if (!keeper) return context.resultOf('system.rtc')?.status === 'pass';
  return keeper.trusted() || keeper.whenTrusted(maxMs);
}

/** Scratch bytes written and read back through the log on each run. */
const SCRATCH_BYTES = 32;

/**
 * Flash: recovery found no corruption, and a scratch record reads back as written.
 * The targets' `log` is why the log could not be opened at all, when it could not.
 */
export const FLASH_PROBE: Probe = deepFreeze({ id: 'system.flash', family: 'system', timeoutMs: 5_000, run: runFlash });
export const flashProbe = (log: RecordLog | string): Probe => withTargets(FLASH_PROBE, { log });

async function runFlash(context: ProbeContext): Promise<ProbeOutcome> {
  const { ports } = context;
  const log = targetOf(context, 'log');
  if (typeof log === 'string') return fail('flash.readback', `record log could not be opened: ${log}`);
  const found = log.recovery;
  const capacity = log.capacity();
  const where = found.corruption.map((c) => `sector ${c.sector} +${c.offset}`).join(', ');
  let facts =
    `${capacity.sectors}×${capacity.sectorSize} B, ${found.records} records at boot, ` +
    `${found.tornRecords} torn, ${found.interruptedErases} erases cut, ${found.corruptRecords} damaged records, ` +
    `${found.corruptSectors} bad sector headers${where ? ` (${where})` : ''}; durable ${log.durableBytes}/${capacity.durableCapBytes} B`;
  const scratch = ports.crypto.randomBytes(SCRATCH_BYTES);
  let seq: number;
  try {
    seq = log.append(RecordType.scratch, scratch);
  } catch (error) {
    return fail('flash.readback', `scratch write failed: ${errorText(error)}; ${facts}`);
  }
  let back;
  try {
    back = log.latest(RecordType.scratch);
  } catch (error) {
    return fail('flash.readback', `scratch read failed: ${errorText(error)}; ${facts}`);
  }
  if (log.rotations > 0) facts += `; full, ${log.rotations} oldest sector(s) reused since boot`;
  if (!back || back.seq !== seq || back.payload.length !== SCRATCH_BYTES || !back.payload.every((b, i) => b === scratch[i]))
    return fail('flash.readback', `scratch record ${seq} did not read back; ${facts}`);
  if (found.corruptRecords > 0 || found.corruptSectors > 0) return fail('flash.corrupt', facts);
  if (log.durableRefusals > 0) return fail('flash.durable-full', `${log.durableRefusals} durable record(s) refused; ${facts}`);
  if (found.tornRecords > 0 || found.interruptedErases > 0) return warn('flash.torn-record', facts);
  return pass('flash.ok', facts);
}

/**
 * Headroom the runtime needs for a transaction and a screen (Moddable Two build: about 77 KB
 * of chunk heap and 4,928 slots in all).
 */
export const MEMORY_FLOOR = deepFreeze({ chunkBytes: 12 * 1024, slots: 600 });

export const MEMORY_PROBE: Probe = deepFreeze({ id: 'system.memory', family: 'system', timeoutMs: 1_000, run: runMemory });
export const memoryProbe = (): Probe => MEMORY_PROBE;

async function runMemory({ ports }: ProbeContext): Promise<ProbeOutcome> {
  const m = ports.system.memory();
  const facts = `chunks ${m.chunkFree}/${m.chunkTotal} B free, slots ${m.slotsFree}/${m.slotsTotal} free`;
  if (m.chunkFree < MEMORY_FLOOR.chunkBytes || m.slotsFree < MEMORY_FLOOR.slots) return fail('memory.low', facts);
  if (m.chunkFree < 2 * MEMORY_FLOOR.chunkBytes || m.slotsFree < 2 * MEMORY_FLOOR.slots) return warn('memory.tight', facts);
  return pass('memory.ok', facts);
}

/** Terminal ID, merchant ID and acquirer profile are present and well-formed. */
export const CONFIG_PROBE: Probe = deepFreeze({ id: 'system.config', family: 'system', timeoutMs: 1_000, run: runConfig });
export const configProbe = (cbor: CborCodec): Probe => withTargets(CONFIG_PROBE, { cbor });

async function runConfig(context: ProbeContext): Promise<ProbeOutcome> {
  const config = readTerminalConfig(context.ports.settings, targetOf(context, 'cbor'));
  if (config.ok) {
    const { terminalId, profile } = config.value;
    return pass('config.ok', `tid ${terminalId}, profile ${profile.id}, ${profile.hosts.length} host(s)`);
  }
  const { field, code } = config.error;
  const finding = field === 'tid' ? 'config.tid-invalid' : field === 'mid' ? 'config.mid-invalid' : code === 'config-missing' ? 'config.profile-missing' : 'config.profile-invalid';
  return fail(finding, config.error.message);
}

/** 2026-11-26T04:14:57Z, without milliseconds; ECMAScript's own formatter, no locale. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
