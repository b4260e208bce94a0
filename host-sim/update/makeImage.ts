/**
 * Signed sim images for the world and the update server (Node side): a sim image
 * (simImage.ts) and its seal, signed by the toolbox's own signing code (IMG's
 * host-sim/toolbox/image.ts `signImage`) with the DEMO vendor key committed beside this file.
 *
 * ECDSA signatures are randomised, so each distinct image is signed once per process and the
 * result kept: both lanes of a parity run (two worlds) then hold byte-identical seals.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signImage } from '../toolbox/image';
import { parseVersion } from '../../firmware/core/update/version';
import { buildSimImage, SIM_BOARD, type SimBehaviour } from './simImage';

/** The DEMO vendor key's private half (demo only: never sign a real image with it; see docs). */
export const DEMO_VENDOR_KEY_PATH = join(__dirname, 'demo-vendor-key.pem');

export const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());

export interface MakeImageSpec {
  version: string;
  buildTime: number;
  /** Whole image file bytes. */
  bytes: number;
  /** The board the image's header and manifest name (default "xspos-sim"). */
  board?: string;
  behaviour?: SimBehaviour;
  /** Anti-rollback counter (default 0). */
  security?: number;
  /** Default "0.0.0". */
  minVersion?: string;
  /** SHA-256 appended (default true). */
  hash?: boolean;
  /** Filler seed (default 1). */
  seed?: number;
  /** Signed with the demo key (default true); false: no seal. Versions that are not "major.minor.patch" cannot be signed. */
  sealed?: boolean;
}

export interface MadeImage {
  image: Uint8Array;
  /** The seal (unpadded), or undefined when unsealed. */
  seal: Uint8Array | undefined;
}

const made = new Map<string, MadeImage>();
let demoKey: string | undefined;

/** True for a version the manifest can carry ("major.minor.patch"). */
export function signableVersion(version: string): boolean {
  try {
    parseVersion(version);
    return true;
  } catch {
    return false;
  }
}

export function makeImage(spec: MakeImageSpec): MadeImage {
  const key = JSON.stringify(spec);
  const known = made.get(key);
  if (known) return known;
  const image = buildSimImage(
    { version: spec.version, buildTime: spec.buildTime, board: spec.board ?? SIM_BOARD, behaviour: spec.behaviour ?? 'normal', size: spec.bytes, hash: spec.hash ?? true, fillerSeed: spec.seed ?? 1 },
    sha256,
  );
  let seal: Uint8Array | undefined;
  if ((spec.sealed ?? true) && signableVersion(spec.version)) {
    demoKey ??= readFileSync(DEMO_VENDOR_KEY_PATH, 'utf8');
    seal = signImage({
      image,
      version: spec.version,
      security: spec.security ?? 0,
      minVersion: spec.minVersion ?? '0.0.0',
      board: spec.board ?? SIM_BOARD,
      buildTime: spec.buildTime,
      privateKeyPem: demoKey,
    }).seal;
  }
  const out = { image, seal };
  made.set(key, out);
  return out;
}
