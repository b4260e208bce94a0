/**
 * Image versions: "major.minor.patch", each part a decimal from 0 to 65535 without a sign,
 * leading zero (but "0" itself), space or suffix. The manifest's `version` and `minVersion`
 * use it (update/manifest.ts); the update check compares the offered version with the running
 * one (SystemPort.firmwareVersion) by `compareVersions`.
 */
import { UpdateError } from './errors';

export type Version = readonly [major: number, minor: number, patch: number];

/** Longest version text: three five-digit parts and two dots. */
export const VERSION_MAX_LENGTH = 17;
const PART_MAX = 65535;

/** The part of `text` from `start` to `end` as a number, or -1 when it is not a plain decimal of 0..65535. */
function part(text: string, start: number, end: number): number {
  const n = end - start;
  if (n < 1 || n > 5 || (n > 1 && text.charCodeAt(start) === 0x30)) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value <= PART_MAX ? value : -1;
}

/**
 * The three parts of a version text.
 * @throws UpdateError 'update-manifest' for anything but "major.minor.patch" (each 0..65535)
 */
export function parseVersion(text: string): Version {
  if (typeof text !== 'string' || text.length > VERSION_MAX_LENGTH) throw new UpdateError('update-manifest', 'a version is "major.minor.patch"');
  const first = text.indexOf('.');
  const second = first < 0 ? -1 : text.indexOf('.', first + 1);
  const major = first < 0 ? -1 : part(text, 0, first);
  const minor = second < 0 ? -1 : part(text, first + 1, second);
  const patch = second < 0 ? -1 : part(text, second + 1, text.length);
  if (major < 0 || minor < 0 || patch < 0) throw new UpdateError('update-manifest', `"${text.length > 20 ? `${text.slice(0, 20)}…` : text}" is not a version "major.minor.patch" (each 0 to 65535)`);
  return [major, minor, patch];
}

/** True when `text` is a version parseVersion takes. */
export function isVersion(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  try {
    parseVersion(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Negative when `a` is older than `b`, 0 when equal, positive when newer (major, then minor,
 * then patch, as numbers: "1.10.0" is newer than "1.9.0").
 * @throws UpdateError 'update-manifest' when either is not a version
 */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}
