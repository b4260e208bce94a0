/**
 * What this firmware is and when it was built, from the manifest's config (mc/config):
 *
 *   "firmwareVersion": "0.1.0"
 *   "buildTime": "2026-11-26T04:40:00Z"     ISO 8601, UTC
 *
 * mcconfig takes `name=value` arguments that override config entries, so a release build
 * stamps both:  mcconfig -p esp32/moddable_two manifest.json firmwareVersion=0.2.0
 * buildTime=$(date -u +%Y-%m-%dT%H:%M:%SZ). Without them the manifest's values hold; its
 * buildTime is the day the manifest was last released, never later than a real build, which
 * is what the RTC probe needs ("the RTC can never be earlier than the build").
 */

export interface BuildInfo {
  firmwareVersion: string;
  buildTime: number;
}

export class BuildInfoError extends Error {
  readonly code = 'build-info';
  // A class field, not `this.name =`: XS freezes Error.prototype, where assigning name throws.
  override readonly name = 'BuildInfoError';
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

/** @throws BuildInfoError when the build was configured without a version or a valid UTC build time */
export function readBuildInfo(config: { firmwareVersion?: unknown; buildTime?: unknown }): BuildInfo {
  const { firmwareVersion, buildTime } = config;
  if (typeof firmwareVersion !== 'string' || firmwareVersion.length === 0) throw new BuildInfoError('manifest config has no firmwareVersion');
  if (typeof buildTime !== 'string' || !ISO_UTC.test(buildTime)) throw new BuildInfoError(`manifest config buildTime "${String(buildTime)}" is not an ISO 8601 UTC time`);
  const ms = Date.parse(buildTime);
  if (!Number.isFinite(ms)) throw new BuildInfoError(`manifest config buildTime "${buildTime}" is not a real date`);
  return { firmwareVersion, buildTime: ms };
}
