/**
 * Device-family probes: the parts a merchant touches.
 *
 * Each probe is a frozen module-level object (see systemProbes.ts for why).
 */
import { PANEL_HEIGHT, PANEL_WIDTH } from '../../ui/displayList';
import type { Probe, ProbeContext, ProbeOutcome } from '../types';
import { fail, pass, skip } from './outcome';
import { deepFreeze } from '../../freeze';

export const DISPLAY_PROBE: Probe = deepFreeze({ id: 'device.display', family: 'device', timeoutMs: 1_000, run: runDisplay });
export const displayProbe = (): Probe => DISPLAY_PROBE;

async function runDisplay({ ports }: ProbeContext): Promise<ProbeOutcome> {
  const { display } = ports;
  const status = display.status();
  const facts = `${status.controller}, ${display.width}×${display.height}`;
  if (!status.ready) return fail('display.no-answer', facts);
  if (display.width !== PANEL_WIDTH || display.height !== PANEL_HEIGHT)
    return fail('display.wrong-size', `${facts}, expected ${PANEL_WIDTH}×${PANEL_HEIGHT}`);
  return pass('display.ok', facts);
}

/** A key held while nobody is pressing it is a stuck key; on demand the key that asked may still be down. */
export const KEYPAD_PROBE: Probe = deepFreeze({ id: 'device.keypad', family: 'device', timeoutMs: 1_000, run: runKeypad });
export const keypadProbe = (): Probe => KEYPAD_PROBE;

async function runKeypad({ ports, trigger }: ProbeContext): Promise<ProbeOutcome> {
  const held = ports.keypad.held();
  if (trigger === 'demand') return skip('keypad.not-judged', 'not judged when started from the keypad');
  if (held.length > 0) return fail('keypad.stuck', `held: ${held.join(' ')}`);
  return pass('keypad.ok', 'no key held');
}
