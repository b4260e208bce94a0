/**
 * Declarations for the SDK modules and globals the device adapters use that the npm package
 * @moddable/typings 5.6 does not describe: it is older than the SDK we build with (8.2), and
 * parts of the SDK were never typed. Each declaration covers only what the adapters call.
 *
 * mcconfig type-checks the same sources against the SDK's own typings; where those already
 * declare a name (crypt's Digest, `native`), the shape here matches theirs, so the two merge
 * (the manifest turns on skipLibCheck, which lets identical duplicates through).
 */

/** XS: a host function by name (documentation/xs/XS in C.md, "Native"); xsc compiles the call away. */
declare function native(name: string): (...args: any[]) => any;

/** modules/crypt/digest/crypt.js: kcl-backed hashes and block ciphers (native; keys stay in C). */
declare module 'crypt' {
  export class Digest {
    constructor(type: 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512');
    write(message: string | ArrayBuffer): void;
    close(): ArrayBuffer;
    reset(): void;
  }
  /** "DES" (8-byte key), "TDES" (16 bytes: K1 K2 K1, or 24), "AES" (16, 24, 32). */
  export class BlockCipher {
    constructor(cipher: 'DES' | 'TDES' | 'AES', key: ArrayBuffer);
    readonly blockSize: number;
    readonly keySize: number;
  }
  /** A chaining mode over one cipher; keeps the CBC chain between calls, so make one per operation. */
  export class Mode {
    constructor(mode: 'ECB' | 'CBC' | 'CTR', cipher: BlockCipher, iv?: ArrayBuffer, padding?: boolean);
    encrypt(data: ArrayBufferView | ArrayBuffer): ArrayBuffer;
    decrypt(data: ArrayBufferView | ArrayBuffer): ArrayBuffer;
  }
}

/** modules/crypt/arith: elliptic-curve points and arithmetic over a prime field (native, ec.c). */
declare module 'ecp' {
  export default class ECPoint {
    constructor(x: bigint, y: bigint, identity?: boolean);
    readonly X: bigint;
    readonly Y: bigint;
    isZero(): boolean;
  }
}
declare module 'ec' {
  import type ECPoint from 'ecp';
  /** y² = x³ + a·x + b over GF(m). */
  export default class EC {
    constructor(a: bigint, b: bigint, m: bigint);
    /** k·p, normalized (double-and-add over k's bits). */
    mul(p: ECPoint, k: bigint): ECPoint;
    /** k1·p1 + k2·p2, normalized. */
    mul2(p1: ECPoint, k1: bigint, p2: ECPoint, k2: bigint): ECPoint;
  }
}

/** build/devices/esp32/modules/resetReason: esp_reset_reason() and its name. ESP32 only. */
declare module 'resetReason' {
  export default function getResetReason(): { reason: number; string: string };
}

/**
 * The board's own controls, installed as a global by the target's setup (ESP32:
 * targets/moddable_two/setup-target.js, a GPIO0 `button` driver; simulator:
 * build/simulators/moddable_two/host.js, the skin's "Default" button).
 */
interface HostButton {
  /** 1 while pressed, 0 when up; undefined on the simulator until its first event. */
  read(): number | undefined;
}
interface HostButtonOptions {
  /** Called on each change with 1 (pressed) or 0 (released). */
  onPush(this: HostButton, pressed: number): void;
}
declare var Host: { readonly Button?: { readonly Default?: new (options: HostButtonOptions) => HostButton } } | undefined;

/**
 * modules/crypt/ssl/session_419.js (8.2.3), mapped to `ssl/session` by modules/crypt/tls_419.json:
 * the TLS session under device/tlsSocket.ts. Only what a client calls; `pipe` is the socket as
 * the session reads it (readable/writable counts, read into a view, write a record).
 */
declare module 'ssl/session' {
  interface SessionPipe {
    readable: number;
    writable: number;
    read(into: Uint8Array): unknown;
    write(packet: ArrayBuffer | ArrayBufferView): number;
  }
  export default class SSLSession {
    /** serverName: SNI and the subjectAltName check; certificate: a trust anchor, DER; protocolVersion: offered and lowest accepted. */
    constructor(options: { serverName: string; certificate: ArrayBuffer; protocolVersion: number });
    initiateHandshake(): void;
    handshake(pipe: SessionPipe): boolean;
    read(pipe: SessionPipe): Uint8Array | null | undefined;
    write(pipe: SessionPipe, data: Uint8Array): number;
    close(pipe: SessionPipe): void;
    readonly alert?: { readonly level: number; readonly description: number };
  }
}

/** modules/crypt/ssl/ssl_alert.js (8.2.3): an alert record for a session (encrypted once the handshake is done). */
declare module 'ssl/alert' {
  const alert: {
    readonly close_notify: number;
    packetize(session: object, level: number, description: number): ArrayBuffer | ArrayBufferView;
  };
  export default alert;
}

/**
 * ECMA-419 I2C (modules/io/i2c/_i2c.js, documentation/io/io.md "I2C"): one address on a bus,
 * synchronous; read returns an ArrayBuffer; a transfer the device does not acknowledge throws.
 * The typings package has it (embedded_io/i2c.d.ts) but firmware/tsconfig.json does not list
 * it; only what device/pn532I2c.ts calls.
 */
declare module 'embedded:io/i2c' {
  export default class I2C {
    constructor(options: { data: number; clock: number; hz: number; address: number; port?: number });
    read(byteLength: number, stop?: boolean): ArrayBuffer;
    write(bytes: ArrayBufferView | ArrayBuffer, stop?: boolean): void;
    close(): void;
  }
}
