/**
 * Builds a simulated terminal from a scenario: flash (prefilled and damaged as the scenario
 * says), settings as provisioned, a firmware image with the digest its build recorded, the
 * peripherals, and the virtual clock. Node side: the XS lane's bridge serves the same world.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FirmwareImagePort, Ports, SystemPort } from '../firmware/core/ports';
import { PortError } from '../firmware/core/ports';
import { SETTINGS_DOMAIN } from '../firmware/core/config/terminalConfig';
import { createCborCodec } from '../firmware/core/store/cbor';
import { RecordLog, RecordType } from '../firmware/core/store/recordLog';
import { fromHex } from '../firmware/core/bytes';
import { parseAcquirerProfile } from '../firmware/core/config/acquirerProfile';
import { parseCapkTable } from '../firmware/core/security/caPublicKeys';
import { KeyStore, MASTER_KEY_SLOT } from '../firmware/core/security/keyStore';
import { storeCapkTable, storeCertificates } from '../firmware/core/security/provisionedData';
import { NodeCrypto } from './ports/nodeCrypto';
import { NodeNetwork } from './ports/nodeNetwork';
import { NorFlash } from './ports/norFlash';
import { SimDisplay, SimKeypad, SimSettings, unfittedCardInputs } from './ports/simDevices';
import { VirtualClock } from './ports/virtualClock';
import type { SimWorld } from './scenario/driver';
import type { Scenario } from './scenario/schema';

export const FONT_PATH = join(__dirname, '..', 'firmware', 'assets', 'ui-font.bin');

export function loadFont(): Uint8Array {
  return new Uint8Array(readFileSync(FONT_PATH));
}

/** Trace lines kept (the oldest go first). */
const TRACE_LINES = 500;

export interface NodeWorld extends SimWorld {
  flash: NorFlash;
  display: SimDisplay;
  settings: SimSettings;
  crypto: NodeCrypto;
  traceLines: string[];
  /** Keeps one trace line stamped with the uptime of whichever engine's clock produced it. */
  recordTrace(uptimeMs: number, line: string): void;
}

/** The firmware image a scenario's build produced: deterministic bytes from the seed. */
export function firmwareImage(scenario: Scenario): FirmwareImagePort {
  const bytes = new Uint8Array(scenario.firmware.imageBytes);
  for (let offset = 0, n = 0; offset < bytes.length; n++) {
    const block = createHash('sha256').update(`image:${scenario.seed}:${n}`).digest();
    bytes.set(block.subarray(0, Math.min(32, bytes.length - offset)), offset);
    offset += 32;
  }
  const expectedSha256 = scenario.firmware.digest ? new Uint8Array(createHash('sha256').update(bytes).digest()) : undefined;
  for (const at of scenario.firmware.corruptAt) bytes[at] ^= 0x20;
  return {
    byteLength: bytes.length,
    expectedSha256,
    read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) throw new PortError('flash-bounds', `image read ${offset}+${length}`);
      return bytes.slice(offset, offset + length);
    },
  };
}

/** Writes the events an older run would have left, so the log starts full. */
function prefill(flash: NorFlash, scenario: Scenario) {
  if (!scenario.flash.prefillEvents) return;
  const cbor = createCborCodec();
  const log = RecordLog.open(flash);
  const day = 24 * 3600 * 1000;
  for (let i = 0; i < scenario.flash.prefillEvents; i++) {
    const wallMs = scenario.rtcMs - 30 * day + Math.floor((i * 30 * day) / scenario.flash.prefillEvents);
    const event = i % 2
      ? { kind: 'transition', from: 'selftest', to: 'ready', cause: 'selftest-pass', uptimeMs: i * 1000, wallMs }
      : { kind: 'transition', from: 'ready', to: 'selftest', cause: 'selftest-periodic', uptimeMs: i * 1000, wallMs };
    log.append(RecordType.event, cbor.encode(event));
  }
}

/** Ciphertext of `data` under a 3DES key given in hex (the host's side of a sign-on). */
function wrap(keyHex: string, data: Uint8Array): Uint8Array {
  const cipher = createCipheriv('des-ede-ecb', fromHex(keyHex), null);
  cipher.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
}

/** The working keys a previous sign-on installed, through the firmware's own key store. */
function provisionKeys(flash: NorFlash, crypto: NodeCrypto, settings: SimSettings, scenario: Scenario) {
  const { masterKey, workingKeys, refusedBlock, masterKeyReplacedBy } = scenario.keys;
  if (!masterKey || !workingKeys) return;
  const profile = parseAcquirerProfile(scenario.terminal.profile);
  const format = {
    algorithm: 'tdes2' as const,
    kcvLength: profile.ok ? profile.value.kcvLength : 4,
    mac: profile.ok ? { algorithm: profile.value.mac, padding: profile.value.macPadding } : { algorithm: 'cup-ecb' as const, padding: 1 as const },
  };
  const block = (kcvFlip: number) =>
    new Uint8Array(
      [workingKeys.pin, workingKeys.mac, workingKeys.data].flatMap((hex) => {
        if (!hex) return [];
        const kcv = wrap(hex, new Uint8Array(8)).slice(0, format.kcvLength);
        kcv[0] ^= kcvFlip;
        return [...wrap(masterKey, fromHex(hex)), ...kcv];
      }),
    );
  const store = new KeyStore(crypto, RecordLog.open(flash), createCborCodec(), settings);
  store.install(block(0), format);
  if (refusedBlock) store.install(block(0x5a), format);
  store.forgetAll();
  if (masterKeyReplacedBy) crypto.provision(MASTER_KEY_SLOT, 'tdes2', fromHex(masterKeyReplacedBy));
}

/** Certificates and CA public keys as provisioning left them in settings. */
function provisionSecurity(settings: SimSettings, scenario: Scenario) {
  const cbor = createCborCodec();
  const { terminal, chain, root } = scenario.certificates;
  storeCertificates(settings, cbor, { terminal: terminal ? fromHex(terminal) : undefined, chain: chain.map(fromHex), root: root ? fromHex(root) : undefined });
  if (scenario.capk) storeCapkTable(settings, cbor, parseCapkTable(scenario.capk));
}

export function buildWorld(scenario: Scenario, font: Uint8Array = loadFont()): NodeWorld {
  const clock = new VirtualClock(scenario.rtcMs);
  const flash = new NorFlash({ sectors: scenario.flash.sectors, sectorSize: scenario.flash.sectorSize, seed: scenario.seed });
  prefill(flash, scenario);
  for (const d of scenario.flash.damage) flash.bytes[d.sector * scenario.flash.sectorSize + d.offset] ^= d.xor;

  const crypto = new NodeCrypto(scenario.seed, scenario.keys.masterKey ? { [MASTER_KEY_SLOT]: { algorithm: 'tdes2', key: fromHex(scenario.keys.masterKey) } } : {});
  const settings = new SimSettings();
  provisionKeys(flash, crypto, settings, scenario);

  provisionSecurity(settings, scenario);
  const { tid, mid, profile } = scenario.terminal;
  if (tid !== undefined) settings.set(SETTINGS_DOMAIN, 'tid', tid);
  if (mid !== undefined) settings.set(SETTINGS_DOMAIN, 'mid', mid);
  if (profile !== undefined) settings.set(SETTINGS_DOMAIN, 'profile', createCborCodec().encode(profile));
  settings.set(SETTINGS_DOMAIN, 'lang', scenario.lang);

  let resetReason = scenario.device.resetReason;
  const system: SystemPort = {
    firmwareVersion: scenario.firmware.version,
    buildTime: scenario.firmware.buildMs,
    resetReason: () => resetReason,
    memory: () => ({ ...scenario.device.memory }),
    image: firmwareImage(scenario),
  };
  const display = new SimDisplay(font, {
    ready: scenario.device.displayReady,
    width: scenario.device.displayWidth,
    height: scenario.device.displayHeight,
  });
  const keypad = new SimKeypad(scenario.device.keysHeld, scenario.device.keypad);
  const traceLines: string[] = [];
  const recordTrace = (uptimeMs: number, line: string) => {
    traceLines.push(`${uptimeMs} ${line}`);
    if (traceLines.length > TRACE_LINES) traceLines.shift();
  };
  const ports: Ports = {
    clock,
    flash,
    settings,
    network: new NodeNetwork(),
    ...unfittedCardInputs(),
    crypto,
    display,
    keypad,
    system,
    trace: (line) => recordTrace(clock.uptimeMs(), line),
  };
  return {
    ports,
    clock,
    keypad,
    flash,
    display,
    settings,
    crypto,
    traceLines,
    recordTrace,
    screen: () => display.current,
    powerOn: () => {
      flash.powerOn();
      resetReason = 'power-on';
    },
  };
}
