/** Device-family probes: the parts a merchant touches. */
import { PANEL_HEIGHT, PANEL_WIDTH } from '../../ui/displayList';
import type { Probe } from '../types';
import { fail, pass, skip } from './outcome';

export function displayProbe(): Probe {
  return {
    id: 'device.display',
    family: 'device',
    timeoutMs: 1_000,
    async run({ ports }) {
      const { display } = ports;
      const status = display.status();
      const facts = `${status.controller}, ${display.width}×${display.height}`;
      if (!status.ready) return fail('display.no-answer', facts);
      if (display.width !== PANEL_WIDTH || display.height !== PANEL_HEIGHT)
        return fail('display.wrong-size', `${facts}, expected ${PANEL_WIDTH}×${PANEL_HEIGHT}`);
      return pass('display.ok', facts);
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
      if (trigger === 'demand') return skip('keypad.not-judged', 'not judged when started from the keypad');
      if (held.length > 0) return fail('keypad.stuck', `held: ${held.join(' ')}`);
      return pass('keypad.ok', 'no key held');
    },
  };
}
