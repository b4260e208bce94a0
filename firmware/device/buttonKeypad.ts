/**
 * The keypad port on the board's one button (`Host.Button.Default`: GPIO0 on the Moddable
 * Two, the skin's "Default" button in the simulator). One button stands in for the two keys
 * a technician needs at the self-test screens:
 *
 *   short press (released before 1.5 s)  → 'down'  next self-test report page
 *   long press  (held for 1.5 s)         → 'menu'  run the self-test now; fires at 1.5 s, while
 *                                                  still held, and the release then sends nothing
 *
 * `held()` reports the button as 'down' while it is pressed, so a button held or stuck at boot
 * fails the keypad probe. On the simulator the button's state is unknown until its first
 * event, so it reads as up at boot.
 *
 * A full PIN keypad is a different adapter for the same port, not a change to this one: a key
 * matrix on ECMA-419 Digital pins (rows as Output, columns as InputPullUp with edge
 * interrupts, one row driven low at a time while scanning), mapping each row/column to a
 * KeyCode. See firmware/device/README.md.
 */
import type { ClockPort, KeyCode, KeypadPort, TimerToken } from '../core/ports';

export const LONG_PRESS_MS = 1500;
/** GPIO0's contact bounces; a press shorter than this is noise, not a key. */
export const DEBOUNCE_MS = 30;

/** The button's key while it is down (for held()). */
const BUTTON_KEY: KeyCode = 'down';

export class ButtonKeypad implements KeypadPort {
  readonly layout = 'one-button';
  readonly #clock: ClockPort;
  readonly #button: HostButton | undefined;
  #onKey: ((key: KeyCode) => void) | undefined;
  #pressedAt: number | undefined;
  #longPress: TimerToken | undefined;
  /** The current press already sent 'menu'. */
  #consumed = false;

  /** @param makeButton creates the board's button with our handler; undefined when the board has none */
  constructor(clock: ClockPort, makeButton: ((options: HostButtonOptions) => HostButton) | undefined) {
    this.#clock = clock;
    const keypad = this;
    this.#button = makeButton?.({
      onPush(pressed) {
        if (pressed) keypad.#press();
        else keypad.#release();
      },
    });
  }

  start(onKey: (key: KeyCode) => void): void {
    this.#onKey = onKey;
  }

  stop(): void {
    this.#onKey = undefined;
    this.#cancelLongPress();
  }

  held(): readonly KeyCode[] {
    return this.#button?.read() ? [BUTTON_KEY] : [];
  }

  #press() {
    if (this.#pressedAt !== undefined) return; // a repeated edge of the same press
    this.#pressedAt = this.#clock.uptimeMs();
    this.#consumed = false;
    this.#longPress = this.#clock.setTimer(LONG_PRESS_MS, () => {
      this.#longPress = undefined;
      this.#consumed = true;
      this.#onKey?.('menu');
    });
  }

  #release() {
    const pressedAt = this.#pressedAt;
    if (pressedAt === undefined) return;
    this.#pressedAt = undefined;
    this.#cancelLongPress();
    if (!this.#consumed && this.#clock.uptimeMs() - pressedAt >= DEBOUNCE_MS) this.#onKey?.('down');
  }

  #cancelLongPress() {
    if (this.#longPress) this.#clock.clearTimer(this.#longPress);
    this.#longPress = undefined;
  }
}
