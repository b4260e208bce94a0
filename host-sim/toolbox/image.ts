/**
 * Signed firmware images on the vendor's side (issue 10, item 1): `image sign` makes an image's
 * manifest, signature and seal with the vendor's private key (read from a file or standard
 * input, never the command line); `image verify` checks a seal (or a manifest and a signature)
 * and an image as the firmware does, by the firmware's own code (update/verify.ts) over
 * node:crypto; `image inspect` shows a seal's manifest without checking it.
 *
 * `signImage` is the same signing for host-sim: the update server's and the scenarios' images.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toHex } from '../../firmware/core/bytes';
import { UpdateError } from '../../firmware/core/update/errors';
import { decodeManifest, encodeManifest, SECURITY_MAX, type Manifest } from '../../firmware/core/update/manifest';
import { encodeSeal, parseSeal, SEAL_SECTOR_BYTES } from '../../firmware/core/update/seal';
import { checkImageAgainst, verifyManifest } from '../../firmware/core/update/verify';
import { parseVersion } from '../../firmware/core/update/version';
import { VENDOR_KEYS, type VendorKey } from '../../firmware/core/update/vendorKeys';
import { NodeCrypto } from '../ports/nodeCrypto';
import { InputError, shown, shownPath, UsageError, type Args, type OptionSpec } from './args';
import type { Command, ToolResult } from './command';

export interface SignImageOptions {
  /** The whole image file (the manifest's size and SHA-256 cover all of it). */
  image: Uint8Array;
  version: string;
  /** Anti-rollback counter (0..2³¹ − 1). */
  security: number;
  minVersion: string;
  board: string;
  /** ms since 1970; default now. */
  buildTime?: number;
  /**
   * The manifest's key id. Default: the id of the firmware's trusted key that is this private
   * key's public key (update/vendorKeys.ts); a key the firmware does not trust needs one.
   */
  keyId?: string;
  /** The vendor's ECDSA P-256 private key, PEM (PKCS#8 or SEC1). */
  privateKeyPem: string | Uint8Array;
}

export interface SignedImage {
  /** The manifest's fields. */
  fields: Manifest;
  /** The manifest's CBOR bytes: what is signed. */
  manifest: Uint8Array;
  /** ECDSA P-256 over SHA-256 of `manifest`, DER (as `openssl dgst -sha256 -sign` writes). */
  signature: Uint8Array;
  /** The seal (update/seal.ts): manifest and signature, unpadded. */
  seal: Uint8Array;
}

/** The private key, which must be EC P-256. @throws UpdateError 'update-key' */
function privateKey(pem: string | Uint8Array): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: typeof pem === 'string' ? pem : Buffer.from(pem), format: 'pem' });
  } catch {
    throw new UpdateError('update-key', 'the signing key is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new UpdateError('update-key', 'the signing key is not an EC P-256 (prime256v1) key');
  return key;
}

const spkiHex = (key: KeyObject) => toHex(new Uint8Array((key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' })));

/** The SHA-256 of a public key's SPKI DER, first 8 bytes: how the toolbox names a key. */
export function keyFingerprint(spki: string): string {
  return createHash('sha256').update(Buffer.from(spki, 'hex')).digest('hex').slice(0, 16);
}

/**
 * Signs an image: its manifest (update/manifest.ts), the signature (node:crypto, DER) and the
 * seal. The result is checked by the firmware's own verifier before it is returned.
 * @throws UpdateError 'update-manifest' (a field out of range) | 'update-key' (not an EC P-256 key; no key id for a key the firmware does not trust; a trusted id naming another key)
 */
export function signImage(options: SignImageOptions): SignedImage {
  const key = privateKey(options.privateKeyPem);
  const spki = spkiHex(key);
  const trusted = VENDOR_KEYS.find((k) => k.spki === spki);
  const keyId = options.keyId ?? trusted?.keyId;
  if (keyId === undefined) throw new UpdateError('update-key', `the signing key (fingerprint ${keyFingerprint(spki)}) is not one this firmware trusts: give its key id`);
  const named = VENDOR_KEYS.find((k) => k.keyId === keyId);
  if (named && named.spki !== spki) throw new UpdateError('update-key', `key id "${keyId}" names another key in this firmware's trusted list (fingerprint ${keyFingerprint(named.spki)})`);
  const fields: Manifest = {
    format: 1,
    board: options.board,
    version: options.version,
    security: options.security,
    minVersion: options.minVersion,
    buildTime: options.buildTime ?? Date.now(),
    size: options.image.length,
    sha256: new Uint8Array(createHash('sha256').update(options.image).digest()),
    keyId,
  };
  const manifest = encodeManifest(fields);
  const signature = new Uint8Array(sign('sha256', manifest, { key, dsaEncoding: 'der' }));
  const seal = encodeSeal(manifest, signature);
  verifyManifest(NodeCrypto.secure(), manifest, signature, [{ keyId, spki }]);
  return { fields, manifest, signature, seal };
}

/** A public key as the firmware's key list holds it, from PEM or DER (SPKI), under `keyId`. @throws InputError */
export function vendorKeyFrom(bytes: Uint8Array, keyId: string, where = 'the public key'): VendorKey {
  const text = Buffer.from(bytes).toString('latin1');
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN') ? createPublicKey({ key: text, format: 'pem' }) : createPublicKey({ key: Buffer.from(bytes), format: 'der', type: 'spki' });
  } catch {
    throw new InputError('input-malformed', `${where} is not a PEM or DER public key`);
  }
  return { keyId, spki: spkiHex(key) };
}

// ---------------------------------------------------------------------------------------
// The boards' slots

/** Boards whose OTA slot size the toolbox knows: the partition table their build flashes (relative to the project root). */
const BOARD_TABLES: Readonly<Record<string, string>> = Object.freeze({ moddable_two: 'firmware/device/esp32/partitions.csv' });

/** The project root: the nearest folder above this code (a source file, or the launcher's bundle under node_modules/.cache) holding `file`. */
function projectFile(file: string): string | undefined {
  let at = __dirname;
  for (let up = 0; up < 8; up++) {
    if (existsSync(join(at, file))) return join(at, file);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  return undefined;
}

/**
 * The smallest OTA app slot (type app, subtype ota_N) of an ESP-IDF partition table (CSV: name,
 * type, subtype, offset, size[, flags]; sizes in decimal, hex or with K/M). @throws InputError
 */
export function otaSlotBytes(csv: string, where: string): number {
  let smallest: number | undefined;
  for (const raw of csv.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [, type, subtype, , size] = line.split(',').map((f) => f.trim());
    if (type !== 'app' || !/^ota_\d+$/.test(subtype ?? '')) continue;
    const m = /^(0x[0-9a-f]+|\d+)([km]?)$/i.exec(size ?? '');
    if (!m) throw new InputError('input-malformed', `${where}: slot ${subtype} has no size I can read (${shown(size ?? '')})`);
    const bytes = Number(m[1]) * (m[2].toLowerCase() === 'k' ? 1024 : m[2].toLowerCase() === 'm' ? 1024 * 1024 : 1);
    smallest = smallest === undefined ? bytes : Math.min(smallest, bytes);
  }
  if (smallest === undefined) throw new InputError('input-malformed', `${where} has no OTA app slot (type app, subtype ota_N)`);
  return smallest;
}

/**
 * How many bytes an image for `board` may take: its OTA slot less the last sector, which holds
 * the seal (update/seal.ts; the update flow refuses more: updateFlow.ts). Undefined for a board
 * the toolbox does not know (host-sim's xspos-sim has a slot per scenario).
 * @throws InputError when the board's partition table cannot be found or read
 */
export function imageRoomFor(board: string): { bytes: number; table: string } | undefined {
  const table = Object.prototype.hasOwnProperty.call(BOARD_TABLES, board) ? BOARD_TABLES[board] : undefined;
  if (table === undefined) return undefined;
  const path = projectFile(table);
  if (path === undefined) throw new InputError('input-unreadable', `cannot find ${table}, the ${board} partition table the image must fit`);
  return { bytes: otaSlotBytes(readFileSync(path, 'utf8'), table) - SEAL_SECTOR_BYTES, table };
}

// ---------------------------------------------------------------------------------------
// The commands

/** A decimal integer 0..SECURITY_MAX (Args.integer takes 4 digits at most). */
function counter(args: Args, name: string): number {
  const text = args.required(name);
  const value = /^(?:0|[1-9][0-9]{0,9})$/.test(text) ? Number(text) : NaN;
  if (!(value <= SECURITY_MAX)) throw new UsageError(`--${name} must be a decimal integer from 0 to ${SECURITY_MAX}, not ${shown(text)}`);
  return value;
}

function versionOption(args: Args, name: string): string {
  const text = args.required(name);
  try {
    parseVersion(text);
  } catch {
    throw new UsageError(`--${name} must be a version major.minor.patch (each 0 to 65535), not ${shown(text)}`);
  }
  return text;
}

/** --build-time: a UTC date or date-time (2026-12-01, 2026-12-01T09:00:00Z, 2026-12-01T09:00:00.123Z). */
function buildTime(args: Args): number | undefined {
  const text = args.optional('build-time');
  if (text === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z)?$/.exec(text);
  const parts = m ? m.slice(1).map((p) => Number(p ?? 0)) : [];
  const ms = m ? Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5], parts[6]) : NaN;
  const back = new Date(ms);
  const same = m && [back.getUTCFullYear(), back.getUTCMonth() + 1, back.getUTCDate(), back.getUTCHours(), back.getUTCMinutes(), back.getUTCSeconds(), back.getUTCMilliseconds()].every((v, i) => v === parts[i]);
  if (!same || ms < 0) throw new UsageError('--build-time must be a UTC date or time, e.g. 2026-12-01 or 2026-12-01T09:00:00Z');
  return ms;
}

/** The manifest's facts, one a line, and as JSON. */
function facts(m: Manifest): { lines: string[]; value: Record<string, unknown> } {
  const built = new Date(m.buildTime).toISOString();
  const sha256 = toHex(m.sha256);
  return {
    lines: [
      `format      ${m.format}`,
      `board       ${m.board}`,
      `version     ${m.version}`,
      `security    ${m.security}`,
      `minVersion  ${m.minVersion}`,
      `buildTime   ${built} (${m.buildTime})`,
      `size        ${m.size} bytes`,
      `sha256      ${sha256}`,
      `keyId       ${m.keyId}`,
    ],
    value: { format: m.format, board: m.board, version: m.version, security: m.security, minVersion: m.minVersion, buildTime: built, buildTimeMs: m.buildTime, size: m.size, sha256, keyId: m.keyId },
  };
}

const FILE = (name: string, help: string): OptionSpec => ({ name, value: 'FILE', help });

export const imageSign: Command = {
  name: 'image sign',
  summary: "signs a firmware image with the vendor's key: writes its manifest, signature and seal",
  synopsis: '--image FILE --key FILE --version V --security N --min-version V --board BOARD [--build-time TIME] [--key-id ID] --out PREFIX [--json]',
  options: [
    FILE('image', 'the image file (the .bin as flashed, its appended hash included): the manifest gives its size and SHA-256.'),
    FILE('key', "the vendor's ECDSA P-256 private key, PEM (PKCS#8 or SEC1); - reads standard input. Never on the command line."),
    { name: 'version', value: 'V', help: "the image's version, major.minor.patch (each 0 to 65535)." },
    { name: 'security', value: 'N', help: `the anti-rollback counter, 0 to ${SECURITY_MAX}: a terminal never installs an image below the highest it confirmed.` },
    { name: 'min-version', value: 'V', help: 'the oldest running version that may install this image, major.minor.patch.' },
    { name: 'board', value: 'BOARD', help: 'the board the image is built for (moddable_two; host-sim: xspos-sim), 1 to 32 printable characters. For moddable_two the image must fit its OTA slot less the seal sector (firmware/device/esp32/partitions.csv).' },
    { name: 'build-time', value: 'TIME', help: 'when it was built, UTC: 2026-12-01 or 2026-12-01T09:00:00Z (default: now).' },
    { name: 'key-id', value: 'ID', help: "the key id the manifest names (default: the id of the firmware's trusted key that matches --key; required for any other key)." },
    { name: 'out', value: 'PREFIX', help: 'writes PREFIX.manifest (CBOR), PREFIX.sig (DER ECDSA signature over the manifest) and PREFIX.seal (what the update server serves and the slot\'s last sector holds).' },
  ],
  notes: [
    'The signature is what `openssl dgst -sha256 -sign key.pem -out PREFIX.sig PREFIX.manifest` writes, and `openssl dgst -sha256 -verify pub.pem -signature PREFIX.sig PREFIX.manifest` checks it.',
    'host-sim/update/demo-vendor-key.pem is the DEMO key ("xspos-demo-1"): public, for host-sim and tests only.',
    'Example: xspos-tool image sign --image build/xspos.bin --key vendor-key.pem --version 1.2.0 --security 3 --min-version 1.0.0 --board moddable_two --out build/xspos-1.2.0',
  ],
  run(args) {
    args.positionals([]);
    const imagePath = args.required('image');
    const keyPath = args.required('key');
    // A key pasted where its file name goes is never echoed back (shownPath would show it).
    if (keyPath.length > 200 || /BEGIN|[\n\r]|^[A-Za-z0-9+/=]{40,}$/.test(keyPath)) throw new UsageError(`--key takes the key's FILE name (or - for standard input), not the key (${keyPath.length} characters, not shown)`);
    const version = versionOption(args, 'version');
    const security = counter(args, 'security');
    const minVersion = versionOption(args, 'min-version');
    const board = args.required('board');
    const built = buildTime(args);
    const keyId = args.optional('key-id');
    const out = args.required('out');
    const image = args.file('image', imagePath);
    const room = imageRoomFor(board);
    if (room && image.length > room.bytes)
      throw new UpdateError('update-size', `--image ${shownPath(imagePath)} is ${image.length} bytes; a ${board} slot takes at most ${room.bytes} (its OTA slot in ${room.table} less the ${SEAL_SECTOR_BYTES}-byte seal sector)`);
    const pem = args.file('key', keyPath);
    if (pem.length > 16384) throw new InputError('input-malformed', `--key ${shownPath(keyPath)} holds ${pem.length} bytes; a key file holds one PEM key`);
    const signed = signImage({ image, version, security, minVersion, board, buildTime: built, keyId, privateKeyPem: pem });
    pem.fill(0);
    const files = { manifest: `${out}.manifest`, sig: `${out}.sig`, seal: `${out}.seal` };
    try {
      writeFileSync(files.manifest, signed.manifest);
      writeFileSync(files.sig, signed.signature);
      writeFileSync(files.seal, signed.seal);
    } catch (error) {
      throw new InputError('input-unreadable', `cannot write ${shownPath(out)}.*: ${(error as { code?: string }).code ?? 'write error'}`);
    }
    const { lines, value } = facts(signed.fields);
    return {
      ok: true,
      value: { ...value, files, signatureBytes: signed.signature.length, sealBytes: signed.seal.length },
      text: [...lines, `wrote       ${files.manifest} (${signed.manifest.length} bytes), ${files.sig} (${signed.signature.length} bytes), ${files.seal} (${signed.seal.length} bytes)`].join('\n'),
    };
  },
};

/** The manifest and signature of --seal, or of --manifest and --sig. */
function sealParts(args: Args): { manifest: Uint8Array; signature: Uint8Array; from: string } {
  const seal = args.optional('seal');
  const manifest = args.optional('manifest');
  const sig = args.optional('sig');
  if (seal !== undefined) {
    if (manifest !== undefined || sig !== undefined) throw new UsageError('give --seal, or --manifest and --sig, not both');
    const parsed = parseSeal(args.file('seal', seal));
    return { manifest: parsed.manifest, signature: parsed.signature, from: seal };
  }
  if (manifest === undefined || sig === undefined) throw new UsageError(`${args.command} needs --seal FILE, or --manifest FILE and --sig FILE`);
  return { manifest: args.file('manifest', manifest), signature: args.file('sig', sig), from: manifest };
}

export const imageVerify: Command = {
  name: 'image verify',
  summary: "checks a seal's signature under a trusted key and an image's size and SHA-256 against it, as the firmware does",
  synopsis: '(--seal FILE | --manifest FILE --sig FILE) [--image FILE] [--pub FILE] [--json]',
  options: [
    FILE('seal', 'the seal (PREFIX.seal, latest.seal, or a slot\'s last sector: 4096 bytes, the rest 0xFF).'),
    FILE('manifest', 'the manifest (CBOR), with --sig instead of --seal.'),
    FILE('sig', 'the DER signature over the manifest, with --manifest.'),
    FILE('image', 'the image file: its size and SHA-256 must be the manifest\'s (without it only the signature is checked).'),
    FILE('pub', "a public key (PEM or DER SPKI) to check the signature with, under whatever key id the manifest names (default: the firmware's trusted keys, update/vendorKeys.ts)."),
  ],
  notes: [
    'Refused (exit 1, the code printed): update-key (no trusted key of the manifest\'s key id), update-signature, update-size, update-hash. A seal or manifest that does not parse: exit 2 with update-seal or update-manifest.',
    'Example: xspos-tool image verify --image build/xspos.bin --seal build/xspos-1.2.0.seal',
  ],
  run(args): ToolResult {
    args.positionals([]);
    const { manifest, signature } = sealParts(args);
    const fields = decodeManifest(manifest);
    const pub = args.optional('pub');
    const keys = pub === undefined ? VENDOR_KEYS : [vendorKeyFrom(args.file('pub', pub), fields.keyId, `--pub ${shownPath(pub)}`)];
    const imagePath = args.optional('image');
    const { lines, value } = facts(fields);
    const keySource = pub === undefined ? "the firmware's trusted keys" : `--pub ${shownPath(pub)}`;
    try {
      verifyManifest(NodeCrypto.secure(), manifest, signature, keys);
      if (imagePath !== undefined) {
        const image = args.file('image', imagePath);
        checkImageAgainst(fields, { size: image.length, sha256: new Uint8Array(createHash('sha256').update(image).digest()) });
      }
    } catch (error) {
      if (!(error instanceof UpdateError)) throw error;
      return { ok: false, value: { ...value, verified: false, code: error.code, message: error.message }, text: [...lines, `REFUSED ${error.code}: ${error.message}`].join('\n') };
    }
    const what = imagePath === undefined ? 'signature' : 'signature, size and SHA-256';
    return { ok: true, value: { ...value, verified: true, image: imagePath !== undefined }, text: [...lines, `OK ${what} (key "${fields.keyId}" from ${keySource})`].join('\n') };
  },
};

export const imageInspect: Command = {
  name: 'image inspect',
  summary: "shows a seal's (or a manifest's) fields without checking the signature",
  synopsis: '(--seal FILE | --manifest FILE) [--json]',
  options: [FILE('seal', 'the seal (PREFIX.seal, latest.seal, or a slot\'s last sector).'), FILE('manifest', 'a manifest (CBOR) instead.')],
  notes: ['Nothing is verified: `image verify` checks the signature and the image.', 'Example: xspos-tool image inspect --seal latest.seal'],
  run(args) {
    args.positionals([]);
    const seal = args.optional('seal');
    const manifestPath = args.optional('manifest');
    if ((seal === undefined) === (manifestPath === undefined)) throw new UsageError('image inspect needs --seal FILE or --manifest FILE (one of them)');
    let fields: Manifest;
    let signature: Uint8Array | undefined;
    if (seal !== undefined) {
      const parsed = parseSeal(args.file('seal', seal));
      fields = parsed.fields;
      signature = parsed.signature;
    } else fields = decodeManifest(args.file('manifest', manifestPath!));
    const { lines, value } = facts(fields);
    const trusted = VENDOR_KEYS.some((k) => k.keyId === fields.keyId);
    const keyLine = `trusted     key id ${trusted ? 'is' : 'is NOT'} in the firmware's list (signature not checked)`;
    const sigLine = signature ? [`signature   ${signature.length} bytes DER ${toHex(signature)}`] : [];
    return { ok: true, value: { ...value, knownKeyId: trusted, ...(signature ? { signature: toHex(signature) } : {}) }, text: [...lines, ...sigLine, keyLine].join('\n') };
  },
};
