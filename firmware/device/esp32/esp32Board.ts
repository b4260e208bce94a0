/** The Moddable Two-class ESP32 board: ILI9341 panel, record log in a data partition, image in the running app partition, two OTA slots for updates, settings in NVS, keys in their own NVS partition. */
import Preference from 'preference';
import type { FlashRegionPort } from '../../core/ports';
import type { Board, BoardConfig } from '../board';
import { errorText } from '../../core/errorText';
import { devKeysAllowed } from '../keyVault';
import { MissingFlash } from '../flash/missingFlash';
import { readBoardSerial } from './boardSerial';
import { NvsKeyVault } from './nvsKeyVault';
import { openOtaSlots } from './otaSlots';
import { PartitionFlash } from './partitionFlash';
import { readResetReason } from './resetReason';
import { openRunningImage } from './runningImage';

/** Matches firmware/device/esp32/partitions.csv. */
const DEFAULT_LOG_PARTITION = 'xslog';
/** SPI_FLASH_SEC_SIZE, for the stand-in when the partition is missing. */
const SECTOR_BYTES = 4096;

export function openEsp32Board(config: BoardConfig): Board {
  const notes: string[] = [];
  const label = config.logPartition ?? DEFAULT_LOG_PARTITION;
  let flash: FlashRegionPort;
  try {
    flash = new PartitionFlash(label);
  } catch (error) {
    notes.push(`record log: ${errorText(error)} (is partitions.csv flashed?)`);
    flash = new MissingFlash(SECTOR_BYTES, `no "${label}" partition`);
  }
  const { image, problem } = openRunningImage();
  if (problem) notes.push(`firmware image: ${problem}`);
  const ota = openOtaSlots();
  notes.push(ota.note);
  const keyVault = new NvsKeyVault(devKeysAllowed(config.devKeys));
  notes.push(keyVault.note);
  return {
    name: 'esp32 (Moddable Two class)',
    panelController: 'ILI9341',
    flash,
    settingsStore: Preference,
    image,
    update: ota.slots,
    resetReason: readResetReason(),
    keyVault,
    serialNumber: readBoardSerial(),
    notes,
  };
}
