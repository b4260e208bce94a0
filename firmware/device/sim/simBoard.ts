/**
 * The Moddable simulator (mcsim, lin): the skin's 240×320 screen, a RAM record-log region,
 * settings in files under /tmp/xspos-nvs/, keys in files there too (sim/simKeyVault.ts, a
 * devKeys=1 build only), a fixed serial number, and no firmware image to hash — the app is a host shared library, not an ESP-IDF image,
 * so the image port offers no bytes and no digest and the image probe says so.
 */
import { PortError, type CardReaderPort, type ClockPort, type FirmwareImagePort, type ReaderLinkPort, type SettingsPort } from '../../core/ports';
import { Pn532Reader } from '../../core/card/pn532/pn532Reader';
import type { Board, BoardConfig } from '../board';
import { RamNorFlash } from '../flash/ramNorFlash';
import { FileValueStore } from './fileValueStore';
import { devKeysAllowed } from '../keyVault';
import { SimKeyVault } from './simKeyVault';
import { TcpReaderLink } from './tcpReaderLink';
import { SimUpdateSlots } from './simUpdateSlots';

/** 4 sectors of 4 KB: the record log's minimum of 2 with room to rotate, and only 16 KB of the XS chunk heap. */
const DEFAULT_LOG_SECTORS = 4;
const SECTOR_BYTES = 4096;
/** Where the settings live (sim/fileValueStore.ts); under /tmp, the SDK's file root on lin. */
const SETTINGS_FOLDER = '/tmp/xspos-nvs/';
/** Simulator only: the master key's file, beside the settings' domain folders (sim/simMasterKey.ts). */
const SIM_MASTER_KEY_FILE = `${SETTINGS_FOLDER}master-key.bin`;
/** The simulator has no eFuse MAC: one fixed serial, "SIM" and the 12 hex digits a board would have. */
const SIM_SERIAL = 'SIM000000000001';
/**
 * Simulator only: with this setting (domain "dev", an i32 port) a PN532 reader is fitted, its
 * HSU byte stream over TCP to the host's virtual PN532 on 127.0.0.1:<port> (sim/tcpReaderLink.ts).
 */
export const SIM_READER_DOMAIN = 'dev';
export const SIM_READER_PORT_KEY = 'pn532Port';
const SIM_READER_ADDRESS = '127.0.0.1';

function openSimReader(settings: SettingsPort, clock: ClockPort, watchLink?: (link: ReaderLinkPort) => ReaderLinkPort): CardReaderPort | undefined {
  const port = settings.get(SIM_READER_DOMAIN, SIM_READER_PORT_KEY);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const link = new TcpReaderLink(SIM_READER_ADDRESS, port);
  return new Pn532Reader(watchLink ? watchLink(link) : link, clock);
}

const NO_IMAGE: FirmwareImagePort = Object.freeze({
  byteLength: 0,
  expectedSha256: undefined,
  read(offset: number, length: number): Uint8Array {
    throw new PortError('flash-bounds', `image read ${offset}+${length}: the simulator has no firmware image`);
  },
  seal: () => undefined,
});

export function openSimBoard(config: BoardConfig): Board {
  const sectors = config.logSectors ?? DEFAULT_LOG_SECTORS;
  const keyVault = new SimKeyVault(SETTINGS_FOLDER, SIM_MASTER_KEY_FILE, devKeysAllowed(config.devKeys));
  return {
    name: 'Moddable simulator',
    panelController: 'mcsim screen',
    flash: new RamNorFlash(sectors, SECTOR_BYTES),
    settingsStore: new FileValueStore(SETTINGS_FOLDER),
    image: NO_IMAGE,
    // The simulator starts from nothing each run.
    resetReason: 'power-on',
    keyVault,
    serialNumber: SIM_SERIAL,
    openReader: openSimReader,
    // The inactive update slot is a file beside the settings (sim/simUpdateSlots.ts), so an update runs and is measured in mcsim.
    update: new SimUpdateSlots(SETTINGS_FOLDER),
    notes: ['record log: RAM only, empty at each start', 'firmware image: none in the simulator, no digest to check', 'update slot: a file (/tmp/xspos-nvs/ota/slot1.bin); the running build is slot 0', keyVault.note],
  };
}
