/**
 * What the update duties report (runtime/updateDuties.ts): an update check's outcome and the
 * state a screen, a scenario or the toolbox reads. Shared by the core and host-sim.
 */
import type { UpdateErrorCode } from './errors';

/** Where an update stands; durable (update/updateState.ts), so it survives the reboots it is made of. */
export type UpdatePhase =
  /** Nothing under way. */
  | 'idle'
  /** Writing the inactive slot; `written` bytes are in flash (resumed from there after a reboot). */
  | 'downloading'
  /** Written and verified (size, SHA-256, signature); waits for an idle terminal to switch. */
  | 'verified'
  /** The boot slot was switched to the new image; the board restarts into it. */
  | 'switched'
  /** The new image booted and runs its self-test gate; not yet confirmed. */
  | 'trial';

export type UpdateOutcome =
  /** The server offers nothing newer than the running image. */
  | { kind: 'none'; detail: string }
  /** Downloaded, verified and switched: the board restarts into `version`. */
  | { kind: 'installed'; version: string }
  /** Not now (a sale, a pending reversal, a self-test, an action): tried again at the next check. */
  | { kind: 'deferred'; reason: string }
  /** The offered image was refused; nothing was switched. */
  | { kind: 'refused'; code: UpdateErrorCode; version?: string; detail: string }
  /** The server or the flash failed; what was written stays, the next check resumes. */
  | { kind: 'failed'; code: UpdateErrorCode; detail: string }
  /** No update slots on this board, or no server configured. */
  | { kind: 'unavailable'; detail: string };

/** The last update's result, kept durably: what the screen and the diagnosis say. */
export interface UpdateResult {
  /** 'update.ok' | 'update.failed' | 'update.crashed' | 'update.interrupted' | 'update.refused' | 'update.download-failed' (evidence codes). */
  readonly code: string;
  readonly version: string;
  readonly detail: string;
  readonly wallMs: number;
}

export interface UpdateStatus {
  readonly phase: UpdatePhase;
  /** The running image's version (SystemPort.firmwareVersion). */
  readonly running: string;
  /** The version being downloaded, verified, switched to or tried. */
  readonly target?: string;
  readonly written?: number;
  readonly size?: number;
  /** The anti-rollback floor: no image whose security counter is below it is installed. */
  readonly floor: number;
  readonly last?: UpdateResult;
  /** True when this boot is the new image's trial (the bootloader waits for it to confirm). */
  readonly trial: boolean;
}
