/**
 * Virtual time for the simulator: uptime and RTC move only when the scenario says so, timers
 * fire in due order (ties in the order they were set). Engine-neutral: the XS lane runs this
 * same code inside XS.
 */
import type { ClockPort, TimerToken } from '../../firmware/core/ports';
import { hostTurn } from './queuedNetwork';

/**
 * What else lives on the virtual time line: the network, whose events wait for `settle`, and
 * the acquirer's held replies, due at a virtual wall time.
 */
export interface ClockPeer {
  /** Delivers what the peer has for the terminal at virtual wall time `nowWallMs`; true when a callback ran. */
  settle(nowWallMs: number): Promise<boolean>;
  /** Virtual wall time of the peer's next scheduled action, if any. */
  nextDueWallMs(): number | undefined;
}

interface Pending {
  due: number;
  order: number;
  callback: () => void;
  token: TimerToken;
}

/** At most this many timers fire in one `advance` (a timer that re-arms itself at 0 ms would loop). */
const MAX_FIRES_PER_ADVANCE = 1_000_000;
/** Rounds of network delivery in one settle (each answers what the last one started). */
const MAX_SETTLE_ROUNDS = 10_000;

export class VirtualClock implements ClockPort {
  #uptime = 0;
  /** Uptime of the boots before this one: with #uptime, the world's own time line. */
  #earlierBoots = 0;
  #wallAtBoot: number;
  #order = 0;
  #pending: Pending[] = [];
  #peer: ClockPeer | undefined;

  constructor(wallAtBootMs: number, peer?: ClockPeer) {
    this.#wallAtBoot = wallAtBootMs;
    this.#peer = peer;
  }

  uptimeMs(): number {
    return this.#uptime;
  }

  wallMs(): number {
    return this.#wallAtBoot + this.#uptime;
  }

  /**
   * The RTC jumps to `ms`; uptime and timers do not move. The peer's actions stay due at the
   * wall times they were given, so a jump forward past one makes it due at once.
   */
  setWallMs(ms: number): void {
    this.#wallAtBoot = ms - this.#uptime;
  }

  /**
   * Virtual time since the world began, across reboots, whatever the RTC was set to: the
   * world's own time line (the time an SNTP server in the scenario tells, simNetwork.ts).
   */
  get elapsedMs(): number {
    return this.#earlierBoots + this.#uptime;
  }

  setTimer(delayMs: number, callback: () => void): TimerToken {
    const token = {} as TimerToken;
    this.#pending.push({ due: this.#uptime + Math.max(0, delayMs), order: this.#order++, callback, token });
    return token;
  }

  clearTimer(token: TimerToken): void {
    this.#pending = this.#pending.filter((p) => p.token !== token);
  }

  /** Power cycle: uptime restarts at 0, the RTC keeps running, every timer is gone. */
  reboot(): void {
    this.#wallAtBoot = this.wallMs();
    this.#earlierBoots += this.#uptime;
    this.#uptime = 0;
    this.#pending = [];
  }

  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.#pending.length;
  }

  /**
   * Lets every pending promise job run, chains included, so that work a timer starts (a
   * periodic self-test) finishes before time moves on: one turn of the host's loop, which both
   * Node and xsnap take only once the job queue is empty (setImmediate). As on the device, where
   * timers fire from the event loop after promise jobs.
   */
  async settle(): Promise<void> {
    await hostTurn();
    // Then the network, until it has nothing more to hand over: each delivery may start work
    // (a frame written) whose answer the next round delivers, all at this same instant.
    for (let round = 0; this.#peer && round < MAX_SETTLE_ROUNDS; round++) if (!(await this.#peer.settle(this.wallMs()))) return;
  }

  /**
   * Moves time forward by `ms`, firing every timer (and the peer's actions) that fall due on the
   * way. `stop`, asked after each firing, ends the advance there (the board restarted itself):
   * uptime stays at that instant; `elapsedMs` says how far it got.
   */
  async advance(ms: number, stop?: () => boolean): Promise<void> {
    const end = this.#uptime + ms;
    for (let fired = 0; fired < MAX_FIRES_PER_ADVANCE; fired++) {
      if (!(await this.#fireNext(end))) break;
      if (stop?.()) return;
    }
    this.#uptime = end;
    await this.settle();
  }

  /**
   * Moves time to the next timer or peer action and runs it, then settles. False when nothing
   * is waiting on the clock (time would stand still forever).
   */
  async advanceToNextTimer(): Promise<boolean> {
    return this.#fireNext(Infinity);
  }

  /** Fires the earliest timer or peer action due by uptime `end`; false when there is none. */
  async #fireNext(end: number): Promise<boolean> {
    const next = this.#next();
    const peerWall = this.#peer?.nextDueWallMs();
    const peerDue = peerWall === undefined ? undefined : Math.max(this.#uptime, peerWall - this.#wallAtBoot);
    if (peerDue !== undefined && peerDue <= end && (!next || peerDue < next.due)) {
      this.#uptime = peerDue;
      await this.settle();
      return true;
    }
    if (!next || next.due > end) return false;
    this.#pending.splice(this.#pending.indexOf(next), 1);
    this.#uptime = next.due;
    next.callback();
    await this.settle();
    return true;
  }

  #next(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.#pending) if (!best || p.due < best.due || (p.due === best.due && p.order < best.order)) best = p;
    return best;
  }
}
