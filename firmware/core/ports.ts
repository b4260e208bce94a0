/**
 * The ports: everything the engine-neutral core needs from the world.
 *
 * The core never touches Node, the DOM or the Moddable SDK. Time, timers, flash, sockets,
 * the card reader, the code scanner, keys, the screen, the keypad and facts about the running
 * system all reach it through these interfaces. `firmware/device` implements them with
 * Moddable/ECMA-419 modules; `host-sim` implements them in Node (and bridges them to XS in
 * the XS lane).
 *
 * Conventions, after ECMA-419: one options object, callbacks rather than emitters, nothing
 * fires after `close()`. Bytes are always `Uint8Array`.
 */
import type { DisplayList } from './ui/displayList';

/** A failure reported by an adapter. `code` is stable and machine-readable. */
export class PortError extends Error {
  // A field, not `this.name = …`: on the device the preloaded Error.prototype is frozen and
  // assigning over its read-only `name` throws (the "override mistake"). Every error class does this.
  override readonly name = 'PortError';
  constructor(readonly code: PortErrorCode, message: string) {
    super(message);
  }
}
export type PortErrorCode =
  | 'flash-bounds' // offset or length outside the region
  | 'flash-program' // a write tried to set a bit that is 0 (NOR can only clear bits)
  | 'flash-power' // power was cut during the operation (host-sim fault injection)
  | 'flash-io' // the driver reported an error
  | 'socket' // connect/read/write failed
  | 'reader' // the card reader did not answer or refused the command
  | 'crypto' // unknown key, bad length, unsupported algorithm
  | 'display' // the panel driver did not answer
  | 'settings' // a preference could not be read or written
  | 'update'; // the update slots or the bootloader refused (no inactive slot, an image the bootloader rejects)

// ---------------------------------------------------------------------------------------
// Clock and timers

/** Opaque timer token; only the clock that issued it understands it. */
export type TimerToken = { readonly __timer: true };

export interface ClockPort {
  /** Milliseconds since boot, monotonic, never goes back. */
  uptimeMs(): number;
  /** The real-time clock, ms since 1970-01-01T00:00Z. It may be wrong: the RTC probe judges it. */
  wallMs(): number;
  /**
   * Sets the real-time clock to `ms` since 1970 (the diagnosis's set-clock step, after SNTP).
   * Uptime and timers are unaffected: they run on uptime. The device's RTC keeps whole seconds.
   */
  setWallMs(ms: number): void;
  /** Calls `callback` once after `delayMs` of uptime. */
  setTimer(delayMs: number, callback: () => void): TimerToken;
  /** Cancels a timer; a cleared or fired token is ignored. */
  clearTimer(token: TimerToken): void;
}

// ---------------------------------------------------------------------------------------
// NOR flash

/**
 * A region of NOR flash reserved for the record log. Erase sets a sector to 0xFF; a write
 * can only clear bits (1→0). Offsets are relative to the region.
 */
export interface FlashRegionPort {
  readonly byteLength: number;
  /** Erase unit in bytes; `byteLength` is a whole number of sectors. */
  readonly sectorSize: number;
  /** @throws PortError 'flash-bounds' | 'flash-io' */
  read(offset: number, length: number): Uint8Array;
  /** @throws PortError 'flash-bounds' | 'flash-program' | 'flash-power' | 'flash-io' */
  write(offset: number, bytes: Uint8Array): void;
  /** @throws PortError 'flash-bounds' | 'flash-power' | 'flash-io' */
  eraseSector(sector: number): void;
}

// ---------------------------------------------------------------------------------------
// Settings (preferences / NVS)

export type SettingValue = string | number | boolean | Uint8Array;

/** Small key/value settings that survive power loss (ESP32 NVS via Moddable `preference`). */
export interface SettingsPort {
  get(domain: string, key: string): SettingValue | undefined;
  /** @throws PortError 'settings' */
  set(domain: string, key: string, value: SettingValue): void;
  delete(domain: string, key: string): void;
}

// ---------------------------------------------------------------------------------------
// TCP (the acquirer link)

export interface TcpOptions {
  host: string;
  port: number;
  onConnect(): void;
  /** Bytes as they arrive; framing is the caller's job. */
  onReadable(bytes: Uint8Array): void;
  /** Connection failed or broke. Nothing fires after this. */
  onError(error: PortError): void;
  /** The peer closed the connection. Nothing fires after this. */
  onClose(): void;
  /**
   * TLS 1.2 or later over this connection (the device's SecureSocket defaults to 1.1, so the
   * adapter sets 1.2 explicitly). `ca` is the trust anchor, DER; `serverName` is checked.
   */
  tls?: { serverName: string; ca: Uint8Array };
}
export interface TcpConnection {
  /** @throws PortError 'socket' when the connection is not open */
  write(bytes: Uint8Array): void;
  close(): void;
}
export interface NetworkPort {
  /** Link-layer state: Wi-Fi associated / Ethernet cable up, with an address. */
  link(): { up: boolean; address?: string };
  /** Resolves a host name (an IPv4 literal resolves to itself); `address` undefined when it cannot. */
  resolve(name: string, callback: (address: string | undefined) => void): void;
  connect(options: TcpOptions): TcpConnection;
  /**
   * Asks SNTP server `host` (RFC 4330, UDP port 123) for the time; `callback` runs once, in a
   * later job, with the server's transmit time in ms since 1970, or undefined and why not (no
   * link, a name that does not resolve, no answer after the adapter's retries). Absent on a
   * board with no UDP: the set-clock step is then refused. A port call rather than a core
   * client over a UDP port: the device's SDK has its own client (modules/network/sntp, with
   * its resolve, retries and mode/kiss-o'-death checks), so the core needs no UDP port at all.
   * An adapter whose ask holds a socket or timers returns a handle to end it early.
   */
  sntp?(host: string, callback: (wallMs: number | undefined, detail: string) => void): SntpAsk | void;
}

/** An SNTP ask under way: `cancel()` ends it (its socket and timers closed); `callback` never runs after. */
export interface SntpAsk {
  cancel(): void;
}

// ---------------------------------------------------------------------------------------
// Card readers (contactless through a PN532-class reader IC, contact through an ISO 7816 slot),
// the magstripe module and the code scanner

export type CardPresence =
  | { kind: 'none' }
  | { kind: 'contact'; atr: Uint8Array }
  | { kind: 'contactless'; uid: Uint8Array };

/** One of the reader's own tests (PN532 Diagnose and SAMConfiguration; a contact slot's power-up). */
export interface ReaderCheck {
  test: 'firmware' | 'line' | 'rom' | 'ram' | 'antenna' | 'sam';
  ok: boolean;
  /** What was seen, for the technician (never card data). */
  detail: string;
}

export interface CardReaderPort {
  /** False on a board built without this reader: probes skip it and no sale waits for it. */
  readonly fitted: boolean;
  /** Asks the reader IC who it is; rejects with PortError 'reader' when it does not answer. */
  identify(): Promise<{ model: string; firmware: string }>;
  /**
   * Runs the reader's own tests (PN532: firmware version, communication line echo, ROM, RAM,
   * antenna, SAM configuration) and reports each; rejects with PortError 'reader' only when the
   * reader does not answer at all.
   */
  selfCheck(): Promise<readonly ReaderCheck[]>;
  /** Powers the field / contacts and reports what is there (one poll, bounded by the reader's retries). */
  detect(): Promise<CardPresence>;
  /** Sends one command APDU, resolves with the response APDU (data ‖ SW1 SW2); PortError 'reader' on a lost card or link. */
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /**
   * Powers the card down. A reader that does it in the background (a command to its chip) may
   * return a promise that settles, never rejecting, once it is done: a card sale awaits it before
   * going online, so the host part holds none of that command (docs/memory.md, issue 10).
   */
  release(): void | Promise<void>;
}

/**
 * The byte link to a reader IC: PN532 HSU (UART, 115,200 8N1) or I2C (address 0x24). The I2C
 * adapter hides the ready byte and the polling, so both are byte streams to the core's driver.
 */
export interface ReaderLinkPort {
  readonly kind: 'hsu' | 'i2c';
  /** Starts delivering received bytes, in chunks of any size, to `onBytes` until `close()`. */
  open(onBytes: (bytes: Uint8Array) => void): void;
  /** @throws PortError 'reader' when the link is closed or the bus refuses */
  write(bytes: Uint8Array): void;
  close(): void;
}

/** A serial input module's state for the self-test. */
export interface InputModuleStatus {
  ok: boolean;
  /** What was seen (model, a framing error count…), never card data. */
  detail: string;
}

export interface MagstripePort {
  /** False on a board built without a magstripe module. */
  readonly fitted: boolean;
  /** Whether the module is there and its line is healthy. */
  check(): Promise<InputModuleStatus>;
  /** Calls `onSwipe` with the raw track 2 characters of each swipe (`;…=…?` as the module sends it) until `stop()`. */
  start(onSwipe: (track2: string) => void): void;
  stop(): void;
}

// ---------------------------------------------------------------------------------------
// Serial code scanner (customers' payment QR codes)

export interface CodeScannerPort {
  /** False on a board built without a code scanner. */
  readonly fitted: boolean;
  /** Whether the scanner is there and its line is healthy. */
  check(): Promise<InputModuleStatus>;
  /** Calls `onCode` with each decoded symbol's bytes (one scan = one call) until `stop()`. */
  start(onCode: (bytes: Uint8Array) => void): void;
  stop(): void;
}

// ---------------------------------------------------------------------------------------
// Crypto: keys are handles, never bytes, on the core's side of this line.

export type DigestAlgorithm = 'SHA-1' | 'SHA-256';
/** Signature schemes of X.509 certificates a terminal meets (ECDSA signatures DER-encoded, as X.509 carries them). */
export type SignatureScheme = 'rsa-pkcs1-sha1' | 'rsa-pkcs1-sha256' | 'rsa-pkcs1-sha384' | 'ecdsa-sha256' | 'ecdsa-sha384';
/** Single DES survives only for acquirers that still send single-length keys (profile `legacySingleDes`). */
export type KeyAlgorithm = 'des' | 'tdes2' | 'tdes3' | 'aes128' | 'aes192' | 'aes256';
export type CipherMode = 'ecb' | 'cbc';

/**
 * What a key may be used for (ANSI X9.24 / ISO 11568 key separation). The adapter refuses any
 * operation its key's usage does not allow; the table is `security/keyUsage.ts`.
 * - master: the terminal master key; only the KEK of `unwrapKey`.
 * - pin, mac, data: working keys unwrapped at sign-on; PIN blocks, MACs, data encryption.
 * - test: keys given in the clear (`importKey`: known answers, the toolbox); anything but a KEK.
 * Every usage may give its check value (`checkValue`).
 */
export type KeyUsage = 'master' | 'pin' | 'mac' | 'data' | 'test';
/** The usages a key unwrapped under the master key can have. */
export type WorkingKeyUsage = 'pin' | 'mac' | 'data';
/** Key check value methods: E(K, 0ⁿ) (ANSI X9.24-1 for 3DES), or CMAC(K, 0ⁿ) (X9.24-1:2017 for AES). */
export type CheckValueMethod = 'zeros' | 'cmac';
/** ISO 9564-1 PIN block formats: 0 (DES family, 8-byte fields), 4 (AES, 16-byte fields). */
export type PinBlockFormat = 0 | 4;

/** A key held by the crypto adapter. The core can use it, never read it. */
export type KeyHandle = { readonly __key: true; readonly algorithm: KeyAlgorithm; readonly usage: KeyUsage };

export interface DigestContext {
  update(bytes: Uint8Array): void;
  /** Returns the digest; the context cannot be used afterwards. */
  close(): Uint8Array;
}

/**
 * Every key operation throws PortError 'crypto' for an unknown or forgotten handle, bad
 * lengths, and an operation the key's usage does not allow (the message names both).
 */
export interface CryptoPort {
  digest(algorithm: DigestAlgorithm): DigestContext;
  /** Cryptographically random bytes (hardware RNG on the device; seeded only in scenarios). */
  randomBytes(length: number): Uint8Array;
  /** A key provisioned outside the core (the terminal master key: usage 'master'), or undefined if absent. */
  provisionedKey(slot: string): KeyHandle | undefined;
  /** Erases a provisioned key for good (the key-wipe command). */
  eraseProvisionedKey(slot: string): void;
  /**
   * Holds clear key bytes the core was given in the clear anyway: published test vectors for
   * known-answer tests, and keys an integrator types into the toolbox. Never a secret of the
   * terminal's own. The handle's usage is 'test'. @throws PortError 'crypto' (bad length)
   */
  importKey(algorithm: KeyAlgorithm, material: Uint8Array): KeyHandle;
  /**
   * Decrypts `wrapped` (ECB) under `kek`, which must be a 'master' key, and keeps the result as
   * a new key of `usage`. @throws PortError 'crypto'
   */
  unwrapKey(kek: KeyHandle, algorithm: KeyAlgorithm, wrapped: Uint8Array, usage: WorkingKeyUsage): KeyHandle;
  /** The full check-value block of any key (the caller keeps the first 3 to 8 bytes). @throws PortError 'crypto' */
  checkValue(key: KeyHandle, method: CheckValueMethod): Uint8Array;
  /** Data encryption: 'data' and 'test' keys only. @throws PortError 'crypto' (bad length, unknown handle, usage) */
  encrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array;
  /** @throws PortError 'crypto' (as `encrypt`) */
  decrypt(key: KeyHandle, mode: CipherMode, data: Uint8Array, iv?: Uint8Array): Uint8Array;
  /**
   * ISO 9564-1 PIN block under a 'pin' (or 'test') key: format 0 enciphers pinField XOR
   * panField (8 bytes each, DES family); format 4 enciphers, XORs panField and enciphers again
   * (16 bytes each, AES). The adapter refuses fields that are not a PIN field and a PAN field
   * of the format, so a PIN key cannot encrypt chosen blocks. @throws PortError 'crypto'
   */
  encipherPinBlock(key: KeyHandle, format: PinBlockFormat, pinField: Uint8Array, panField: Uint8Array): Uint8Array;
  /**
   * CBC-MAC under a 'mac' (or 'test') key: CBC with a zero IV over whole blocks (the caller
   * pads), returning the last block. The core builds CMAC and the CUP MAC on it. @throws PortError 'crypto'
   */
  cbcMac(key: KeyHandle, data: Uint8Array): Uint8Array;
  /**
   * ISO 9797-1 MAC algorithm 3 (ANSI X9.19 retail MAC) over whole 8-byte blocks (the caller
   * pads) under a double-length 3DES 'mac' (or 'test') key: single-DES CBC under the left half,
   * then D(right), E(left) on the last block. A port operation because the core cannot split a
   * key it cannot see. @throws PortError 'crypto'
   */
  retailMac(key: KeyHandle, data: Uint8Array): Uint8Array;
  /**
   * Verifies `signature` over `data` with the public key in `spki` (SubjectPublicKeyInfo DER).
   * False for a signature that does not verify or does not parse. @throws PortError 'crypto' (key unusable)
   */
  verifySignature(scheme: SignatureScheme, spki: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean;
  /** Drops a key; later use of the handle fails. */
  forgetKey(key: KeyHandle): void;

  // Field activation (activation/activate.ts): the host sends the master key under a key only
  // this terminal can derive, so it is never in the clear outside the two crypto modules.

  /**
   * A new EC P-256 key pair from the RNG; the private key stays in the adapter (replacing any
   * earlier one, never given out, never a handle); returns the public key as SPKI DER.
   * @throws PortError 'crypto'
   */
  createDeviceKey(): Uint8Array;
  /**
   * The activation envelope: Z = x-coordinate of ECDH(device private key, `ephemeralPoint`, a
   * 65-byte uncompressed P-256 point); KEK = SHA-256(Z ‖ 00000001 ‖ `sharedInfo`)[0..16] (ANSI
   * X9.63 KDF, one counter block); the key = AES-128-CBC⁻¹(KEK, IV 0¹⁶, `wrapped`), its first
   * KEY_LENGTH[algorithm] bytes (the host zero-pads to whole blocks). Returns a 'master' handle
   * NOT yet stored: the caller checks its check value, then `storeMasterKey` or `forgetKey`.
   * @throws PortError 'crypto' (no device key, a point not on the curve, bad lengths)
   */
  openMasterKeyEnvelope(ephemeralPoint: Uint8Array, wrapped: Uint8Array, algorithm: KeyAlgorithm, sharedInfo: Uint8Array): KeyHandle;
  /**
   * Stores a 'master' key in `slot` for good (NVS on the device), replacing the slot's key;
   * `provisionedKey(slot)` returns it from then on, after a restart too. The slot keeps its own
   * copy: `key` stays the caller's, to forget when done.
   * @throws PortError 'crypto' for a key whose usage is not 'master', or when key storage is
   * unprotected and the build does not allow it (device: no flash/NVS encryption and no devKeys=1)
   */
  storeMasterKey(slot: string, key: KeyHandle): void;
  /**
   * How stored keys are protected: 'encrypted' (flash and NVS encryption on), 'unprotected'
   * (a dev build, devKeys=1: the self-test warns), 'volatile' (nothing survives power off).
   */
  keyProtection(): 'encrypted' | 'unprotected' | 'volatile';
}

// ---------------------------------------------------------------------------------------
// Display and keypad

export interface DisplayPort {
  readonly width: number;
  readonly height: number;
  /** Asks the panel driver whether it answers; `controller` names the chip (e.g. ILI9341). */
  status(): { ready: boolean; controller: string };
  /** The UI font asset (see ui/font.ts for its layout); the core measures text with it. */
  readonly font: Uint8Array;
  /** Draws a whole screen. */
  draw(list: DisplayList): void;
}

export type KeyCode =
  | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9'
  | 'enter' | 'cancel' | 'clear' | 'up' | 'down' | 'menu';

/**
 * The keys a board has, so screens name only those: 'one-button' is the Moddable Two's single
 * button (a short press sends 'down', a 1.5 s hold sends 'menu'); 'pin-pad' has every KeyCode.
 */
export type KeypadLayout = 'one-button' | 'pin-pad';

export interface KeypadPort {
  readonly layout: KeypadLayout;
  /** Calls `onKey` for each key press until `stop()`. */
  start(onKey: (key: KeyCode) => void): void;
  stop(): void;
  /** Keys held down right now (a key held at boot is a stuck key). */
  held(): readonly KeyCode[];
}

// ---------------------------------------------------------------------------------------
// The running system

export type ResetReason = 'power-on' | 'software' | 'watchdog' | 'panic' | 'brownout' | 'deep-sleep' | 'unknown';

export interface FirmwareImagePort {
  /**
   * The image file's length as built and signed: on ESP32 the whole .bin, its appended SHA-256
   * included (a signed manifest's `size` and `sha256` cover exactly these bytes).
   */
  readonly byteLength: number;
  /**
   * The SHA-256 the build appended to the image (ESP-IDF's hash_appended = 1; host-sim's sim
   * image), or undefined when it appended none. When defined, the file's last 32 bytes are this
   * digest and it covers exactly the bytes before them, [0, byteLength − 32); when undefined, all
   * `byteLength` bytes are image and none is a digest.
   */
  readonly expectedSha256: Uint8Array | undefined;
  /** @throws PortError 'flash-io' | 'flash-bounds' */
  read(offset: number, length: number): Uint8Array;
  /**
   * The signed manifest stored with the running image (its slot's seal sector, update/seal.ts),
   * raw and unchecked; undefined when the slot holds none (a factory flash without a seal).
   * @throws PortError 'flash-io'
   */
  seal(): Uint8Array | undefined;
}

/** Where the bootloader stands on the running image (ESP-IDF esp_ota_img_states_t). */
export type ImageState =
  /** Confirmed: the bootloader keeps booting it. */
  | 'valid'
  /** First boot of a new image: it must confirm itself (markValid) before any reset, or the bootloader returns to the other slot. */
  | 'pending-verify'
  /** No rollback state (a factory app or a bootloader without rollback): nothing to confirm. */
  | 'undefined';

/**
 * The board's two OTA app slots and its bootloader's rollback (device: esp32/otaSlots.c over
 * esp_partition_* and esp_ota_*; host-sim: host-sim/update/otaSlots.ts). Writes go to the
 * inactive slot only: the running one is never touched. Offsets are relative to that slot.
 * The slot's last sector (SEAL_SECTOR_BYTES = 4096) holds the image's seal (update/seal.ts).
 */
export interface UpdatePort {
  /** The board an image must name to be installed here (a signed manifest's `board`): "moddable_two", host-sim's "xspos-sim". */
  readonly board: string;
  /** The running slot (0 or 1) and its state. */
  running(): { slot: number; state: ImageState };
  /** Size of the inactive slot in bytes (a multiple of sectorSize); the image must leave its last sector for the seal. */
  readonly slotBytes: number;
  /** Erase granule of the slots (4096 on ESP32). */
  readonly sectorSize: number;
  /** Erases sector `index` of the inactive slot. @throws PortError 'flash-bounds' | 'flash-io' | 'flash-power' */
  eraseSector(index: number): void;
  /** NOR write into the inactive slot (bits only cleared). @throws PortError 'flash-bounds' | 'flash-program' | 'flash-io' | 'flash-power' */
  write(offset: number, data: Uint8Array): void;
  /** @throws PortError 'flash-bounds' | 'flash-io' */
  read(offset: number, length: number): Uint8Array;
  /**
   * Makes the inactive slot the next boot's (esp_ota_set_boot_partition): its image boots once
   * 'pending-verify'. The bootloader's own image check runs first.
   * @throws PortError 'update' (the slot's image is not bootable: nothing switched) | 'flash-power'
   */
  activate(): void;
  /** Confirms the running image (esp_ota_mark_app_valid_cancel_rollback). No-op when already valid. @throws PortError 'update' */
  markValid(): void;
  /**
   * Marks the running image invalid and restarts into the other slot
   * (esp_ota_mark_app_invalid_rollback_and_reboot). Does not return on the device; host-sim
   * powers the world off and on. @throws PortError 'update' (no other valid slot: nothing changed)
   */
  rollback(): void;
}

export interface SystemPort {
  readonly firmwareVersion: string;
  /** The board's serial number, ASCII (device: from the efuse MAC; host-sim: the scenario's `device.serial`). */
  readonly serialNumber: string;
  /** When the running image was built, ms since 1970 (the RTC can never be earlier than this). */
  readonly buildTime: number;
  resetReason(): ResetReason;
  /** XS heap: chunk bytes and slots, free and total. */
  memory(): { chunkFree: number; chunkTotal: number; slotsFree: number; slotsTotal: number };
  readonly image: FirmwareImagePort;
}

/** Log lines for the technician (serial output on the device); never secrets. */
export interface TracePort {
  (line: string): void;
}

// ---------------------------------------------------------------------------------------

/** Everything a terminal is built from. */
export interface Ports {
  clock: ClockPort;
  flash: FlashRegionPort;
  settings: SettingsPort;
  network: NetworkPort;
  /** Contactless cards (the PN532). */
  reader: CardReaderPort;
  /** Contact chip cards (ISO 7816-3 slot, T=0); unfitted on the Moddable Two. */
  contact: CardReaderPort;
  magstripe: MagstripePort;
  scanner: CodeScannerPort;
  crypto: CryptoPort;
  display: DisplayPort;
  keypad: KeypadPort;
  system: SystemPort;
  /** The OTA slots and the bootloader's rollback; undefined on a board built without OTA (a factory-only partition table). */
  update?: UpdatePort;
  trace: TracePort;
}
