/**
 * The terminal's states and the transitions between them:
 *
 *   boot → selftest → ready ⇄ selftest
 *                   ↘ fault ⇄ selftest
 *          ready → fault (a key wipe, at once)
 */
import { deepFreeze } from '../freeze';

export type TerminalState = 'boot' | 'selftest' | 'ready' | 'fault';

export const TRANSITIONS: Record<TerminalState, readonly TerminalState[]> = deepFreeze({
  boot: ['selftest', 'fault'],
  selftest: ['ready', 'fault'],
  // A key wipe takes the terminal out of service at once.
  ready: ['selftest', 'fault'],
  fault: ['selftest'],
});

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(readonly code: 'runtime-transition' | 'runtime-state', message: string) {
    super(message);
  }
}
