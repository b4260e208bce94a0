/**
 * The one range of an activation code (issue 8, Deliver 6), for every side that reads one: the
 * keypad's code entry (ui/activationTexts.ts, runtime/views.ts), the request's codec (field 62
 * tag C3), the simulated acquirer's registry, scenario files and its request reader.
 *
 * 8 to 12 digits: what a person keys in from a letter, and what one line of the code-entry
 * screen shows in groups of four. Not a secret (shown as typed); a slot is found by its code, so
 * the acquirer limits the tries a code gets (host-sim/acquirer/terminalBook.ts).
 */
export const ACTIVATION_CODE_MIN = 8;
export const ACTIVATION_CODE_MAX = 12;

/** Whether `code` is an activation code: ACTIVATION_CODE_MIN to ACTIVATION_CODE_MAX ASCII digits. */
export function isActivationCode(code: unknown): code is string {
  if (typeof code !== 'string' || code.length < ACTIVATION_CODE_MIN || code.length > ACTIVATION_CODE_MAX) return false;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The rule in words, for errors: "8–12 digits". */
export const ACTIVATION_CODE_RULE = `${ACTIVATION_CODE_MIN}–${ACTIVATION_CODE_MAX} digits`;
