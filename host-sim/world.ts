/**
 * Builds a simulated terminal from a scenario: flash (prefilled and damaged as the scenario
 * says), settings as provisioned, the two update slots (slot 0: the scenario's firmware image,
 * sealed by the demo vendor key; the bootloader picks what boots, host-sim/update/otaSlots.ts),
 * the update server when the scenario runs one, the peripherals, and the virtual clock.
 * Node side: the XS lane's bridge serves the same world.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ports, ResetReason, SystemPort, UpdatePort } from '../firmware/core/ports';
import { PortError } from '../firmware/core/ports';
import { SETTINGS_DOMAIN } from '../firmware/core/config/terminalConfig';
import { UPDATE_SETTINGS } from '../firmware/core/update/updateSettings';
import { createCborCodec } from '../firmware/core/store/cbor';
import { RecordLog, RecordType } from '../firmware/core/store/recordLog';
import { fromHex } from '../firmware/core/bytes';
import { parseAcquirerProfile } from '../firmware/core/config/acquirerProfile';
import { parseCapkTable } from '../firmware/core/security/caPublicKeys';
import { KeyStore, MASTER_KEY_SLOT } from '../firmware/core/security/keyStore';
import { CERTS_DOMAIN, storeCapkTable, storeCertificates } from '../firmware/core/security/provisionedData';
import { HOST_ROOT_SETTING } from '../firmware/core/runtime/acquirerLink';
import { NodeCrypto } from './ports/nodeCrypto';
import { isIPv4 } from 'node:net';
import { startAcquirer, type Acquirer } from './acquirer/server';
import { DirectNetwork } from './ports/directNetwork';
import { issueAcquirerTls, type AcquirerTls } from './acquirer/tlsCertificates';
import { Loopback } from './ports/loopbackLedger';
import { QueuedNetwork } from './ports/queuedNetwork';
import { SimNetwork } from './ports/simNetwork';
import { runScenario, type SimWorld, type AcquirerLine, type OutsideCommand, type ScenarioOutcome } from './scenario/driver';
import { ScenarioError } from './scenario/fields';
import { DEMO_MASTER_KEY } from './scenario/schema';
import { NorFlash } from './ports/norFlash';
import { SimDisplay, SimKeypad, SimSettings } from './ports/simDevices';
import { cardInputs } from './scenario/cardWorld';
import { VirtualClock } from './ports/virtualClock';
import type { Scenario } from './scenario/schema';
import { OtaSlots, SEAL_BYTES, type BootedImage } from './update/otaSlots';
import { makeImage, sha256 } from './update/makeImage';
import { startUpdateServer, type UpdateServer } from './update/updateServer';
import { SIM_BOARD } from './update/simImage';

export const FONT_PATH = join(__dirname, '..', 'firmware', 'assets', 'ui-font.bin');

export function loadFont(): Uint8Array {
  return new Uint8Array(readFileSync(FONT_PATH));
}

/** Trace lines kept (the oldest go first). */
const TRACE_LINES = 500;

export interface NodeWorld extends SimWorld {
  /** The network behind the terminal's port (real sockets). */
  network: SimNetwork;
  /** The simulated acquirer, when the scenario has one (startWorld). */
  acquirer: Acquirer | undefined;
  /** The acquirer's TLS root (DER) when it listens with TLS. */
  acquirerRoot: Uint8Array | undefined;
  /** Stops the acquirer: every world startWorld made must be closed. */
  close(): Promise<void>;
  flash: NorFlash;
  display: SimDisplay;
  settings: SimSettings;
  crypto: NodeCrypto;
  traceLines: string[];
  /** The two OTA slots and the otadata the bootloader reads. */
  slots: OtaSlots;
  /** The scenario's update server, when it runs one. */
  updateServer: UpdateServer | undefined;
  /** The power goes now (tests: a cut between two flash ops): the board stops until the next power-on. */
  cutPower(): void;
  /** Keeps one trace line stamped with the uptime of whichever engine's clock produced it. */
  recordTrace(uptimeMs: number, line: string): void;
}

/** The update server's name and address as the terminal sees them (routed to the real ephemeral port). */
export const UPDATE_HOST = 'updates.xspos.test';
const UPDATE_ADDRESS = '127.0.0.80';
const UPDATE_PORT = 8080;
/** The terminal's update URL setting when the scenario runs an update server. */
export const UPDATE_URL = `http://${UPDATE_HOST}:${UPDATE_PORT}/fw/`;
const SLOT_GRANULE = 64 * 1024;

/** The image a scenario's build produced (slot 0 at the factory): a sim image, sealed by the demo vendor key unless the scenario says not. */
export function factoryImage(scenario: Scenario) {
  const { version, buildMs, imageBytes, digest, sealed } = scenario.firmware;
  return makeImage({ version, buildTime: buildMs, bytes: imageBytes, hash: digest, seed: scenario.seed, sealed });
}

/** Slot bytes: the largest image the scenario holds or offers, rounded up to 64 KB, and the seal's sector. */
export function slotBytesFor(scenario: Scenario): number {
  const largest = Math.max(scenario.firmware.imageBytes, ...(scenario.update?.server?.images.map((i) => i.bytes) ?? []));
  return Math.ceil(largest / SLOT_GRANULE) * SLOT_GRANULE + SEAL_BYTES;
}

/** A board's serial number when the scenario names none: 12 hex digits from the seed, like the device's efuse MAC. */
export function simSerial(seed: number): string {
  return createHash('sha256').update(`xspos-serial:${seed}`).digest('hex').slice(0, 12).toUpperCase();
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

/** An acquirer started for a world, with the ledger its connections report to. */
interface Attached {
  acquirer: Acquirer;
  loopback: Loopback;
  tls: AcquirerTls | undefined;
}

/** The update server started for a world. */
interface AttachedUpdate {
  server: UpdateServer;
  loopback: Loopback;
}

/** Starts the scenario's update server, if it has one, reporting to `loopback`. */
async function startScenarioUpdateServer(scenario: Scenario, loopback: Loopback): Promise<AttachedUpdate | undefined> {
  const spec = scenario.update?.server;
  if (!spec) return undefined;
  const offers = spec.images.map((i) => {
    const made = makeImage({ version: i.version, buildTime: i.builtMs, bytes: i.bytes, board: i.board, behaviour: i.behaviour, security: i.security, minVersion: i.minVersion, seed: scenario.seed, sealed: i.sealed });
    // An unsealed offer is served a seal of nothing (the terminal refuses it as malformed).
    return { version: i.version, image: made.image, seal: made.seal ?? new Uint8Array(0) };
  });
  const server = await startUpdateServer({ board: SIM_BOARD, offers, faults: spec.faults, ledger: loopback });
  return { server, loopback };
}

/** One test PKI per process: both lanes of a parity run trust the same root. */
let acquirerTls: AcquirerTls | undefined;

/**
 * Builds the world and, when the scenario has one, starts its acquirer first (ephemeral ports
 * on 127.0.0.1; the terminal's profile keeps its own ports, which the network routes there).
 * @throws ScenarioError for an acquirer the scenario cannot have (a bad profile)
 */
export async function startWorld(scenario: Scenario, font?: Uint8Array): Promise<NodeWorld> {
  const spec = scenario.acquirer;
  if (!spec) {
    const update = await startScenarioUpdateServer(scenario, new Loopback());
    return buildWorld(scenario, font, undefined, update);
  }
  const parsed = parseAcquirerProfile(spec.profile ?? scenario.terminal.profile);
  if (!parsed.ok) throw new ScenarioError(spec.profile === undefined ? 'terminal.profile' : 'acquirer.profile', `the acquirer cannot serve it: ${parsed.error.message}`);
  const tls = spec.tls ? (acquirerTls ??= issueAcquirerTls()) : undefined;
  const loopback = new Loopback();
  const { tid = '', mid = '' } = scenario.terminal;
  const acquirer = await startAcquirer(
    {
      profile: parsed.value,
      terminals: spec.terminals ?? [{ tid, mid, masterKey: scenario.keys.masterKey ?? DEMO_MASTER_KEY, status: 'activated', merchantStatus: 'ok' }],
      seed: scenario.seed,
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    },
    { ledger: loopback, now: () => loopback.nowWallMs },
  );
  acquirer.addFaults(spec.faults);
  const update = await startScenarioUpdateServer(scenario, loopback);
  return buildWorld(scenario, font, { acquirer, loopback, tls }, update);
}

/** Runs `scenario` in a world of its own (its acquirer started and closed around the run). */
export async function runInWorld(scenario: Scenario, font?: Uint8Array): Promise<{ outcome: ScenarioOutcome; world: NodeWorld }> {
  const world = await startWorld(scenario, font);
  try {
    return { outcome: await runScenario(scenario, world), world };
  } finally {
    await world.close();
  }
}

/** "address:port" of each host the profile names → the acquirer's port for it. */
function routes(scenario: Scenario, attached: Attached | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  const raw = scenario.acquirer?.profile ?? scenario.terminal.profile;
  const hosts = (raw as { hosts?: unknown } | undefined)?.hosts;
  if (!attached || !Array.isArray(hosts)) return out;
  hosts.forEach((h: { host?: unknown; port?: unknown }, i) => {
    if (typeof h?.host !== 'string' || typeof h.port !== 'number' || attached.acquirer.ports[i] === undefined) return;
    const address = isIPv4(h.host) ? h.host : scenario.network.dns[h.host.toLowerCase()];
    if (address) out[`${address}:${h.port}`] = attached.acquirer.ports[i];
  });
  return out;
}

/** The 0200 at the start of a write: MTI (2 BCD bytes) after length, TPDU and the dialect's header. */
function startsRequest(bytes: Uint8Array, headerLength: number, mti: string): boolean {
  const at = 2 + 5 + headerLength;
  return bytes.length >= at + 2 && ((bytes[at] << 8) | bytes[at + 1]).toString(16).padStart(4, '0') === mti;
}

/** The acquirer of a world built without startWorld, and the network that reaches it. */
function directAcquirer(scenario: Scenario): DirectNetwork | undefined {
  const spec = scenario.acquirer;
  const parsed = parseAcquirerProfile(spec?.profile ?? scenario.terminal.profile);
  if (!spec || !parsed.ok) return undefined;
  const { tid = '', mid = '' } = scenario.terminal;
  const started = startAcquirer(
    { profile: parsed.value, terminals: spec.terminals ?? [{ tid, mid, masterKey: scenario.keys.masterKey ?? DEMO_MASTER_KEY, status: 'activated', merchantStatus: 'ok' }], seed: scenario.seed },
    { unref: true, now: () => Date.now() },
  ).then((acquirer) => {
    acquirer.addFaults(spec.faults);
    return acquirer.ports;
  });
  return new DirectNetwork(started, parsed.value.hosts);
}

/**
 * Builds the world; pass what startWorld started. A scenario with an acquirer built without it
 * gets one reached directly (unit tests); scenarios run through startWorld/runInWorld.
 */
export function buildWorld(scenario: Scenario, font: Uint8Array = loadFont(), attached?: Attached, update?: AttachedUpdate): NodeWorld {
  // Without the driver (a unit test awaiting the terminal itself), the acquirer is started here
  // and reached over plain loopback TCP, events as they come; it never keeps the process alive.
  const direct = scenario.acquirer && !attached ? directAcquirer(scenario) : undefined;
  const network = new SimNetwork({
    linkUp: scenario.network.linkUp,
    // The update server's name resolves in every world that runs one.
    dns: update ? { [UPDATE_HOST]: UPDATE_ADDRESS, ...scenario.network.dns } : scenario.network.dns,
    unreachable: scenario.network.unreachable,
    ...(scenario.network.sntp ? { sntp: scenario.network.sntp } : {}),
    routes: { ...routes(scenario, attached), ...(update ? { [`${UPDATE_ADDRESS}:${UPDATE_PORT}`]: update.server.port } : {}) },
    ledger: attached?.loopback ?? update?.loopback,
    peerQuiet: attached || update ? () => (attached ? attached.acquirer.quiet() : true) && (update ? update.server.quiet() : true) : undefined,
  });
  // The SNTP server tells the time from the world's time line, which the clock keeps.
  const queued = new QueuedNetwork(network, (): number => clock.elapsedMs);
  const clock = new VirtualClock(scenario.rtcMs, queued);
  const flash = new NorFlash({ sectors: scenario.flash.sectors, sectorSize: scenario.flash.sectorSize, seed: scenario.seed });
  prefill(flash, scenario);
  for (const d of scenario.flash.damage) flash.bytes[d.sector * scenario.flash.sectorSize + d.offset] ^= d.xor;

  const crypto = new NodeCrypto(
    scenario.seed,
    scenario.keys.masterKey ? { [MASTER_KEY_SLOT]: { algorithm: 'tdes2', key: fromHex(scenario.keys.masterKey) } } : {},
    scenario.device.keyProtection,
  );
  const settings = new SimSettings();
  provisionKeys(flash, crypto, settings, scenario);

  provisionSecurity(settings, scenario);
  // A TLS acquirer: the terminal's trust anchor for it, as provisioning stores it (acquirerLink.ts).
  if (attached?.tls) settings.set(CERTS_DOMAIN, HOST_ROOT_SETTING, attached.tls.rootDer);
  const { tid, mid, profile } = scenario.terminal;
  if (tid !== undefined) settings.set(SETTINGS_DOMAIN, 'tid', tid);
  if (mid !== undefined) settings.set(SETTINGS_DOMAIN, 'mid', mid);
  if (profile !== undefined) settings.set(SETTINGS_DOMAIN, 'profile', createCborCodec().encode(profile));
  settings.set(SETTINGS_DOMAIN, 'lang', scenario.lang);
  // The update settings (update/updateSettings.ts).
  if (scenario.update) {
    const { domain } = UPDATE_SETTINGS;
    if (update) settings.set(domain, UPDATE_SETTINGS.url, UPDATE_URL);
    if (scenario.update.hour !== undefined) settings.set(domain, UPDATE_SETTINGS.hour, scenario.update.hour);
    if (scenario.update.enabled !== undefined) settings.set(domain, UPDATE_SETTINGS.enabled, scenario.update.enabled);
  }

  let resetReason: ResetReason = scenario.device.resetReason;
  /** The reset reason the next power-on reports: a software restart (the diagnosis's restart step, a rollback), a crash, else power-on. */
  let nextReset: ResetReason = 'power-on';
  /** 'on'; 'armed' for the 0200 cut; 'cut' once power went (until the next power-on); 'restart' once the board restarted itself (rollback). */
  let power: 'on' | 'armed' | 'cut' | 'restart' = 'on';
  /** The board stopped mid-run (a cut in the slots, a rollback's restart): its trace lines go nowhere. */
  let halted = false;
  /** Stops the board at once, as a power cut or a restart stops the CPU: the log's flash and the network die with it. */
  const halt = (how: 'cut' | 'restart') => {
    power = how;
    halted = true;
    if (how === 'restart') nextReset = 'software';
    if (flash.powered) {
      flash.cutPowerAfter(0);
      try {
        flash.eraseSector(0);
      } catch {
        /* an erase cut at its first byte leaves the sector as it was: only the power goes */
      }
    }
    network.powerOff();
  };
  // The update slots: slot 0 holds the scenario's image, the bootloader picks what boots.
  const slots = new OtaSlots({ slotBytes: slotBytesFor(scenario), sha256, seed: scenario.seed, onPowerCut: () => halt('cut'), onRestart: () => halt('restart') });
  const factory = factoryImage(scenario);
  slots.install(0, factory.image, factory.seal);
  /** Runs the bootloader until it boots (a cut during its own otadata write powers the board on again). */
  const bootloader = (): BootedImage => {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const booted = slots.bootloader();
        if (!booted) throw new ScenarioError('firmware', 'the bootloader found no bootable image in either slot');
        return booted;
      } catch (error) {
        if (!(error instanceof PortError) || error.code !== 'flash-power') throw error;
        slots.powerOn();
        resetReason = 'power-on';
      }
    }
    throw new ScenarioError('firmware', 'the board never got past its bootloader');
  };
  let booted = bootloader();
  // A corrupted image: bits flipped after the bootloader checked it (flash decaying under the running image).
  for (const at of scenario.firmware.corruptAt) slots.corrupt(0, at, 0x20);
  let runningImage = slots.runningImage();
  const memory = scenario.device.memory;
  const system: SystemPort = {
    get firmwareVersion() {
      return booted.header.version;
    },
    serialNumber: scenario.device.serial ?? simSerial(scenario.seed),
    get buildTime() {
      return booted.header.buildTime;
    },
    resetReason: () => resetReason,
    // An image whose self-test fails: a build that leaks its heap at start (the memory probe fails as it would on the board).
    memory: () => (booted.header.behaviour === 'selftest-fails' ? { ...memory, chunkFree: 4 * 1024, slotsFree: 200 } : { ...memory }),
    get image() {
      return runningImage;
    },
  };
  // The update port of whichever boot is running (the bootloader's choice).
  const updatePort: UpdatePort = {
    board: slots.board,
    slotBytes: slots.slotBytes,
    sectorSize: slots.sectorSize,
    running: () => slots.port().running(),
    eraseSector: (index) => slots.port().eraseSector(index),
    write: (offset, data) => slots.port().write(offset, data),
    read: (offset, length) => slots.port().read(offset, length),
    activate: () => slots.port().activate(),
    markValid: () => slots.port().markValid(),
    rollback: () => slots.port().rollback(),
  };
  const display = new SimDisplay(font, {
    ready: scenario.device.displayReady,
    width: scenario.device.displayWidth,
    height: scenario.device.displayHeight,
  });
  const keypad = new SimKeypad(scenario.device.keysHeld, scenario.device.keypad);
  const traceLines: string[] = [];
  const recordTrace = (uptimeMs: number, line: string) => {
    if (halted) return;
    traceLines.push(`${uptimeMs} ${line}`);
    if (traceLines.length > TRACE_LINES) traceLines.shift();
  };
  // The card inputs the scenario fits (unfitted otherwise), built on this side: on XS they run in XS.
  const card = cardInputs(scenario.device.reader, clock);
  const ports: Ports = {
    clock,
    flash,
    settings,
    network: direct ?? queued,
    ...card.ports,
    crypto,
    display,
    keypad,
    system,
    update: updatePort,
    trace: (line) => recordTrace(clock.uptimeMs(), line),
  };
  const header = parseAcquirerProfile(scenario.terminal.profile);
  const headerLength = header.ok ? header.value.header.length / 2 : 6;
  network.onWrite = (bytes) => {
    if (power !== 'armed' || !startsRequest(bytes, headerLength, '0200')) return;
    power = 'cut';
    flash.cutPowerAfter(0);
    network.powerOff();
  };
  const outside = (command: OutsideCommand): unknown => {
    switch (command.do) {
      case 'faults':
        if (!attached) throw new ScenarioError('acquirer', 'the scenario has no acquirer to add faults to');
        attached.acquirer.addFaults(command.faults);
        return null;
      case 'link':
        network.setLink(command.up);
        return null;
      case 'arm-power-cut':
        power = 'armed';
        return null;
      case 'power':
        return power === 'armed' ? 'on' : power;
      case 'software-restart':
        nextReset = 'software';
        return null;
      case 'reset':
        nextReset = command.reason;
        return null;
      case 'image':
        return { slot: booted.slot, version: booted.header.version, behaviour: booted.header.behaviour, state: slots.runningState() };
      case 'arm-slots-cut':
        slots.armCut(command.afterOps);
        return null;
      case 'update-server':
        if (!update) throw new ScenarioError('update.server', 'the scenario has no update server');
        update.server.faults = command.faults;
        return null;
      case 'update-server-log':
        return (update?.server.log ?? []).map((r) => ({ ...r }));
      case 'acquirer-log':
        return (attached?.acquirer.log ?? []).flatMap((e): AcquirerLine[] =>
          e.direction === 'note' ? [] : [{ host: e.host, direction: e.direction, mti: e.mti, stan: e.stan, tid: e.tid, code: e.code, fault: e.fault }]);
    }
  };
  return {
    ports,
    clock,
    keypad,
    network,
    ...(card.slots ? { cards: card.slots } : {}),
    acquirer: attached?.acquirer,
    acquirerRoot: attached?.tls?.rootDer,
    outside,
    close: async () => {
      network.powerOff();
      await network.collect(clock.wallMs()).catch(() => undefined);
      await attached?.acquirer.close();
      await update?.server.close();
    },
    slots,
    updateServer: update?.server,
    cutPower: () => halt('cut'),
    flash,
    display,
    settings,
    crypto,
    traceLines,
    recordTrace,
    screen: () => display.current,
    powerOn: () => {
      network.powerOff();
      queued.reset();
      network.powerOn();
      power = 'on';
      halted = false;
      flash.powerOn();
      slots.powerOn();
      resetReason = nextReset;
      nextReset = 'power-on';
      booted = bootloader();
      runningImage = slots.runningImage();
    },
  };
}
