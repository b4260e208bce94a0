/**
 * Ports for the core on XS: flash, settings, crypto, display, system and trace are served by
 * the Node world across the bridge; the clock and keypad run here, inside XS, because the
 * scenario driver (also here) moves them.
 */
import { PanelImage } from '../../firmware/core/ui/panelImage';
import type {
  CryptoPort,
  DigestAlgorithm,
  DisplayPort,
  FirmwareImagePort,
  FlashRegionPort,
  KeyHandle,
  Ports,
  SettingValue,
  SettingsPort,
  SystemPort,
} from '../../firmware/core/ports';
import { PortError } from '../../firmware/core/ports';
import { QueuedNetwork } from '../ports/queuedNetwork';
import { SimKeypad } from '../ports/simDevices';
import { cardInputs } from '../scenario/cardWorld';
import { VirtualClock } from '../ports/virtualClock';
import type { SimWorld } from '../scenario/driver';
import type { Scenario } from '../scenario/schema';
import { bridgedNetworkBackend, bridgedUpdatePort, type BridgedKey, type makeCaller } from './bridge';

type Call = ReturnType<typeof makeCaller>;
/** cbor-x hands byte strings back as Uint8Array on XS (and Buffer on Node): normalise. */
const bytes = (v: unknown) => (v instanceof Uint8Array ? new Uint8Array(v) : new Uint8Array(0));

/**
 * Bridge calls that cannot change the world's power: the scenario driver's 'power' question
 * (asked after every timer that fires during an advance: a year's idle minutes, 576,000 bridge
 * calls) is answered from the last answer until a call outside this set has been made (a
 * socket write may trip an armed cut, a slot write a slot cut, a rollback powers off).
 */
const CANNOT_CUT: ReadonlySet<string> = new Set([
  'flash.read', 'flash.geometry', 'system.imageRead', 'system.seal', 'system.info', 'system.memory', 'system.resetReason',
  'crypto.digestOpen', 'crypto.digestUpdate', 'crypto.digestClose', 'crypto.verify', 'settings.get', 'display.info', 'net.link',
]);

export function bridgedWorld(bridgeCall: Call, scenario: Scenario): SimWorld {
  let power: unknown;
  const call = (<T>(p: Parameters<Call>[0], ...a: unknown[]): T => {
    if (!CANNOT_CUT.has(p)) power = undefined;
    return bridgeCall<T>(p, ...a);
  }) as Call;
  // The SNTP server tells the time from the world's time line, which this clock keeps.
  const network = new QueuedNetwork(bridgedNetworkBackend(call), (): number => clock.elapsedMs);
  const clock = new VirtualClock(scenario.rtcMs, network);
  const keypad = new SimKeypad(scenario.device.keysHeld, scenario.device.keypad);
  const geometry = call<{ byteLength: number; sectorSize: number }>('flash.geometry');
  const flash: FlashRegionPort = {
    byteLength: geometry.byteLength,
    sectorSize: geometry.sectorSize,
    read: (offset, length) => bytes(call('flash.read', offset, length)),
    write: (offset, data) => void call('flash.write', offset, data),
    eraseSector: (sector) => void call('flash.erase', sector),
  };
  const settings: SettingsPort = {
    get: (domain, key) => {
      const v = call<SettingValue | null>('settings.get', domain, key);
      return v === null ? undefined : v instanceof Uint8Array ? bytes(v) : v;
    },
    set: (domain, key, value) => void call('settings.set', domain, key, value),
    delete: (domain, key) => void call('settings.delete', domain, key),
  };
  // Key handles here stand for numbered keys held on the Node side, with the usage Node reports;
  // Node checks every use against the usage it holds (bridge.ts), so a handle here cannot widen it.
  const keyIds = new Map<KeyHandle, number>();
  const handle = (key: BridgedKey): KeyHandle => {
    const h = Object.freeze({ algorithm: key.algorithm, usage: key.usage }) as KeyHandle;
    keyIds.set(h, key.id);
    return h;
  };
  const idOf = (h: KeyHandle) => {
    const id = keyIds.get(h);
    if (id === undefined) throw new PortError('crypto', 'unknown key handle');
    return id;
  };
  const crypto: CryptoPort = {
    digest(algorithm: DigestAlgorithm) {
      const id = call<number>('crypto.digestOpen', algorithm);
      return { update: (b) => void call('crypto.digestUpdate', id, b), close: () => bytes(call('crypto.digestClose', id)) };
    },
    randomBytes: (length) => bytes(call('crypto.random', length)),
    provisionedKey(slot) {
      const found = call<BridgedKey | null>('crypto.provisioned', slot);
      return found ? handle(found) : undefined;
    },
    eraseProvisionedKey: (slot) => void call('crypto.eraseProvisioned', slot),
    importKey: (algorithm, material) => handle(call<BridgedKey>('crypto.import', algorithm, material)),
    unwrapKey: (kek, algorithm, wrapped, usage) => handle(call<BridgedKey>('crypto.unwrap', idOf(kek), algorithm, wrapped, usage)),
    checkValue: (key, method) => bytes(call('crypto.checkValue', idOf(key), method)),
    encrypt: (key, mode, data, iv) => bytes(call('crypto.encrypt', idOf(key), mode, data, iv ?? null)),
    decrypt: (key, mode, data, iv) => bytes(call('crypto.decrypt', idOf(key), mode, data, iv ?? null)),
    encipherPinBlock: (key, format, pinField, panField) => bytes(call('crypto.pinBlock', idOf(key), format, pinField, panField)),
    cbcMac: (key, data) => bytes(call('crypto.cbcMac', idOf(key), data)),
    retailMac: (key, data) => bytes(call('crypto.retailMac', idOf(key), data)),
    verifySignature: (scheme, spki, data, signature) => call<boolean>('crypto.verify', scheme, spki, data, signature),
    forgetKey(key) {
      call('crypto.forget', idOf(key));
      keyIds.delete(key);
    },
    createDeviceKey: () => bytes(call('crypto.createDeviceKey')),
    openMasterKeyEnvelope: (point, wrapped, algorithm, sharedInfo) => handle(call<BridgedKey>('crypto.openEnvelope', point, wrapped, algorithm, sharedInfo)),
    storeMasterKey: (slot, key) => void call('crypto.storeMaster', slot, idOf(key)),
    keyProtection: () => call('crypto.keyProtection'),
  };
  const info = call<{ width: number; height: number; font: Uint8Array }>('display.info');
  const panel = new PanelImage();
  const display: DisplayPort = {
    width: info.width,
    height: info.height,
    font: bytes(info.font),
    status: () => call('display.status'),
    // Screens stay on this side, as on the device (its adapter draws locally); the outcome
    // carries the captured ones back to Node.
    draw(list) {
      panel.draw(list);
    },
  };
  // What the bootloader booted changes with every power-on (an update, a rollback): read again then.
  type SysInfo = { firmwareVersion: string; serialNumber: string; buildTime: number; imageBytes: number; expectedSha256: Uint8Array | null };
  let sys = call<SysInfo>('system.info');
  let expectedSha256 = sys.expectedSha256 === null ? undefined : bytes(sys.expectedSha256);
  const image: FirmwareImagePort = {
    get byteLength() {
      return sys.imageBytes;
    },
    get expectedSha256() {
      return expectedSha256;
    },
    read: (offset, length) => bytes(call('system.imageRead', offset, length)),
    seal: () => {
      const sealed = call<Uint8Array | null>('system.seal');
      return sealed === null ? undefined : bytes(sealed);
    },
  };
  const system: SystemPort = {
    get firmwareVersion() {
      return sys.firmwareVersion;
    },
    serialNumber: sys.serialNumber,
    get buildTime() {
      return sys.buildTime;
    },
    resetReason: () => call('system.resetReason'),
    memory: () => call('system.memory'),
    image,
  };
  // The card inputs the scenario fits (unfitted otherwise), built on this side: on XS they run in XS.
  const card = cardInputs(scenario.device.reader, clock);
  const ports: Ports = {
    clock,
    flash,
    settings,
    network,
    ...card.ports,
    crypto,
    display,
    keypad,
    system,
    update: bridgedUpdatePort(call),
    trace: (line) => void call('trace', clock.uptimeMs(), line),
  };
  return {
    ports,
    clock,
    keypad,
    ...(card.slots ? { cards: card.slots } : {}),
    screen: () => panel.current,
    powerOn: () => {
      network.reset();
      call('world.powerOn');
      sys = call<SysInfo>('system.info');
      expectedSha256 = sys.expectedSha256 === null ? undefined : bytes(sys.expectedSha256);
    },
    outside: (command) => {
      if (command.do !== 'power') return call('world.outside', command);
      power ??= bridgeCall('world.outside', command);
      return power;
    },
  };
}
