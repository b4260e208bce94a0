/**
 * Simulated peripherals that hold no Node resources, so the XS lane can run them too: the
 * keypad, the settings store, the display recorder, and the parts a scenario leaves unfitted.
 */
import { PanelImage } from '../../firmware/core/ui/panelImage';
import {
  PortError,
  type CardReaderPort,
  type CodeScannerPort,
  type InputModuleStatus,
  type ReaderCheck,
  type DisplayPort,
  type KeyCode,
  type KeypadLayout,
  type KeypadPort,
  type MagstripePort,
  type SettingValue,
  type SettingsPort,
} from '../../firmware/core/ports';
import type { DisplayList } from '../../firmware/core/ui/displayList';

export class SimKeypad implements KeypadPort {
  readonly layout: KeypadLayout;
  #onKey: ((key: KeyCode) => void) | undefined;
  #held: KeyCode[];

  /** @param layout the board the scenario simulates; the Moddable Two's one button unless it says otherwise */
  constructor(held: readonly KeyCode[] = [], layout: KeypadLayout = 'one-button') {
    this.#held = [...held];
    this.layout = layout;
  }
  start(onKey: (key: KeyCode) => void): void {
    this.#onKey = onKey;
  }
  stop(): void {
    this.#onKey = undefined;
  }
  held(): readonly KeyCode[] {
    return this.#held;
  }
  /** A press and release. */
  press(key: KeyCode): void {
    this.#onKey?.(key);
  }
  release(key: KeyCode): void {
    this.#held = this.#held.filter((k) => k !== key);
  }
}

export class SimSettings implements SettingsPort {
  readonly #values = new Map<string, SettingValue>();
  get(domain: string, key: string): SettingValue | undefined {
    const v = this.#values.get(`${domain}.${key}`);
    return v instanceof Uint8Array ? v.slice() : v;
  }
  set(domain: string, key: string, value: SettingValue): void {
    this.#values.set(`${domain}.${key}`, value instanceof Uint8Array ? value.slice() : value);
  }
  delete(domain: string, key: string): void {
    this.#values.delete(`${domain}.${key}`);
  }
}

/** Keeps the screen the core drew last; screens are captured from here. */
export class SimDisplay implements DisplayPort {
  readonly width: number;
  readonly height: number;
  readonly font: Uint8Array;
  #ready: boolean;
  readonly #panel = new PanelImage();
  draws = 0;

  constructor(font: Uint8Array, options: { width?: number; height?: number; ready?: boolean } = {}) {
    this.font = font;
    this.width = options.width ?? 240;
    this.height = options.height ?? 320;
    this.#ready = options.ready ?? true;
  }
  status() {
    return { ready: this.#ready, controller: this.#ready ? 'ILI9341 (sim)' : 'no answer' };
  }
  draw(list: DisplayList): void {
    this.draws++;
    this.#panel.draw(list);
  }
  /** What the panel shows now (a clock refresh drawn over the last whole screen). */
  get current(): DisplayList | undefined {
    return this.#panel.current;
  }
}

/** A board built without a chip-card reader (or contact slot). */
export class UnfittedReader implements CardReaderPort {
  readonly fitted = false;
  async identify(): Promise<{ model: string; firmware: string }> {
    throw new PortError('reader', 'no card reader fitted');
  }
  async selfCheck(): Promise<readonly ReaderCheck[]> {
    throw new PortError('reader', 'no card reader fitted');
  }
  async detect(): Promise<never> {
    throw new PortError('reader', 'no card reader fitted');
  }
  async transmit(): Promise<Uint8Array> {
    throw new PortError('reader', 'no card reader fitted');
  }
  release(): void {}
}

/** A board built without a magstripe module or code scanner: nothing ever arrives. */
export class UnfittedInput implements MagstripePort, CodeScannerPort {
  readonly fitted = false;
  async check(): Promise<InputModuleStatus> {
    return { ok: false, detail: 'not fitted' };
  }
  start(): void {}
  stop(): void {}
}

/** The card-input ports of a board with none fitted. */
export function unfittedCardInputs() {
  const input = new UnfittedInput();
  return { reader: new UnfittedReader(), contact: new UnfittedReader(), magstripe: input, scanner: input };
}
