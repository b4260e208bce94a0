/**
 * Builds the Ports object for the board this firmware was built for: one adapter per port,
 * each on the Moddable SDK module that does the job (see firmware/device/README.md).
 */
import Resource from 'Resource';
import config from 'mc/config';
import type { Ports, ReaderLinkPort, TracePort } from '../core/ports';
import { openBoard, type BoardConfig } from './board';
import { readBuildInfo } from './buildInfo';
import { ButtonKeypad } from './buttonKeypad';
import { DeviceClock } from './clock';
import { CryptCrypto } from './cryptCrypto';
import { createSystemPort } from './deviceSystem';
import { PocoDisplay } from './display/pocoDisplay';
import { errorText } from '../core/errorText';
import { NvsSettings } from './settings';
import { TcpNetwork } from './tcpNetwork';
import { UnfittedInput, UnfittedReader } from './unfitted';
import { startWifi } from './wifiRadio';

/** The UI font, linked in by the manifest's "resources" (firmware/assets/ui-font.bin). */
const FONT_RESOURCE = 'ui-font.bin';
/** Poco's default is 1 KB; 4 KB holds about 128 records, so most screens are a single band. */
const DEFAULT_DISPLAY_LIST_BYTES = 4096;

interface DeviceConfig extends BoardConfig {
  firmwareVersion?: unknown;
  buildTime?: unknown;
  displayListBytes?: number;
}

/**
 * `watchLink` (the simulator's heap watch) wraps the reader's byte link when the board has a reader.
 * @throws BuildInfoError | BoardError when the build's configuration is unusable
 */
export async function createDevicePorts(trace: TracePort, watchLink?: (link: ReaderLinkPort) => ReaderLinkPort): Promise<Ports> {
  const buildConfig = config as DeviceConfig;
  const build = readBuildInfo(buildConfig);
  const board = await openBoard(buildConfig);
  trace(`board: ${board.name}, firmware ${build.firmwareVersion}`);
  for (const note of board.notes) trace(`board: ${note}`);

  const clock = new DeviceClock();
  const settings = new NvsSettings(board.settingsStore);
  // Joins in the background: the terminal boots and shows its screens with or without a network.
  const link = startWifi(clock, settings, trace);
  const hostButton = globalThis.Host?.Button?.Default;
  const reader = board.openReader?.(settings, clock, watchLink);
  if (reader) trace('board: contactless reader fitted (PN532)');
  return {
    clock,
    flash: board.flash,
    settings,
    network: new TcpNetwork(link),
    reader: reader ?? new UnfittedReader(),
    contact: new UnfittedReader('contact card slot'),
    magstripe: new UnfittedInput('magstripe module'),
    scanner: new UnfittedInput('code scanner'),
    crypto: new CryptCrypto(board.keyVault),
    display: new PocoDisplay({
      screen: typeof screen === 'undefined' ? undefined : screen,
      font: loadFont(trace),
      controller: board.panelController,
      displayListBytes: buildConfig.displayListBytes ?? DEFAULT_DISPLAY_LIST_BYTES,
    }),
    keypad: new ButtonKeypad(clock, hostButton ? (options) => new hostButton(options) : undefined),
    system: createSystemPort(build, board),
    update: board.update,
    trace,
  };
}

/** The font resource in place (flash on the device); empty when missing, which the terminal reports. */
function loadFont(trace: TracePort): Uint8Array {
  try {
    return new Uint8Array(new Resource(FONT_RESOURCE));
  } catch (error) {
    trace(`font: ${errorText(error)}`);
    return new Uint8Array(0);
  }
}
