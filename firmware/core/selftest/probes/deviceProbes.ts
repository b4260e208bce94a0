/** Device-family probes: the parts a merchant touches. */
import { PANEL_HEIGHT, PANEL_WIDTH } from '../../ui/displayList';
import type { Probe } from '../types';

export function displayProbe(): Probe {
  return {
    id: 'device.display',
    family: 'device',
    timeoutMs: 1_000,
    async run({ ports }) {
      const { display } = ports;
      const status = display.status();
      const facts = `${status.controller}, ${display.width}×${display.height}`;
      if (!status.ready) return { status: 'fail', code: 'display.no-answer', detail: facts };
      if (display.width !== PANEL_WIDTH || display.height !== PANEL_HEIGHT)
        return { status: 'fail', code: 'display.wrong-size', detail: `${facts}, expected ${PANEL_WIDTH}×${PANEL_HEIGHT}` };
      return { status: 'pass', code: 'display.ok', detail: facts };
    },
  };
}

/** A key held while nobody is pressing it is a stuck key; on demand the key that asked may still be down. */
export function keypadProbe(): Probe {
  return {
    id: 'device.keypad',
    family: 'device',
    timeoutMs: 1_000,
    async run({ ports, trigger }) {
      const held = ports.keypad.held();
      if (trigger === 'demand') return { status: 'skip', code: 'keypad.not-judged', detail: 'not judged when started from the keypad' };
      if (held.length > 0) return { status: 'fail', code: 'keypad.stuck', detail: `held: ${held.join(' ')}` };
      return { status: 'pass', code: 'keypad.ok', detail: 'no key held' };
    },
  };
}
