/**
 * One update check (issue 10 item 2; the contract's "Update flow" steps 1–4): ask the server for
 * its newest seal, judge it, download the image into the inactive slot (resuming where the
 * durable record says), verify it, and switch the boot slot when the terminal is idle.
 *
 *   check:    GET {url}{board}/latest.seal (404: nothing offered) → parse, signature under a
 *             trusted key, board, newer than the running image, security ≥ the floor, running ≥
 *             minVersion, fits the slot, not the version rolled back → else 'refused' + fact.
 *   download: one GET {url}{board}/{version}.bin with Range from `written` when the durable
 *             target is this very image (its SHA-256), the slot's first `written` bytes hashed
 *             again as read back; each sector erased just before it is written, read back and
 *             hashed; the record put every WRITE_STEP bytes. A failure keeps what was written.
 *   verify:   size and SHA-256 of the bytes read back equal the manifest's (the signature was
 *             checked at the seal), then the seal goes into the slot's last sector → 'verified'.
 *             A wrong hash starts over next time (nothing resumed, nothing erased now).
 *   switch:   only when busyReason() is undefined, else 'deferred'; baseline + 'switched' put
 *             BEFORE UpdatePort.activate(), then the board restarts.
 *
 * The durable state, facts, screens and the terminal's business are the host's (runtime/
 * updateDuties.ts). A class: one object per check, its sinks prototype methods.
 */
import type { DigestContext, Ports, UpdatePort } from '../ports';
import { PortError } from '../ports';
import { errorText } from '../errorText';
import { UpdateError, type UpdateErrorCode } from './errors';
import { HttpGet, parseHttpUrl, type HttpHead, type HttpSink, type HttpUrl } from './httpGet';
import type { Manifest } from './manifest';
import { SEAL_SECTOR_BYTES, sealSector } from './seal';
import type { UpdateOutcome } from './types';
import type { UpdateState, UpdateTarget } from './updateState';
import { WRITE_STEP } from './updateState';
import { compareVersions, verifySeal } from './verify';
import type { UpdateScreen } from '../ui/updateScreens';

/** Resolve + connect. */
export const CONNECT_TIMEOUT_MS = 15_000;
/** Longest silence once the request is out. */
export const IDLE_TIMEOUT_MS = 30_000;

/** What a check needs of the update duties. */
export interface UpdateCheckHost {
  readonly ports: Ports;
  /** The durable state as it stands (idle when none). */
  updateState(): UpdateState;
  /** Puts the durable state. @throws StoreError | PortError | UpdateError 'update-state' */
  saveUpdateState(state: UpdateState): void;
  /** Records a fact event (update.* evidence). */
  fact(code: string, status: 'fail' | 'warn' | 'info' | 'pass', detail: string): void;
  /** A progress screen (shown only when the panel is free for it). */
  progress(screen: UpdateScreen): void;
  busyReason(): string | undefined;
  /** probeMark of the probes failing now (the trial's baseline). */
  baseline(): number[];
  stopped(): boolean;
  /** The board's restart, if it has one. */
  readonly restart?: () => void;
}

export interface UpdateCheckOptions {
  /** The server's base URL as provisioned. */
  readonly url: string;
  /** Trust anchor (DER) for an https server. */
  readonly ca: Uint8Array | undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Every slot write starts and ends on a multiple of this: ESP-IDF's encrypted flash write
 * (esp_partition_write on an encrypted partition) refuses other offsets and lengths.
 */
export const WRITE_ALIGN = 16;
const targetOf = (m: Manifest): UpdateTarget => ({ version: m.version, security: m.security, size: m.size, sha256: m.sha256, buildTime: m.buildTime });

/** The seal's bytes, collected (at most a sector: the GET's maxLength). */
class SealSink implements HttpSink {
  bytes = new Uint8Array(0);
  #at = 0;
  head(head: HttpHead): void {
    this.bytes = new Uint8Array(head.length);
  }
  body(piece: Uint8Array): void {
    this.bytes.set(piece, this.#at);
    this.#at += piece.length;
  }
}

/** Why an outcome is what it is, on its way out of the steps. */
class Stop {
  constructor(readonly outcome: UpdateOutcome) {}
}

export class UpdateCheck implements HttpSink {
  readonly #host: UpdateCheckHost;
  readonly #options: UpdateCheckOptions;
  readonly #port: UpdatePort;
  // The download, while it runs (the GET's sink is this object).
  #target: UpdateTarget | undefined;
  #digest: DigestContext | undefined;
  #sector: Uint8Array | undefined;
  #fill = 0;
  /** Slot offset of the sector buffer's first byte (bytes before it are in flash, hashed). */
  #offset = 0;
  #request: HttpGet | undefined;
  #percent = -1;
  /** The offered seal as served and verified: written into the slot once the image checks. */
  #seal: Uint8Array | undefined;

  constructor(host: UpdateCheckHost, port: UpdatePort, options: UpdateCheckOptions) {
    this.#host = host;
    this.#port = port;
    this.#options = options;
  }

  /** Stops a download under way (the terminal stops): the GET settles, nothing more is written. */
  abort(): void {
    this.#request?.abort();
  }

  /** Runs the check; never rejects (an unexpected error is a 'failed' outcome). */
  async run(): Promise<UpdateOutcome> {
    try {
      return await this.#run();
    } catch (error) {
      if (error instanceof Stop) return error.outcome;
      // The power went (host-sim's cut): nothing more is written, not even a fact.
      if (error instanceof PortError && error.code === 'flash-power') return { kind: 'failed', code: 'update-flash', detail: errorText(error) };
      return this.#failed(error instanceof UpdateError ? error.code : 'update-flash', errorText(error));
    } finally {
      this.#digest = undefined;
      this.#sector = undefined;
      this.#request = undefined;
    }
  }

  async #run(): Promise<UpdateOutcome> {
    const host = this.#host;
    const state = host.updateState();
    // A verified image waiting for an idle terminal (a deferred switch, a reboot since): no network.
    if (state.phase === 'verified' && state.target) return this.#switchTo(state.target);
    let url: HttpUrl;
    try {
      url = parseHttpUrl(this.#options.url);
    } catch (error) {
      return this.#failed('update-url', errorText(error));
    }
    host.progress({ kind: 'progress', stage: 'checking', version: host.ports.system.firmwareVersion });
    const board = this.#port.board;
    const manifest = await this.#offer(url, board);
    if (!manifest) return { kind: 'none', detail: `the server offers nothing for ${board}` };
    this.#judge(manifest, state);
    await this.#download(url, board, manifest, state);
    return this.#switchTo(targetOf(manifest));
  }

  /** The server's newest seal, verified; undefined for a 404. */
  async #offer(url: HttpUrl, board: string): Promise<Manifest | undefined> {
    const sink = new SealSink();
    const head = await this.#get({ ...url, path: `${withSlash(url.path)}${board}/latest.seal` }, 0, SEAL_SECTOR_BYTES, sink);
    if (head.status === 404) return undefined;
    if (head.status !== 200) throw new Stop(this.#failed('update-http', `latest.seal: HTTP ${head.status}`));
    try {
      const manifest = verifySeal(this.#host.ports.crypto, sink.bytes);
      this.#seal = sink.bytes;
      return manifest;
    } catch (error) {
      const code = error instanceof UpdateError ? error.code : 'update-seal';
      throw new Stop(this.#refused(code, undefined, errorText(error)));
    }
  }

  /** Steps 1's judgement: throws a Stop with 'none' or 'refused' unless the offer may be installed. */
  #judge(m: Manifest, state: UpdateState): void {
    const port = this.#port;
    const running = this.#host.ports.system.firmwareVersion;
    const refuse = (code: UpdateErrorCode, detail: string) => new Stop(this.#refused(code, m.version, detail));
    if (m.board !== port.board) throw refuse('update-board', `image for ${m.board.slice(0, 32)}, this board is ${port.board}`);
    let newer: number;
    try {
      newer = compareVersions(m.version, running);
    } catch {
      // A running version that is not "major.minor.patch" (a development build): any signed image is newer.
      newer = 1;
    }
    if (newer === 0) throw new Stop({ kind: 'none', detail: `${running} is the newest offered` });
    if (newer < 0) throw refuse('update-downgrade', `${m.version} is older than the running ${running}`);
    if (state.badVersion === m.version) throw refuse('update-known-bad', `${m.version} was rolled back here before`);
    if (m.security < state.floor) throw refuse('update-downgrade', `security ${m.security} is below the floor ${state.floor}`);
    let tooOld = false;
    try {
      tooOld = compareVersions(running, m.minVersion) < 0;
    } catch {
      tooOld = true;
    }
    if (tooOld) throw refuse('update-min-version', `needs ${m.minVersion} or newer running, this is ${running}`);
    const room = port.slotBytes - SEAL_SECTOR_BYTES;
    if (m.size > room) throw refuse('update-size', `${m.size} bytes, the slot takes ${room}`);
  }

  async #download(url: HttpUrl, board: string, m: Manifest, state: UpdateState): Promise<void> {
    const host = this.#host;
    const crypto = host.ports.crypto;
    const target = targetOf(m);
    const same = state.target !== undefined && sameBytes(state.target.sha256, m.sha256) && state.phase === 'downloading';
    let from = same ? state.written : 0;
    this.#target = target;
    this.#digest = crypto.digest('SHA-256');
    this.#sector = new Uint8Array(this.#port.sectorSize);
    this.#fill = 0;
    if (from > 0) {
      // The bytes already in the slot, hashed as they read back (the hash goes on from there).
      try {
        for (let at = 0; at < from; at += this.#sector.length) this.#digest.update(this.#port.read(at, Math.min(this.#sector.length, from - at)));
      } catch (error) {
        host.ports.trace(`update: the slot's first ${from} bytes unreadable (${errorText(error)}): from 0`);
        this.#digest = crypto.digest('SHA-256');
        from = 0;
      }
    }
    this.#offset = from;
    if (!same || from === 0) this.#save({ ...state, phase: 'downloading', target, written: 0, baseline: [] });
    this.#showPercent(from);
    if (from < m.size) {
      // At most the whole image: a server that ignores the range answers 200 with all of it (head() starts over).
      const head = await this.#get({ ...url, path: `${withSlash(url.path)}${board}/${m.version}.bin` }, from, m.size, this);
      if (head.status !== 200 && head.status !== 206) throw new Stop(this.#failed('update-http', `${m.version}.bin: HTTP ${head.status}`));
      this.#flush();
    }
    host.progress({ kind: 'progress', stage: 'verifying', version: m.version });
    const sha256 = (this.#digest as DigestContext).close();
    this.#digest = undefined;
    if (this.#offset !== m.size || !sameBytes(sha256, m.sha256)) {
      // Start over next time: the slot's bytes are not the signed image (nothing resumes from them).
      this.#save({ ...host.updateState(), phase: 'idle', target: undefined, written: 0, baseline: [] });
      throw new Stop(this.#refused(this.#offset !== m.size ? 'update-size' : 'update-hash', m.version, this.#offset !== m.size ? `${this.#offset} bytes written, the manifest says ${m.size}` : 'the image read back does not have the signed SHA-256'));
    }
    this.#writeSeal(m);
    this.#save({ ...host.updateState(), phase: 'verified', target, written: m.size });
  }

  /** Step 4: switch the boot slot to the verified `target` now, or defer while the terminal is busy. */
  #switchTo(target: UpdateTarget): UpdateOutcome {
    const host = this.#host;
    const busy = host.busyReason();
    if (busy) return { kind: 'deferred', reason: busy };
    host.progress({ kind: 'progress', stage: 'installing', version: target.version });
    const state = host.updateState();
    this.#save({ ...state, phase: 'switched', target, written: target.size, baseline: host.baseline() });
    try {
      this.#port.activate();
    } catch (error) {
      if (error instanceof PortError && error.code === 'flash-power') throw error;
      // The bootloader's own check refuses the image: never this one again.
      this.#save({ ...host.updateState(), phase: 'idle', target: undefined, written: 0, baseline: [], badVersion: target.version });
      return this.#refused('update-hash', target.version, `the bootloader refused it: ${errorText(error)}`);
    }
    host.ports.trace(`update: ${target.version} installed in the other slot; restarting into it`);
    host.progress({ kind: 'progress', stage: 'restarting', version: target.version });
    host.restart?.();
    return { kind: 'installed', version: target.version };
  }

  // ---- the GET's sink: the image into the slot, sector by sector

  head(head: HttpHead): void {
    const target = this.#target as UpdateTarget;
    if (head.start + head.length !== target.size) throw new UpdateError('update-size', `the server sends bytes ${head.start}..${head.start + head.length} of an image of ${target.size}`);
    if (head.start !== this.#offset) {
      // A 200 to a ranged GET: the whole image again, from 0.
      this.#host.ports.trace(`update: the server ignored the range from ${this.#offset}: from 0`);
      this.#digest = this.#host.ports.crypto.digest('SHA-256');
      this.#offset = 0;
      this.#fill = 0;
    }
  }

  body(bytes: Uint8Array): void {
    const sector = this.#sector as Uint8Array;
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(sector.length - this.#fill, bytes.length - at);
      sector.set(bytes.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === sector.length) this.#flush();
    }
  }

  /**
   * Erases the sector, writes the buffer, reads it back and hashes that; the record every WRITE_STEP.
   * Every write is WRITE_ALIGN-aligned in offset and length (flash encryption refuses others): a
   * sector starts at a sector boundary (a resume starts at a WRITE_STEP mark), and the image's
   * last, partial sector is padded with 0xFF to the next WRITE_ALIGN bytes; the hash covers only
   * the image's bytes.
   */
  #flush() {
    const n = this.#fill;
    if (n === 0) return;
    const port = this.#port;
    const sector = this.#sector as Uint8Array;
    const offset = this.#offset;
    port.eraseSector(offset / port.sectorSize);
    const padded = Math.min(sector.length, Math.ceil(n / WRITE_ALIGN) * WRITE_ALIGN);
    if (padded > n) sector.fill(0xff, n, padded);
    const piece = padded === sector.length ? sector : sector.subarray(0, padded);
    port.write(offset, piece);
    const back = port.read(offset, padded);
    if (!sameBytes(back, piece)) throw new UpdateError('update-flash', `slot bytes at ${offset} read back differ from those written`);
    (this.#digest as DigestContext).update(padded === n ? back : back.subarray(0, n));
    this.#offset = offset + n;
    this.#fill = 0;
    const target = this.#target as UpdateTarget;
    if (this.#offset % WRITE_STEP === 0 || this.#offset === target.size) {
      this.#save({ ...this.#host.updateState(), phase: 'downloading', target, written: this.#offset });
      this.#showPercent(this.#offset);
    }
  }

  #showPercent(written: number) {
    const target = this.#target as UpdateTarget;
    const percent = Math.floor((written * 100) / target.size);
    if (percent === this.#percent) return;
    this.#percent = percent;
    this.#host.progress({ kind: 'progress', stage: 'downloading', version: target.version, percent });
  }

  /**
   * The seal into the slot's last sector(s), read back: the whole SEAL_SECTOR_BYTES padded with
   * 0xFF (sealSector), in one write. With flash encryption an erased byte never written reads
   * back as noise, not 0xFF, and parseSeal refuses a sector whose tail is not 0xFF; the encrypted
   * write also refuses a length that is not a multiple of 16 (the seal itself is some 250 B).
   */
  #writeSeal(m: Manifest) {
    const port = this.#port;
    const sealBytes = this.#seal;
    if (!sealBytes) throw new UpdateError('update-seal', `no seal kept for ${m.version}`);
    const first = (port.slotBytes - SEAL_SECTOR_BYTES) / port.sectorSize;
    for (let s = first; s < port.slotBytes / port.sectorSize; s++) port.eraseSector(s);
    const at = port.slotBytes - SEAL_SECTOR_BYTES;
    const sector = sealSector(sealBytes);
    port.write(at, sector);
    if (!sameBytes(port.read(at, sector.length), sector)) throw new UpdateError('update-flash', 'the seal read back differs from the one written');
  }

  async #get(url: HttpUrl, from: number, maxLength: number, sink: HttpSink): Promise<HttpHead> {
    const host = this.#host;
    const ports = host.ports;
    if (!ports.network.link().up) throw new Stop(this.#failed('update-server', 'no network link'));
    const request = new HttpGet(
      { network: ports.network, clock: ports.clock, url, from, maxLength, connectTimeoutMs: CONNECT_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS, ...(this.#options.ca ? { ca: this.#options.ca } : {}) },
      sink,
    );
    this.#request = request;
    let head: HttpHead;
    try {
      head = await request.run();
    } catch (error) {
      if (error instanceof PortError && error.code === 'flash-power') throw error;
      if (host.stopped()) throw new Stop({ kind: 'failed', code: 'update-server', detail: 'the terminal stopped' });
      const code: UpdateErrorCode = error instanceof UpdateError ? error.code : error instanceof PortError ? 'update-flash' : 'update-server';
      if (code === 'update-size' || code === 'update-hash') throw new Stop(this.#refused(code, this.#target?.version, errorText(error)));
      throw new Stop(this.#failed(code, errorText(error)));
    } finally {
      this.#request = undefined;
    }
    if (host.stopped()) throw new Stop({ kind: 'failed', code: 'update-server', detail: 'the terminal stopped' });
    return head;
  }

  #save(state: UpdateState) {
    this.#host.saveUpdateState(state);
  }

  #refused(code: UpdateErrorCode, version: string | undefined, detail: string): UpdateOutcome {
    this.#host.fact('update.refused', 'warn', `${version ? `${version}: ` : ''}${code}: ${detail}`);
    return { kind: 'refused', code, ...(version ? { version } : {}), detail };
  }

  #failed(code: UpdateErrorCode, detail: string): UpdateOutcome {
    this.#host.fact('update.download-failed', 'info', `${code}: ${detail}`);
    return { kind: 'failed', code, detail };
  }
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}
