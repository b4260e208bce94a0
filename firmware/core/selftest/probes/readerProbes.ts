/**
 * Device-family probes of the card hardware: the contactless reader IC (PN532: its firmware,
 * line echo, ROM, RAM, SAM configuration), its antenna, the contact slot, the magstripe module
 * and the code scanner. The plan has each only when the board has the part fitted (plan.ts).
 *
 * Each probe is a frozen module-level object (see systemProbes.ts for why).
 */
import type { ReaderCheck } from '../../ports';
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { fail, pass, skip } from './outcome';
import { deepFreeze } from '../../freeze';

/** A silent PN532 fails in well under a second (ACK timeouts); one that ACKs but never answers takes 6 answer timeouts. */
const READER_TIMEOUT_MS = 15_000;
const INPUT_TIMEOUT_MS = 2_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkOf(checks: readonly ReaderCheck[], test: ReaderCheck['test']): ReaderCheck | undefined {
  for (let i = 0; i < checks.length; i++) if (checks[i].test === test) return checks[i];
  return undefined;
}

export const READER_PROBE: Probe = deepFreeze({ id: 'device.reader', family: 'device', timeoutMs: READER_TIMEOUT_MS, run: runReader });

/** The reader IC answers with its firmware version and passes its own tests (the antenna has its own probe). */
async function runReader({ ports }: ProbeContext): Promise<ProbeOutcome> {
  let who: { model: string; firmware: string };
  let checks: readonly ReaderCheck[];
  try {
    who = await ports.reader.identify();
    checks = await ports.reader.selfCheck();
  } catch (error) {
    return fail('reader.no-answer', message(error));
  }
  const firmware = checkOf(checks, 'firmware');
  if (firmware && !firmware.ok) return fail('reader.no-answer', firmware.detail);
  const line = checkOf(checks, 'line');
  if (line && !line.ok) return fail('reader.line-failed', line.detail);
  const rom = checkOf(checks, 'rom');
  if (rom && !rom.ok) return fail('reader.rom-failed', rom.detail);
  const ram = checkOf(checks, 'ram');
  if (ram && !ram.ok) return fail('reader.ram-failed', ram.detail);
  const sam = checkOf(checks, 'sam');
  if (sam && !sam.ok) return fail('reader.sam-refused', sam.detail);
  return pass('reader.ok', `${who.model} ${who.firmware}, line, ROM, RAM, SAM ok`);
}

export const ANTENNA_PROBE: Probe = deepFreeze({
  id: 'device.antenna', family: 'device', timeoutMs: READER_TIMEOUT_MS, after: ['device.reader'], run: runAntenna,
});

/** The PN532's antenna test (Diagnose 07); not judged when the reader did not answer. */
async function runAntenna({ ports, resultOf }: ProbeContext): Promise<ProbeOutcome> {
  const reader = resultOf('device.reader');
  if (reader && reader.code === 'reader.no-answer') return skip('antenna.not-judged', 'the reader did not answer');
  let checks: readonly ReaderCheck[];
  try {
    checks = await ports.reader.selfCheck();
  } catch (error) {
    return skip('antenna.not-judged', message(error));
  }
  const antenna = checkOf(checks, 'antenna');
  if (!antenna) return skip('antenna.not-judged', 'the reader has no antenna test');
  return antenna.ok ? pass('antenna.ok', antenna.detail) : fail('antenna.failed', antenna.detail);
}

export const CONTACT_PROBE: Probe = deepFreeze({ id: 'device.contact', family: 'device', timeoutMs: READER_TIMEOUT_MS, run: runContact });

/** The contact slot's reader answers and passes its own checks. */
async function runContact({ ports }: ProbeContext): Promise<ProbeOutcome> {
  try {
    const who = await ports.contact.identify();
    const checks = await ports.contact.selfCheck();
    for (let i = 0; i < checks.length; i++) if (!checks[i].ok) return fail('contact.no-answer', `${checks[i].test}: ${checks[i].detail}`);
    return pass('contact.ok', `${who.model} ${who.firmware}`);
  } catch (error) {
    return fail('contact.no-answer', message(error));
  }
}

export const MAGSTRIPE_PROBE: Probe = deepFreeze({ id: 'device.magstripe', family: 'device', timeoutMs: INPUT_TIMEOUT_MS, run: runMagstripe });

async function runMagstripe({ ports }: ProbeContext): Promise<ProbeOutcome> {
  try {
    const status = await ports.magstripe.check();
    return status.ok ? pass('magstripe.ok', status.detail) : fail('magstripe.no-answer', status.detail);
  } catch (error) {
    return fail('magstripe.no-answer', message(error));
  }
}

export const SCANNER_PROBE: Probe = deepFreeze({ id: 'device.scanner', family: 'device', timeoutMs: INPUT_TIMEOUT_MS, run: runScanner });

async function runScanner({ ports }: ProbeContext): Promise<ProbeOutcome> {
  try {
    const status = await ports.scanner.check();
    return status.ok ? pass('scanner.ok', status.detail) : fail('scanner.no-answer', status.detail);
  } catch (error) {
    return fail('scanner.no-answer', message(error));
  }
}
