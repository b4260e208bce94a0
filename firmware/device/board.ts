/**
 * What differs between the boards this firmware runs on, and how the right one is chosen.
 *
 * The manifest's per-platform "config" names the board (mc/config `board`): "esp32" for the
 * Moddable Two-class ESP32 board, "sim" for the Moddable simulator (lin). Each board's parts
 * live in their own folder and are loaded with a dynamic import, and the manifest lists the
 * esp32 folder only in the esp32 build: the simulator build never contains a module that
 * imports `flash` or `resetReason`, which do not exist there, while both folders are still
 * type-checked by `tsc -p firmware/tsconfig.json` on every change.
 */
import type { CardReaderPort, ClockPort, FirmwareImagePort, FlashRegionPort, ReaderLinkPort, ResetReason, SettingsPort, UpdatePort } from '../core/ports';
import type { KeyVault } from './keyVault';
import type { ValueStore } from './settings';

export interface Board {
  /** For the boot trace. */
  readonly name: string;
  /** The panel controller, as the display port reports it. */
  readonly panelController: string;
  /** The record log's region. */
  readonly flash: FlashRegionPort;
  /** Where the settings port keeps its values (NVS on the board). */
  readonly settingsStore: ValueStore;
  readonly image: FirmwareImagePort;
  /** The OTA slots and the bootloader's rollback (esp32/otaSlots.ts); absent without them (the simulator, a factory-only table). */
  readonly update?: UpdatePort;
  readonly resetReason: ResetReason;
  /** Where the master key is kept for good (keyVault.ts), for the crypto adapter only. */
  readonly keyVault: KeyVault;
  /** The board's serial number, ASCII (ESP32: its eFuse base MAC), sent at activation. */
  readonly serialNumber: string;
  /** What the board found missing or odd while opening its parts; traced at boot. */
  readonly notes: readonly string[];
  /**
   * The contactless reader when the board has one, once the settings are open; absent or
   * undefined: the reader port says "not fitted". `watchLink` wraps the reader's byte link (the
   * heap watch samples its writes and reads). Only the simulator has one (sim/simBoard.ts).
   */
  readonly openReader?: (settings: SettingsPort, clock: ClockPort, watchLink?: (link: ReaderLinkPort) => ReaderLinkPort) => CardReaderPort | undefined;
}

/** The manifest config a board reads (see manifest.json). */
export interface BoardConfig {
  board?: string;
  /** ESP32: label of the record log's data partition. */
  logPartition?: string;
  /** Simulator: sectors of the RAM record-log region. */
  logSectors?: number;
  /** 1 on a dev build only: keys may be stored where flash and NVS are not encrypted (keyVault.ts). */
  devKeys?: unknown;
}

export class BoardError extends Error {
  readonly code = 'board-unknown';
  // A class field, not `this.name =`: XS freezes Error.prototype, where assigning name throws.
  override readonly name = 'BoardError';
}

/** @throws BoardError when the build names no board this firmware knows */
export async function openBoard(config: BoardConfig): Promise<Board> {
  if (config.board === 'esp32') return (await import('./esp32/esp32Board')).openEsp32Board(config);
  if (config.board === 'sim') return (await import('./sim/simBoard')).openSimBoard(config);
  throw new BoardError(`manifest config names board "${String(config.board)}"; expected "esp32" or "sim"`);
}
